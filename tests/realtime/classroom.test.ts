import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createTestApp, type TestApp } from '../helpers/app.ts'
import { connectWs } from '../helpers/ws-client.ts'

// The real clock: attendance and slow mode are measured in real seconds.
let app: TestApp
let wsUrl: string
beforeAll(async () => {
  app = await createTestApp()
  app.app.listen({ port: 0, hostname: '127.0.0.1' })
  wsUrl = `ws://127.0.0.1:${app.app.server!.port}/ws`
})
afterAll(async () => {
  await app.app.server?.stop(true)
  await app.close()
})

type Account = Awaited<ReturnType<TestApp['register']>>
type Socket = Awaited<ReturnType<typeof connectWs>>

/** A live class: a teacher and `count` enrolled students, everyone's socket in the class channel. */
async function liveClass(count = 3) {
  const teacher = await app.register('teacher')
  const course = (await app.api(teacher, 'POST', '/courses', { title: 'Physics' })).body
  const students: Account[] = []
  for (let i = 0; i < count; i++) {
    const student = await app.register()
    await app.api(student, 'POST', `/courses/${course.id}/enroll`)
    students.push(student)
  }
  const session = (
    await app.api(teacher, 'POST', '/live-sessions', {
      title: 'Optics',
      courseId: course.id,
      scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
    })
  ).body
  await app.api(teacher, 'POST', `/live-sessions/${session.id}/start`)
  const teacherWs = await connectWs(wsUrl, teacher.accessToken)
  expect((await teacherWs.request('live:join', { sessionId: session.id })).ok).toBe(true)
  const studentWs: Socket[] = []
  for (const student of students) {
    const ws = await connectWs(wsUrl, student.accessToken)
    expect((await ws.request('live:join', { sessionId: session.id })).ok).toBe(true)
    studentWs.push(ws)
  }
  const sockets = [teacherWs, ...studentWs]
  return { teacher, students, course, session, teacherWs, studentWs, close: () => sockets.forEach((ws) => ws.close()) }
}

const eventsOf = (ws: Socket, type: string) => ws.messages.filter((m) => m.type === type).map((m) => m.data)
async function eventually<T>(read: () => T, accept: (value: T) => boolean, timeoutMs = 3000): Promise<T> {
  const until = Date.now() + timeoutMs
  for (;;) {
    const value = read()
    if (accept(value) || Date.now() > until) return value
    await Bun.sleep(25)
  }
}

