import { describe, expect, test } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
import { join } from 'node:path'
import { openDatabase, type DatabaseDriver } from '../src/db/client.ts'
import { applyMigrations, migrationsFolder } from '../src/db/migrate.ts'
import { follows, refreshTokens, users } from '../src/db/schema/auth.ts'
import { tempDir } from './helpers/server-process.ts'

describe('storage', () => {
  test('migrations create the tables, and applying them again is a no-op', async () => {
    const url = `file:${join(tempDir(), 'majlis.db')}`
    const first = await openDatabase(url)
    await applyMigrations(first.db)
    await applyMigrations(first.db)
    const tables = await first.db.all<{ name: string }>(
      sql`select name from sqlite_master where type = 'table' order by name`,
    )
    expect(tables.map((table) => table.name)).toEqual(
      expect.arrayContaining(['users', 'refresh_tokens', 'otp_codes', 'follows', 'wallet_transactions']),
    )
    first.close()
  })

  test('foreign keys are enforced', async () => {
    const { db, close } = await openDatabase(':memory:')
    await applyMigrations(db)
    const orphan = db
      .insert(refreshTokens)
      .values({ id: 'rtk_1', userId: 'usr_missing', familyId: 'f', tokenHash: 'h', expiresAt: new Date() })
      .run()
    await expect(orphan).rejects.toThrow()
    close()
  })

  test('a negative coin balance is impossible', async () => {
    const { db, close } = await openDatabase(':memory:')
    await applyMigrations(db)
    await db.insert(users).values({ id: 'usr_1', name: 'A', role: 'customer' })
    await expect(db.update(users).set({ coinBalance: -1 }).run()).rejects.toThrow()
    close()
  })

  test('the 0004 repair turns call durations stored as fractions into whole seconds', async () => {
    const { db, close } = await openDatabase(':memory:')
    await applyMigrations(db)
    await db.run(
      sql`INSERT INTO users (id, name, role, created_at, updated_at) VALUES ('usr_c', 'C', 'customer', 0, 0), ('usr_s', 'S', 'supporter', 0, 0)`,
    )
    await db.run(
      sql`INSERT INTO support_requests (id, customer_id, subject, description, priority, status, created_at, updated_at) VALUES ('sr_1', 'usr_c', 's', 'd', 'normal', 'completed', 0, 0)`,
    )
    await db.run(
      sql`INSERT INTO video_calls (id, request_id, customer_id, supporter_id, room_id, status, duration_sec, created_at) VALUES ('vc_1', 'sr_1', 'usr_c', 'usr_s', 'call:vc_1', 'ended', 1.704, 0)`,
    )
    await db.run(sql.raw(await Bun.file(join(migrationsFolder, '0004_whole_call_durations.sql')).text()))
    expect(await db.all(sql`SELECT duration_sec AS d, typeof(duration_sec) AS type FROM video_calls`)).toEqual([
      { d: 1, type: 'integer' },
    ])
    close()
  })

  test('each test database is fresh', async () => {
    const { db, close } = await openDatabase(':memory:')
    await applyMigrations(db)
    expect(await db.select().from(users)).toEqual([])
    close()
  })
})

// Local files run on Bun's SQLite by default and on @libsql/client when asked (and for remote
// URLs): both must behave alike for everything the services rely on.
describe.each(['bun-sqlite', 'libsql'] satisfies DatabaseDriver[])('the %s driver', (driver) => {
  const open = async () => {
    const handle = await openDatabase({ url: `file:${join(tempDir(), 'majlis.db')}`, driver })
    await applyMigrations(handle.db)
    await handle.db.insert(users).values([
      { id: 'usr_a', name: 'A', role: 'customer', email: 'a@example.com' },
      { id: 'usr_b', name: 'B', role: 'teacher' },
    ])
    return handle
  }

  test('selects map rows to fields, also across a join where both tables have an id', async () => {
    const { db, close } = await open()
    await db.insert(follows).values({ followerId: 'usr_a', followeeId: 'usr_b' })
    const rows = await db
      .select({ follower: users.id, followee: follows.followeeId, name: users.name })
      .from(follows)
      .innerJoin(users, eq(users.id, follows.followerId))
    expect(rows).toEqual([{ follower: 'usr_a', followee: 'usr_b', name: 'A' }])
    expect(await db.all(sql`SELECT id, name FROM users ORDER BY id`)).toEqual([
      { id: 'usr_a', name: 'A' },
      { id: 'usr_b', name: 'B' },
    ])
    expect((await db.query.users.findFirst({ where: eq(users.id, 'usr_b') }))?.role).toBe('teacher')
    close()
  })

  test('updates report the rows they changed, RETURNING gives the changed rows', async () => {
    const { db, close } = await open()
    expect((await db.update(users).set({ name: 'Z' }).where(eq(users.role, 'customer')).run()).rowsAffected).toBe(1)
    expect((await db.update(users).set({ name: 'Z' }).where(eq(users.id, 'usr_none')).run()).rowsAffected).toBe(0)
    expect(await db.update(users).set({ name: 'Y' }).returning({ id: users.id })).toHaveLength(2)
    close()
  })

  test('a batch is all or nothing, and a unique violation names the column', async () => {
    const { db, close } = await open()
    const failing = db.batch([
      db.update(users).set({ name: 'changed' }).where(eq(users.id, 'usr_a')),
      db.insert(users).values({ id: 'usr_c', name: 'C', role: 'customer', email: 'a@example.com' }),
    ])
    await expect(failing).rejects.toThrow()
    const error = await failing.catch((caught: unknown) => String((caught as { cause?: unknown }).cause ?? caught))
    expect(error).toContain('UNIQUE constraint failed: users.email')
    expect((await db.select({ name: users.name }).from(users).where(eq(users.id, 'usr_a')))[0]?.name).toBe('A')
    const [updated, [count]] = await db.batch([
      db.update(users).set({ name: 'B2' }).where(eq(users.id, 'usr_b')),
      db.select({ n: sql<number>`count(*)` }).from(users),
    ])
    expect(updated.rowsAffected).toBe(1)
    expect(count?.n).toBe(2)
    close()
  })

  test('a closed database refuses queries', async () => {
    const { db, close } = await open()
    close()
    await expect(db.select().from(users).all()).rejects.toThrow()
  })
})
