import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Browser } from 'playwright-core'
import { consumerStats, launchChromium, openDemo, openDemoPage, videoFrames, waitFor } from '../helpers/browser.ts'
import { startCluster, type ClusterInstance } from '../helpers/cluster.ts'
import { killStartedServers } from '../helpers/server-process.ts'
import { connectWs } from '../helpers/ws-client.ts'

// Two instances; A takes one media participant (one worker, MEDIA_MAX_PEERS_PER_WORKER=1).
let cluster: Awaited<ReturnType<typeof startCluster>>
let browser: Browser
beforeAll(async () => {
  cluster = await startCluster(2, {}, [{ MEDIA_MAX_PEERS_PER_WORKER: '1' }])
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  killStartedServers()
})

test('a full instance sends joiners elsewhere; a killed instance’s stream viewers stop counting', async () => {
  const [a, b] = cluster.instances as [ClusterInstance, ClusterInstance]
  const host = await cluster.register(a)
  const stream = (
    await cluster.api(a, 'POST', '/streams', host.accessToken, { title: 'Across instances', type: 'video' })
  ).body
  const hostSocket = await connectWs(a.wsUrl, host.accessToken)
  expect((await hostSocket.request('join_session', { sessionId: stream.id })).ok).toBe(true)

  // The host publishes on A, which is then full.
  const hostPage = await openDemo(browser, a.baseUrl, host.accessToken, `stream:${stream.id}`)
  await hostPage.evaluate(() => (window as any).majlisDemo.current().publishCamera())
  const viewer = await cluster.register(a)
  const refused = await (await connectWs(a.wsUrl, viewer.accessToken)).request('media:join', {
    room: `stream:${stream.id}`,
  })
  expect(refused.error).toMatchObject({ code: 'INSTANCE_FULL', details: { instances: [{ id: b.id, url: b.baseUrl }] } })
  const health = await (await fetch(`${a.baseUrl}/health/ready`)).json()
  expect(health.instance).toMatchObject({ id: a.id, peers: 1, capacity: 1 })
  expect(await (await fetch(`${a.baseUrl}/metrics`)).text()).toContain(`majlis_instance_capacity{instance="${a.id}"} 1`)

  // The SDK, pointed at A only, follows the refusal to B and decodes the host's video there.
  const viewerPage = await openDemoPage(browser, a.baseUrl)
  await viewerPage.evaluate(([token, room]) => (window as any).majlisDemo.start(token, room).then(() => undefined), [
    viewer.accessToken,
    `stream:${stream.id}`,
  ] as const)
  expect(await viewerPage.evaluate(() => (window as any).majlisDemo.current().socket.url)).toBe(b.wsUrl)
  await waitFor(
    "the host's video, piped from A to B",
    () => consumerStats(viewerPage),
    (stats) => videoFrames(stats) > 20,
    20_000,
  )

  // Viewers of the stream on both instances count once each, asked on either.
  const onB = await connectWs(b.wsUrl, viewer.accessToken)
  const other = await cluster.register(a)
  const onA = await connectWs(a.wsUrl, other.accessToken)
  for (const socket of [onB, onA])
    expect((await socket.request('join_session', { sessionId: stream.id })).ok).toBe(true)
  for (const instance of [a, b])
    expect((await cluster.api(instance, 'GET', `/streams/${stream.id}`, host.accessToken)).body.viewerCount).toBe(2)

  // HLS runs on one instance: B sees it running on A, and hands a stop to A.
  expect((await cluster.api(a, 'POST', `/streams/${stream.id}/hls/start`, host.accessToken)).status).toBe(200)
  expect((await cluster.api(b, 'POST', `/streams/${stream.id}/hls/start`, host.accessToken)).body.error.code).toBe(
    'HLS_ALREADY_RUNNING',
  )
  expect((await cluster.api(b, 'POST', `/streams/${stream.id}/hls/stop`, host.accessToken)).status).toBe(200)
  expect((await cluster.api(a, 'POST', `/streams/${stream.id}/hls/stop`, host.accessToken)).body.error.code).toBe(
    'HLS_NOT_RUNNING',
  )

  // B dies with its viewer's socket: once B's heartbeat lapses, the viewer no longer counts.
  b.child.kill('SIGKILL')
  await waitFor(
    'the viewer held by B to stop counting',
    () =>
      cluster.api(a, 'GET', `/streams/${stream.id}`, host.accessToken).then((response) => response.body.viewerCount),
    (count) => count === 1,
    15_000,
  )
  expect((await hostSocket.next((m) => m.type === 'viewer_count' && m.data.viewerCount === 1)).data.streamId).toBe(
    stream.id,
  )
  for (const socket of [hostSocket, onA]) socket.close()
  await cluster.stop()
}, 120_000)
