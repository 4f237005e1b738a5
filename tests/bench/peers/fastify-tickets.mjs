// The strongest Node peer for REST: Fastify 5 with better-sqlite3 (a prepared statement, synchronous,
// the fastest SQLite access on Node), the same HS256 check and the same list of 20 newest tickets.
// Usage: node fastify-tickets.mjs <port> <database file> <jwt secret>
import Database from 'better-sqlite3'
import Fastify from 'fastify'
import { newestTicketsSql, unauthenticated, verifyBearer } from './hs256.mjs'

const [port, databaseFile, secret] = process.argv.slice(2)
const newest = new Database(databaseFile, { readonly: true }).prepare(newestTicketsSql)

const app = Fastify({ logger: false })
app.get('/api/v1/tickets', async (request, reply) => {
  if (!verifyBearer(request.headers.authorization, secret)) return reply.code(401).send(unauthenticated)
  const limit = Math.min(100, Number(request.query.limit ?? 20))
  const rows = newest.all(limit + 1)
  return { items: rows.slice(0, limit), nextCursor: rows.length > limit ? 'more' : null }
})
await app.listen({ port: Number(port), host: '127.0.0.1' })
console.log('ready')
