import type { Server } from 'bun'
import type { Logger } from './logger.ts'

const DRAIN_TIMEOUT_MS = 10_000

export interface Closeable {
  name: string
  close(): unknown
}

/**
 * Stops accepting connections, lets in-flight requests finish (up to a timeout, after which
 * they are cut), then closes resources in order (the database last).
 */
export async function drainAndClose(
  server: Server<unknown>,
  resources: Closeable[],
  logger: Logger,
  drainTimeoutMs = DRAIN_TIMEOUT_MS,
) {
  let timer: Timer | undefined
  const drained = await Promise.race([
    server.stop(false).then(() => true),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), drainTimeoutMs)
    }),
  ])
  clearTimeout(timer)
  if (!drained) {
    logger.warn('drain timed out; closing remaining connections', { timeoutMs: drainTimeoutMs })
    await server.stop(true)
  }
  for (const resource of resources) {
    await resource.close()
    logger.info('closed', { resource: resource.name })
  }
}
