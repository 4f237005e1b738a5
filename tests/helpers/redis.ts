import { afterAll, beforeAll } from 'bun:test'
import Redis from 'ioredis'
import { join } from 'node:path'
import { createTestApp, type TestApp } from './app.ts'
import { freePort, tempDir } from './server-process.ts'

/**
 * A real redis-server (Debian package) on a free loopback port, without persistence. `stop()` and
 * `start()` again on the same port play an outage: it comes back empty, as a restarted Redis without
 * persistence does.
 */
export async function startRedis() {
  const port = freePort()
  const url = `redis://127.0.0.1:${port}`
  let child: ReturnType<typeof Bun.spawn>
  async function start() {
    child = Bun.spawn(
      ['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdout: 'ignore', stderr: 'pipe' },
    )
    const deadline = Date.now() + 10_000
    for (;;) {
      const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
      probe.on('error', () => undefined) // refused until the server listens; the loop retries
      try {
        await probe.connect()
        await probe.ping()
        probe.disconnect()
        return
      } catch (error) {
        probe.disconnect()
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start: ${error}`)
        await Bun.sleep(50)
      }
    }
  }
  await start()
  return {
    url,
    client: () => new Redis(url, { maxRetriesPerRequest: 3 }),
    start,
    async stop() {
      child.kill()
      await child.exited
    },
  }
}

/**
 * `count` in-process apps behind one redis-server and one database file, each listening on its own
 * port, for every test of the file: `const cluster = appsOverRedisPerFile(3)`, then
 * `cluster.instances[i].app` / `.wsUrl`, and `cluster.redisClients[i]` (instance i's connection).
 */
export function appsOverRedisPerFile(count: number) {
  const cluster = { instances: [] as Array<{ app: TestApp; wsUrl: string }>, redisClients: [] as Redis[] }
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined
  beforeAll(async () => {
    redis = await startRedis()
    const databaseUrl = `file:${join(tempDir(), 'cluster.db')}`
    for (let i = 0; i < count; i++) {
      const client = redis.client()
      cluster.redisClients.push(client)
      const app = await createTestApp({ env: { DATABASE_URL: databaseUrl }, redis: client })
      app.app.listen({ port: 0, hostname: '127.0.0.1' })
      cluster.instances.push({ app, wsUrl: `ws://127.0.0.1:${app.app.server!.port}/ws` })
    }
  })
  afterAll(async () => {
    for (const { app } of cluster.instances) {
      await app.app.server?.stop(true)
      await app.close()
    }
    for (const client of cluster.redisClients) client.disconnect()
    await redis?.stop()
  })
  return cluster
}
