import { Database as SqliteFile } from 'bun:sqlite'
import { sql } from 'drizzle-orm'
import { copyFileSync, existsSync, renameSync, rmSync, statSync } from 'node:fs'
import type { Database } from './client.ts'

/** Why a backup or restore was refused; the CLI prints the message as it is. */
export class BackupError extends Error {
  override name = 'BackupError'
}

/**
 * A consistent copy of the live database while it takes writes: VACUUM INTO reads one snapshot
 * (a read transaction, which WAL lets run beside writers) into a new, compacted file. It is
 * written under a temporary name and renamed when checked, so `target` is never half a copy.
 */
export async function backupDatabase(db: Database, target: string): Promise<{ file: string; bytes: number }> {
  if (existsSync(target)) throw new BackupError(`${target} exists already; choose a new file name`)
  const partial = `${target}.partial`
  rmSync(partial, { force: true })
  try {
    await db.run(sql`VACUUM INTO ${partial}`)
    checkDatabaseFile(partial)
    renameSync(partial, target)
  } catch (error) {
    rmSync(partial, { force: true })
    throw error
  }
  return { file: target, bytes: statSync(target).size }
}

/** Refuses a file that is not a sound Majlis database: SQLite's integrity check, and the migrations table. */
function checkDatabaseFile(file: string): void {
  if (!existsSync(file)) throw new BackupError(`${file} does not exist`)
  let copy: SqliteFile | undefined
  try {
    copy = new SqliteFile(file, { readonly: true })
    const integrity = copy.query<{ integrity_check: string }, []>('PRAGMA integrity_check').all()
    if (integrity.length !== 1 || integrity[0]!.integrity_check !== 'ok')
      throw new BackupError(
        `${file} fails SQLite's integrity check: ${integrity.map((row) => row.integrity_check).join('; ')}`,
      )
    const migrations = copy
      .query<{ n: number }, []>("select count(*) as n from sqlite_master where name = '__drizzle_migrations'")
      .get()
    if (!migrations?.n) throw new BackupError(`${file} is not a Majlis database (it has no migrations table)`)
  } catch (error) {
    if (error instanceof BackupError) throw error
    throw new BackupError(`${file} is not a readable SQLite database: ${(error as Error).message}`)
  } finally {
    copy?.close()
  }
}

/**
 * Whether some process has the database open. A WAL connection holds a shared lock on the file
 * for as long as it is open, so an exclusive lock is refused at once while any instance (or
 * `sqlite3` shell) uses it, and granted once they have all closed.
 */
function databaseInUse(file: string): boolean {
  if (!existsSync(file)) return false
  const probe = new SqliteFile(file)
  try {
    probe.exec('PRAGMA busy_timeout = 0')
    probe.exec('PRAGMA locking_mode = EXCLUSIVE')
    probe.exec('BEGIN EXCLUSIVE')
    probe.exec('COMMIT')
    return false
  } catch {
    return true
  } finally {
    probe.close()
  }
}

/**
 * Puts a backup in the database's place. Refused while any process has the database open; the
 * database it replaces is kept beside it (`<name>.before-restore-<time>`), never deleted.
 */
export function restoreDatabase(backup: string, file: string, now = new Date()): { replaced: string | null } {
  checkDatabaseFile(backup)
  if (databaseInUse(file))
    throw new BackupError(
      `${file} is open in a running Majlis instance (or another program): stop every instance that uses it, then restore`,
    )
  const incoming = `${file}.restoring`
  copyFileSync(backup, incoming)
  let replaced: string | null = null
  if (existsSync(file)) {
    replaced = `${file}.before-restore-${now.toISOString().replace(/[:.]/g, '-')}`
    renameSync(file, replaced)
  }
  // A WAL or shared-memory file left by the replaced database would be replayed into the restored one.
  for (const leftover of [`${file}-wal`, `${file}-shm`]) rmSync(leftover, { force: true })
  renameSync(incoming, file)
  return { replaced }
}