describe('class chat', () => {
  test('messages reach the class and the history; a repeated clientMsgId is the stored message; the teacher deletes', async () => {
    const c = await liveClass(2)
    const [alice, bob] = c.studentWs as [Socket, Socket]
    const sent = await alice.request('live:chat', {
      sessionId: c.session.id,
      content: 'What is refraction?',
      clientMsgId: 'a-1',
    })
    expect(sent.data.message).toMatchObject({
      content: 'What is refraction?',
      userId: c.students[0]!.user.id,
      name: c.students[0]!.user.name,
    })
    expect((await bob.next((m) => m.type === 'live:chat-message')).data.id).toBe(sent.data.message.id)
    const again = await alice.request('live:chat', {
      sessionId: c.session.id,
      content: 'What is refraction?',
      clientMsgId: 'a-1',
    })
    expect(again.data.message.id).toBe(sent.data.message.id)
    const second = await c.teacherWs.request('live:chat', { sessionId: c.session.id, content: 'Bending of light' })

    const history = await app.api(c.students[1]!, 'GET', `/live-sessions/${c.session.id}/messages?limit=1`)
    expect(history.body.items.map((m: { id: string }) => m.id)).toEqual([second.data.message.id])
    const older = await app.api(
      c.students[1]!,
      'GET',
      `/live-sessions/${c.session.id}/messages?limit=1&cursor=${history.body.nextCursor}`,
    )
    expect(older.body.items.map((m: { id: string }) => m.id)).toEqual([sent.data.message.id])

    expect(
      (await alice.request('live:chat-delete', { sessionId: c.session.id, messageId: sent.data.message.id })).error
        .code,
    ).toBe('FORBIDDEN')
    expect(
      (await c.teacherWs.request('live:chat-delete', { sessionId: c.session.id, messageId: sent.data.message.id })).ok,
    ).toBe(true)
    expect((await bob.event('live:chat-deleted')).data).toEqual({
      sessionId: c.session.id,
      messageId: sent.data.message.id,
    })
    const after = await app.api(c.students[1]!, 'GET', `/live-sessions/${c.session.id}/messages`)
    expect(after.body.items.map((m: { id: string }) => m.id)).toEqual([second.data.message.id])
    expect(
      (await c.teacherWs.request('live:chat-delete', { sessionId: c.session.id, messageId: sent.data.message.id }))
        .error.code,
    ).toBe('NOT_FOUND')
    c.close()
  })

  test('mute and slow mode hold for students only; bad input and outsiders are refused', async () => {
    const c = await liveClass(2)
    const [alice, bob] = c.studentWs as [Socket, Socket]
    const aliceId = c.students[0]!.user.id
    expect(
      (await c.teacherWs.request('live:chat-mute', { sessionId: c.session.id, userId: aliceId, muted: true })).ok,
    ).toBe(true)
    expect((await alice.event('live:chat-muted')).data).toMatchObject({ muted: true })
    expect((await alice.request('live:chat', { sessionId: c.session.id, content: 'hello' })).error.code).toBe(
      'CHAT_MUTED',
    )
    expect((await bob.request('live:chat', { sessionId: c.session.id, content: 'hello' })).ok).toBe(true)
    await c.teacherWs.request('live:chat-mute', { sessionId: c.session.id, userId: aliceId, muted: false })
    expect((await alice.request('live:chat', { sessionId: c.session.id, content: 'back' })).ok).toBe(true)

    expect((await c.teacherWs.request('live:chat-slow', { sessionId: c.session.id, seconds: 2 })).ok).toBe(true)
    expect((await bob.event('live:chat-slow')).data).toEqual({ sessionId: c.session.id, seconds: 2 })
    const slowed = await alice.request('live:chat', { sessionId: c.session.id, content: 'again' })
    expect(slowed.error).toMatchObject({ code: 'SLOW_MODE', details: { retryAfterSec: expect.any(Number) } })
    expect(
      (await c.teacherWs.request('live:chat', { sessionId: c.session.id, content: 'teachers are not slowed' })).ok,
    ).toBe(true)
    expect((await c.teacherWs.request('live:chat', { sessionId: c.session.id, content: 'not at all' })).ok).toBe(true)
    await Bun.sleep(2100)
    expect((await alice.request('live:chat', { sessionId: c.session.id, content: 'after the wait' })).ok).toBe(true)
    expect((await c.teacherWs.request('live:chat-slow', { sessionId: c.session.id, seconds: 301 })).error.code).toBe(
      'VALIDATION_FAILED',
    )
    expect((await alice.request('live:chat', { sessionId: c.session.id, content: 'x'.repeat(1001) })).error.code).toBe(
      'VALIDATION_FAILED',
    )
    expect((await alice.request('live:chat', { sessionId: c.session.id, content: '' })).error.code).toBe(
      'VALIDATION_FAILED',
    )

    // Not joined: 403 NOT_IN_SESSION; not a participant: the history is not found.
    const outsider = await app.register()
    const outsiderWs = await connectWs(wsUrl, outsider.accessToken)
    expect((await outsiderWs.request('live:chat', { sessionId: c.session.id, content: 'hi' })).error.code).toBe(
      'NOT_IN_SESSION',
    )
    expect((await app.api(outsider, 'GET', `/live-sessions/${c.session.id}/messages`)).status).toBe(404)
    const staff = await app.registerStaff('user', ['courses'])
    expect((await app.api(staff, 'GET', `/live-sessions/${c.session.id}/messages`)).body.items.length).toBeGreaterThan(
      3,
    )
    outsiderWs.close()
    c.close()
  })
})

