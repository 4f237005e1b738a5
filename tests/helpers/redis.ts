import Redis from 'ioredis'
import { freePort } from './server-process.ts'

/** A real redis-server (Debian package) on a free loopback port, without persistence. */
export async function startRedis() {
  const port = freePort()
  const child = Bun.spawn(['redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdout: 'ignore', stderr: 'pipe' })
  const url = `redis://127.0.0.1:${port}`
  const deadline = Date.now() + 10_000
  for (;;) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    probe.on('error', () => undefined) // refused until the server listens; the loop retries
    try {
      await probe.connect()
      await probe.ping()
      probe.disconnect()
      break
    } catch (error) {
      probe.disconnect()
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`redis-server did not start: ${error}`)
      await Bun.sleep(50)
    }
  }
  return {
    url,
    client: () => new Redis(url, { maxRetriesPerRequest: 3 }),
    async stop() {
      child.kill()
      await child.exited
    },
  }
}
