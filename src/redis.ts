import Redis from 'ioredis'
import type { Logger } from './logger.ts'

const LOST = new Set(['close', 'reconnecting', 'end'])

/**
 * False while the connection is lost (between ioredis' reconnect attempts): then the cluster runs
 * degraded (docs/operations.md, "A Redis outage"). A client still making its first connection counts
 * as up: its commands wait for it.
 */
export const redisUp = (redis: Redis): boolean => !LOST.has(redis.status)

/**
 * Connects to REDIS_URL and waits until it answers, so a wrong URL stops the start with a clear message.
 * Once running, a lost connection is retried at most a second apart, and a command sent meanwhile
 * fails after one retry instead of waiting: callers fall back to what this instance knows.
 */
export async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 100, 1000),
  })
  // Each failed reconnect attempt errors again: one line per outage, not one a second.
  let quiet = false
  redis.on('ready', () => (quiet = false))
  redis.on('error', (error) => {
    if (quiet) return
    quiet = true
    logger.warn('redis error', { err: error.message })
  })
  await redis.connect()
  await redis.ping()
  return redis
}