describe('raised hands', () => {
  test('the teacher sees the queue oldest first; students their own hand; lowering, inviting and leaving take hands down', async () => {
    const c = await liveClass(3)
    const [a, b, d] = c.studentWs as [Socket, Socket, Socket]
    await a.request('live:hand', { sessionId: c.session.id, raised: true })
    await Bun.sleep(5)
    await b.request('live:hand', { sessionId: c.session.id, raised: true })
    await Bun.sleep(5)
    await d.request('live:hand', { sessionId: c.session.id, raised: true })
    await a.request('live:hand', { sessionId: c.session.id, raised: true })
    const queue = await eventually(
      () => eventsOf(c.teacherWs, 'live:hands').at(-1)?.hands ?? [],
      (hands) => hands.length === 3,
    )
    expect(queue.map((h: { userId: string }) => h.userId)).toEqual(c.students.map((s) => s.user.id))
    expect((await a.event('live:hand-changed')).data).toEqual({ sessionId: c.session.id, raised: true })
    expect((await c.teacherWs.request('live:hand', { sessionId: c.session.id, raised: true })).error.code).toBe(
      'FORBIDDEN',
    )

    // A reconnecting teacher gets the queue in the join reply, a student their own hand.
    const teacherAgain = await connectWs(wsUrl, c.teacher.accessToken)
    expect((await teacherAgain.request('live:join', { sessionId: c.session.id })).data.classroom.hands).toHaveLength(3)
    const aAgain = await connectWs(wsUrl, c.students[0]!.accessToken)
    expect((await aAgain.request('live:join', { sessionId: c.session.id })).data.classroom).toMatchObject({
      handRaised: true,
      hands: null,
    })

    await c.teacherWs.request('live:lower-hand', { sessionId: c.session.id, userId: c.students[0]!.user.id })
    await c.teacherWs.request('live:invite-speaker', { sessionId: c.session.id, userId: c.students[1]!.user.id })
    const afterInvite = await eventually(
      () => eventsOf(c.teacherWs, 'live:hands').at(-1)?.hands ?? [],
      (hands) => hands.length === 1,
    )
    expect(afterInvite.map((h: { userId: string }) => h.userId)).toEqual([c.students[2]!.user.id])
    expect(eventsOf(b, 'live:speaker-changed').at(-1)).toMatchObject({ userId: c.students[1]!.user.id, canSpeak: true })
    d.close()
    const afterLeave = await eventually(
      () => eventsOf(c.teacherWs, 'live:hands').at(-1)?.hands ?? [],
      (hands) => hands.length === 0,
    )
    expect(afterLeave).toEqual([])

    await aAgain.request('live:hand', { sessionId: c.session.id, raised: true })
    await b.request('live:hand', { sessionId: c.session.id, raised: true })
    expect((await c.teacherWs.request('live:lower-hand', { sessionId: c.session.id })).data).toEqual({ lowered: 2 })
    expect((await teacherAgain.request('live:join', { sessionId: c.session.id })).data.classroom.hands).toEqual([])
    teacherAgain.close()
    aAgain.close()
    c.close()
  })
})

