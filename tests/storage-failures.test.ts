import { Database } from 'bun:sqlite'
import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { createTestApp, type TestApp } from './helpers/app.ts'
import { fillUp, mp4, smallDisk, uploadForm, walletsOffTheirLedger } from './helpers/files.ts'
import { tempDir } from './helpers/server-process.ts'

type Account = { accessToken: string; user: { id: string } }
const cleanups: Array<() => void> = []
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup()
})

/** Without a mount: SQLite's own ceiling on the file's pages, which fails writes with the same SQLITE_FULL. */
async function capDatabase(t: TestApp): Promise<() => Promise<void>> {
  const pages = Number((await t.database.client.execute('PRAGMA page_count')).rows[0]![0])
  await t.database.client.execute(`PRAGMA max_page_count = ${pages + 1}`)
  return async () => void (await t.database.client.execute('PRAGMA max_page_count = 1073741823'))
}

async function uploadVideo(t: TestApp, who: Account, size: number) {
  const response = await uploadForm(
    t,
    who.accessToken,
    '/api/v1/videos',
    { bytes: mp4(size), type: 'video/mp4', name: 'lesson.mp4' },
    { title: 'Lesson', category: 'math' },
  )
  return { status: response.status, body: (await response.json()) as any }
}

describe('a full disk', () => {
  test('writes answer 503 STORAGE_FULL, nothing is half-written or left behind, and all works once there is room', async () => {
    const { dir: disk, mounted, release } = smallDisk()
    cleanups.push(release)
    const databaseFile = join(disk, 'majlis.db')
    const uploads = join(disk, 'uploads')
    mkdirSync(uploads)
    const t = await createTestApp({
      env: { DATABASE_URL: `file:${databaseFile}`, UPLOAD_DIR: uploads, MAX_VIDEO_UPLOAD_MB: '8' },
    })
    cleanups.push(() => t.close())
    const [fan, host] = [await t.register(), await t.register()]
    const staff = await t.registerStaff('power', ['users'])
    await t.api(staff, 'POST', `/backoffice/users/${fan.user.id}/coins`, { amount: 10_000, reason: 'disk test' })
    const stream = (await t.api(host, 'POST', '/streams', { title: 'Full disk', type: 'video' })).body

    const freeAgain = mounted ? fillUp(disk) : await capDatabase(t)
    const statuses = { tickets: [] as number[], gifts: [] as number[] }
    for (let i = 0; i < 40; i++) {
      const ticket = await t.api(fan, 'POST', '/tickets', { subject: `While full ${i}`, description: 'x'.repeat(4000) })
      statuses.tickets.push(ticket.status)
      const gift = await t.api(fan, 'POST', `/streams/${stream.id}/gifts`, { giftId: 'gift_heart' })
      statuses.gifts.push(gift.status)
      if (ticket.status === 503) {
        expect(ticket.body.error.code).toBe('STORAGE_FULL')
        expect(ticket.headers.get('retry-after')).toBe('60')
      }
    }
    expect(statuses.tickets).toContain(503)
    expect(statuses.gifts).toContain(503)
    expect([...statuses.tickets, ...statuses.gifts].filter((status) => status !== 201 && status !== 503)).toEqual([])

    if (mounted) {
      const upload = await uploadVideo(t, fan, 4 * 1024 * 1024)
      expect(upload.status).toBe(503)
      expect(upload.body.error.code).toBe('STORAGE_FULL')
      expect(existsSync(join(uploads, 'videos')) ? readdirSync(join(uploads, 'videos')) : []).toEqual([])
    }
    expect((await t.app.handle(new Request('http://localhost/health/live'))).status).toBe(200)

    await freeAgain()
    expect((await t.api(fan, 'POST', '/tickets', { subject: 'Room again' })).status).toBe(201)
    expect((await t.api(fan, 'POST', `/streams/${stream.id}/gifts`, { giftId: 'gift_heart' })).status).toBe(201)
    expect((await uploadVideo(t, fan, 300_000)).status).toBe(201)

    const list = await t.api(fan, 'GET', '/tickets?limit=100')
    expect(list.body.items).toHaveLength(statuses.tickets.filter((status) => status === 201).length + 1)
    expect(walletsOffTheirLedger(databaseFile)).toEqual([])
    const me = await t.api(fan, 'GET', '/me')
    const gifted = statuses.gifts.filter((status) => status === 201).length + 1
    expect(me.body.coinBalance).toBe(10_000 - gifted * 10)
  })
})

describe('a database locked by another writer', () => {
  test('a write waits out busy_timeout, then answers 503 DATABASE_BUSY with nothing saved; reads go on', async () => {
    const dir = tempDir('majlis-busy-')
    const databaseFile = join(dir, 'majlis.db')
    const t = await createTestApp({ env: { DATABASE_URL: `file:${databaseFile}` } })
    cleanups.push(() => t.close())
    const fan = await t.register()
    expect((await t.api(fan, 'POST', '/tickets', { subject: 'Before the lock' })).status).toBe(201)

    const other = new Database(databaseFile)
    other.exec('BEGIN IMMEDIATE')
    const busy = await t.api(fan, 'POST', '/tickets', { subject: 'While locked' })
    expect((await t.api(fan, 'GET', '/tickets')).body.items).toHaveLength(1)
    other.exec('COMMIT')
    other.close()

    expect(busy.status).toBe(503)
    expect(busy.body.error.code).toBe('DATABASE_BUSY')
    expect(busy.headers.get('retry-after')).toBe('2')
    const after = await t.api(fan, 'POST', '/tickets', { subject: 'After the lock' })
    expect(after.status).toBe(201)
    expect(
      (await t.api(fan, 'GET', '/tickets')).body.items.map((ticket: { subject: string }) => ticket.subject),
    ).toEqual(['After the lock', 'Before the lock'])
  })
})
