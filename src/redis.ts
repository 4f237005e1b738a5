import Redis from 'ioredis'
import type { Logger } from './logger.ts'

/** Connects to REDIS_URL and waits until it answers, so a wrong URL stops the start with a clear message. */
export async function connectRedis(url: string, logger: Logger): Promise<Redis> {
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 3 })
  redis.on('error', (error) => logger.warn('redis error', { err: error.message }))
  await redis.connect()
  await redis.ping()
  return redis
}
