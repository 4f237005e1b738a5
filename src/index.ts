import { createApp } from './app.ts'
import { ConfigError, loadConfig } from './config.ts'
import { openDatabase } from './db/client.ts'
import { applyMigrations } from './db/migrate.ts'
import { drainAndClose } from './lifecycle.ts'
import { createLogger, errorFields } from './logger.ts'

let config
try {
  config = loadConfig()
} catch (error) {
  if (!(error instanceof ConfigError)) throw error
  console.error(`Invalid configuration: ${error.message}`)
  process.exit(1)
}

const logger = createLogger(config.logLevel)
const database = await openDatabase(config.database.url, config.database.authToken)
await applyMigrations(database.db)

let draining = false
const app = createApp({ config, database, logger, isDraining: () => draining })
app.listen({ port: config.port, hostname: config.host })
const server = app.server!
logger.info('listening', { url: server.url.href, env: config.env, database: config.database.url.replace(/\/\/.*@/, '//***@') })

async function shutdown(signal: string) {
  if (draining) return
  draining = true
  logger.info('shutting down', { signal })
  try {
    await drainAndClose(server, [{ name: 'database', close: () => database.close() }], logger)
    logger.info('shutdown complete')
    process.exit(0)
  } catch (error) {
    logger.error('shutdown failed', errorFields(error))
    process.exit(1)
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
