import { describe, expect, test } from 'bun:test'
import { mayAccess } from '../src/access/policy.ts'
import { MemoryRateLimitStore } from '../src/http/rate-limit.ts'
import { ManualClock, createTestApp, freshAppPerTest } from './helpers/app.ts'

const ctx = freshAppPerTest({ rateLimits: 'defaults' })

async function hitUntilLimited(send: () => Promise<{ status: number; headers: Headers; body: any }>, max: number) {
  for (let i = 1; i <= max; i++) {
    const response = await send()
    if (response.status === 429) return { allowed: i - 1, response }
  }
  throw new Error(`not limited after ${max} requests`)
}

describe('rate limits (scopes of the original back end)', () => {
  test('anonymous callers: 300 per minute per IP, 429 with Retry-After, then the window resets', async () => {
    const { allowed, response } = await hitUntilLimited(() => ctx.t.call('GET', '/api/v1/me'), 400)
    expect(allowed).toBe(300)
    expect(response.body.error.code).toBe('RATE_LIMITED')
    expect(response.headers.get('retry-after')).toBe('60')
    ctx.clock.advance(30_000)
    expect((await ctx.t.call('GET', '/api/v1/me')).headers.get('retry-after')).toBe('30')
    ctx.clock.advance(30_000)
    expect((await ctx.t.call('GET', '/api/v1/me')).status).toBe(401)
  })

  test('health, metrics and docs are not throttled', async () => {
    for (let i = 0; i < 320; i++) expect((await ctx.t.call('GET', '/health/live')).status).toBe(200)
  })

  test('signed-in users: 200 per minute each, counted per account', async () => {
    const [first, second] = [await ctx.t.register(), await ctx.t.register()]
    const { allowed } = await hitUntilLimited(() => ctx.t.call('GET', '/api/v1/me', { token: first.accessToken }), 250)
    expect(allowed).toBe(200)
    expect((await ctx.t.call('GET', '/api/v1/me', { token: second.accessToken })).status).toBe(200)
  })

  test('login: 10 tries per minute per account; the per-IP ceiling (300) counts malformed attempts too', async () => {
    const { allowed } = await hitUntilLimited(
      () => ctx.t.call('POST', '/api/v1/auth/login', { body: { email: 'X@example.com', password: 'wrong password' } }),
      30,
    )
    expect(allowed).toBe(10)
    expect(
      (await ctx.t.call('POST', '/api/v1/auth/login', { body: { email: 'x@example.com', password: 'wrong password' } }))
        .status,
    ).toBe(429)
    // Another account from the same address is not held back by the first one's tries.
    const other = await ctx.t.register('customer', { email: 'other@example.com' })
    expect(
      (
        await ctx.t.call('POST', '/api/v1/auth/login', {
          body: { email: 'other@example.com', password: 'correct horse battery' },
        })
      ).body.user.id,
    ).toBe(other.user.id)
  })

  test('login from one address: a ceiling of 300 per minute across accounts, malformed attempts included', async () => {
    let attempt = 0
    // Every tenth attempt is a real wrong password (an argon2 verification each); the rest are malformed.
    const { allowed } = await hitUntilLimited(
      () =>
        ctx.t.call('POST', '/api/v1/auth/login', {
          body: { email: `user${++attempt}@example.com`, ...(attempt % 10 ? {} : { password: 'wrong password' }) },
        }),
      400,
    )
    expect(allowed).toBe(300)
  })

  test('otp verify: 10 tries per minute per phone', async () => {
    const { allowed } = await hitUntilLimited(
      () => ctx.t.call('POST', '/api/v1/auth/otp/verify', { body: { phone: '+966500000000', code: '123456' } }),
      30,
    )
    expect(allowed).toBe(10)
    expect(
      (await ctx.t.call('POST', '/api/v1/auth/otp/verify', { body: { phone: '+966500000001', code: '123456' } }))
        .status,
    ).toBe(401)
  })

  test('30 students behind one NAT address all sign in by OTP within a minute', async () => {
    const phones = Array.from({ length: 30 }, (_, index) => `+96655000${String(index).padStart(4, '0')}`)
    const signedIn = await Promise.all(
      phones.map(async (phone) => {
        const sent = await ctx.t.call('POST', '/api/v1/auth/otp/send', { body: { phone } })
        const verified = await ctx.t.call('POST', '/api/v1/auth/otp/verify', {
          body: { phone, code: sent.body.devCode },
        })
        return [sent.status, verified.status, verified.body.user?.phone]
      }),
    )
    expect(signedIn).toEqual(phones.map((phone) => [200, 200, phone]))
  })

  test('refresh: 60 per minute', async () => {
    const limited = await createTestApp({
      clock: ctx.clock,
      rateLimits: { anonymous: { limit: 1000, windowSec: 60 }, refresh: { limit: 60, windowSec: 60 } },
    })
    const { allowed } = await hitUntilLimited(
      () => limited.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'x' } }),
      100,
    )
    expect(allowed).toBe(60)
    limited.close()
  })
})

describe('MemoryRateLimitStore', () => {
  test('fixed windows per key', async () => {
    const now = new ManualClock(1_000)
    const store = new MemoryRateLimitStore(now.now)
    expect(await store.hit('a', 1000)).toEqual({ count: 1, resetAt: 2000 })
    expect(await store.hit('a', 1000)).toEqual({ count: 2, resetAt: 2000 })
    expect(await store.hit('b', 1000)).toEqual({ count: 1, resetAt: 2000 })
    now.advance(1000)
    expect(await store.hit('a', 1000)).toEqual({ count: 1, resetAt: 3000 })
  })
})

describe('role guard', () => {
  test('customer routes admit every completed role; specific roles only themselves', () => {
    for (const role of ['customer', 'supporter', 'teacher', 'provider', 'staff'] as const) {
      expect(mayAccess(role, ['customer'])).toBe(true)
      expect(mayAccess(role, true)).toBe(true)
    }
    expect(mayAccess('customer', ['supporter', 'staff'])).toBe(false)
    expect(mayAccess('supporter', ['supporter', 'staff'])).toBe(true)
    expect(mayAccess('phone_only', ['customer'])).toBe(false)
    expect(mayAccess('phone_only', true)).toBe(false)
    expect(mayAccess('phone_only', 'any')).toBe(true)
  })
})

describe('RATE_LIMIT_FACTOR', () => {
  test('scales every scope', async () => {
    const scaled = await createTestApp({ env: { RATE_LIMIT_FACTOR: '0.1' }, rateLimits: 'defaults' })
    let allowed = 0
    while (
      (await scaled.call('POST', '/api/v1/auth/login', { body: { email: 'x@example.com', password: 'whatever1' } }))
        .status !== 429
    )
      allowed += 1
    expect(allowed).toBe(1) // loginAccount: 10 × 0.1
    scaled.close()
  })
})
