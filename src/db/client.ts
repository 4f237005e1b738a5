import { createClient, type Client } from '@libsql/client'
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import { BunSqliteClient } from './bun-sqlite-client.ts'
import * as schema from './schema/index.ts'

export type Database = LibSQLDatabase<typeof schema>

export interface DatabaseHandle {
  db: Database
  client: Client
  close(): void
}

/**
 * Which binding runs the queries. Local files and `:memory:` default to Bun's built-in SQLite
 * (the embedded default must be the fast one); remote libSQL/Turso URLs always use
 * `@libsql/client`, which a local file can also be opened with (`DATABASE_DRIVER=libsql`).
 */
export type DatabaseDriver = 'bun-sqlite' | 'libsql'

export interface DatabaseOptions {
  url: string
  authToken?: string
  driver?: DatabaseDriver
}

/** Opens the database; for a local file, creates its folder first. */
export async function openDatabase(options: DatabaseOptions | string): Promise<DatabaseHandle> {
  const { url, authToken, driver } = typeof options === 'string' ? { url: options } : options
  const localPath = localFilePath(url)
  if (localPath) mkdirSync(dirname(localPath), { recursive: true })
  const local = localPath !== null || isMemory(url)
  if (driver === 'bun-sqlite' && !local)
    throw new Error(`DATABASE_DRIVER=bun-sqlite needs a local file or :memory:, not ${url}`)
  const client =
    local && driver !== 'libsql'
      ? new BunSqliteClient(localPath ?? ':memory:')
      : createClient({ url, authToken, timeout: 5000 })
  // Every connection waits up to 5 s for a lock instead of failing with SQLITE_BUSY
  // (several instances, or the scheduler and a request, writing to one file).
  if (client instanceof BunSqliteClient) await client.execute('PRAGMA busy_timeout = 5000')
  // libSQL enables foreign keys by default, SQLite does not: make it explicit for both.
  await client.execute('PRAGMA foreign_keys = ON')
  if (localPath) {
    await client.execute('PRAGMA journal_mode = WAL')
    // With WAL, NORMAL syncs at checkpoints instead of on every commit: a commit survives Majlis
    // crashing, a power cut may undo the last moments of writes, and the file is never corrupted.
    // FULL cost an fsync per write on the event loop (chat at 200 msg/s: p99 96 ms, most of it waiting).
    await client.execute('PRAGMA synchronous = NORMAL')
  }
  const db = drizzle(client, { schema })
  return { db, client, close: () => client.close() }
}

function isMemory(url: string): boolean {
  return url === ':memory:' || url === 'file::memory:'
}

/** DATABASE_URL as logs and messages show it: a password in it is masked. */
export const shownDatabaseUrl = (url: string): string => url.replace(/\/\/.*@/, '//***@')

/** The local file behind a `file:` DATABASE_URL, or null for `:memory:` and remote libSQL. */
export function localFilePath(url: string): string | null {
  if (!url.startsWith('file:')) return null
  const path = url.slice('file:'.length).split('?')[0] ?? ''
  return path === '' || path === ':memory:' ? null : path
}
