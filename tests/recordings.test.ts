import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startMediaServer, type MediaServer } from './helpers/media-server.ts'
import { tempDir } from './helpers/server-process.ts'
import { waitFor } from './helpers/browser.ts'

let server: MediaServer
beforeAll(async () => {
  server = await startMediaServer({ workers: 1, env: { UPLOAD_DIR: tempDir('majlis-recordings-') } })
})
afterAll(() => server?.stop())

const post = (token: string, path: string, body?: unknown) => server.call('POST', `/api/v1${path}`, { token, body })
const get = (token: string, path: string) => server.call('GET', `/api/v1${path}`, { token })

test('a call records only once both participants asked; strangers see nothing; a recording with no media ends failed, honestly', async () => {
  const customer = await server.register()
  const supporter = await server.register('supporter')
  const stranger = await server.register()
  const request = (await post(customer.accessToken, '/support-requests', { subject: 'Help', description: 'Please' }))
    .body
  const { videoCall } = (await post(supporter.accessToken, `/support-requests/${request.id}/accept`)).body

  const first = await post(customer.accessToken, `/video-calls/${videoCall.id}/recording/start`)
  expect(first.status).toBe(202)
  expect(first.body).toEqual({ status: 'awaiting_consent' })
  expect((await post(stranger.accessToken, `/video-calls/${videoCall.id}/recording/start`)).status).toBe(404)
  expect((await post(customer.accessToken, `/video-calls/${videoCall.id}/recording/stop`)).status).toBe(409)
  const second = await post(supporter.accessToken, `/video-calls/${videoCall.id}/recording/start`)
  expect(second.status).toBe(201)
  expect(second.body).toMatchObject({ room: `call:${videoCall.id}`, status: 'recording', fileUrl: null })
  expect((await get(stranger.accessToken, `/recordings/${second.body.id}`)).status).toBe(404)
  // Without a token or a signature: sign in first (401); a stranger's token: nothing to see (404).
  expect((await fetch(`${server.baseUrl}/api/v1/recordings/${second.body.id}/file`)).status).toBe(401)
  expect(
    (
      await fetch(`${server.baseUrl}/api/v1/recordings/${second.body.id}/file`, {
        headers: { authorization: `Bearer ${stranger.accessToken}` },
      })
    ).status,
  ).toBe(404)

  // Nobody published: stopping leaves nothing to assemble, and the status says so.
  expect((await post(customer.accessToken, `/video-calls/${videoCall.id}/recording/stop`)).body).toEqual({
    id: second.body.id,
    status: 'processing',
  })
  const failed = await waitFor(
    'the empty recording to settle',
    () => get(customer.accessToken, `/recordings/${second.body.id}`),
    (r) => r.body.status !== 'processing',
  )
  expect(failed.body.status).toBe('failed')
  const call = (await get(supporter.accessToken, `/video-calls/${videoCall.id}`)).body
  expect(call.recordings.map((r: { id: string }) => r.id)).toEqual([second.body.id])
})

test('a class set to autoRecord records from go-live; only the teacher starts or stops, only while live', async () => {
  const teacher = await server.register('teacher')
  const student = await server.register()
  const course = (await post(teacher.accessToken, '/courses', { title: 'Auto' })).body
  await post(student.accessToken, `/courses/${course.id}/enroll`)
  const session = (
    await post(teacher.accessToken, '/live-sessions', {
      title: 'L1',
      courseId: course.id,
      scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
    })
  ).body
  expect(session.autoRecord).toBe(false)
  expect((await post(teacher.accessToken, `/live-sessions/${session.id}/recording/start`)).status).toBe(409)
  const patched = await server.call('PATCH', `/api/v1/live-sessions/${session.id}`, {
    token: teacher.accessToken,
    body: { autoRecord: true },
  })
  expect(patched.body.autoRecord).toBe(true)
  await post(teacher.accessToken, `/live-sessions/${session.id}/start`)
  expect((await post(teacher.accessToken, `/live-sessions/${session.id}/recording/start`)).status).toBe(409)
  expect((await post(student.accessToken, `/live-sessions/${session.id}/recording/stop`)).status).toBe(403)
  const stopped = await post(teacher.accessToken, `/live-sessions/${session.id}/recording/stop`)
  expect(stopped.status).toBe(200)
  expect(stopped.body.status).toBe('processing')
})

test('WHIP: malformed or unusable offers get a clear 4xx, the room keeps no peer, the server stays up', async () => {
  const host = await server.register()
  const stream = (await post(host.accessToken, '/streams', { title: 'OBS', type: 'video' })).body
  const { streamKey } = (await get(host.accessToken, `/streams/${stream.id}/ingest`)).body
  const offer = (body: string, contentType = 'application/sdp', key = streamKey) =>
    fetch(`${server.baseUrl}/api/v1/whip/${stream.id}`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${key}` },
      body,
    })
  const session = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n'
  const ice =
    'a=ice-ufrag:abcd\r\na=ice-pwd:abcdefghijklmnopqrstuvwx\r\na=fingerprint:sha-256 AB:CD\r\na=setup:actpass\r\n'
  const cases: Array<[string, string, number]> = [
    ['not SDP at all', 'hello', 422],
    ['no media sections', session, 422],
    [
      'media without ICE or DTLS',
      `${session}m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:0\r\na=rtpmap:96 VP8/90000\r\na=sendonly\r\n`,
      422,
    ],
    ['only a data channel', `${session}${ice}m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=mid:0\r\n`, 422],
    [
      'a codec we do not take',
      `${session}${ice}m=video 9 UDP/TLS/RTP/SAVPF 98\r\na=mid:0\r\na=rtpmap:98 AV1/90000\r\na=sendonly\r\n`,
      422,
    ],
    [
      'a fingerprint mediasoup refuses',
      `${session}${ice}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=rtpmap:111 opus/48000/2\r\na=sendonly\r\n`.replace(
        'sha-256',
        'md5',
      ),
      422,
    ],
    [
      'two cameras',
      `${session}${ice.replace('AB:CD', Array(32).fill('AB').join(':'))}${[0, 1].map((mid) => `m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=mid:${mid}\r\na=rtpmap:96 VP8/90000\r\na=sendonly\r\na=ssrc:${1000 + mid} cname:x\r\n`).join('')}`,
      422,
    ],
    ['a huge offer', `${session}${`a=x:${'y'.repeat(1000)}\r\n`}`.repeat(400), 413],
  ]
  for (const [what, body, status] of cases) {
    const response = await offer(body)
    expect(response.status, what).toBe(status)
    expect((await response.json()).error.code, what).toBeString()
  }
  expect((await offer(session, 'text/plain')).status).toBe(422)
  expect((await offer(session, 'application/sdp', 'wrong')).status).toBe(401)
  expect(server.media.rooms.get(`stream:${stream.id}`)?.peerCount ?? 0).toBe(0)
  expect((await get(host.accessToken, `/streams/${stream.id}`)).body.status).toBe('live')
})
