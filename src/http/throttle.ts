import { Elysia } from 'elysia'
import type { authGuard } from './auth.ts'
import { clientIp } from './client-ip.ts'
import type { RateLimiter, RateLimitScope } from './rate-limit.ts'

/**
 * Applies the rate limits before validation, so malformed floods are counted too:
 * every route gets the anonymous (per IP) or user (per account) budget, and a route
 * may add a scope of its own with `{ rateLimit: 'login' }`.
 */
export const throttle = (limiter: RateLimiter, trustProxy: boolean, guard: ReturnType<typeof authGuard>) =>
  new Elysia({ name: 'throttle' })
    .use(guard)
    .derive({ as: 'scoped' }, ({ request, server }) => ({ clientIp: clientIp(request, server, trustProxy) }))
    .onTransform({ as: 'scoped' }, async ({ session, clientIp }) => {
      if (session) await limiter.consume('user', session.userId)
      else await limiter.consume('anonymous', clientIp)
    })
    .macro({
      rateLimit: (scope: RateLimitScope) => ({
        async transform({ clientIp }) {
          await limiter.consume(scope, clientIp ?? 'unknown')
        },
      }),
    })
