import type Redis from 'ioredis'
import { redisUp } from '../redis.ts'
import { MemoryRateLimitStore, type RateLimitStore, type WindowCount } from './rate-limit.ts'

// One round trip, atomic: count the hit, start the window on the first one, report what is left of it.
const hitScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`

/**
 * Rate-limit counters shared by every instance behind one REDIS_URL. While Redis is away each
 * instance counts on its own (so a client spread over n instances gets up to n times the budget)
 * rather than refusing or failing every request.
 */
export class RedisRateLimitStore implements RateLimitStore {
  private readonly alone: MemoryRateLimitStore

  constructor(
    private readonly redis: Redis,
    private readonly now: () => number = Date.now,
  ) {
    this.alone = new MemoryRateLimitStore(now)
  }

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    if (!redisUp(this.redis)) return this.alone.hit(key, windowMs)
    try {
      const [count, ttlMs] = (await this.redis.eval(hitScript, 1, `majlis:rl:${key}`, windowMs)) as [number, number]
      return { count, resetAt: this.now() + Math.max(0, ttlMs) }
    } catch {
      return this.alone.hit(key, windowMs)
    }
  }
}