describe('polls', () => {
  test('draft → open → vote → close: live results to the teacher, final results to all, CSV by voter', async () => {
    const c = await liveClass(3)
    const path = `/live-sessions/${c.session.id}/polls`
    expect((await app.api(c.teacher, 'POST', path, { question: 'Speed of light?', options: ['fast'] })).status).toBe(
      422,
    )
    expect(
      (
        await app.api(c.teacher, 'POST', path, {
          question: 'Q',
          options: Array.from({ length: 11 }, (_, i) => `o${i}`),
        })
      ).status,
    ).toBe(422)
    expect((await app.api(c.teacher, 'POST', path, { question: 'Q', options: ['same', 'same'] })).status).toBe(422)
    expect((await app.api(c.students[0]!, 'POST', path, { question: 'Q', options: ['a', 'b'] })).status).toBe(403)
    const created = await app.api(c.teacher, 'POST', path, {
      question: 'Speed of light?',
      options: ['300,000 km/s', '1,000 km/s', 'Infinite'],
    })
    expect(created).toMatchObject({
      status: 201,
      body: {
        status: 'draft',
        multiple: false,
        anonymous: false,
        totalVoters: 0,
        options: [{ id: 'o1' }, { id: 'o2' }, { id: 'o3' }],
      },
    })
    const pollId = created.body.id
    expect((await app.api(c.students[0]!, 'GET', `/polls/${pollId}`)).status).toBe(404)
    expect((await app.api(c.students[0]!, 'POST', `/polls/${pollId}/votes`, { optionIds: ['o1'] })).status).toBe(404)

    expect((await app.api(c.teacher, 'POST', `/polls/${pollId}/open`)).body.status).toBe('open')
    expect((await app.api(c.teacher, 'POST', `/polls/${pollId}/open`)).status).toBe(409)
    expect((await c.studentWs[0]!.event('live:poll-opened')).data.poll).toMatchObject({ id: pollId, results: null })

    const [s0, s1, s2] = c.students as [Account, Account, Account]
    const vote = (who: Account, optionIds: string[]) => app.api(who, 'POST', `/polls/${pollId}/votes`, { optionIds })
    expect((await vote(s0, ['o1', 'o2'])).status).toBe(422)
    expect((await vote(s0, ['o9'])).status).toBe(422)
    expect((await vote(s0, [])).status).toBe(422)
    expect((await vote(c.teacher, ['o1'])).status).toBe(403)
    const mine = await vote(s0, ['o2'])
    expect(mine.body).toMatchObject({ myVote: ['o2'], results: null, totalVoters: 1 })
    expect((await vote(s0, ['o1'])).body.myVote).toEqual(['o1'])
    await vote(s1, ['o1'])
    await vote(s2, ['o3'])
    const live = await eventually(
      () => eventsOf(c.teacherWs, 'live:poll-results').at(-1),
      (results) => results?.totalVoters === 3,
    )
    expect(live.results).toEqual([
      { optionId: 'o1', votes: 2 },
      { optionId: 'o2', votes: 0 },
      { optionId: 'o3', votes: 1 },
    ])
    // The tally goes to the teacher only, at most twice a second.
    expect(eventsOf(c.studentWs[0]!, 'live:poll-results')).toEqual([])
    expect(eventsOf(c.teacherWs, 'live:poll-results').length).toBeLessThanOrEqual(3)

    // A reconnecting student sees the open poll with their vote.
    const again = await connectWs(wsUrl, s0.accessToken)
    expect((await again.request('live:join', { sessionId: c.session.id })).data.classroom.polls).toMatchObject([
      { id: pollId, myVote: ['o1'], results: null },
    ])
    again.close()

    const closed = await app.api(c.teacher, 'POST', `/polls/${pollId}/close`)
    expect(closed.body).toMatchObject({ status: 'closed', totalVoters: 3 })
    expect((await c.studentWs[2]!.event('live:poll-closed')).data.poll.results).toEqual(live.results)
    expect((await vote(s0, ['o2'])).body.error.code).toBe('POLL_CLOSED')
    expect((await app.api(s1, 'GET', `/polls/${pollId}`)).body).toMatchObject({ myVote: ['o1'], results: live.results })

    const csv = await app.call('GET', `/api/v1/polls/${pollId}/results.csv`, { token: c.teacher.accessToken })
    expect(csv.headers.get('content-type')).toContain('text/csv')
    const lines = String(csv.body).replace('\uFEFF', '').trim().split('\r\n')
    expect(lines[0]).toBe('voter,choices,votedAt (UTC)')
    expect(
      lines
        .slice(1)
        .map((line) => line.split(',').slice(0, 2).join(','))
        .sort(),
    ).toEqual([`${s0.user.name},"300`, `${s1.user.name},"300`, `${s2.user.name},Infinite`].sort())
    expect((await app.call('GET', `/api/v1/polls/${pollId}/results.csv`, { token: s0.accessToken })).status).toBe(403)
    expect((await app.api(s0, 'GET', path)).body.map((p: { id: string }) => p.id)).toEqual([pollId])
    c.close()
  })

  test('multiple-choice and anonymous polls', async () => {
    const c = await liveClass(1)
    const poll = (
      await app.api(c.teacher, 'POST', `/live-sessions/${c.session.id}/polls`, {
        question: 'Colours?',
        options: ['red', 'blue', 'green'],
        multiple: true,
        anonymous: true,
      })
    ).body
    await app.api(c.teacher, 'POST', `/polls/${poll.id}/open`)
    expect(
      (await app.api(c.students[0]!, 'POST', `/polls/${poll.id}/votes`, { optionIds: ['o1', 'o3'] })).body.myVote,
    ).toEqual(['o1', 'o3'])
    await app.api(c.teacher, 'POST', `/polls/${poll.id}/close`)
    const csv = String(
      (await app.call('GET', `/api/v1/polls/${poll.id}/results.csv`, { token: c.teacher.accessToken })).body,
    )
    expect(csv).toContain('anonymous,red | green,')
    expect(csv).not.toContain(c.students[0]!.user.name)
    c.close()
  })
})

