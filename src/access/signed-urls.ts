import { t } from 'elysia'
import { createHmac, timingSafeEqual } from 'node:crypto'

/** The query of a signed link, on routes that also take a bearer token or serve public media. */
export const SignedQuery = t.Object({
  expires: t.Optional(t.String({ maxLength: 20 })),
  signature: t.Optional(t.String({ maxLength: 128 })),
})

/**
 * Expiring links to private media (recordings, private HLS playlists) for players that cannot send
 * an Authorization header (<video src>, HLS players, CDNs): `?expires=<unix s>&signature=<hex>`,
 * an HMAC of the path prefix and expiry with a key derived from JWT_SECRET.
 */
export class UrlSigner {
  private readonly key: Buffer

  constructor(secret: string) {
    this.key = createHmac('sha256', secret).update('majlis signed media urls').digest()
  }

  /** The query string granting `scope` (a path or a path prefix ending in /) until `expiresAtMs`. */
  sign(scope: string, expiresAtMs: number): string {
    const expires = Math.floor(expiresAtMs / 1000)
    return `expires=${expires}&signature=${this.signature(scope, expires)}`
  }

  /** Whether the query grants `scope` at `nowMs`. */
  verify(scope: string, query: { expires?: unknown; signature?: unknown }, nowMs: number): boolean {
    const expires = Number(query.expires)
    if (!Number.isInteger(expires) || expires * 1000 < nowMs || typeof query.signature !== 'string') return false
    const expected = Buffer.from(this.signature(scope, expires), 'hex')
    const given = Buffer.from(query.signature, 'hex')
    return given.length === expected.length && timingSafeEqual(given, expected)
  }

  /** A lasting secret for `scope` (a stream's ingest key): derived, so nothing is stored, and checked with verifyKey. */
  keyFor(scope: string): string {
    return createHmac('sha256', this.key).update(`key\n${scope}`).digest('base64url')
  }

  verifyKey(scope: string, given: string): boolean {
    const expected = Buffer.from(this.keyFor(scope))
    const candidate = Buffer.from(given)
    return candidate.length === expected.length && timingSafeEqual(candidate, expected)
  }

  private signature(scope: string, expires: number): string {
    return createHmac('sha256', this.key).update(`${scope}\n${expires}`).digest('hex')
  }
}
