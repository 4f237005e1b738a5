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

test("a call records only once both participants asked; strangers see nothing; a recording with no media ends failed, honestly", async () => {
  const customer = await server.register()
  const supporter = await server.register('supporter')
  const stranger = await server.register()
  const request = (await post(customer.accessToken, '/support-requests', { subject: 'Help', description: 'Please' })).body
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
  expect((await fetch(`${server.baseUrl}/api/v1/recordings/${second.body.id}/file`)).status).toBe(404)

  // Nobody published: stopping leaves nothing to assemble, and the status says so.
  expect((await post(customer.accessToken, `/video-calls/${videoCall.id}/recording/stop`)).body).toEqual({ id: second.body.id, status: 'processing' })
  const failed = await waitFor('the empty recording to settle', () => get(customer.accessToken, `/recordings/${second.body.id}`), (r) => r.body.status !== 'processing')
  expect(failed.body.status).toBe('failed')
  const call = (await get(supporter.accessToken, `/video-calls/${videoCall.id}`)).body
  expect(call.recordings.map((r: { id: string }) => r.id)).toEqual([second.body.id])
})

test('a class set to autoRecord records from go-live; only the teacher starts or stops, only while live', async () => {
  const teacher = await server.register('teacher')
  const student = await server.register()
  const course = (await post(teacher.accessToken, '/courses', { title: 'Auto' })).body
  await post(student.accessToken, `/courses/${course.id}/enroll`)
  const session = (await post(teacher.accessToken, '/live-sessions', { title: 'L1', courseId: course.id, scheduledAt: new Date(Date.now() + 3600_000).toISOString() })).body
  expect(session.autoRecord).toBe(false)
  expect((await post(teacher.accessToken, `/live-sessions/${session.id}/recording/start`)).status).toBe(409)
  const patched = await server.call('PATCH', `/api/v1/live-sessions/${session.id}`, { token: teacher.accessToken, body: { autoRecord: true } })
  expect(patched.body.autoRecord).toBe(true)
  await post(teacher.accessToken, `/live-sessions/${session.id}/start`)
  expect((await post(teacher.accessToken, `/live-sessions/${session.id}/recording/start`)).status).toBe(409)
  expect((await post(student.accessToken, `/live-sessions/${session.id}/recording/stop`)).status).toBe(403)
  const stopped = await post(teacher.accessToken, `/live-sessions/${session.id}/recording/stop`)
  expect(stopped.status).toBe(200)
  expect(stopped.body.status).toBe('processing')
})