describe('questions', () => {
  test('students ask (anonymously too), participants vote once, the teacher answers and dismisses; the class hears every change', async () => {
    const c = await liveClass(3)
    const [s0, s1, s2] = c.students as [Account, Account, Account]
    const path = `/live-sessions/${c.session.id}/questions`
    expect((await app.api(c.teacher, 'POST', path, { content: 'Teachers do not ask' })).status).toBe(403)
    expect((await app.api(s0, 'POST', path, { content: '' })).status).toBe(422)
    const named = (await app.api(s0, 'POST', path, { content: 'Why is the sky blue?' })).body
    const hidden = (await app.api(s1, 'POST', path, { content: 'Is light a wave?', anonymous: true })).body
    expect(named).toMatchObject({ status: 'open', votes: 0, myVote: false, userId: s0.user.id })
    expect(hidden).toMatchObject({ userId: s1.user.id, anonymous: true })
    const broadcast = await eventually(
      () => eventsOf(c.studentWs[2]!, 'live:question').find((e) => e.question.id === hidden.id),
      (e) => e !== undefined,
    )
    expect(broadcast.question).toMatchObject({ userId: null, name: null, myVote: null })

    expect((await app.api(s0, 'POST', `/questions/${named.id}/vote`)).body.error.code).toBe('OWN_QUESTION')
    expect((await app.api(s1, 'POST', `/questions/${named.id}/vote`)).body).toMatchObject({ votes: 1, myVote: true })
    expect((await app.api(s1, 'POST', `/questions/${named.id}/vote`)).body.votes).toBe(1)
    await app.api(s2, 'POST', `/questions/${named.id}/vote`)
    await app.api(c.teacher, 'POST', `/questions/${named.id}/vote`)
    expect((await app.api(s2, 'DELETE', `/questions/${named.id}/vote`)).body).toMatchObject({ votes: 2, myVote: false })
    await app.api(s2, 'POST', `/questions/${hidden.id}/vote`)

    const byVotes = (await app.api(s2, 'GET', `${path}?sort=votes`)).body
    expect(byVotes.items.map((q: { id: string }) => q.id)).toEqual([named.id, hidden.id])
    expect(byVotes.items[1]).toMatchObject({ userId: null, myVote: true })
    const teacherView = (await app.api(c.teacher, 'GET', `${path}?sort=recent&limit=1`)).body
    expect(teacherView.items[0]).toMatchObject({ id: hidden.id, userId: null })
    expect(
      (await app.api(c.teacher, 'GET', `${path}?sort=recent&limit=1&cursor=${teacherView.nextCursor}`)).body.items[0]
        .id,
    ).toBe(named.id)
    expect((await app.api(c.teacher, 'GET', `${path}?cursor=abc`)).status).toBe(422)
    const staff = await app.registerStaff('user', ['courses'])
    expect((await app.api(staff, 'GET', path)).body.items.find((q: { id: string }) => q.id === hidden.id).userId).toBe(
      s1.user.id,
    )

    expect((await app.api(s1, 'POST', `/questions/${named.id}/answer`)).status).toBe(403)
    expect((await app.api(c.teacher, 'POST', `/questions/${named.id}/answer`)).body.status).toBe('answered')
    expect((await app.api(c.teacher, 'POST', `/questions/${named.id}/dismiss`)).status).toBe(409)
    expect((await app.api(s1, 'POST', `/questions/${named.id}/vote`)).status).toBe(409)
    await app.api(c.teacher, 'POST', `/questions/${hidden.id}/dismiss`)
    const final = await eventually(
      () =>
        eventsOf(c.studentWs[0]!, 'live:question')
          .filter((e) => e.question.id === named.id)
          .at(-1),
      (e) => e?.question.status === 'answered',
    )
    expect(final.question).toMatchObject({ status: 'answered', votes: 2 })
    expect((await app.api(s2, 'GET', `${path}?status=open`)).body.items).toEqual([])
    c.close()
  })
})

