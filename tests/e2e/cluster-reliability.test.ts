import { Database } from 'bun:sqlite'
import { expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { consumerStats, videoFrames, waitFor } from '../helpers/browser.ts'
import { clusterAndBrowserPerFile, joinOn, type ClusterInstance } from '../helpers/cluster.ts'
import { connectWs } from '../helpers/ws-client.ts'

// Three real Majlis processes on one real redis-server and one database file; Chromium for the class.
const ctx = clusterAndBrowserPerFile(3)

/** Whether the page's decoded video frames go on rising (by `more` within 20 s). */
async function decodes(page: Page, more = 10): Promise<boolean> {
  const from = videoFrames(await consumerStats(page))
  await waitFor(
    'video frames to keep coming',
    () => consumerStats(page),
    (stats) => videoFrames(stats) > from + more,
    20_000,
  )
  return true
}

const socketUrl = (page: Page) => page.evaluate(() => (window as any).majlisDemo.current().socket.url as string)

/** What a participant joining now is told, on each instance: who is in, the raised hands, the open polls' results. */
async function classViewOn(instance: ClusterInstance, token: string, sessionId: string) {
  const observer = await connectWs(instance.wsUrl, token)
  try {
    const joined = await observer.request('live:join', { sessionId })
    return {
      participants: joined.data.participants.map((p: { userId: string }) => p.userId).sort(),
      hands: joined.data.classroom.hands.map((hand: { userId: string }) => hand.userId).sort(),
      polls: joined.data.classroom.polls.map((poll: { id: string; totalVoters: number }) => [
        poll.id,
        poll.totalVoters,
      ]),
    }
  } finally {
    observer.close()
  }
}

test('Redis down for 10 s in a live class on three instances: media and sockets carry on, joins work, and afterwards every instance agrees', async () => {
  const { cluster } = ctx
  const [a, b, c] = cluster.instances as [ClusterInstance, ClusterInstance, ClusterInstance]
  const { teacher, students, session, room } = await cluster.liveClass(3)
  const [onB, onC, late] = students as [(typeof students)[0], (typeof students)[0], (typeof students)[0]]

  const teacherPage = await joinOn(ctx, a, teacher.accessToken, room)
  await teacherPage.evaluate(() => (window as any).majlisDemo.current().publishCamera())
  const studentOnB = await joinOn(ctx, b, onB.accessToken, room)
  const studentOnC = await joinOn(ctx, c, onC.accessToken, room)
  for (const page of [studentOnB, studentOnC]) expect(await decodes(page)).toBe(true)

  const sockets = [
    await connectWs(a.wsUrl, teacher.accessToken),
    await connectWs(b.wsUrl, onB.accessToken),
    await connectWs(c.wsUrl, onC.accessToken),
  ]
  for (const socket of sockets) expect((await socket.request('live:join', { sessionId: session.id })).ok).toBe(true)
  const poll = (
    await cluster.api(a, 'POST', `/live-sessions/${session.id}/polls`, teacher.accessToken, {
      question: 'Ready?',
      options: ['Yes', 'No'],
    })
  ).body
  await cluster.api(a, 'POST', `/polls/${poll.id}/open`, teacher.accessToken)
  const host = await cluster.register(a)
  const stream = (
    await cluster.api(a, 'POST', '/streams', host.accessToken, { title: 'Beside the class', type: 'video' })
  ).body
  expect((await cluster.api(b, 'POST', `/streams/${stream.id}/join`, onB.accessToken, {})).status).toBe(200)
  // A durable job due in the middle of the outage: the reminder of the next class.
  const next = (
    await cluster.api(a, 'POST', '/live-sessions', teacher.accessToken, {
      title: 'Next',
      courseId: session.courseId,
      scheduledAt: new Date(Date.now() + 10 * 60_000 + 5_000).toISOString(),
    })
  ).body

  await cluster.redis.stop()
  const outageStarted = Date.now()
  const statuses: number[] = []
  const timed = async <T extends { status: number }>(call: Promise<T>) => {
    const started = Date.now()
    const response = await call
    expect(Date.now() - started).toBeLessThan(5000)
    statuses.push(response.status)
    return response
  }
  // During the outage: writes on every instance, a new viewer, a new student in the class.
  expect((await sockets[2]!.request('live:hand', { sessionId: session.id, raised: true })).ok).toBe(true)
  await timed(cluster.api(b, 'POST', `/polls/${poll.id}/votes`, onB.accessToken, { optionIds: ['o1'] }))
  await timed(cluster.api(c, 'POST', `/polls/${poll.id}/votes`, onC.accessToken, { optionIds: ['o2'] }))
  await timed(cluster.api(c, 'POST', `/streams/${stream.id}/join`, onC.accessToken, {}))
  await timed(cluster.api(b, 'GET', `/live-sessions/${session.id}`, onB.accessToken))
  const lateOnA = await joinOn(ctx, a, late.accessToken, room, [a.wsUrl])
  expect(await decodes(lateOnA)).toBe(true)
  const lateSocket = await connectWs(a.wsUrl, late.accessToken)
  expect((await lateSocket.request('live:join', { sessionId: session.id })).ok).toBe(true)
  for (const page of [studentOnB, studentOnC]) expect(await decodes(page)).toBe(true)
  for (const socket of sockets) expect((await socket.request('live:join', { sessionId: session.id })).ok).toBe(true)
  expect(statuses.filter((status) => status >= 500)).toEqual([])
  await Bun.sleep(Math.max(0, 10_000 - (Date.now() - outageStarted)))

  await cluster.redis.start()
  const back = Date.now()
  const everyone = [teacher, onB, onC, late].map((account) => account.user.id).sort()
  const views = await waitFor(
    'every instance to agree on the class',
    () => Promise.all(cluster.instances.map((instance) => classViewOn(instance, teacher.accessToken, session.id))),
    (views) =>
      views.every((view) => JSON.stringify(view) === JSON.stringify(views[0])) && views[0]!.participants.length === 4,
    10_000,
  )
  const agreedAfterMs = Date.now() - back
  console.log(`after the Redis outage, every instance agreed on the class ${agreedAfterMs} ms after Redis returned`)
  expect(agreedAfterMs).toBeLessThan(5000)
  expect(views[0]).toEqual({ participants: everyone, hands: [onC.user.id], polls: [[poll.id, 2]] })
  const viewerCounts = await Promise.all(
    cluster.instances.map(
      async (instance) =>
        (await cluster.api(instance, 'GET', `/streams/${stream.id}`, host.accessToken)).body.viewerCount,
    ),
  )
  expect(viewerCounts).toEqual([2, 2, 2])
  for (const page of [studentOnB, studentOnC, lateOnA]) expect(await decodes(page)).toBe(true)
  for (const socket of [...sockets, lateSocket]) {
    expect(socket.ws.readyState).toBe(WebSocket.OPEN)
    expect(await socket.event('server:resync', 5000)).toMatchObject({ type: 'server:resync' })
  }

  // The reminder ran once, on one instance, and each student has it once.
  const database = new Database(cluster.databaseFile, { readonly: true })
  const job = database
    .query<{ status: string; attempts: number }, [string]>(
      'select status, attempts from jobs where idempotency_key = ?',
    )
    .get(`live_session:${next.id}:reminder`)
  const reminders = database
    .query<{ n: number }, [string]>(`select count(*) as n from notifications where dedupe_key like ?`)
    .get(`live_session:${next.id}:reminder%`)
  database.close()
  expect(job).toEqual({ status: 'done', attempts: 1 })
  expect(reminders?.n).toBe(3)
  for (const socket of [...sockets, lateSocket]) socket.close()
  for (const page of [teacherPage, studentOnB, studentOnC, lateOnA]) await page.close()
}, 120_000)

/** A video upload whose body is still arriving for `overMs`: a request in flight when a signal comes. */
function slowUpload(baseUrl: string, token: string, overMs: number) {
  const field = (name: string, value: string) =>
    `--XB\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`
  const head = `${field('title', 'Sent while draining')}${field('category', 'math')}--XB\r\nContent-Disposition: form-data; name="file"; filename="lesson.mp4"\r\nContent-Type: video/mp4\r\n\r\n`
  const chunk = new Uint8Array(64 * 1024).fill(7)
  chunk.set([0, 0, 0, 0x18, ...new TextEncoder().encode('ftypisom')])
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      controller.enqueue(new TextEncoder().encode(head))
      for (let i = 0; i < 5; i++) {
        controller.enqueue(i === 0 ? chunk : chunk.slice(16))
        await Bun.sleep(overMs / 5)
      }
      controller.enqueue(new TextEncoder().encode('\r\n--XB--\r\n'))
      controller.close()
    },
  })
  return fetch(`${baseUrl}/api/v1/videos`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'multipart/form-data; boundary=XB' },
    body,
  })
}

