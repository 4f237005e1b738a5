import { expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { liveAttendance } from '../../src/db/schema/courses.ts'
import type { TestApp } from '../helpers/app.ts'
import { appsOverRedisPerFile } from '../helpers/redis.ts'
import { connectWs } from '../helpers/ws-client.ts'

// Three instances behind one REDIS_URL and one database file; the teacher on the first.
const { instances, redisClients } = appsOverRedisPerFile(3)

async function eventually<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 5000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (accept(value) || Date.now() > until) return value
    await Bun.sleep(50)
  }
}

test('students on three instances raise hands, vote, ask and react; the teacher on one sees all of it; a move between instances is one stay', async () => {
  const [a] = instances as [(typeof instances)[0]]
  const api = (token: string, method: string, path: string, body?: unknown, on = a) =>
    on.app.call(method, `/api/v1${path}`, { token, body })
  const teacher = await a.app.register('teacher')
  const course = (await api(teacher.accessToken, 'POST', '/courses', { title: 'Chemistry' })).body
  const students: Array<Awaited<ReturnType<TestApp['register']>>> = []
  for (let i = 0; i < 3; i++) {
    const student = await a.app.register()
    await api(student.accessToken, 'POST', `/courses/${course.id}/enroll`)
    students.push(student)
  }
  const session = (
    await api(teacher.accessToken, 'POST', '/live-sessions', {
      title: 'Bonds',
      courseId: course.id,
      scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
    })
  ).body
  await api(teacher.accessToken, 'POST', `/live-sessions/${session.id}/start`)
  const teacherWs = await connectWs(a.wsUrl, teacher.accessToken)
  await teacherWs.request('live:join', { sessionId: session.id })
  // Student i on instance i.
  const studentWs = await Promise.all(students.map((student, i) => connectWs(instances[i]!.wsUrl, student.accessToken)))
  for (const ws of studentWs) expect((await ws.request('live:join', { sessionId: session.id })).ok).toBe(true)

  for (const ws of studentWs) await ws.request('live:hand', { sessionId: session.id, raised: true })
  const hands = await eventually(
    () => teacherWs.messages.filter((m) => m.type === 'live:hands').at(-1)?.data.hands ?? [],
    (list) => list.length === 3,
  )
  expect(hands.map((h: { userId: string }) => h.userId).sort()).toEqual(students.map((s) => s.user.id).sort())

  const poll = (
    await api(teacher.accessToken, 'POST', `/live-sessions/${session.id}/polls`, {
      question: 'Ionic or covalent?',
      options: ['ionic', 'covalent'],
    })
  ).body
  await api(teacher.accessToken, 'POST', `/polls/${poll.id}/open`)
  for (const [i, student] of students.entries()) {
    expect(
      (
        await api(
          student.accessToken,
          'POST',
          `/polls/${poll.id}/votes`,
          { optionIds: [i === 0 ? 'o1' : 'o2'] },
          instances[i],
        )
      ).status,
    ).toBe(200)
  }
  const results = await eventually(
    () => teacherWs.messages.filter((m) => m.type === 'live:poll-results').at(-1)?.data,
    (data) => data?.totalVoters === 3,
  )
  expect(results.results).toEqual([
    { optionId: 'o1', votes: 1 },
    { optionId: 'o2', votes: 2 },
  ])
  // Sent by the teacher's instance only, at most twice a second, though three instances took the votes.
  await Bun.sleep(600)
  expect(teacherWs.messages.filter((m) => m.type === 'live:poll-results')).toHaveLength(2)

  const question = (
    await api(
      students[2]!.accessToken,
      'POST',
      `/live-sessions/${session.id}/questions`,
      { content: 'What is a bond?' },
      instances[2],
    )
  ).body
  await api(students[1]!.accessToken, 'POST', `/questions/${question.id}/vote`, undefined, instances[1])
  const heard = await eventually(
    () =>
      teacherWs.messages.filter((m) => m.type === 'live:question' && m.data.question.id === question.id).at(-1)?.data
        .question,
    (q) => q?.votes === 1,
  )
  expect(heard.votes).toBe(1)

  // Reactions on every instance: each connection gets the class-wide sum.
  for (const ws of studentWs)
    ws.sendRaw(JSON.stringify({ type: 'live:react', data: { sessionId: session.id, emoji: '❤️' } }))
  const hearts = await eventually(
    () =>
      studentWs[0]!.messages
        .filter((m) => m.type === 'live:reactions')
        .reduce((sum, m) => sum + (m.data.counts['❤️'] ?? 0), 0),
    (sum) => sum === 3,
  )
  expect(hearts).toBe(3)

  // Student 0 moves from instance A to B: the new connection joins before the old one closes.
  const moved = await connectWs(instances[1]!.wsUrl, students[0]!.accessToken)
  await moved.request('live:join', { sessionId: session.id })
  studentWs[0]!.close()
  await Bun.sleep(300)
  // A reconnecting student keeps their hand on the new instance.
  const rejoined = await moved.request('live:join', { sessionId: session.id })
  expect(rejoined.data.classroom).toMatchObject({ handRaised: true, polls: [{ id: poll.id, myVote: ['o1'] }] })
  // Removed by the teacher on A, the student on C is out of the class there.
  await teacherWs.request('live:remove', { sessionId: session.id, userId: students[2]!.user.id })
  await studentWs[2]!.event('live:removed')
  const refused = await eventually(
    () => studentWs[2]!.request('live:chat', { sessionId: session.id, content: 'still in?' }),
    (reply) => reply.error?.code === 'NOT_IN_SESSION',
  )
  expect(refused.error.code).toBe('NOT_IN_SESSION')
  await api(teacher.accessToken, 'POST', `/live-sessions/${session.id}/end`, undefined, instances[2])
  const sheet = (await api(teacher.accessToken, 'GET', `/live-sessions/${session.id}/attendance`)).body
  expect(sheet.items.find((item: { userId: string }) => item.userId === students[0]!.user.id)).toMatchObject({
    joins: 1,
    present: false,
  })
  expect(sheet.items.map((item: { joins: number }) => item.joins)).toEqual([1, 1, 1])
  for (const ws of [teacherWs, moved, ...studentWs.slice(1)]) ws.close()
})

