import { describe, expect, test } from 'bun:test'
import { createTestApp, freshAppPerTest } from './helpers/app.ts'

const ctx = freshAppPerTest()

type Account = { accessToken: string; user: { id: string } }
const HOUR = 3600_000
const inHours = (hours: number) => new Date(ctx.clock.now() + hours * HOUR).toISOString()

async function courseWithClass(studentCount = 1) {
  const teacher = await ctx.t.register('teacher')
  const course = (
    await ctx.t.call('POST', '/api/v1/courses', {
      token: teacher.accessToken,
      body: { title: 'Algebra', description: 'Week 1' },
    })
  ).body
  const students: Account[] = []
  for (let i = 0; i < studentCount; i++) {
    const student = await ctx.t.register()
    await ctx.t.call('POST', `/api/v1/courses/${course.id}/enroll`, { token: student.accessToken })
    students.push(student)
  }
  return { teacher, course, students }
}
const schedule = (teacher: Account, body: Record<string, unknown>) =>
  ctx.t.call('POST', '/api/v1/live-sessions', { token: teacher.accessToken, body })

describe('courses', () => {
  test('teachers create; everyone browses; enrolment is idempotent', async () => {
    const { teacher, course, students } = await courseWithClass(1)
    expect(course).toMatchObject({ title: 'Algebra', teacherId: teacher.user.id, students: 0, isEnrolled: false })
    const customer = await ctx.t.register()
    expect(
      (await ctx.t.call('POST', '/api/v1/courses', { token: customer.accessToken, body: { title: 'Mine' } })).status,
    ).toBe(403)
    expect(
      (await ctx.t.call('POST', '/api/v1/courses', { token: teacher.accessToken, body: { title: '' } })).status,
    ).toBe(422)

    const seen = await ctx.t.call('GET', `/api/v1/courses/${course.id}`, { token: students[0]!.accessToken })
    expect(seen.body).toMatchObject({ students: 1, isEnrolled: true })
    const again = await ctx.t.call('POST', `/api/v1/courses/${course.id}/enroll`, { token: students[0]!.accessToken })
    expect(again.body.students).toBe(1)
    expect(
      (await ctx.t.call('GET', '/api/v1/courses', { token: customer.accessToken })).body.items.map(
        (c: { id: string }) => c.id,
      ),
    ).toEqual([course.id])
    expect(
      (await ctx.t.call('GET', `/api/v1/courses?teacherId=${customer.user.id}`, { token: customer.accessToken })).body
        .items,
    ).toEqual([])
    expect(
      (await ctx.t.call('POST', `/api/v1/courses/${course.id}/enroll`, { token: teacher.accessToken })).status,
    ).toBe(422)
    expect((await ctx.t.call('POST', '/api/v1/courses/crs_nope/enroll', { token: customer.accessToken })).status).toBe(
      404,
    )
  })

  test('the student list is for the course’s teacher only', async () => {
    const { teacher, course, students } = await courseWithClass(3)
    const page = await ctx.t.call('GET', `/api/v1/courses/${course.id}/students?limit=2`, {
      token: teacher.accessToken,
    })
    expect(page.body.items).toHaveLength(2)
    const rest = await ctx.t.call(
      'GET',
      `/api/v1/courses/${course.id}/students?limit=2&cursor=${page.body.nextCursor}`,
      { token: teacher.accessToken },
    )
    expect([...page.body.items, ...rest.body.items].map((s: { id: string }) => s.id).sort()).toEqual(
      students.map((s) => s.user.id).sort(),
    )
    const otherTeacher = await ctx.t.register('teacher')
    expect(
      (await ctx.t.call('GET', `/api/v1/courses/${course.id}/students`, { token: otherTeacher.accessToken })).status,
    ).toBe(403)
    expect(
      (await ctx.t.call('GET', `/api/v1/courses/${course.id}/students`, { token: students[0]!.accessToken })).status,
    ).toBe(403)
  })
})

