import { describe, expect, test } from 'bun:test'
import { cachedTokenVerifier, type VerifiedClaims } from '../src/http/token-cache.ts'

/** A verifier that counts its calls; tokens look like `<sub>:<exp seconds>`, `bad` fails. */
function countingVerifier() {
  const calls: string[] = []
  const verify = async (token: string): Promise<VerifiedClaims | false> => {
    calls.push(token)
    const [sub, exp] = token.split(':')
    return sub === 'bad' ? false : { sub: sub!, exp: Number(exp) }
  }
  return { calls, verify }
}

describe('verified-token cache', () => {
  test('a token is verified once, then answered from the cache until its exp', async () => {
    let now = 1_000_000
    const { calls, verify } = countingVerifier()
    const cached = cachedTokenVerifier(verify, 100, () => now)
    expect(await cached('alice:1010')).toEqual({ sub: 'alice', exp: 1010 })
    expect(await cached('alice:1010')).toEqual({ sub: 'alice', exp: 1010 })
    expect(calls).toEqual(['alice:1010'])
    now = 1_010_000
    // Past exp the cache does not answer; the verifier is asked again (and would refuse a real expired JWT).
    await cached('alice:1010')
    expect(calls).toEqual(['alice:1010', 'alice:1010'])
  })

  test('failures are not remembered', async () => {
    const { calls, verify } = countingVerifier()
    const cached = cachedTokenVerifier(verify, 100, () => 0)
    expect(await cached('bad:1')).toBe(false)
    expect(await cached('bad:1')).toBe(false)
    expect(calls).toHaveLength(2)
  })

  test('the cache is bounded: past its size the oldest token goes', async () => {
    const { calls, verify } = countingVerifier()
    const cached = cachedTokenVerifier(verify, 2, () => 0)
    await cached('a:9')
    await cached('b:9')
    await cached('c:9')
    calls.length = 0
    await cached('c:9')
    await cached('b:9')
    expect(calls).toEqual([])
    await cached('a:9')
    expect(calls).toEqual(['a:9'])
  })
})