describe('reactions and room control', () => {
  test('reactions arrive summed, once a second; one student counts at most five a second; unknown emoji are refused', async () => {
    const c = await liveClass(3)
    for (const ws of c.studentWs)
      for (let i = 0; i < 3; i++)
        ws.sendRaw(JSON.stringify({ type: 'live:react', data: { sessionId: c.session.id, emoji: '👏' } }))
    for (let i = 0; i < 8; i++)
      c.studentWs[0]!.sendRaw(JSON.stringify({ type: 'live:react', data: { sessionId: c.session.id, emoji: '🎉' } }))
    const reply = await c.studentWs[1]!.request('live:react', { sessionId: c.session.id, emoji: '🙂' })
    expect(reply.error.code).toBe('VALIDATION_FAILED')
    await Bun.sleep(2300)
    const received = eventsOf(c.studentWs[2]!, 'live:reactions')
    const total = received.reduce((sum: Record<string, number>, e) => {
      for (const [emoji, n] of Object.entries(e.counts as Record<string, number>)) sum[emoji] = (sum[emoji] ?? 0) + n
      return sum
    }, {})
    expect(total).toEqual({ '👏': 9, '🎉': 2 })
    expect(received.length).toBeLessThanOrEqual(3)
    c.close()
  })

  test('mute-all revokes every speaker; a removed student is out for the rest of the session', async () => {
    const c = await liveClass(2)
    const [s0, s1] = c.students as [Account, Account]
    for (const s of c.students)
      await c.teacherWs.request('live:invite-speaker', { sessionId: c.session.id, userId: s.user.id })
    expect((await c.teacherWs.request('live:mute-all', { sessionId: c.session.id })).data).toEqual({ revoked: 2 })
    const changes = await eventually(
      () => eventsOf(c.studentWs[1]!, 'live:speaker-changed').filter((e) => !e.canSpeak),
      (list) => list.length === 2,
    )
    expect(changes.map((e) => e.userId).sort()).toEqual([s0.user.id, s1.user.id].sort())

    expect(
      (await c.studentWs[1]!.request('live:remove', { sessionId: c.session.id, userId: s0.user.id })).error.code,
    ).toBe('FORBIDDEN')
    expect((await c.teacherWs.request('live:remove', { sessionId: c.session.id, userId: s0.user.id })).ok).toBe(true)
    expect((await c.studentWs[0]!.event('live:removed')).data).toEqual({ sessionId: c.session.id })
    expect(
      (await c.teacherWs.next((m) => m.type === 'live:peer-left' && m.data.userId === s0.user.id)).data.sessionId,
    ).toBe(c.session.id)
    expect(
      (await c.studentWs[0]!.request('live:chat', { sessionId: c.session.id, content: 'still here?' })).error.code,
    ).toBe('NOT_IN_SESSION')
    const back = await c.studentWs[0]!.request('live:join', { sessionId: c.session.id })
    expect(back.error.code).toBe('REMOVED_FROM_SESSION')
    expect((await c.studentWs[0]!.next((m) => m.type === 'live:error' && m.data.type === 'live:join')).data.code).toBe(
      'REMOVED_FROM_SESSION',
    )
    expect(
      (await app.api(s0, 'POST', `/live-sessions/${c.session.id}/questions`, { content: 'let me in' })).body.error.code,
    ).toBe('REMOVED_FROM_SESSION')
    const presence = (await c.teacherWs.request('live:join', { sessionId: c.session.id })).data.participants.map(
      (p: { userId: string }) => p.userId,
    )
    expect(presence).not.toContain(s0.user.id)
    c.close()
  })
})

