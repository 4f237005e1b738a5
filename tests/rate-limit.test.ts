import { describe, expect, test } from 'bun:test'
import { mayAccess } from '../src/http/auth.ts'
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
  test('anonymous callers: 60 per minute per IP, 429 with Retry-After, then the window resets', async () => {
    const { allowed, response } = await hitUntilLimited(() => ctx.t.call('GET', '/api/v1/me'), 100)
    expect(allowed).toBe(60)
    expect(response.body.error.code).toBe('RATE_LIMITED')
    expect(response.headers.get('retry-after')).toBe('60')
    ctx.clock.advance(30_000)
    expect((await ctx.t.call('GET', '/api/v1/me')).headers.get('retry-after')).toBe('30')
    ctx.clock.advance(30_000)
    expect((await ctx.t.call('GET', '/api/v1/me')).status).toBe(401)
  })

  test('health, metrics and docs are not throttled', async () => {
    for (let i = 0; i < 70; i++) expect((await ctx.t.call('GET', '/health/live')).status).toBe(200)
  })

  test('signed-in users: 200 per minute each, counted per account', async () => {
    const [first, second] = [await ctx.t.register(), await ctx.t.register()]
    const { allowed } = await hitUntilLimited(() => ctx.t.call('GET', '/api/v1/me', { token: first.accessToken }), 250)
    expect(allowed).toBe(200)
    expect((await ctx.t.call('GET', '/api/v1/me', { token: second.accessToken })).status).toBe(200)
  })

  test('login: 15 per minute, even for malformed attempts', async () => {
    const { allowed } = await hitUntilLimited(() => ctx.t.call('POST', '/api/v1/auth/login', { body: { email: 'x@example.com' } }), 30)
    expect(allowed).toBe(15)
    const valid = await ctx.t.call('POST', '/api/v1/auth/login', { body: { email: 'x@example.com', password: 'whatever1' } })
    expect(valid.status).toBe(429)
  })

  test('otp: 5 per minute', async () => {
    const { allowed } = await hitUntilLimited(
      () => ctx.t.call('POST', '/api/v1/auth/otp/verify', { body: { phone: '+966500000000', code: '123456' } }),
      20,
    )
    expect(allowed).toBe(5)
  })

  test('refresh: 60 per minute', async () => {
    const limited = await createTestApp({ clock: ctx.clock, rateLimits: { anonymous: { limit: 1000, windowSec: 60 }, refresh: { limit: 60, windowSec: 60 } } })
    const { allowed } = await hitUntilLimited(() => limited.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: 'x' } }), 100)
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
    while ((await scaled.call('POST', '/api/v1/auth/login', { body: { email: 'x@example.com', password: 'whatever1' } })).status !== 429) allowed += 1
    expect(allowed).toBe(2) // login: 15 × 0.1, rounded
    scaled.close()
  })
})
