import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { join } from 'node:path'
import { openDatabase } from '../../src/db/client.ts'
import { applyMigrations } from '../../src/db/migrate.ts'
import { jobs } from '../../src/db/schema/jobs.ts'
import { RedisRateLimitStore } from '../../src/http/rate-limit-redis.ts'
import { RedisJobLock } from '../../src/jobs/lock.ts'
import { JobScheduler } from '../../src/jobs/scheduler.ts'
import { createLogger } from '../../src/logger.ts'
import { createTestApp, ManualClock } from '../helpers/app.ts'
import { startRedis } from '../helpers/redis.ts'
import { tempDir } from '../helpers/server-process.ts'

const silent = createLogger('silent')

async function freshScheduler(clock: ManualClock, options = {}) {
  const database = await openDatabase(':memory:')
  await applyMigrations(database.db)
  return { database, scheduler: new JobScheduler(database.db, clock, silent, undefined, options) }
}

describe('JobScheduler', () => {
  test('a failing job is retried with backoff, then marked failed', async () => {
    const clock = new ManualClock()
    const { database, scheduler } = await freshScheduler(clock, { maxAttempts: 2 })
    let calls = 0
    scheduler.register('flaky', async () => {
      calls += 1
      throw new Error('downstream unavailable')
    })
    await scheduler.schedule({ kind: 'flaky', key: 'k1', runAt: new Date(clock.now()), payload: {} })
    expect(await scheduler.runDue()).toBe(1)
    expect(await scheduler.get('k1')).toMatchObject({
      status: 'pending',
      attempts: 1,
      lastError: 'downstream unavailable',
    })
    expect(await scheduler.runDue()).toBe(0)
    clock.advance(2000)
    await scheduler.runDue()
    expect(await scheduler.get('k1')).toMatchObject({ status: 'failed', attempts: 2 })
    clock.advance(60_000)
    await scheduler.runDue()
    expect(calls).toBe(2)
    database.close()
  })

  test('a run abandoned by a crash becomes due again after its lease', async () => {
    const clock = new ManualClock()
    const { database, scheduler } = await freshScheduler(clock, { leaseMs: 30_000 })
    const seen: unknown[] = []
    scheduler.register('work', async (payload) => {
      seen.push(payload.n)
    })
    await scheduler.schedule({ kind: 'work', key: 'k', runAt: new Date(clock.now()), payload: { n: 1 } })
    // As if an instance claimed it and died mid-run.
    await database.db
      .update(jobs)
      .set({ status: 'running', lockedUntil: new Date(clock.now() + 30_000) })
      .where(eq(jobs.idempotencyKey, 'k'))
    expect(await scheduler.runDue()).toBe(0)
    clock.advance(30_000)
    expect(await scheduler.runDue()).toBe(1)
    expect(seen).toEqual([1])
    expect((await scheduler.get('k'))!.status).toBe('done')
    database.close()
  })

  test('jobs without a handler fail at once; concurrent passes run a job once', async () => {
    const clock = new ManualClock()
    const { database, scheduler } = await freshScheduler(clock)
    await scheduler.schedule({ kind: 'unknown', key: 'orphan', runAt: new Date(clock.now()), payload: {} })
    let runs = 0
    scheduler.register('slow', async () => {
      runs += 1
      await Bun.sleep(20)
    })
    await scheduler.schedule({ kind: 'slow', key: 'once', runAt: new Date(clock.now()), payload: {} })
    await Promise.all([scheduler.runDue(), scheduler.runDue(), scheduler.runDue()])
    expect(runs).toBe(1)
    expect((await scheduler.get('orphan'))!.status).toBe('failed')
    database.close()
  })
})

describe('with REDIS_URL (real redis-server)', () => {
  let redis: Awaited<ReturnType<typeof startRedis>>
  beforeAll(async () => {
    redis = await startRedis()
  })
  afterAll(() => redis?.stop())

  test('the lock admits one holder; only the holder releases it', async () => {
    const [a, b] = [redis.client(), redis.client()]
    const lockA = new RedisJobLock(a)
    const lockB = new RedisJobLock(b)
    expect(await lockA.acquire('job:x', 5000)).toBe(true)
    expect(await lockB.acquire('job:x', 5000)).toBe(false)
    await lockB.release('job:x')
    expect(await lockB.acquire('job:x', 5000)).toBe(false)
    await lockA.release('job:x')
    expect(await lockB.acquire('job:x', 5000)).toBe(true)
    a.disconnect()
    b.disconnect()
  })

  test('two instances on one database: each due reminder goes out once per student', async () => {
    const clock = new ManualClock()
    const url = `file:${join(tempDir(), 'majlis.db')}`
    const clients = [redis.client(), redis.client()]
    const first = await createTestApp({ clock, env: { DATABASE_URL: url }, redis: clients[0] })
    const second = await createTestApp({ clock, env: { DATABASE_URL: url }, redis: clients[1] })

    const teacher = await first.register('teacher')
    const course = (
      await first.call('POST', '/api/v1/courses', { token: teacher.accessToken, body: { title: 'Biology' } })
    ).body
    const students = [await first.register(), await first.register(), await first.register()]
    for (const student of students)
      await first.call('POST', `/api/v1/courses/${course.id}/enroll`, { token: student.accessToken })
    for (let i = 1; i <= 4; i++) {
      const scheduledAt = new Date(clock.now() + (30 + i) * 60_000).toISOString()
      await first.call('POST', '/api/v1/live-sessions', {
        token: teacher.accessToken,
        body: { title: `Cells ${i}`, courseId: course.id, scheduledAt },
      })
    }
    clock.advance(30 * 60_000)
    const ran = await Promise.all([first.app.decorator.scheduler.runDue(), second.app.decorator.scheduler.runDue()])
    expect(ran[0] + ran[1]).toBe(4)
    for (const student of students) {
      const reminders = (
        await second.call('GET', '/api/v1/notifications?type=live_session.reminder', { token: student.accessToken })
      ).body.items
      expect(reminders).toHaveLength(4)
    }
    await first.close()
    await second.close()
    for (const client of clients) client.disconnect()
  })

  test('rate-limit counters are shared between instances', async () => {
    const clock = new ManualClock()
    const [a, b] = [redis.client(), redis.client()]
    const storeA = new RedisRateLimitStore(a, clock.now)
    const storeB = new RedisRateLimitStore(b, clock.now)
    expect((await storeA.hit('login:10.0.0.1', 60_000)).count).toBe(1)
    const second = await storeB.hit('login:10.0.0.1', 60_000)
    expect(second.count).toBe(2)
    expect(second.resetAt).toBeGreaterThan(clock.now() + 59_000)
    expect((await storeB.hit('login:10.0.0.2', 60_000)).count).toBe(1)

    const app = await createTestApp({ clock, redis: a, rateLimits: 'defaults' })
    const other = await createTestApp({ clock, redis: b, rateLimits: 'defaults' })
    const statuses: number[] = []
    // One account's 10 tries a minute, counted together whichever instance they reach.
    for (let i = 0; i < 11; i++)
      statuses.push(
        (
          await (i % 2 ? app : other).call('POST', '/api/v1/auth/login', {
            body: { email: 'x@example.com', password: 'whatever1' },
          })
        ).status,
      )
    expect(statuses.slice(0, 10).every((status) => status === 401)).toBe(true)
    expect(statuses[10]).toBe(429)
    const ready = await app.call('GET', '/health/ready')
    expect(ready.body.checks.redis).toBe('ok')
    await app.close()
    await other.close()
    a.disconnect()
    b.disconnect()
  })
})
