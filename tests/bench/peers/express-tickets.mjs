// The peer baseline for REST: the same authenticated list (20 newest tickets) with Express 5 on
// Node, reading the same SQLite file with @libsql/client, verifying the same HS256 JWT.
// Usage: node express-tickets.mjs <port> <database url> <jwt secret>
import { createClient } from '@libsql/client'
import express from 'express'
import { newestTicketsSql, unauthenticated, verifyBearer } from './hs256.mjs'

const [port, databaseUrl, secret] = process.argv.slice(2)
const db = createClient({ url: databaseUrl })

const app = express()
app.get('/api/v1/tickets', async (req, res) => {
  if (!verifyBearer(req.headers.authorization, secret)) return res.status(401).json(unauthenticated)
  const limit = Math.min(100, Number(req.query.limit ?? 20))
  const { rows } = await db.execute({ sql: newestTicketsSql, args: [limit + 1] })
  res.json({ items: rows.slice(0, limit), nextCursor: rows.length > limit ? 'more' : null })
})
app.listen(Number(port), '127.0.0.1', () => console.log('ready'))
