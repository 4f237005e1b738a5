import { afterEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import { freePort, killStartedServers, startServer, tempDir } from './helpers/server-process.ts'

/** Starting the real entry point where its ports are taken: it refuses, says which port, and the running server is untouched. */
afterEach(killStartedServers)

const logLines = (stdout: string) => stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
const database = () => `file:${join(tempDir(), 'majlis.db')}`

test('a second server on a taken HTTP port exits naming the port; the first keeps answering alone', async () => {
  const first = startServer({ DATABASE_URL: database() })
  await first.waitUntilUp()
  const port = new URL(first.baseUrl).port
  const second = startServer({ DATABASE_URL: database(), PORT: port })
  expect(await second.child.exited).toBe(1)
  const { stdout } = await second.output()
  expect(logLines(stdout).find((line) => line.level === 'error')).toMatchObject({ msg: 'http port in use', port: Number(port) })
  expect(stdout).not.toContain('"listening"')
  // Every request reaches the first server's database: nothing answers from the second one.
  for (let i = 0; i < 10; i++) expect((await fetch(`${first.baseUrl}/health/ready`)).status).toBe(200)
  expect(first.child.exitCode).toBeNull()
})

test('a taken MEDIA_PORT exits saying that port is in use, not that the worker needs building', async () => {
  const mediaPort = String(freePort())
  const first = startServer({ DATABASE_URL: database(), MEDIA_PORT: mediaPort })
  await first.waitUntilUp()
  const second = startServer({ DATABASE_URL: database(), MEDIA_PORT: mediaPort })
  expect(await second.child.exited).toBe(1)
  const failure = logLines((await second.output()).stdout).find((line) => line.level === 'error')
  expect(failure.msg).toBe('media port in use')
  expect(failure.hint).toContain(`MEDIA_PORT ${mediaPort}`)
  expect(failure.hint).not.toContain('media:build-worker')
})
