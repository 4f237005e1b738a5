import type Redis from 'ioredis'
import type { RateLimitStore, WindowCount } from './rate-limit.ts'

// One round trip, atomic: count the hit, start the window on the first one, report what is left of it.
const hitScript = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return { count, redis.call('PTTL', KEYS[1]) }`

/** Rate-limit counters shared by every instance behind one REDIS_URL. */
export class RedisRateLimitStore implements RateLimitStore {
  constructor(
    private readonly redis: Redis,
    private readonly now: () => number = Date.now,
  ) {}

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const [count, ttlMs] = (await this.redis.eval(hitScript, 1, `majlis:rl:${key}`, windowMs)) as [number, number]
    return { count, resetAt: this.now() + Math.max(0, ttlMs) }
  }
}
