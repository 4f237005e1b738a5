import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { RtpParameters } from 'mediasoup/types'
import { startMediaServer, type MediaServer } from '../helpers/media-server.ts'
import { connectWs } from '../helpers/ws-client.ts'

let server: MediaServer
beforeAll(async () => {
  server = await startMediaServer({ workers: 2 })
})
afterAll(() => server.stop())

type Account = Awaited<ReturnType<MediaServer['register']>>
const rest = (who: Account, method: string, path: string, body?: unknown) =>
  server.call(method, `/api/v1${path}`, { token: who.accessToken, body })
const audio: RtpParameters = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 4242 }],
}

async function liveClass() {
  const teacher = await server.register('teacher')
  const course = (await rest(teacher, 'POST', '/courses', { title: 'History' })).body
  const [student, other] = [await server.register(), await server.register()]
  for (const s of [student, other]) await rest(s, 'POST', `/courses/${course.id}/enroll`)
  const session = (
    await rest(teacher, 'POST', '/live-sessions', {
      title: 'Rome',
      courseId: course.id,
      scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
    })
  ).body
  return { teacher, student, other, session }
}

describe('live classes over /ws', () => {
  test('joining waits for the teacher to go live; then peers hear of each other', async () => {
    const { teacher, student, session } = await liveClass()
    const studentWs = await connectWs(server.wsUrl, student.accessToken)
    const early = await studentWs.request('live:join', { sessionId: session.id })
    expect(early).toMatchObject({ ok: false, error: { code: 'NOT_LIVE' } })
    expect((await studentWs.event('live:error')).data).toMatchObject({
      code: 'NOT_LIVE',
      sessionId: session.id,
      type: 'live:join',
    })
    // In Arabic, the event says what the reply says.
    const arabicWs = await connectWs(server.wsUrl, student.accessToken, { 'accept-language': 'ar' })
    const refused = await arabicWs.request('live:join', { sessionId: session.id })
    const event = (await arabicWs.event('live:error')).data
    expect(refused.error.message).toMatch(/[\u0600-\u06FF]/)
    expect(event).toMatchObject({ code: 'NOT_LIVE', message: refused.error.message })
    arabicWs.close()
    expect(await studentWs.request('media:join', { room: `live:${session.id}` })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })

    await rest(teacher, 'POST', `/live-sessions/${session.id}/start`)
    const teacherWs = await connectWs(server.wsUrl, teacher.accessToken)
    expect((await teacherWs.request('live:join', { sessionId: session.id })).data).toMatchObject({
      role: 'teacher',
      room: `live:${session.id}`,
      canSpeak: true,
    })
    const joined = await studentWs.request('live:join', { sessionId: session.id })
    expect(joined.data).toMatchObject({ role: 'student', canSpeak: false })
    expect(joined.data.participants.map((p: { userId: string }) => p.userId).sort()).toEqual(
      [student.user.id, teacher.user.id].sort(),
    )
    expect((await teacherWs.event('live:peer-joined')).data).toMatchObject({ userId: student.user.id, role: 'student' })

    await studentWs.request('live:leave', { sessionId: session.id })
    expect((await teacherWs.event('live:peer-left')).data).toMatchObject({ userId: student.user.id })
    studentWs.close()
    teacherWs.close()
  })

  test('outsiders cannot join; only the teacher invites speakers', async () => {
    const { teacher, student, other, session } = await liveClass()
    await rest(teacher, 'POST', `/live-sessions/${session.id}/start`)
    const outsider = await server.register()
    const outsiderWs = await connectWs(server.wsUrl, outsider.accessToken)
    expect(await outsiderWs.request('live:join', { sessionId: session.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
    expect(await outsiderWs.request('media:join', { room: `live:${session.id}` })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })

    const studentWs = await connectWs(server.wsUrl, student.accessToken)
    // Class messages need the sender in the class first.
    expect(
      await studentWs.request('live:invite-speaker', { sessionId: session.id, userId: other.user.id }),
    ).toMatchObject({ ok: false, error: { code: 'NOT_IN_SESSION' } })
    await studentWs.request('live:join', { sessionId: session.id })
    expect(
      await studentWs.request('live:invite-speaker', { sessionId: session.id, userId: other.user.id }),
    ).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    const teacherWs = await connectWs(server.wsUrl, teacher.accessToken)
    await teacherWs.request('live:join', { sessionId: session.id })
    expect(
      await teacherWs.request('live:invite-speaker', { sessionId: session.id, userId: outsider.user.id }),
    ).toMatchObject({ ok: false, error: { code: 'NOT_A_STUDENT' } })
    expect(await teacherWs.request('live:invite-speaker', { sessionId: session.id })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    })
    for (const ws of [outsiderWs, studentWs, teacherWs]) ws.close()
  })

  test('a student publishes audio only after being invited to speak; revoking closes it', async () => {
    const { teacher, student, session } = await liveClass()
    await rest(teacher, 'POST', `/live-sessions/${session.id}/start`)
    const room = `live:${session.id}`
    const teacherWs = await connectWs(server.wsUrl, teacher.accessToken)
    const studentWs = await connectWs(server.wsUrl, student.accessToken)
    await teacherWs.request('live:join', { sessionId: session.id })
    await studentWs.request('live:join', { sessionId: session.id })

    const teacherMedia = await teacherWs.request('media:join', { room })
    expect(teacherMedia.data.grant.canPublish).toEqual(['camera', 'microphone', 'screen', 'screen-audio'])
    const studentMedia = await studentWs.request('media:join', { room })
    expect(studentMedia.data.grant.canPublish).toEqual([])
    expect(await studentWs.request('media:createTransport', { direction: 'send' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })

    await teacherWs.request('live:invite-speaker', { sessionId: session.id, userId: student.user.id })
    expect((await studentWs.event('media:grantChanged')).data.grant.canPublish).toEqual(['microphone'])
    expect((await studentWs.event('live:speaker-changed')).data).toMatchObject({
      userId: student.user.id,
      canSpeak: true,
    })
    const transport = await studentWs.request('media:createTransport', { direction: 'send' })
    const video = await studentWs.request('media:produce', {
      transportId: transport.data.transportId,
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
        encodings: [{ ssrc: 1 }],
      },
      appData: { source: 'camera' },
    })
    expect(video).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } })
    const mic = await studentWs.request('media:produce', {
      transportId: transport.data.transportId,
      kind: 'audio',
      rtpParameters: audio,
      appData: { source: 'microphone' },
    })
    expect(mic.ok).toBe(true)
    expect((await teacherWs.event('media:newProducer')).data).toMatchObject({
      producerId: mic.data.producerId,
      source: 'microphone',
    })

    await teacherWs.request('live:revoke-speaker', { sessionId: session.id, userId: student.user.id })
    await studentWs.next((m) => m.type === 'media:grantChanged' && m.data.grant.canPublish.length === 0)
    expect(await studentWs.request('media:resumeProducer', { producerId: mic.data.producerId })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })

    await rest(teacher, 'POST', `/live-sessions/${session.id}/end`)
    expect((await studentWs.event('media:roomClosed')).data).toMatchObject({ room, reason: 'session ended' })
    expect((await studentWs.event('live:session-ended')).data).toMatchObject({ sessionId: session.id })
    expect(await studentWs.request('live:join', { sessionId: session.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_LIVE' },
    })
    teacherWs.close()
    studentWs.close()
  })

  test('a viewer joins in two messages: media:join with its recv transport, then media:consumeAll', async () => {
    const { teacher, student, session } = await liveClass()
    await rest(teacher, 'POST', `/live-sessions/${session.id}/start`)
    const room = `live:${session.id}`
    const teacherWs = await connectWs(server.wsUrl, teacher.accessToken)
    await teacherWs.request('live:join', { sessionId: session.id })
    await teacherWs.request('media:join', { room })
    const send = await teacherWs.request('media:createTransport', { direction: 'send' })
    const mic = await teacherWs.request('media:produce', {
      transportId: send.data.transportId,
      kind: 'audio',
      rtpParameters: audio,
      appData: { source: 'microphone' },
    })

    const studentWs = await connectWs(server.wsUrl, student.accessToken)
    await studentWs.request('live:join', { sessionId: session.id })
    const joined = await studentWs.request('media:join', { room, recvTransport: true })
    expect(joined.data.recvTransport).toMatchObject({
      transportId: expect.any(String),
      iceParameters: expect.any(Object),
      dtlsParameters: expect.any(Object),
    })
    const all = await studentWs.request('media:consumeAll', { rtpCapabilities: joined.data.routerRtpCapabilities })
    expect(all.data.consumers).toEqual([
      expect.objectContaining({ producerId: mic.data.producerId, kind: 'audio', source: 'microphone', paused: false }),
    ])
    expect(all.data.skipped).toEqual([])
    expect(
      (await studentWs.request('media:consumeAll', { rtpCapabilities: joined.data.routerRtpCapabilities })).data
        .consumers,
    ).toEqual([])
    teacherWs.close()
    studentWs.close()
  })
})
