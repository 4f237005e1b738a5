import { afterAll, afterEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { Browser } from 'playwright-core'
import { launchChromium, openDemo, waitFor } from '../helpers/browser.ts'
import { killStartedServers, startServer, tempDir } from '../helpers/server-process.ts'

let browser: Browser | undefined
afterEach(killStartedServers)
afterAll(() => browser?.close())

const ffmpegOf = (recordingId: string) =>
  Bun.spawnSync(['pgrep', '-f', recordingId]).stdout.toString().trim().split('\n').filter(Boolean)

test('the server killed mid-recording: on restart the job stops the orphaned ffmpeg and the recording ends partial with a playable file', async () => {
  const dir = tempDir('majlis-restart-')
  const env = { DATABASE_URL: `file:${join(dir, 'majlis.db')}`, UPLOAD_DIR: join(dir, 'uploads'), LOG_LEVEL: 'warn' }
  const first = startServer(env)
  await first.waitUntilUp()
  const api = (base: string, token: string | null, method: string, path: string, body?: unknown) =>
    fetch(`${base}/api/v1${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    }).then(async (response) => ({ status: response.status, body: await response.json() }))
  const teacher = (
    await api(first.baseUrl, null, 'POST', '/auth/register', {
      email: `t.${crypto.randomUUID()}@example.com`,
      password: 'correct horse battery',
      name: 'T',
      role: 'teacher',
    })
  ).body
  const token: string = teacher.accessToken
  const course = (await api(first.baseUrl, token, 'POST', '/courses', { title: 'Restart' })).body
  const session = (
    await api(first.baseUrl, token, 'POST', '/live-sessions', {
      title: 'L',
      courseId: course.id,
      scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
    })
  ).body
  await api(first.baseUrl, token, 'POST', `/live-sessions/${session.id}/start`)
  browser = await launchChromium()
  const page = await openDemo(browser, first.baseUrl, token, `live:${session.id}`)
  await page.evaluate(async () => {
    const media = (window as any).majlisDemo.current()
    await media.publishCamera()
    await media.publishMicrophone()
  })
  const recording = (await api(first.baseUrl, token, 'POST', `/live-sessions/${session.id}/recording/start`)).body
  // Killed once ffmpeg has written a few seconds of the class (on a loaded machine its first part starts late).
  const partBytes = () =>
    Bun.spawnSync([
      'sh',
      '-c',
      `cat ${join(dir, 'uploads')}/private/recordings/${recording.id}/part-*.mkv 2>/dev/null | wc -c`,
    ])
      .stdout.toString()
      .trim()
  await waitFor(
    'the recording to write its first part',
    async () => Number(partBytes()),
    (bytes) => bytes > 100_000,
    20_000,
  )
  await Bun.sleep(2500)
  first.child.kill('SIGKILL')
  await first.child.exited
  expect(ffmpegOf(recording.id).length).toBeGreaterThan(0)
  await page.close()

  const second = startServer(env)
  await second.waitUntilUp()
  const finished = await waitFor(
    'the interrupted recording to be finished by the job',
    () => api(second.baseUrl, token, 'GET', `/recordings/${recording.id}`).then((response) => response.body),
    (body) => body.status !== 'recording' && body.status !== 'processing',
    30_000,
  )
  expect(finished.status).toBe('partial')
  expect(finished.durationSec).toBeGreaterThanOrEqual(2)
  expect(ffmpegOf(recording.id)).toEqual([])
  const file = await fetch(`${second.baseUrl}${new URL(finished.fileUrl).pathname}${new URL(finished.fileUrl).search}`)
  expect(file.status).toBe(200)
  expect(file.headers.get('content-type')).toBe('video/webm')
}, 90_000)
