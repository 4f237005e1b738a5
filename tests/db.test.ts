import { describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { join } from 'node:path'
import { openDatabase } from '../src/db/client.ts'
import { applyMigrations, migrationsFolder } from '../src/db/migrate.ts'
import { refreshTokens, users } from '../src/db/schema/auth.ts'
import { tempDir } from './helpers/server-process.ts'

describe('storage', () => {
  test('migrations create the tables, and applying them again is a no-op', async () => {
    const url = `file:${join(tempDir(), 'majlis.db')}`
    const first = await openDatabase(url)
    await applyMigrations(first.db)
    await applyMigrations(first.db)
    const tables = await first.db.all<{ name: string }>(sql`select name from sqlite_master where type = 'table' order by name`)
    expect(tables.map((table) => table.name)).toEqual(
      expect.arrayContaining(['users', 'refresh_tokens', 'otp_codes', 'follows', 'wallet_transactions']),
    )
    first.close()
  })

  test('foreign keys are enforced', async () => {
    const { db, close } = await openDatabase(':memory:')
    await applyMigrations(db)
    const orphan = db.insert(refreshTokens).values({ id: 'rtk_1', userId: 'usr_missing', familyId: 'f', tokenHash: 'h', expiresAt: new Date() }).run()
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
    await db.run(sql`INSERT INTO users (id, name, role, created_at, updated_at) VALUES ('usr_c', 'C', 'customer', 0, 0), ('usr_s', 'S', 'supporter', 0, 0)`)
    await db.run(sql`INSERT INTO support_requests (id, customer_id, subject, description, priority, status, created_at, updated_at) VALUES ('sr_1', 'usr_c', 's', 'd', 'normal', 'completed', 0, 0)`)
    await db.run(sql`INSERT INTO video_calls (id, request_id, customer_id, supporter_id, room_id, status, duration_sec, created_at) VALUES ('vc_1', 'sr_1', 'usr_c', 'usr_s', 'call:vc_1', 'ended', 1.704, 0)`)
    await db.run(sql.raw(await Bun.file(join(migrationsFolder, '0004_whole_call_durations.sql')).text()))
    expect(await db.all(sql`SELECT duration_sec AS d, typeof(duration_sec) AS type FROM video_calls`)).toEqual([{ d: 1, type: 'integer' }])
    close()
  })

  test('each test database is fresh', async () => {
    const { db, close } = await openDatabase(':memory:')
    await applyMigrations(db)
    expect(await db.select().from(users)).toEqual([])
    close()
  })
})
