import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ManualClock, createTestApp, type TestApp } from './helpers/app.ts'
import { mp4 } from './helpers/files.ts'
import { tempDir } from './helpers/server-process.ts'

let t: TestApp
let clock: ManualClock
let uploadDir: string
beforeEach(async () => {
  clock = new ManualClock()
  uploadDir = tempDir('majlis-uploads-')
  t = await createTestApp({
    clock,
    env: { UPLOAD_DIR: uploadDir, MAX_VIDEO_UPLOAD_MB: '1', PUBLIC_URL: 'https://media.example.com' },
  })
})
afterEach(() => t.close())

type Account = { accessToken: string; user: { id: string } }

const webmBytes = () => new Uint8Array([0x1a, 0x45, 0xdf, 0xa3, ...new Array(60).fill(7)])

function upload(
  who: Account,
  fields: Record<string, string | string[]>,
  file?: { bytes: Uint8Array<ArrayBuffer>; type: string; name: string },
) {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) form.append(name, one)
  if (file) form.append('file', new Blob([file.bytes], { type: file.type }), file.name)
  return t.app.handle(
    new Request('http://localhost/api/v1/videos', {
      method: 'POST',
      headers: { authorization: `Bearer ${who.accessToken}` },
      body: form,
    }),
  )
}
const storedFiles = () => (existsSync(join(uploadDir, 'videos')) ? readdirSync(join(uploadDir, 'videos')) : [])

