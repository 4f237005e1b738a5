import type Redis from 'ioredis'
import { redisUp } from '../redis.ts'

/** Mutual exclusion between server instances for one due job. */
export interface JobLock {
  /** True if this instance now holds the lock for ttlMs. */
  acquire(key: string, ttlMs: number): Promise<boolean>
  release(key: string): Promise<void>
}

/** One instance: the database claim is all the exclusion needed. */
export const singleInstanceLock: JobLock = {
  acquire: async () => true,
  release: async () => undefined,
}

// Deletes the lock only if this instance still holds it (its TTL may have passed and another taken it).
const releaseIfOwner =
  "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"

/**
 * With REDIS_URL: SET NX PX, so instances do not race for the same due job. The database claim
 * (a guarded UPDATE) is what makes a job run once; the lock only spares the losers that claim. So
 * while Redis is away the lock is granted, and jobs go on running, each still once.
 */
export class RedisJobLock implements JobLock {
  private readonly owner = crypto.randomUUID()

  constructor(private readonly redis: Redis) {}

  async acquire(key: string, ttlMs: number): Promise<boolean> {
    if (!redisUp(this.redis)) return true
    const taken = await this.redis.set(`majlis:lock:${key}`, this.owner, 'PX', ttlMs, 'NX').catch(() => 'OK')
    return taken === 'OK'
  }

  async release(key: string): Promise<void> {
    if (!redisUp(this.redis)) return
    await this.redis.eval(releaseIfOwner, 1, `majlis:lock:${key}`, this.owner).catch(() => undefined)
  }
}
