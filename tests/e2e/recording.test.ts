import { expect, test } from 'bun:test'
import { probe } from '../../media/egress/assemble.ts'
import { consumerStats, openDemo, publishingClass, serverAndBrowserPerFile, waitFor } from '../helpers/browser.ts'
import { tempDir } from '../helpers/server-process.ts'

const ctx = serverAndBrowserPerFile({ workers: 1, env: { UPLOAD_DIR: tempDir('majlis-recording-') } })
const tools = { ffmpeg: 'ffmpeg', ffprobe: 'ffprobe' }

const liveClass = () => publishingClass(ctx)

const recordingOf = (id: string, token: string) =>
  ctx.server.call('GET', `/api/v1/recordings/${id}`, { token }).then((response) => response.body)
const finished = (id: string, token: string) =>
  waitFor(
    'the recording to be assembled',
    () => recordingOf(id, token),
    (recording) => recording.status !== 'recording' && recording.status !== 'processing',
    30_000,
  )
/** The app answers app.handle() calls as http://localhost: the same link on the listening server. */
const served = (url: string) => {
  const link = new URL(url)
  return `${ctx.server.baseUrl}${link.pathname}${link.search}`
}

test('a teacher records 5 s of a class: one file with video and audio, served with ranges, played to the end in Chromium', async () => {
  const { teacher, student, session, page } = await liveClass()
  const start = await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/recording/start`, {
    token: teacher.accessToken,
  })
  expect(start.status).toBe(201)
  expect(start.body).toMatchObject({ room: `live:${session.id}`, status: 'recording' })
  expect(
    (
      await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/recording/start`, {
        token: teacher.accessToken,
      })
    ).status,
  ).toBe(409)
  expect(
    (
      await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/recording/start`, {
        token: student.accessToken,
      })
    ).status,
  ).toBe(403)
  await Bun.sleep(5500)
  const stop = await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/recording/stop`, {
    token: teacher.accessToken,
  })
  expect(stop.status).toBe(200)
  expect(stop.body).toEqual({ id: start.body.id, status: 'processing' })

  const recording = await finished(start.body.id, student.accessToken)
  expect(recording.status).toBe('ready')
  expect(recording.durationSec).toBeGreaterThanOrEqual(3)
  expect(recording.durationSec).toBeLessThanOrEqual(8)
  const fileUrl = served(recording.fileUrl)
  const file = await fetch(fileUrl)
  expect(file.headers.get('content-type')).toBe('video/webm')
  const local = `${tempDir('majlis-recorded-')}/class.webm`
  await Bun.write(local, await file.arrayBuffer())
  const probed = await probe(tools, local)
  expect(probed).toMatchObject({ videoCodec: 'vp8', audioCodec: 'opus' })
  expect(probed!.durationSec).toBeGreaterThan(3)

  const range = await fetch(fileUrl, { headers: { range: 'bytes=0-99' } })
  expect(range.status).toBe(206)
  expect((await range.arrayBuffer()).byteLength).toBe(100)
  expect((await fetch(`${ctx.server.baseUrl}${new URL(fileUrl).pathname}`)).status).toBe(401)
  expect((await fetch(served(recording.thumbnailUrl))).headers.get('content-type')).toBe('image/jpeg')
  // The session's recordingUrl plays as it is: absolute and signed, no bearer token needed.
  const session2 = (await ctx.server.call('GET', `/api/v1/live-sessions/${session.id}`, { token: student.accessToken }))
    .body
  expect(session2.recordingUrl).toStartWith(`http://localhost/api/v1/recordings/${recording.id}/file?`)
  const viaSession = await fetch(served(session2.recordingUrl), { headers: { range: 'bytes=0-99' } })
  expect(viaSession.status).toBe(206)

  const played = await playToEnd(page, fileUrl)
  expect(played.currentTime).toBeGreaterThan(3)
  expect(played.width).toBeGreaterThan(0)
  await page.close()
}, 90_000)

/** Plays a recording's file in the page to its end: how long it ran and the size of its frames. */
const playToEnd = (page: Awaited<ReturnType<typeof liveClass>>['page'], url: string) =>
  page.evaluate(async (url) => {
    const video = document.createElement('video')
    video.muted = true
    video.src = url
    document.body.append(video)
    await video.play()
    await new Promise((resolve, reject) => {
      video.onended = resolve
      video.onerror = () => reject(new Error(`media error ${video.error?.code}`))
      setTimeout(() => reject(new Error(`stuck at ${video.currentTime}`)), 20_000)
    })
    return { currentTime: video.currentTime, width: video.videoWidth, height: video.videoHeight }
  }, url)