test('SIGTERM drains an instance: it leaves the cluster at once, its students move and decode again, an upload in flight completes, and it exits cleanly', async () => {
  const { cluster } = ctx
  const [a, b] = cluster.instances as [ClusterInstance, ClusterInstance, ClusterInstance]
  const { teacher, students, room } = await cluster.liveClass(1)
  const teacherPage = await joinOn(ctx, a, teacher.accessToken, room)
  await teacherPage.evaluate(() => (window as any).majlisDemo.current().publishCamera())
  // This student's page knows only B: where to go next, the draining server tells it.
  const onlyB = await joinOn(ctx, b, students[0]!.accessToken, room, [b.wsUrl])
  expect(await decodes(onlyB)).toBe(true)
  const uploader = await cluster.register(b)
  const upload = slowUpload(b.baseUrl, uploader.accessToken, 2000)
  await Bun.sleep(300)

  const signalled = Date.now()
  b.child.kill('SIGTERM')
  const registry = cluster.redis.client()
  await waitFor(
    'B out of the cluster registry',
    () => registry.smembers('majlis:instances'),
    (ids) => !ids.includes(b.id),
    2000,
  )
  const leftAfterMs = Date.now() - signalled
  registry.disconnect()
  await waitFor(
    'the student decoding on another instance',
    async () => ({ url: await socketUrl(onlyB), frames: videoFrames(await consumerStats(onlyB)) }),
    ({ url, frames }) => url !== b.wsUrl && frames > 0,
    15_000,
  )
  const movedAfterMs = Date.now() - signalled
  expect((await upload).status).toBe(201)
  expect(await b.child.exited).toBe(0)
  const exitedAfterMs = Date.now() - signalled
  expect(exitedAfterMs).toBeLessThan(15_000)
  expect(await decodes(onlyB)).toBe(true)
  console.log(
    `SIGTERM: out of the registry after ${leftAfterMs} ms, the student decoding elsewhere after ${movedAfterMs} ms, exited after ${exitedAfterMs} ms`,
  )
  const lines = (await b.output()).stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { level: string; msg: string })
  const said = lines.map((line) => line.msg)
  expect(said.indexOf('left the cluster')).toBeGreaterThan(said.indexOf('shutting down'))
  expect(said.at(-1)).toBe('shutdown complete')
  expect(lines.filter((line) => line.level === 'error')).toEqual([])
  for (const page of [teacherPage, onlyB]) await page.close()
}, 90_000)
