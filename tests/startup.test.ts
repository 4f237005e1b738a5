import { afterEach, expect, test } from 'bun:test'
import { Database } from 'bun:sqlite'
import { join } from 'node:path'
import { apiClient, freePort, killStartedServers, startServer, tempDir } from './helpers/server-process.ts'

/** Starting the real entry point: taken ports are refused clearly; what a start does to a database (seeding, new columns). */
afterEach(killStartedServers)

const logLines = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line))
const database = () => `file:${join(tempDir(), 'majlis.db')}`

test('a second server on a taken HTTP port exits naming the port; the first keeps answering alone', async () => {
  const first = startServer({ DATABASE_URL: database() })
  await first.waitUntilUp()
  const port = new URL(first.baseUrl).port
  const second = startServer({ DATABASE_URL: database(), PORT: port })
  expect(await second.child.exited).toBe(1)
  const { stdout } = await second.output()
  expect(logLines(stdout).find((line) => line.level === 'error')).toMatchObject({
    msg: 'http port in use',
    port: Number(port),
  })
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

test('a fresh database gets the starter catalogue once, so a client can post a request at once; SEED_CATALOGUE=false leaves it empty', async () => {
  const env = { DATABASE_URL: database() }
  const first = startServer(env)
  await first.waitUntilUp()
  const api = apiClient(first.baseUrl)
  const categories = (await api('GET', '/categories')).body
  expect(categories.length).toBeGreaterThanOrEqual(10)
  expect(categories[0]).toMatchObject({ name: 'سباكة', nameEn: 'Plumbing' })
  const client = (
    await api('POST', '/auth/register', undefined, {
      email: 'client@example.com',
      password: 'a long password',
      name: 'Client',
    })
  ).body
  const posted = await api('POST', '/service-requests', client.accessToken, {
    type: 'competitive',
    title: 'Leak',
    description: 'Kitchen sink',
    subcategoryId: categories[0].subcategories[0].id,
    city: 'الرياض',
  })
  expect(posted.status).toBe(201)
  first.child.kill('SIGTERM')
  expect(await first.child.exited).toBe(0)

  const again = startServer(env)
  await again.waitUntilUp()
  const afterRestart = (await apiClient(again.baseUrl)('GET', '/categories')).body
  expect(afterRestart.map((category: { id: string }) => category.id)).toEqual(
    categories.map((category: { id: string }) => category.id),
  )

  const optedOut = startServer({ DATABASE_URL: database(), SEED_CATALOGUE: 'false' })
  await optedOut.waitUntilUp()
  expect((await apiClient(optedOut.baseUrl)('GET', '/categories')).body).toEqual([])
})

test('providers stored before city keys existed are found by any spelling of their city after a start', async () => {
  const env = { DATABASE_URL: database() }
  const server = startServer(env)
  await server.waitUntilUp()
  const api = apiClient(server.baseUrl)
  const account = (
    await api('POST', '/auth/register', undefined, {
      email: 'old@example.com',
      password: 'a long password',
      name: 'Old',
    })
  ).body
  const provider = (
    await api('POST', '/providers/register', account.accessToken, { displayName: 'Old Plumbing', city: 'الرّياض' })
  ).body
  server.child.kill('SIGTERM')
  expect(await server.child.exited).toBe(0)
  // As a database migrated from before city keys holds it.
  const file = new Database(env.DATABASE_URL.replace('file:', ''))
  file.run("update providers set city_key = ''")
  file.close()

  const restarted = startServer(env)
  await restarted.waitUntilUp()
  const found = (await apiClient(restarted.baseUrl)('GET', '/providers?city=Riyadh')).body.items
  expect(found.map((item: { id: string }) => item.id)).toEqual([provider.id])
})