describe('videos', () => {
  test('metadata with an external URL; bad input 422', async () => {
    const owner = await t.register()
    const created = await t.api(owner, 'POST', '/videos', {
      title: 'Lesson 1',
      category: 'math',
      tags: ['algebra'],
      videoUrl: 'https://cdn.example.com/1.mp4',
      duration: 600,
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      ownerId: owner.user.id,
      title: 'Lesson 1',
      category: 'math',
      tags: ['algebra'],
      videoUrl: 'https://cdn.example.com/1.mp4',
      duration: 600,
      views: 0,
      likes: 0,
      mimeType: null,
    })
    expect(
      (await t.api(owner, 'POST', '/videos', { title: 'x', category: 'math', videoUrl: 'ftp://nope', duration: 1 }))
        .status,
    ).toBe(422)
    expect(
      (await t.api(owner, 'POST', '/videos', { title: 'x', category: 'math', videoUrl: 'https://a.b/c', duration: -1 }))
        .status,
    ).toBe(422)
    const missing = await t.api(owner, 'POST', '/videos', { category: 'math', videoUrl: 'https://a.b/c', duration: 1 })
    expect(missing).toMatchObject({
      status: 422,
      body: { error: { code: 'VALIDATION_FAILED', details: [{ in: 'body', path: '/title' }] } },
    })
    expect((await t.call('POST', '/api/v1/videos', { body: { title: 'x' } })).status).toBe(401)
  })

  test('a multipart upload is stored under UPLOAD_DIR and served with range requests', async () => {
    const owner = await t.register()
    const bytes = mp4(300_000)
    const response = await upload(
      owner,
      { title: 'Recital', category: 'music', tags: 'oud, live', duration: '95' },
      { bytes, type: 'video/mp4', name: 'recital.mp4' },
    )
    expect(response.status).toBe(201)
    const video = (await response.json()) as {
      id: string
      videoUrl: string
      tags: string[]
      mimeType: string
      sizeBytes: number
      duration: number
    }
    expect(video).toMatchObject({ tags: ['oud', 'live'], mimeType: 'video/mp4', sizeBytes: 300_000, duration: 95 })
    expect(video.videoUrl).toMatch(/^https:\/\/media\.example\.com\/uploads\/videos\/vid_[A-Za-z0-9_-]+\.mp4$/)
    expect(storedFiles()).toHaveLength(1)

    const path = new URL(video.videoUrl).pathname
    const whole = await t.app.handle(new Request(`http://localhost${path}`))
    expect(whole.status).toBe(200)
    expect(whole.headers.get('accept-ranges')).toBe('bytes')
    expect(whole.headers.get('content-type')).toBe('video/mp4')
    expect(new Uint8Array(await whole.arrayBuffer())).toEqual(bytes)

    const part = await t.app.handle(new Request(`http://localhost${path}`, { headers: { range: 'bytes=1000-1999' } }))
    expect(part.status).toBe(206)
    expect(part.headers.get('content-range')).toBe('bytes 1000-1999/300000')
    expect(new Uint8Array(await part.arrayBuffer())).toEqual(bytes.slice(1000, 2000))
    const tail = await t.app.handle(new Request(`http://localhost${path}`, { headers: { range: 'bytes=-10' } }))
    expect(new Uint8Array(await tail.arrayBuffer())).toEqual(bytes.slice(-10))
    const open = await t.app.handle(new Request(`http://localhost${path}`, { headers: { range: 'bytes=299990-' } }))
    expect(open.headers.get('content-range')).toBe('bytes 299990-299999/300000')
    const beyond = await t.app.handle(new Request(`http://localhost${path}`, { headers: { range: 'bytes=400000-' } }))
    expect(beyond.status).toBe(416)
    expect(beyond.headers.get('content-range')).toBe('bytes */300000')
    expect((await t.app.handle(new Request('http://localhost/uploads/videos/vid_nothing.mp4'))).status).toBe(404)
    expect(
      (await t.app.handle(new Request('http://localhost/uploads/videos/..%2F..%2Fetc%2Fpasswd'))).status,
    ).toBeGreaterThanOrEqual(400)

    const webm = await upload(
      owner,
      { title: 'Clip', category: 'music' },
      { bytes: webmBytes(), type: 'video/webm', name: 'clip.webm' },
    )
    expect(webm.status).toBe(201)
    expect(((await webm.json()) as { videoUrl: string }).videoUrl).toEndWith('.webm')
  })

  test('uploads: too large 413, other types 422, missing file or fields 422; nothing is left on disk', async () => {
    const owner = await t.register()
    const tooLarge = await upload(
      owner,
      { title: 'Big', category: 'x' },
      { bytes: mp4(1024 * 1024 + 1), type: 'video/mp4', name: 'big.mp4' },
    )
    expect(tooLarge.status).toBe(413)
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('PAYLOAD_TOO_LARGE')
    const image = await upload(
      owner,
      { title: 'Pic', category: 'x' },
      { bytes: new Uint8Array(64).fill(0x89), type: 'image/png', name: 'a.png' },
    )
    expect(image.status).toBe(422)
    expect(((await image.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_FILE_TYPE')
    const disguised = await upload(
      owner,
      { title: 'Fake', category: 'x' },
      { bytes: new Uint8Array(64).fill(65), type: 'video/mp4', name: 'fake.mp4' },
    )
    expect(disguised.status).toBe(422)
    expect((await upload(owner, { title: 'No file', category: 'x' })).status).toBe(422)
    const noTitle = await upload(owner, { category: 'x' }, { bytes: mp4(100), type: 'video/mp4', name: 'a.mp4' })
    expect(noTitle.status).toBe(422)
    expect(((await noTitle.json()) as { error: { details: Array<{ path: string }> } }).error.details[0]!.path).toBe(
      '/title',
    )
    const badDuration = await upload(
      owner,
      { title: 'x', category: 'x', duration: 'long' },
      { bytes: mp4(100), type: 'video/mp4', name: 'a.mp4' },
    )
    expect(badDuration.status).toBe(422)
    const broken = await t.app.handle(
      new Request('http://localhost/api/v1/videos', {
        method: 'POST',
        headers: { authorization: `Bearer ${owner.accessToken}`, 'content-type': 'multipart/form-data; boundary=xyz' },
        body: '--xyz\r\nContent-Disposition: form-data; name="title"\r\n\r\nunterminated',
      }),
    )
    expect(broken.status).toBe(400)
    await Bun.sleep(50)
    expect(storedFiles()).toEqual([])
    expect((await t.api(owner, 'GET', '/videos')).body.items).toEqual([])
  })

  test('views, likes and the recent / popular / trending orderings, with filters and pages', async () => {
    const [owner, other, fan] = [await t.register(), await t.register(), await t.register()]
    const add = async (who: Account, title: string, category = 'music') => {
      const created = await t.api(who, 'POST', '/videos', {
        title,
        category,
        videoUrl: `https://cdn.example.com/${title}.mp4`,
        duration: 60,
      })
      clock.advance(1000)
      return created.body.id as string
    }
    const old = await add(owner, 'old')
    const mid = await add(other, 'mid', 'talk')
    const fresh = await add(owner, 'fresh')
    for (let i = 0; i < 3; i += 1) await t.api(fan, 'GET', `/videos/${old}`)
    expect((await t.api(fan, 'POST', `/videos/${old}/like`)).body).toEqual({ liked: true, likes: 1 })
    expect((await t.api(fan, 'POST', `/videos/${old}/like`)).body).toEqual({ liked: true, likes: 1 })
    clock.advance(8 * 24 * 3600_000)
    await t.api(fan, 'GET', `/videos/${mid}`)
    await t.api(other, 'GET', `/videos/${mid}`)
    expect((await t.api(fan, 'GET', `/videos/${fresh}`)).body.views).toBe(1)

    const order = async (query: string) =>
      (await t.api(fan, 'GET', `/videos${query}`)).body.items.map((v: { title: string }) => v.title)
    expect(await order('')).toEqual(['fresh', 'mid', 'old'])
    expect(await order('?sortBy=popular')).toEqual(['old', 'mid', 'fresh'])
    expect(await order('?sortBy=trending')).toEqual(['mid', 'fresh', 'old'])
    expect(await order('?category=talk')).toEqual(['mid'])
    expect(await order(`?hostId=${owner.user.id}`)).toEqual(['fresh', 'old'])
    const first = (await t.api(fan, 'GET', '/videos?sortBy=popular&limit=2')).body
    expect(
      (await t.api(fan, 'GET', `/videos?sortBy=popular&limit=2&cursor=${first.nextCursor}`)).body.items.map(
        (v: { title: string }) => v.title,
      ),
    ).toEqual(['fresh'])
    expect((await t.api(fan, 'GET', '/videos?sortBy=random')).status).toBe(422)

    expect((await t.api(fan, 'POST', `/videos/${old}/unlike`)).body).toEqual({ liked: false, likes: 0 })
    expect((await t.api(fan, 'POST', '/videos/vid_nope/like')).status).toBe(404)
    expect((await t.api(fan, 'GET', '/videos/vid_nope')).status).toBe(404)
  })

  test('owner or staff delete; the uploaded file goes too', async () => {
    const [owner, other] = [await t.register(), await t.register()]
    const response = await upload(
      owner,
      { title: 'Mine', category: 'x' },
      { bytes: mp4(2000), type: 'video/mp4', name: 'a.mp4' },
    )
    const video = (await response.json()) as { id: string }
    expect(storedFiles()).toHaveLength(1)
    expect((await t.api(other, 'DELETE', `/videos/${video.id}`)).status).toBe(403)
    expect((await t.api(owner, 'DELETE', `/videos/${video.id}`)).status).toBe(204)
    expect(storedFiles()).toEqual([])
    expect((await t.api(owner, 'GET', `/videos/${video.id}`)).status).toBe(404)

    const external = await t.api(owner, 'POST', '/videos', {
      title: 'Ext',
      category: 'x',
      videoUrl: 'https://cdn.example.com/e.mp4',
      duration: 5,
    })
    const staff = await t.registerStaff('user', ['streams'])
    expect((await t.api(staff, 'DELETE', `/videos/${external.body.id}`)).status).toBe(204)
  })
})
