import { startMedia } from '../../media/index.ts'
import type { AuthUser } from '../../src/access/policy.ts'
import { loadConfig } from '../../src/config.ts'
import { createLogger } from '../../src/logger.ts'
import { createTestApp } from './app.ts'
import { freeMediaPorts } from './server-process.ts'

/** The app with the real SFU (MEDIA_WORKERS workers) listening on a real port. */
export async function startMediaServer(
  options: {
    workers?: number
    emptyGraceMs?: number
    wsAuthTimeoutMs?: number
    hostGoneMs?: number
    env?: Record<string, string>
  } = {},
) {
  const workers = options.workers ?? 2
  const env = {
    MEDIA_WORKERS: String(workers),
    MEDIA_PORT: String(await freeMediaPorts(workers)),
    NODE_ENV: 'test',
    ...options.env,
  }
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' })
  const media = await startMedia<AuthUser>(config, createLogger('silent'), { emptyGraceMs: options.emptyGraceMs })
  const t = await createTestApp({
    env,
    media,
    wsAuthTimeoutMs: options.wsAuthTimeoutMs,
    hostGoneMs: options.hostGoneMs,
  })
  t.app.listen({ port: 0, hostname: '127.0.0.1' })
  const server = t.app.server!
  return {
    ...t,
    media,
    baseUrl: `http://127.0.0.1:${server.port}`,
    wsUrl: `ws://127.0.0.1:${server.port}/ws`,
    async stop() {
      t.app.decorator.hub.closeAll(1001, 'test over')
      await server.stop(true)
      media.close()
      t.close()
    },
  }
}

export type MediaServer = Awaited<ReturnType<typeof startMediaServer>>
