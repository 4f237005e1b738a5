import { createApp } from './app.ts'
import { type Config, ConfigError, loadConfig } from './config.ts'
import { openDatabase, shownDatabaseUrl } from './db/client.ts'
import { applyMigrations } from './db/migrate.ts'
import { drainAndClose } from './lifecycle.ts'
import { startMedia } from '../media/index.ts'
import type { AuthUser } from './access/policy.ts'
import { createLogger, errorFields } from './logger.ts'
import { connectRedis } from './redis.ts'

let config: Config
try {
  config = loadConfig()
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  console.error(`Invalid configuration: ${error.message}`)
  process.exit(1)
}

const logger = createLogger(config.logLevel)
const database = await openDatabase(config.database)
await applyMigrations(database.db)
const media = await startMedia<AuthUser>(config, logger).catch((error: Error) => {
  const portTaken = /address already in use|EADDRINUSE/i.test(error.message)
  const hint = portTaken
    ? `MEDIA_PORT ${config.media.port} (one port per worker from there, ${config.media.workers} workers) is in use by another program or Majlis instance; choose another MEDIA_PORT`
    : 'run `npm run media:build-worker`; check MEDIA_PORT and MEDIA_LISTEN_IP'
  logger.error(portTaken ? 'media port in use' : 'media workers could not start', { err: error.message, hint })
  database.close()
  process.exit(1)
})

const redis = config.redisUrl
  ? await connectRedis(config.redisUrl, logger).catch((error: Error) => {
      logger.error('redis unreachable', { err: error.message, hint: 'check REDIS_URL' })
      process.exit(1)
    })
  : undefined

let draining = false
const app = createApp({ config, database, logger, media, redis, isDraining: () => draining })
await app.decorator.runStartTasks()
await app.decorator.hub.start()
try {
  app.listen({ port: config.port, hostname: config.host })
} catch (error) {
  const portTaken = (error as { code?: string }).code === 'EADDRINUSE'
  logger.error(portTaken ? 'http port in use' : 'http server could not start', {
    err: (error as Error).message,
    port: config.port,
    host: config.host,
    hint: portTaken
      ? 'another program or Majlis instance listens on PORT; stop it or choose another PORT'
      : 'check PORT and HOST',
  })
  await media.close()
  database.close()
  process.exit(1)
}
const server = app.server!
app.decorator.scheduler.start()
logger.info('listening', {
  url: server.url.href,
  env: config.env,
  database: shownDatabaseUrl(config.database.url),
})

/** Past this, a shutdown that has not finished (a stuck close) ends the process anyway. */
const SHUTDOWN_DEADLINE_MS = 30_000

/**
 * Drains (docs/operations.md, "Graceful shutdown"): readiness fails and new requests are refused
 * with SHUTTING_DOWN; clients are sent to the other instances and their sockets closed; the
 * instance leaves the cluster; in-flight requests finish; then jobs, media, Redis and the database close.
 */
async function shutdown(signal: string) {
  if (draining) return
  draining = true
  logger.info('shutting down', { signal })
  setTimeout(() => {
    logger.error('shutdown did not finish in time; exiting', { deadlineMs: SHUTDOWN_DEADLINE_MS })
    process.exit(1)
  }, SHUTDOWN_DEADLINE_MS).unref()
  try {
    await app.decorator.hub.moveEveryone()
    await app.decorator.hub.close()
    if (redis) logger.info('left the cluster')
    await drainAndClose(
      server,
      [
        { name: 'scheduler', close: () => app.decorator.scheduler.stop() },
        { name: 'media', close: () => media.close() },
        ...(redis ? [{ name: 'redis', close: () => redis.quit() }] : []),
        { name: 'database', close: () => database.close() },
      ],
      logger,
    )
    logger.info('shutdown complete')
    process.exit(0)
  } catch (error) {
    logger.error('shutdown failed', errorFields(error))
    process.exit(1)
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
