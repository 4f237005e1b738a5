// The HS256 check every REST peer does per request: signature (constant time) and expiry.
import { createHmac, timingSafeEqual } from 'node:crypto'

export function verifyBearer(authorization, secret) {
  const [header, payload, signature] = (authorization?.slice('Bearer '.length) ?? '').split('.')
  if (!signature) return null
  const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest()
  const given = Buffer.from(signature, 'base64url')
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString())
  return claims.exp * 1000 > Date.now() ? claims : null
}

export const unauthenticated = { error: { code: 'UNAUTHENTICATED', message: 'Sign in first' } }
export const newestTicketsSql = 'SELECT * FROM tickets ORDER BY created_at DESC, id DESC LIMIT ?'
