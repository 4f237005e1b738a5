// The floor for REST on Bun: raw Bun.serve with Bun's SQLite, the same HS256 check and list, no
// framework, no validation, no limits. What Majlis costs above it is the framework's and ours.
// Usage: bun bun-tickets.mjs <port> <database file> <jwt secret>
import { Database } from 'bun:sqlite'
import { newestTicketsSql, unauthenticated, verifyBearer } from './hs256.mjs'

const [port, databaseFile, secret] = process.argv.slice(2)
const newest = new Database(databaseFile, { readonly: true }).query(newestTicketsSql)

Bun.serve({
  port: Number(port),
  hostname: '127.0.0.1',
  fetch(request) {
    const url = new URL(request.url)
    if (url.pathname !== '/api/v1/tickets') return new Response('not found', { status: 404 })
    if (!verifyBearer(request.headers.get('authorization') ?? undefined, secret))
      return Response.json(unauthenticated, { status: 401 })
    const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 20))
    const rows = newest.all(limit + 1)
    return Response.json({ items: rows.slice(0, limit), nextCursor: rows.length > limit ? 'more' : null })
  },
})
console.log('ready')