describe('attendance', () => {
  test('joins and leaves in real time: two tabs count once, a dropped connection until it is noticed, the end closes every stay', async () => {
    const c = await liveClass(3)
    const [s0, s1, s2] = c.students as [Account, Account, Account]
    const [w0, w1, w2] = c.studentWs as [Socket, Socket, Socket]
    // s0 opens a second tab for a while: the overlap counts once.
    const tab = await connectWs(wsUrl, s0.accessToken)
    await tab.request('live:join', { sessionId: c.session.id })
    await Bun.sleep(600)
    tab.close()
    // s1 leaves politely and comes back: two joins.
    await w1.request('live:leave', { sessionId: c.session.id })
    await Bun.sleep(500)
    await w1.request('live:join', { sessionId: c.session.id })
    // s2's connection drops without a leave.
    w2.ws.close()
    await Bun.sleep(700)

    const during = (await app.api(c.teacher, 'GET', `/live-sessions/${c.session.id}/attendance`)).body
    const row = (who: Account, sheet = during) =>
      sheet.items.find((item: { userId: string }) => item.userId === who.user.id)
    expect(row(s0)).toMatchObject({ joins: 1, present: true, lastLeftAt: null })
    expect(row(s1)).toMatchObject({ joins: 2, present: true })
    expect(row(s2)).toMatchObject({ joins: 1, present: false })
    expect(row(s2).lastLeftAt).not.toBeNull()
    expect(row(s2).secondsPresent).toBeLessThan(row(s0).secondsPresent + 1)

    await Bun.sleep(300)
    await app.api(c.teacher, 'POST', `/live-sessions/${c.session.id}/end`)
    const after = (await app.api(c.teacher, 'GET', `/live-sessions/${c.session.id}/attendance`)).body
    expect(after.endedAt).not.toBeNull()
    const classSeconds = (new Date(after.endedAt).getTime() - new Date(after.startedAt).getTime()) / 1000
    // s0 was there from join to the end, one tab or two.
    expect(row(s0, after)).toMatchObject({ present: false, lastLeftAt: after.endedAt, joins: 1 })
    expect(row(s0, after).secondsPresent).toBeLessThanOrEqual(Math.ceil(classSeconds))
    expect(row(s0, after).secondsPresent).toBeGreaterThanOrEqual(1)
    // s1 missed about half a second, s2 the last 1.5 s or so.
    expect(row(s1, after).minutesPresent).toBeLessThan(row(s0, after).minutesPresent)
    expect(row(s2, after).minutesPresent).toBeLessThan(row(s1, after).minutesPresent)

    // Stays after the end do not count: a socket closing later changes nothing.
    w0.close()
    await Bun.sleep(200)
    expect((await app.api(c.teacher, 'GET', `/live-sessions/${c.session.id}/attendance`)).body.items).toEqual(
      after.items,
    )

    const csv = await app.call('GET', `/api/v1/live-sessions/${c.session.id}/attendance.csv`, {
      token: c.teacher.accessToken,
    })
    expect(csv.headers.get('content-disposition')).toContain(`attendance-${c.session.id}.csv`)
    expect(String(csv.body).trim().split('\r\n')).toHaveLength(4)
    expect((await app.api(s0, 'GET', `/live-sessions/${c.session.id}/attendance`)).status).toBe(403)
    const staff = await app.registerStaff('user', ['courses'])
    expect((await app.api(staff, 'GET', `/live-sessions/${c.session.id}/attendance`)).body.items).toHaveLength(3)

    const own = (await app.api(s1, 'GET', `/me/attendance?courseId=${c.course.id}`)).body
    expect(own.items).toEqual([
      expect.objectContaining({ sessionId: c.session.id, joins: 2, minutesPresent: row(s1, after).minutesPresent }),
    ])
    c.close()
  })

  test('an enrolled student who never came is listed at zero; the room code opens the session', async () => {
    const c = await liveClass(1)
    const absent = await app.register()
    await app.api(absent, 'POST', `/courses/${c.course.id}/enroll`)
    const sheet = (await app.api(c.teacher, 'GET', `/live-sessions/${c.session.id}/attendance`)).body
    expect(sheet.items.find((item: { userId: string }) => item.userId === absent.user.id)).toMatchObject({
      minutesPresent: 0,
      joins: 0,
      firstJoinedAt: null,
      present: false,
    })
    expect((await app.api(absent, 'GET', `/live-sessions/by-code/${c.session.roomCode.toLowerCase()}`)).body.id).toBe(
      c.session.id,
    )
    expect((await app.api(await app.register(), 'GET', `/live-sessions/by-code/${c.session.roomCode}`)).status).toBe(
      404,
    )
    c.close()
  })
})
