/** What a verified access token says; `exp` is in seconds, as in the JWT. */
export interface VerifiedClaims {
  sub: string
  exp?: number
}

/**
 * Remembers tokens whose signature already checked out, until each one's own `exp`, so a client
 * that sends the same bearer token on every request pays for the HMAC once. Bounded: past
 * `maxEntries` the oldest entry goes. Only successes are kept; a bad token is verified (and
 * refused) every time. Nothing is weakened: access tokens are not revocable before `exp`, and the
 * user behind the token is still looked up on each request.
 */
export function cachedTokenVerifier<Claims extends VerifiedClaims>(
  verify: (token: string) => Promise<Claims | false>,
  maxEntries = 10_000,
  now = Date.now,
) {
  const verified = new Map<string, Claims>()
  return async (token: string): Promise<Claims | false> => {
    const known = verified.get(token)
    if (known) {
      if (known.exp !== undefined && known.exp * 1000 > now()) return known
      verified.delete(token)
    }
    const claims = await verify(token)
    if (claims && claims.exp !== undefined && claims.exp * 1000 > now()) {
      if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!)
      verified.set(token, claims)
    }
    return claims
  }
}