test('the stays of an instance found gone end within seconds, swept by one of the others', async () => {
  const [a] = instances as [(typeof instances)[0]]
  const api = (token: string, method: string, path: string, body?: unknown) =>
    a.app.call(method, `/api/v1${path}`, { token, body })
  const teacher = await a.app.register('teacher')
  const student = await a.app.register()
  const course = (await api(teacher.accessToken, 'POST', '/courses', { title: 'Geology' })).body
  await api(student.accessToken, 'POST', `/courses/${course.id}/enroll`)
  const session = (
    await api(teacher.accessToken, 'POST', '/live-sessions', {
      title: 'Rocks',
      courseId: course.id,
      scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
    })
  ).body
  await api(teacher.accessToken, 'POST', `/live-sessions/${session.id}/start`)
  // The student's stay was held by an instance that was killed: registered, but its heartbeat is gone.
  const ghost = `ghost-${crypto.randomUUID().slice(0, 8)}`
  await a.app.db.insert(liveAttendance).values({
    id: `att_${ghost}`,
    sessionId: session.id,
    userId: student.user.id,
    instanceId: ghost,
    joinedAt: new Date(),
  })
  await redisClients[0]!.sadd('majlis:instances', ghost)
  const closed = await eventually(
    async () =>
      (
        await a.app.db
          .select({ leftAt: liveAttendance.leftAt })
          .from(liveAttendance)
          .where(eq(liveAttendance.id, `att_${ghost}`))
      )[0]?.leftAt ?? null,
    (leftAt) => leftAt !== null,
  )
  expect(closed).not.toBeNull()
  const sheet = (await api(teacher.accessToken, 'GET', `/live-sessions/${session.id}/attendance`)).body
  expect(sheet.items[0]).toMatchObject({ userId: student.user.id, present: false, joins: 1 })
})
