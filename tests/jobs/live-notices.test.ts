import { afterEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { createTestApp, ManualClock, type TestApp } from '../helpers/app.ts'
import { tempDir } from '../helpers/server-process.ts'

const MINUTE = 60_000
const opened: TestApp[] = []
afterEach(() => {
  for (const app of opened.splice(0)) app.close()
})

async function appOn(clock: ManualClock, databaseUrl = ':memory:') {
  const app = await createTestApp({ clock, env: { DATABASE_URL: databaseUrl } })
  opened.push(app)
  return app
}

/** A teacher, a course with two students, and a session scheduled an hour from now. */
async function scheduledClass(t: TestApp, clock: ManualClock) {
  const teacher = await t.register('teacher')
  const course = (await t.call('POST', '/api/v1/courses', { token: teacher.accessToken, body: { title: 'Physics' } }))
    .body
  const students = [await t.register(), await t.register()]
  for (const student of students)
    await t.call('POST', `/api/v1/courses/${course.id}/enroll`, { token: student.accessToken })
  const scheduledAt = clock.now() + 60 * MINUTE
  const session = (
    await t.call('POST', '/api/v1/live-sessions', {
      token: teacher.accessToken,
      body: { title: 'Forces', courseId: course.id, scheduledAt: new Date(scheduledAt).toISOString() },
    })
  ).body
  return { teacher, course, students, session, scheduledAt }
}

async function noticesOf(t: TestApp, student: { accessToken: string }) {
  const items = (await t.call('GET', '/api/v1/notifications?limit=100', { token: student.accessToken })).body
    .items as Array<{ type: string }>
  return items.map((n) => n.type).sort()
}

describe('live session notices', () => {
  test('students are told at once, reminded 10 minutes before, told at the start: each exactly once', async () => {
    const clock = new ManualClock()
    const t = await appOn(clock)
    const { students, scheduledAt } = await scheduledClass(t, clock)
    const scheduler = t.app.decorator.scheduler
    for (const student of students) expect(await noticesOf(t, student)).toEqual(['live_session.created'])

    clock.advance(scheduledAt - 10 * MINUTE - clock.now() - 1000)
    expect(await scheduler.runDue()).toBe(0)
    clock.advance(1000)
    expect(await scheduler.runDue()).toBe(1)
    expect(await scheduler.runDue()).toBe(0)
    for (const student of students)
      expect(await noticesOf(t, student)).toEqual(['live_session.created', 'live_session.reminder'])

    clock.advance(10 * MINUTE)
    expect(await scheduler.runDue()).toBe(1)
    await scheduler.runDue()
    for (const student of students)
      expect(await noticesOf(t, student)).toEqual([
        'live_session.created',
        'live_session.reminder',
        'live_session.starting',
      ])
  })

  test('each student reads them in their own language', async () => {
    const clock = new ManualClock()
    const t = await appOn(clock)
    const { teacher, students, session, scheduledAt } = await scheduledClass(t, clock)
    const [arabic, english] = [students[0]!, students[1]!]
    expect(
      (await t.call('PATCH', '/api/v1/me', { token: arabic.accessToken, body: { preferences: { language: 'ar' } } }))
        .status,
    ).toBe(200)
    expect(
      (await t.call('PATCH', '/api/v1/me', { token: english.accessToken, body: { preferences: { language: 'en' } } }))
        .status,
    ).toBe(200)
    clock.advance(scheduledAt - 10 * MINUTE - clock.now())
    await t.app.decorator.scheduler.runDue()
    await t.call('POST', `/api/v1/live-sessions/${session.id}/start`, { token: teacher.accessToken })
    const titles = async (student: { accessToken: string }) =>
      Object.fromEntries(
        (
          (await t.call('GET', '/api/v1/notifications?limit=100', { token: student.accessToken })).body.items as Array<{
            type: string
            title: string
          }>
        ).map((n) => [n.type, n.title]),
      )
    expect(await titles(arabic)).toEqual({
      'live_session.created': 'حصة مباشرة جديدة في الجدول',
      'live_session.reminder': 'تبدأ الحصة بعد 10 دقائق',
      'live_session.live': 'حصتك مباشرة الآن',
    })
    // The announcement went out before this student chose English (the default language is Arabic).
    expect(await titles(english)).toEqual({
      'live_session.created': 'حصة مباشرة جديدة في الجدول',
      'live_session.reminder': 'Starts in 10 minutes',
      'live_session.live': 'Your class is live now',
    })
  })

  test('a restart between scheduling and the due time: the reminder goes out once, after the restart', async () => {
    const clock = new ManualClock()
    const url = `file:${join(tempDir(), 'majlis.db')}`
    const before = await appOn(clock, url)
    const { students, scheduledAt } = await scheduledClass(before, clock)
    before.close()
    opened.length = 0

    clock.advance(scheduledAt - 5 * MINUTE - clock.now()) // the server was down when the reminder fell due
    const after = await appOn(clock, url)
    expect(await after.app.decorator.scheduler.runDue()).toBe(1)
    after.close()
    opened.length = 0

    const again = await appOn(clock, url)
    expect(await again.app.decorator.scheduler.runDue()).toBe(0)
    for (const student of students)
      expect(await noticesOf(again, student)).toEqual(['live_session.created', 'live_session.reminder'])
  })

  test('rescheduling moves the jobs; canceling removes them', async () => {
    const clock = new ManualClock()
    const t = await appOn(clock)
    const { teacher, students, session, scheduledAt } = await scheduledClass(t, clock)
    const scheduler = t.app.decorator.scheduler
    const newTime = scheduledAt + 120 * MINUTE
    await t.call('PATCH', `/api/v1/live-sessions/${session.id}`, {
      token: teacher.accessToken,
      body: { scheduledAt: new Date(newTime).toISOString() },
    })

    clock.advance(scheduledAt - clock.now() + MINUTE) // past the old start: nothing is due any more
    expect(await scheduler.runDue()).toBe(0)
    expect((await scheduler.get(`live_session:${session.id}:reminder`))!.runAt.getTime()).toBe(newTime - 10 * MINUTE)
    clock.advance(newTime - 10 * MINUTE - clock.now())
    expect(await scheduler.runDue()).toBe(1)
    expect(await noticesOf(t, students[0]!)).toEqual([
      'live_session.created',
      'live_session.reminder',
      'live_session.rescheduled',
    ])

    await t.call('POST', `/api/v1/live-sessions/${session.id}/cancel`, { token: teacher.accessToken })
    expect(await scheduler.get(`live_session:${session.id}:starting`)).toBeUndefined()
    clock.advance(20 * MINUTE)
    expect(await scheduler.runDue()).toBe(0)
    expect(await noticesOf(t, students[1]!)).toEqual([
      'live_session.canceled',
      'live_session.created',
      'live_session.reminder',
      'live_session.rescheduled',
    ])
  })

  test('a session scheduled less than 10 minutes ahead gets no reminder, only the start notice', async () => {
    const clock = new ManualClock()
    const t = await appOn(clock)
    const teacher = await t.register('teacher')
    const course = (
      await t.call('POST', '/api/v1/courses', { token: teacher.accessToken, body: { title: 'Chemistry' } })
    ).body
    const student = await t.register()
    await t.call('POST', `/api/v1/courses/${course.id}/enroll`, { token: student.accessToken })
    const scheduledAt = new Date(clock.now() + 5 * MINUTE).toISOString()
    await t.call('POST', '/api/v1/live-sessions', {
      token: teacher.accessToken,
      body: { title: 'Soon', courseId: course.id, scheduledAt },
    })
    clock.advance(5 * MINUTE)
    expect(await t.app.decorator.scheduler.runDue()).toBe(1)
    expect(await noticesOf(t, student)).toEqual(['live_session.created', 'live_session.starting'])
  })

  test('going live is announced; the start-time notice is then skipped', async () => {
    const clock = new ManualClock()
    const t = await appOn(clock)
    const { teacher, students, session, scheduledAt } = await scheduledClass(t, clock)
    clock.advance(scheduledAt - clock.now() - 2 * MINUTE)
    await t.app.decorator.scheduler.runDue()
    await t.call('POST', `/api/v1/live-sessions/${session.id}/start`, { token: teacher.accessToken })
    clock.advance(2 * MINUTE)
    await t.app.decorator.scheduler.runDue()
    expect(await noticesOf(t, students[0]!)).toEqual([
      'live_session.created',
      'live_session.live',
      'live_session.reminder',
    ])
  })
})
