import { afterAll, beforeAll } from 'bun:test'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchChromium, openDemoPage } from './browser.ts'
import { startRedis } from './redis.ts'
import { apiClient, killStartedServers, startServer, tempDir } from './server-process.ts'

export type ClusterInstance = ReturnType<typeof startServer> & { id: string; wsUrl: string }

/**
 * `count` Majlis processes (the real entry point, one media worker each) on one real Redis and
 * one database file, as docs/operations.md runs three instances on one host. The first applies the
 * migrations before the others start.
 */
export async function startCluster(
  count: number,
  env: Record<string, string> = {},
  perInstance: Array<Record<string, string>> = [],
) {
  const redis = await startRedis()
  const dir = tempDir('majlis-cluster-')
  const databaseFile = join(dir, 'majlis.db')
  const shared = {
    REDIS_URL: redis.url,
    DATABASE_URL: `file:${databaseFile}`,
    UPLOAD_DIR: join(dir, 'uploads'),
    RATE_LIMIT_FACTOR: '1000',
    LOG_LEVEL: 'info',
    ...env,
  }
  // Each instance its own range of pipe ports, so two starting together never race for one.
  const pipeBase = 46000 + Math.floor(Math.random() * 40) * 400
  const instances: ClusterInstance[] = []
  for (let i = 0; i < count; i++) {
    const id = `instance-${String.fromCharCode(97 + i)}`
    const server = startServer({
      ...shared,
      INSTANCE_ID: id,
      MEDIA_PIPE_PORTS: `${pipeBase + i * 100}-${pipeBase + i * 100 + 99}`,
      ...perInstance[i],
    })
    if (i === 0) await server.waitUntilUp()
    instances.push({ ...server, id, wsUrl: `${server.baseUrl.replace('http', 'ws')}/ws` })
  }
  await Promise.all(instances.map((instance) => instance.waitUntilUp()))

  const api = (instance: ClusterInstance, method: string, path: string, token?: string, body?: unknown) =>
    apiClient(instance.baseUrl)(method, path, token, body)
  const register = async (instance: ClusterInstance = instances[0]!, role: 'customer' | 'teacher' = 'customer') => {
    const name = `${role}-${crypto.randomUUID().slice(0, 8)}`
    const response = await api(instance, 'POST', '/auth/register', undefined, {
      email: `${name}@example.com`,
      password: 'correct horse battery',
      name,
      role,
    })
    if (response.status !== 201) throw new Error(`register failed: ${JSON.stringify(response.body)}`)
    return response.body as { user: { id: string; name: string }; accessToken: string }
  }
  /** A live class: a teacher, `students` enrolled students, the session started. */
  const liveClass = async (students: number) => {
    const [first] = instances
    const teacher = await register(first!, 'teacher')
    const course = (await api(first!, 'POST', '/courses', teacher.accessToken, { title: 'Across instances' })).body
    const enrolled = []
    for (let i = 0; i < students; i++) {
      const student = await register(first!)
      await api(first!, 'POST', `/courses/${course.id}/enroll`, student.accessToken)
      enrolled.push(student)
    }
    const scheduledAt = new Date(Date.now() + 3600_000).toISOString()
    const session = (
      await api(first!, 'POST', '/live-sessions', teacher.accessToken, {
        title: 'Cascade',
        courseId: course.id,
        scheduledAt,
      })
    ).body
    await api(first!, 'POST', `/live-sessions/${session.id}/start`, teacher.accessToken)
    return { teacher, students: enrolled, session, room: `live:${session.id}` }
  }

  /** Stops every instance still running (SIGTERM) and Redis; returns each instance's log lines. */
  const stop = async () => {
    const logs = new Map<string, Array<Record<string, unknown>>>()
    for (const instance of instances) {
      if (instance.child.exitCode === null && instance.child.signalCode === null) instance.child.kill('SIGTERM')
      await instance.child.exited
      const { stdout } = await instance.output()
      logs.set(
        instance.id,
        stdout
          .split('\n')
          .filter((line) => line.startsWith('{'))
          .map((line) => JSON.parse(line)),
      )
    }
    await redis.stop()
    return logs
  }
  return { instances, redis, databaseFile, api, register, liveClass, stop }
}

export type Cluster = Awaited<ReturnType<typeof startCluster>>

/** `count` instances (startCluster) and one Chromium, for every test of the file. */
export function clusterAndBrowserPerFile(count: number) {
  const ctx = {} as { cluster: Cluster; browser: Browser }
  beforeAll(async () => {
    ctx.cluster = await startCluster(count)
    ctx.browser = await launchChromium()
  })
  afterAll(async () => {
    await ctx.browser?.close()
    killStartedServers()
    await ctx.cluster?.redis.stop()
  })
  return ctx
}

/** A demo page served by `instance` and joined there; `endpoints` are all the SDK knows (every instance by default). */
export async function joinOn(
  ctx: { cluster: Cluster; browser: Browser },
  instance: ClusterInstance,
  token: string,
  room: string,
  endpoints = ctx.cluster.instances.map((other) => other.wsUrl),
): Promise<Page> {
  const page = await openDemoPage(ctx.browser, instance.baseUrl)
  await page.evaluate(
    ([token, room, urls]) => (window as any).majlisDemo.start(token, room, urls).then(() => undefined),
    [token, room, endpoints] as const,
  )
  return page
}