test('a class ended while recording: students see the camera at full size, and the recording is ready and plays at full size', async () => {
  const { teacher, student, session, page } = await liveClass()
  // The teacher's 640×360 camera reaches a student at 640×360, not its smaller simulcast layer.
  const studentPage = await openDemo(ctx.browser, ctx.server.baseUrl, student.accessToken, `live:${session.id}`)
  const seen = await waitFor(
    'the top layer at the student',
    () => consumerStats(studentPage),
    (stats) => stats.some((s) => s.kind === 'video' && s.frameWidth === 640),
    5_000,
  )
  expect(seen.find((s) => s.kind === 'video')).toMatchObject({ frameWidth: 640, frameHeight: 360 })

  const start = await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/recording/start`, {
    token: teacher.accessToken,
  })
  expect(start.status).toBe(201)
  await Bun.sleep(4500)
  expect(
    (await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/end`, { token: teacher.accessToken })).body
      .status,
  ).toBe('ended')

  const recording = await finished(start.body.id, student.accessToken)
  expect(recording.status).toBe('ready')
  const ended = (await ctx.server.call('GET', `/api/v1/live-sessions/${session.id}`, { token: student.accessToken }))
    .body
  const played = await playToEnd(studentPage, served(ended.recordingUrl))
  expect(played.currentTime).toBeGreaterThan(2.5)
  expect({ width: played.width, height: played.height }).toEqual({ width: 640, height: 360 })
  await studentPage.close()
  await page.close()
}, 90_000)

test('ffmpeg killed mid-recording leaves a playable partial file; the next recording works', async () => {
  const { teacher, session, page } = await liveClass()
  const first = (
    await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/recording/start`, { token: teacher.accessToken })
  ).body
  await Bun.sleep(3500)
  const pids = Bun.spawnSync(['pgrep', '-f', first.id]).stdout.toString().trim().split('\n').filter(Boolean)
  expect(pids.length).toBeGreaterThan(0)
  for (const pid of pids) process.kill(Number(pid), 'SIGKILL')
  await Bun.sleep(2500)
  await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/recording/stop`, { token: teacher.accessToken })
  const partial = await finished(first.id, teacher.accessToken)
  expect(partial.status).toBe('partial')
  expect(partial.durationSec).toBeGreaterThanOrEqual(2)
  const local = `${tempDir('majlis-partial-')}/partial.webm`
  await Bun.write(local, await (await fetch(served(partial.fileUrl))).arrayBuffer())
  expect(await probe(tools, local)).toMatchObject({ videoCodec: 'vp8', audioCodec: 'opus' })

  const next = await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/recording/start`, {
    token: teacher.accessToken,
  })
  expect(next.status).toBe(201)
  await Bun.sleep(2500)
  await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/recording/stop`, { token: teacher.accessToken })
  expect((await finished(next.body.id, teacher.accessToken)).status).toBe('ready')
  await page.close()
}, 90_000)

test('a worker dying mid-recording: the teacher rejoins, recording goes on in a new part, and the result is partial but whole', async () => {
  const { teacher, session, page } = await liveClass()
  const started = (
    await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/recording/start`, { token: teacher.accessToken })
  ).body
  await Bun.sleep(3000)
  const worker = ctx.server.media.pool.slot(0).worker
  process.kill(worker.pid, 'SIGKILL')
  await waitFor(
    'a replacement worker',
    async () => ctx.server.media.pool.slot(0).worker.pid,
    (pid) => pid !== worker.pid,
  )
  await waitFor(
    'the teacher publishing again',
    async () => ctx.server.media.rooms.get(`live:${session.id}`)?.liveProducers().length ?? 0,
    (count) => count === 2,
  )
  // The first part is still finishing (its ffmpeg needs the second SIGINT) when the new one may start.
  await Bun.sleep(5000)
  await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/recording/stop`, { token: teacher.accessToken })
  const recording = await finished(started.id, teacher.accessToken)
  expect(recording.status).toBe('partial')
  expect(recording.durationSec).toBeGreaterThanOrEqual(4)
  const local = `${tempDir('majlis-worker-death-')}/recording.webm`
  await Bun.write(local, await (await fetch(served(recording.fileUrl))).arrayBuffer())
  expect(await probe(tools, local)).toMatchObject({ videoCodec: 'vp8', audioCodec: 'opus' })
  await page.close()
}, 90_000)