describe('live sessions', () => {
  test('the course’s teacher schedules in the future; others cannot', async () => {
    const { teacher, course } = await courseWithClass()
    const created = await schedule(teacher, { title: 'Lesson 1', courseId: course.id, scheduledAt: inHours(2) })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ status: 'scheduled', durationMinutes: 60, courseId: course.id })
    expect(created.body.roomCode).toMatch(/^[A-Z2-9]{10}$/)
    const second = await schedule(teacher, {
      title: 'Lesson 2',
      courseId: course.id,
      scheduledAt: inHours(3),
      durationMinutes: 90,
    })
    expect(second.body.roomCode).not.toBe(created.body.roomCode)

    const past = await schedule(teacher, { title: 'Late', courseId: course.id, scheduledAt: inHours(-1) })
    expect(past.status).toBe(422)
    expect(past.body.error.details[0].path).toBe('/scheduledAt')
    expect((await schedule(teacher, { title: 'X', courseId: course.id, scheduledAt: 'tomorrow' })).status).toBe(422)
    expect(
      (await schedule(teacher, { title: 'X', courseId: course.id, scheduledAt: inHours(1), durationMinutes: 1 }))
        .status,
    ).toBe(422)
    expect((await schedule(teacher, { title: 'X', courseId: 'crs_nope', scheduledAt: inHours(1) })).status).toBe(404)
    const otherTeacher = await ctx.t.register('teacher')
    expect((await schedule(otherTeacher, { title: 'X', courseId: course.id, scheduledAt: inHours(1) })).status).toBe(
      403,
    )
    const student = await ctx.t.register()
    expect((await schedule(student, { title: 'X', courseId: course.id, scheduledAt: inHours(1) })).status).toBe(403)
  })

  test('status machine: scheduled → live → ended, scheduled → canceled; illegal moves are 409', async () => {
    const { teacher, course, students } = await courseWithClass()
    const token = teacher.accessToken
    const a = (await schedule(teacher, { title: 'A', courseId: course.id, scheduledAt: inHours(1) })).body
    const b = (await schedule(teacher, { title: 'B', courseId: course.id, scheduledAt: inHours(2) })).body
    const act = (id: string, verb: string, who = token) =>
      ctx.t.call('POST', `/api/v1/live-sessions/${id}/${verb}`, { token: who })

    expect((await act(a.id, 'end')).status).toBe(409)
    expect((await act(a.id, 'start', students[0]!.accessToken)).status).toBe(403)
    expect((await act(a.id, 'start')).body).toMatchObject({
      status: 'live',
      startedAt: new Date(ctx.clock.now()).toISOString(),
    })
    expect((await act(a.id, 'start')).status).toBe(409)
    expect((await act(a.id, 'cancel')).status).toBe(409)
    expect(
      (await ctx.t.call('PATCH', `/api/v1/live-sessions/${a.id}`, { token, body: { title: 'Renamed' } })).status,
    ).toBe(409)
    expect((await act(a.id, 'end')).body.status).toBe('ended')
    expect((await act(a.id, 'start')).status).toBe(409)

    expect((await act(b.id, 'cancel')).body).toMatchObject({ status: 'canceled' })
    expect((await act(b.id, 'start')).status).toBe(409)
  })

  test('update changes a scheduled session; bad values are 422', async () => {
    const { teacher, course } = await courseWithClass()
    const session = (await schedule(teacher, { title: 'A', courseId: course.id, scheduledAt: inHours(1) })).body
    const path = `/api/v1/live-sessions/${session.id}`
    const moved = await ctx.t.call('PATCH', path, {
      token: teacher.accessToken,
      body: { title: 'A, moved', scheduledAt: inHours(5), durationMinutes: 45 },
    })
    expect(moved.body).toMatchObject({ title: 'A, moved', scheduledAt: inHours(5), durationMinutes: 45 })
    expect(
      (await ctx.t.call('PATCH', path, { token: teacher.accessToken, body: { scheduledAt: inHours(-2) } })).status,
    ).toBe(422)
    expect((await ctx.t.call('PATCH', path, { token: teacher.accessToken, body: {} })).status).toBe(422)
    const otherTeacher = await ctx.t.register('teacher')
    expect(
      (await ctx.t.call('PATCH', path, { token: otherTeacher.accessToken, body: { title: 'Mine now' } })).status,
    ).toBe(404)
  })

  test('list and get: teacher and enrolled students only, with filters, by schedule time', async () => {
    const { teacher, course, students } = await courseWithClass()
    const later = (await schedule(teacher, { title: 'Later', courseId: course.id, scheduledAt: inHours(5) })).body
    const sooner = (await schedule(teacher, { title: 'Sooner', courseId: course.id, scheduledAt: inHours(1) })).body
    await ctx.t.call('POST', `/api/v1/live-sessions/${later.id}/cancel`, { token: teacher.accessToken })
    const outsider = await ctx.t.register()
    const list = async (who: Account, query = '') =>
      (await ctx.t.call('GET', `/api/v1/live-sessions${query}`, { token: who.accessToken })).body

    expect((await list(students[0]!)).items.map((s: { id: string }) => s.id)).toEqual([sooner.id, later.id])
    expect((await list(teacher, '?status=scheduled')).items.map((s: { id: string }) => s.id)).toEqual([sooner.id])
    expect(
      (await list(teacher, `?from=${encodeURIComponent(inHours(2))}`)).items.map((s: { id: string }) => s.id),
    ).toEqual([later.id])
    expect(
      (await list(teacher, `?to=${encodeURIComponent(inHours(2))}&courseId=${course.id}`)).items.map(
        (s: { id: string }) => s.id,
      ),
    ).toEqual([sooner.id])
    const firstPage = await list(teacher, '?limit=1')
    expect(
      (await list(teacher, `?limit=1&cursor=${firstPage.nextCursor}`)).items.map((s: { id: string }) => s.id),
    ).toEqual([later.id])
    expect((await list(outsider)).items).toEqual([])
    expect(
      (await ctx.t.call('GET', `/api/v1/live-sessions/${sooner.id}`, { token: outsider.accessToken })).status,
    ).toBe(404)
    expect(
      (await ctx.t.call('GET', `/api/v1/live-sessions/${sooner.id}`, { token: students[0]!.accessToken })).body.title,
    ).toBe('Sooner')
    expect((await ctx.t.call('GET', '/api/v1/live-sessions?status=over', { token: teacher.accessToken })).status).toBe(
      422,
    )
    expect(
      (await ctx.t.call('GET', '/api/v1/live-sessions?from=yesterday', { token: teacher.accessToken })).status,
    ).toBe(422)
  })

  test('ice: WEBRTC_ICE_SERVERS_JSON, plus TURN REST credentials when TURN_SECRET is set', async () => {
    ctx.t.close() // this test builds its own apps; the last one is closed by afterEach
    const stun = '[{"urls":"stun:stun.example.com:3478"}]'
    const plain = await createTestApp({ clock: ctx.clock, env: { WEBRTC_ICE_SERVERS_JSON: stun } })
    const withTurn = await createTestApp({
      clock: ctx.clock,
      env: {
        WEBRTC_ICE_SERVERS_JSON: stun,
        TURN_SECRET: 'turn-shared-secret-1234',
        TURN_URLS: 'turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349',
        TURN_TTL_SEC: '3600',
      },
    })
    for (const [app, expectTurn] of [
      [plain, false],
      [withTurn, true],
    ] as const) {
      ctx.t = app
      const { teacher, course, students } = await courseWithClass()
      const session = (await schedule(teacher, { title: 'A', courseId: course.id, scheduledAt: inHours(1) })).body
      const ice = await app.call('GET', `/api/v1/live-sessions/${session.id}/ice`, { token: students[0]!.accessToken })
      expect(ice.body.iceServers[0]).toEqual({ urls: 'stun:stun.example.com:3478' })
      if (!expectTurn) {
        expect(ice.body.iceServers).toHaveLength(1)
        continue
      }
      const turn = ice.body.iceServers[1]
      expect(turn.urls).toEqual(['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'])
      expect(turn.username).toBe(`${Math.floor(ctx.clock.now() / 1000) + 3600}:${students[0]!.user.id}`)
      const expected = new Bun.CryptoHasher('sha1', 'turn-shared-secret-1234').update(turn.username).digest('base64')
      expect(turn.credential).toBe(expected)
      const outsider = await app.register()
      expect(
        (await app.call('GET', `/api/v1/live-sessions/${session.id}/ice`, { token: outsider.accessToken })).status,
      ).toBe(404)
    }
    plain.close()
  })
})
