import { expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { audioBytes, consumerStats, videoFrames, waitFor } from '../helpers/browser.ts'
import { clusterAndBrowserPerFile, joinOn, type ClusterInstance } from '../helpers/cluster.ts'
import { connectWs } from '../helpers/ws-client.ts'

// Three real Majlis processes on one Redis and one database file, Chromium on each: one class.
const ctx = clusterAndBrowserPerFile(3)

const audioFrom = async (page: Page) =>
  (await consumerStats(page)).filter((stat) => stat.kind === 'audio' && stat.bytesReceived > 0)
const socketUrl = (page: Page) => page.evaluate(() => (window as any).majlisDemo.current().socket.url as string)

test('a class across three instances: media cascades, speakers are heard everywhere, a killed instance’s students come back, and the room closes everywhere', async () => {
  const { cluster } = ctx
  const [a, b, c] = cluster.instances as [ClusterInstance, ClusterInstance, ClusterInstance]
  const { teacher, students, session, room } = await cluster.liveClass(2)
  const [onB, onC] = students as [(typeof students)[0], (typeof students)[0]]

  const teacherPage = await joinOn(ctx, a, teacher.accessToken, room)
  await teacherPage.evaluate(async () => {
    const media = (window as any).majlisDemo.current()
    await media.publishCamera()
    await media.publishMicrophone()
  })
  const studentOnB = await joinOn(ctx, b, onB.accessToken, room)
  const studentOnC = await joinOn(ctx, c, onC.accessToken, room)
  for (const page of [studentOnB, studentOnC]) {
    const stats = await waitFor(
      "the teacher's video and audio on another instance",
      () => consumerStats(page),
      (stats) => videoFrames(stats) > 30 && audioBytes(stats) > 0,
      30_000,
    )
    expect(stats.map((stat) => stat.kind).sort()).toEqual(['audio', 'video'])
  }

  // Presence of the class channel: the same three people, asked on any instance.
  const sockets = [
    await connectWs(a.wsUrl, teacher.accessToken),
    await connectWs(b.wsUrl, onB.accessToken),
    await connectWs(c.wsUrl, onC.accessToken),
  ]
  for (const socket of sockets) expect((await socket.request('live:join', { sessionId: session.id })).ok).toBe(true)
  const everyone = [teacher.user.id, onB.user.id, onC.user.id].sort()
  for (const instance of [a, b, c]) {
    const observer = await connectWs(instance.wsUrl, teacher.accessToken)
    const joined = await observer.request('live:join', { sessionId: session.id })
    expect(joined.data.participants.map((p: { userId: string }) => p.userId).sort()).toEqual(everyone)
    observer.close()
  }
  const ready = await Promise.all(
    [a, b, c].map((instance) =>
      fetch(`${instance.baseUrl}/health/ready`).then((response) => response.json() as Promise<any>),
    ),
  )
  expect(ready.map((report) => report.instance.id)).toEqual([a.id, b.id, c.id])
  expect(ready.every((report) => report.checks.cluster === 'ok')).toBe(true)

  // Recorded by C, where none of the class's media is published: the teacher's producers are piped in.
  // Stopped through B, which hands the stop to C.
  const recording = await cluster.api(c, 'POST', `/live-sessions/${session.id}/recording/start`, teacher.accessToken)
  expect(recording.status).toBe(201)
  expect(
    (await cluster.api(a, 'POST', `/live-sessions/${session.id}/recording/start`, teacher.accessToken)).status,
  ).toBe(409)
  await Bun.sleep(4500)
  const stopped = await cluster.api(b, 'POST', `/live-sessions/${session.id}/recording/stop`, teacher.accessToken)
  expect(stopped).toMatchObject({ status: 200, body: { id: recording.body.id, status: 'processing' } })
  const recorded = await waitFor(
    'the recording assembled on C',
    () =>
      cluster.api(a, 'GET', `/recordings/${recording.body.id}`, teacher.accessToken).then((response) => response.body),
    (body) => body.status !== 'processing',
    30_000,
  )
  expect(recorded.status).toBe('ready')
  expect(recorded.durationSec).toBeGreaterThanOrEqual(3)

  // The teacher (instance A) invites both students to speak; the one on C is heard on A and B.
  const teacherSocket = sockets[0]!
  for (const student of [onC, onB]) {
    expect(
      (await teacherSocket.request('live:invite-speaker', { sessionId: session.id, userId: student.user.id })).ok,
    ).toBe(true)
  }
  for (const page of [studentOnC, studentOnB]) {
    await waitFor(
      'the speaker grant to arrive',
      () => page.evaluate(() => (window as any).majlisDemo.current().grant as string[]),
      (grant) => grant.includes('microphone'),
    )
    await page.evaluate(() => (window as any).majlisDemo.current().publishMicrophone())
  }
  await waitFor(
    'both students heard by the teacher on A',
    () => audioFrom(teacherPage),
    (audio) => audio.length === 2,
  )
  await waitFor(
    "the teacher and C's student heard on B",
    () => audioFrom(studentOnB),
    (audio) => audio.length === 2,
  )
  const metrics = await (await fetch(`${a.baseUrl}/metrics`)).text()
  expect(metrics).toMatch(/^media_pipes_fed\{instance="instance-a"\} [1-9]/m)
  expect(metrics).toContain('majlis_cluster_instances{instance="instance-a"} 3')

  // A forged message on the cluster channel (no valid signature) is ignored: the class goes on.
  const forger = cluster.redis.client()
  await forger.publish(
    'majlis:cluster',
    `${'0'.repeat(64)}.${JSON.stringify({ from: 'intruder', at: Date.now(), type: 'room:close', data: { room, reason: 'forged' } })}`,
  )
  await forger.publish('majlis:cluster', JSON.stringify({ type: 'room:close', data: { room, reason: 'forged' } }))
  forger.disconnect()
  const framesBefore = videoFrames(await consumerStats(studentOnC))
  await waitFor(
    'the class to go on after the forged close',
    () => consumerStats(studentOnC),
    (stats) => videoFrames(stats) > framesBefore + 30,
  )

  // kill -9 of B: its student comes back through the SDK on A or C, decoding, and is heard again.
  b.child.kill('SIGKILL')
  const killedAt = Date.now()
  // Its old consumers are dropped once the socket is back elsewhere; what decodes then is new.
  await waitFor(
    'B’s student decoding again on another instance',
    async () => ({ url: await socketUrl(studentOnB), stats: await consumerStats(studentOnB) }),
    ({ url, stats }) => url !== b.wsUrl && videoFrames(stats) > 0 && audioBytes(stats) > 0,
    20_000,
  )
  console.log(`media back for the killed instance's student after ${Date.now() - killedAt} ms`)
  expect([a.wsUrl, c.wsUrl]).toContain(await socketUrl(studentOnB))
  await waitFor(
    'the student republished their microphone',
    () => audioFrom(teacherPage),
    (audio) => audio.length === 2,
    20_000,
  )

  // No ghost of B after the heartbeat TTL: presence and the media room list each person once.
  await waitFor(
    'B’s entries to vanish from presence',
    async () => {
      const observer = await connectWs(a.wsUrl, teacher.accessToken)
      const joined = await observer.request('live:join', { sessionId: session.id })
      observer.close()
      return joined.data.participants.map((p: { userId: string }) => p.userId).sort()
    },
    (participants) => JSON.stringify(participants) === JSON.stringify([teacher.user.id, onC.user.id].sort()),
  )
  const viewer = await connectWs(c.wsUrl, onC.accessToken)
  const mediaJoin = await viewer.request('media:join', { room })
  const peopleInRoom = mediaJoin.data.peers.map((peer: { userId: string }) => peer.userId).sort()
  expect(peopleInRoom).toEqual(everyone)
  viewer.close()

  // The teacher ends the class on A: every page, on A and C, is told the room closed.
  expect((await cluster.api(a, 'POST', `/live-sessions/${session.id}/end`, teacher.accessToken)).status).toBe(200)
  for (const page of [teacherPage, studentOnB, studentOnC]) {
    await waitFor(
      'the room to close on every instance',
      () => page.evaluate(() => document.getElementById('log')!.textContent ?? ''),
      (log) => log.includes('state: closed'),
    )
  }
  for (const socket of sockets) socket.close()

  const logs = await cluster.stop()
  const refused = [...logs.values()]
    .flat()
    .filter((line) => line.msg === 'cluster message refused: bad or missing signature, or too old')
  expect(refused.length).toBeGreaterThanOrEqual(2 * 2) // two forged messages, seen by A and C
}, 180_000)
