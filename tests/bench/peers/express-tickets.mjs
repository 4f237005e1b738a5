// The peer baseline for REST: the same authenticated list (20 newest tickets) with Express 5 on
// Node, reading the same SQLite file with @libsql/client, verifying the same HS256 JWT.
// Usage: node express-tickets.mjs <port> <database url> <jwt secret>
import { createClient } from '@libsql/client'
import express from 'express'
import { createHmac, timingSafeEqual } from 'node:crypto'

const [port, databaseUrl, secret] = process.argv.slice(2)
const db = createClient({ url: databaseUrl })

function verify(token) {
  const [header, payload, signature] = (token ?? '').split('.')
  if (!signature) return null
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
  return claims.exp * 1000 > Date.now() ? claims : null
}

const app = express()
app.get('/api/v1/tickets', async (req, res) => {
  const claims = verify(req.headers.authorization?.slice('Bearer '.length))
  if (!claims) return res.status(401).json({ error: { code: 'UNAUTHENTICATED', message: 'no' } })
  const limit = Math.min(100, Number(req.query.limit ?? 20))
  const { rows } = await db.execute({ sql: 'SELECT * FROM tickets ORDER BY created_at DESC, id DESC LIMIT ?', args: [limit + 1] })
  res.json({ items: rows.slice(0, limit), nextCursor: rows.length > limit ? 'more' : null })
})
app.listen(Number(port), '127.0.0.1', () => console.log('ready'))
