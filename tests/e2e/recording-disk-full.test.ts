import { afterAll, expect, test } from 'bun:test'
import { readdirSync } from 'node:fs'
import { fillUp, smallDisk } from '../helpers/files.ts'
import { publishingClass, serverAndBrowserPerFile, waitFor } from '../helpers/browser.ts'

const disk = smallDisk()
if (!disk.mounted) throw new Error('this test records onto a small tmpfs: it needs the right to mount one')
afterAll(() => disk.release())
const ctx = serverAndBrowserPerFile({ workers: 1, env: { UPLOAD_DIR: disk.dir } })

/** Every file under the folder, by its path inside it. */
const filesUnder = (dir: string) =>
  (
    readdirSync(dir, { recursive: true, withFileTypes: true }) as Array<{
      isFile(): boolean
      parentPath: string
      name: string
    }>
  )
    .filter((entry) => entry.isFile())
    .map((entry) => `${entry.parentPath.slice(dir.length + 1)}/${entry.name}`.replace(/^\//, ''))

test('a recording that fills the disk ends failed, leaves no file behind, and the next one records once there is room', async () => {
  const { teacher, session, page } = await publishingClass(ctx)
  const recordingUrl = `/api/v1/live-sessions/${session.id}/recording`
  const first = (await ctx.server.call('POST', `${recordingUrl}/start`, { token: teacher.accessToken })).body
  await Bun.sleep(2500)
  const freeAgain = fillUp(disk.dir)
  await Bun.sleep(3000)
  await ctx.server.call('POST', `${recordingUrl}/stop`, { token: teacher.accessToken })
  const ended = await waitFor(
    'the recording to end',
    async () => (await ctx.server.call('GET', `/api/v1/recordings/${first.id}`, { token: teacher.accessToken })).body,
    (recording) => recording.status !== 'recording' && recording.status !== 'processing',
    30_000,
  )
  expect(ended).toMatchObject({ status: 'failed', fileUrl: null })
  expect(filesUnder(disk.dir)).toEqual(['filler'])
  expect((await fetch(`${ctx.server.baseUrl}/health/live`)).status).toBe(200)

  freeAgain()
  const next = await ctx.server.call('POST', `${recordingUrl}/start`, { token: teacher.accessToken })
  expect(next.status).toBe(201)
  await Bun.sleep(2500)
  await ctx.server.call('POST', `${recordingUrl}/stop`, { token: teacher.accessToken })
  const ready = await waitFor(
    'the next recording to be assembled',
    async () =>
      (await ctx.server.call('GET', `/api/v1/recordings/${next.body.id}`, { token: teacher.accessToken })).body,
    (recording) => recording.status !== 'recording' && recording.status !== 'processing',
    30_000,
  )
  expect(ready.status).toBe('ready')
  expect(filesUnder(disk.dir).sort()).toEqual(
    [`${next.body.id}.jpg`, `${next.body.id}.webm`].map((name) => `private/recordings/${next.body.id}/${name}`),
  )
  await page.close()
}, 90_000)
