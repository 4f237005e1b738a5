import { afterAll, beforeAll, expect, test } from 'bun:test'
import { startMediaServer, type MediaServer } from './helpers/media-server.ts'
import { connectWs } from './helpers/ws-client.ts'

/** /metrics says what an operator watches during the day: sockets, classes, streams and their viewers, calls. */
let server: MediaServer
beforeAll(async () => {
  server = await startMediaServer({ workers: 1 })
})
afterAll(() => server.stop())

async function gauges() {
  const text = (await server.call('GET', '/metrics')).body as string
  const value = (name: string) =>
    Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN)
  return {
    sockets: value('majlis_ws_connections'),
    classes: value('majlis_live_classes'),
    streams: value('majlis_live_streams'),
    viewers: value('majlis_stream_viewers'),
    calls: value('majlis_calls_in_progress'),
  }
}

test('open WebSockets, live classes, live streams with their viewers, calls in progress', async () => {
  expect(await gauges()).toEqual({ sockets: 0, classes: 0, streams: 0, viewers: 0, calls: 0 })

  const [host, viewerA, viewerB] = [await server.register(), await server.register(), await server.register()]
  const stream = (await server.api(host, 'POST', '/streams', { title: 'Evening oud', type: 'video' })).body
  for (const viewer of [viewerA, viewerB])
    expect((await server.api(viewer, 'POST', `/streams/${stream.id}/join`, { role: 'viewer' })).status).toBe(200)

  const teacher = await server.register('teacher')
  const course = (await server.api(teacher, 'POST', '/courses', { title: 'Algebra' })).body
  const session = (
    await server.api(teacher, 'POST', '/live-sessions', {
      title: 'Week 1',
      courseId: course.id,
      scheduledAt: new Date(Date.now() + 60_000).toISOString(),
    })
  ).body
  expect((await server.api(teacher, 'POST', `/live-sessions/${session.id}/start`)).status).toBe(200)

  const [customer, supporter] = [await server.register(), await server.register('supporter')]
  const request = (
    await server.api(customer, 'POST', '/support-requests', {
      subject: 'Camera',
      description: 'It is black',
      priority: 'high',
    })
  ).body
  const { videoCall } = (await server.api(supporter, 'POST', `/support-requests/${request.id}/accept`)).body
  expect((await server.api(supporter, 'POST', `/video-calls/${videoCall.id}/start`)).status).toBe(200)

  const sockets = await Promise.all([
    connectWs(server.wsUrl, viewerA.accessToken),
    connectWs(server.wsUrl, teacher.accessToken),
    connectWs(server.wsUrl, customer.accessToken),
  ])
  expect(await gauges()).toEqual({ sockets: 3, classes: 1, streams: 1, viewers: 2, calls: 1 })

  sockets[0]!.close()
  await server.api(viewerB, 'POST', `/streams/${stream.id}/leave`)
  await server.api(teacher, 'POST', `/live-sessions/${session.id}/end`)
  await server.api(customer, 'POST', `/video-calls/${videoCall.id}/end`)
  await Bun.sleep(100)
  expect(await gauges()).toEqual({ sockets: 2, classes: 0, streams: 1, viewers: 1, calls: 0 })
})
