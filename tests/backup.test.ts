import { Database } from 'bun:sqlite'
import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ScheduledBackups } from '../src/modules/backups/scheduled.ts'
import { ManualClock, createTestApp } from './helpers/app.ts'
import { walletsOffTheirLedger } from './helpers/files.ts'
import { admin, adminAsync, apiClient, killStartedServers, startServer, tempDir } from './helpers/server-process.ts'

afterEach(killStartedServers)

type Account = { accessToken: string; user: { id: string } }
const WRITERS = 20

/** A teacher's live class with an open poll, a live stream, and WRITERS students with coins. */
async function busyServer(env: Record<string, string>) {
  const server = startServer(env)
  await server.waitUntilUp()
  const api = apiClient(server.baseUrl)
  const call = async (who: Account | null, method: string, path: string, body?: unknown) => {
    const response = await api(method, path, who?.accessToken, body)
    if (response.status >= 300)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`)
    return response.body
  }
  const register = (role: 'customer' | 'teacher' = 'customer'): Promise<Account> => {
    const name = `${role}-${crypto.randomUUID().slice(0, 8)}`
    return call(null, 'POST', '/auth/register', {
      email: `${name}@example.com`,
      password: 'backup password',
      name,
      role,
    })
  }
  admin(['create-staff', '--email', 'ops@example.com', '--name', 'Ops', '--profile', 'admin'], {
    ...env,
    STAFF_PASSWORD: 'ops password',
  })
  const staff = await call(null, 'POST', '/auth/login', { email: 'ops@example.com', password: 'ops password' })
  const teacher = await register('teacher')
  const course = await call(teacher, 'POST', '/courses', { title: 'Backups' })
  const stream = await call(await register(), 'POST', '/streams', { title: 'Backups live', type: 'video' })
  const writers: Account[] = []
  for (let i = 0; i < WRITERS; i++) {
    const writer = await register()
    await call(writer, 'POST', `/courses/${course.id}/enroll`)
    await call(staff, 'POST', `/backoffice/users/${writer.user.id}/coins`, { amount: 10_000, reason: 'backup test' })
    writers.push(writer)
  }
  const scheduledAt = new Date(Date.now() + 3_600_000).toISOString()
  const session = await call(teacher, 'POST', '/live-sessions', { title: 'Live', courseId: course.id, scheduledAt })
  await call(teacher, 'POST', `/live-sessions/${session.id}/start`)
  const poll = await call(teacher, 'POST', `/live-sessions/${session.id}/polls`, {
    question: 'Q?',
    options: ['A', 'B'],
  })
  await call(teacher, 'POST', `/polls/${poll.id}/open`)

  /** Each writer opens tickets, sends gifts and changes their vote until stopped; returns the statuses seen. */
  const write = (stop: { now: boolean }) =>
    Promise.all(
      writers.map(async (writer, i) => {
        const statuses: number[] = []
        for (let round = 0; !stop.now; round++) {
          const [method, path, body] = [
            ['POST', '/tickets', { subject: `Writer ${i} round ${round}` }],
            ['POST', `/streams/${stream.id}/gifts`, { giftId: 'gift_heart' }],
            ['POST', `/polls/${poll.id}/votes`, { optionIds: [round % 2 ? 'o1' : 'o2'] }],
          ][round % 3] as [string, string, unknown]
          statuses.push((await api(method, path, writer.accessToken, body)).status)
        }
        return statuses
      }),
    ).then((all) => all.flat())
  return { server, writers, write }
}

const count = (file: string, table: string) => {
  const copy = new Database(file, { readonly: true })
  try {
    return copy.query<{ n: number }, []>(`select count(*) as n from ${table}`).get()!.n
  } finally {
    copy.close()
  }
}

describe('npm run admin -- backup / restore', () => {
  test('a backup taken under 20 writers is whole, and a server restored from it serves it', async () => {
    const dir = tempDir('majlis-backup-')
    const databaseFile = join(dir, 'majlis.db')
    const env = { DATABASE_URL: `file:${databaseFile}`, UPLOAD_DIR: join(dir, 'uploads'), RATE_LIMIT_FACTOR: '1000' }
    const { server, writers, write } = await busyServer(env)

    const stop = { now: false }
    const writing = write(stop)
    await Bun.sleep(1500)
    const backupFile = join(dir, 'copy.db')
    const backup = await adminAsync(['backup', backupFile], env)
    await Bun.sleep(1000)
    stop.now = true
    const statuses = await writing

    expect(backup.stderr).not.toContain('Error')
    expect(backup.exitCode).toBe(0)
    expect(JSON.parse(backup.stdout.trim().split('\n').at(-1)!).backup).toMatchObject({ file: backupFile })
    expect(statuses.filter((status) => status >= 300)).toEqual([])
    expect(statuses.length).toBeGreaterThan(WRITERS * 6)

    const integrity = new Database(backupFile, { readonly: true })
    expect(integrity.query('PRAGMA integrity_check').all()).toEqual([{ integrity_check: 'ok' }])
    integrity.close()
    expect(walletsOffTheirLedger(backupFile)).toEqual([])
    // Taken mid-way: some of the writes, not all of them.
    const copiedTickets = count(backupFile, 'tickets')
    expect(copiedTickets).toBeGreaterThan(0)
    expect(copiedTickets).toBeLessThan(count(databaseFile, 'tickets'))
    expect(count(backupFile, 'gift_transactions')).toBeGreaterThan(0)

    const refused = await adminAsync(['restore', backupFile], env)
    expect(refused.exitCode).toBe(2)
    expect(refused.stderr).toContain('open in a running Majlis instance')
    server.child.kill('SIGTERM')
    await server.child.exited

    const restored = admin(['restore', backupFile], env)
    expect(restored.exitCode).toBe(0)
    const { replaced } = JSON.parse(restored.stdout.trim().split('\n').at(-1)!).restored
    expect(existsSync(replaced)).toBe(true)
    expect(count(databaseFile, 'tickets')).toBe(copiedTickets)

    const again = startServer(env)
    await again.waitUntilUp()
    const after = apiClient(again.baseUrl)
    const mine = await after('GET', '/tickets?limit=100', writers[0]!.accessToken)
    expect(mine.status).toBe(200)
    const copy = new Database(backupFile, { readonly: true })
    const expected = copy
      .query<{ n: number }, [string]>('select count(*) as n from tickets where customer_id = ?')
      .get(writers[0]!.user.id)!.n
    copy.close()
    expect(mine.body.items).toHaveLength(expected)
    expect((await after('POST', '/tickets', writers[0]!.accessToken, { subject: 'After the restore' })).status).toBe(
      201,
    )
  })

  test('refuses what is not a backup, an existing target, and a remote database', async () => {
    const dir = tempDir('majlis-backup-')
    const env = { DATABASE_URL: `file:${join(dir, 'majlis.db')}` }
    expect((await adminAsync(['backup', join(dir, 'x.db')], env)).stderr).toContain('there is no database')
    expect(admin(['seed-catalog'], env).exitCode).toBe(0)
    const target = join(dir, 'copy.db')
    expect(admin(['backup', target], env).exitCode).toBe(0)
    const twice = admin(['backup', target], env)
    expect(twice.exitCode).toBe(2)
    expect(twice.stderr).toContain('exists already')
    const notDatabase = join(dir, 'notes.txt')
    await Bun.write(notDatabase, 'not a database')
    const bad = admin(['restore', notDatabase], env)
    expect(bad.exitCode).toBe(2)
    expect(bad.stderr).toContain('not a readable SQLite database')
    expect(count(join(dir, 'majlis.db'), 'categories')).toBeGreaterThan(0)
    expect(admin(['restore'], env).stderr).toContain('restore takes one file name')
    const remote = admin(['backup', join(dir, 'r.db')], { DATABASE_URL: 'libsql://db.example.com' })
    expect(remote.exitCode).toBe(2)
    expect(remote.stderr).toContain('not a local file')
  })
})

describe('scheduled backups (BACKUP_DIR)', () => {
  test('one durable job takes a copy every BACKUP_EVERY and keeps the newest BACKUP_KEEP', async () => {
    const dir = tempDir('majlis-scheduled-')
    const backupDir = join(dir, 'backups')
    const clock = new ManualClock()
    const t = await createTestApp({
      clock,
      env: {
        DATABASE_URL: `file:${join(dir, 'majlis.db')}`,
        BACKUP_DIR: backupDir,
        BACKUP_EVERY: '6h',
        BACKUP_KEEP: '2',
      },
    })
    await t.app.decorator.runStartTasks()
    await t.app.decorator.runStartTasks()
    expect(await t.app.decorator.scheduler.runDue()).toBe(1)
    expect(await t.app.decorator.scheduler.runDue()).toBe(0)
    const first = readdirSync(backupDir)
    expect(first).toEqual(['majlis-2026-01-01T09-00-00-000Z.db'])
    for (let i = 0; i < 3; i++) {
      clock.advance(6 * 3_600_000)
      expect(await t.app.decorator.scheduler.runDue()).toBe(1)
    }
    expect(readdirSync(backupDir).sort()).toEqual([
      'majlis-2026-01-01T21-00-00-000Z.db',
      'majlis-2026-01-02T03-00-00-000Z.db',
    ])
    expect(walletsOffTheirLedger(join(backupDir, 'majlis-2026-01-02T03-00-00-000Z.db'))).toEqual([])
    t.close()
  })

  test('is refused for a remote database, and BACKUP_EVERY must be a duration', async () => {
    await expect(
      createTestApp({ env: { DATABASE_URL: 'libsql://db.example.com', BACKUP_DIR: '/tmp/backups' } }),
    ).rejects.toThrow('BACKUP_DIR')
    await expect(createTestApp({ env: { BACKUP_DIR: '/tmp/backups', BACKUP_EVERY: 'daily' } })).rejects.toThrow(
      'BACKUP_EVERY',
    )
  })

  test('leaves other files in the folder alone', async () => {
    const dir = tempDir('majlis-scheduled-')
    const t = await createTestApp({ env: { DATABASE_URL: `file:${join(dir, 'majlis.db')}` } })
    await Bun.write(join(dir, 'backups', 'notes.txt'), 'keep me')
    const clock = new ManualClock()
    const backups = new ScheduledBackups(t.db, clock, { dir: join(dir, 'backups'), everyMs: 1000, keep: 1 })
    await backups.take()
    clock.advance(1000)
    expect((await backups.take()).removed).toEqual(['majlis-2026-01-01T09-00-00-000Z.db'])
    expect(readdirSync(join(dir, 'backups')).sort()).toEqual(['majlis-2026-01-01T09-00-01-000Z.db', 'notes.txt'])
    t.close()
  })
})
