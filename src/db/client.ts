import { createClient, type Client } from '@libsql/client'
import { drizzle, type LibSQLDatabase } from 'drizzle-orm/libsql'
import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import * as schema from './schema/index.ts'

export type Database = LibSQLDatabase<typeof schema>

export interface DatabaseHandle {
  db: Database
  client: Client
  close(): void
}

/** Opens the libSQL database; for a local file, creates its folder first. */
export async function openDatabase(url: string, authToken?: string): Promise<DatabaseHandle> {
  const localPath = localFilePath(url)
  if (localPath) mkdirSync(dirname(localPath), { recursive: true })
  // Every pooled connection waits up to 5 s for a lock instead of failing with SQLITE_BUSY
  // (several instances, or the scheduler and a request, writing to one file).
  const client = createClient({ url, authToken, timeout: 5000 })
  // libSQL enables foreign keys by default; make it explicit so a build that does not still enforces them.
  await client.execute('PRAGMA foreign_keys = ON')
  if (localPath) await client.execute('PRAGMA journal_mode = WAL')
  const db = drizzle(client, { schema })
  return { db, client, close: () => client.close() }
}

function localFilePath(url: string): string | null {
  if (!url.startsWith('file:')) return null
  const path = url.slice('file:'.length).split('?')[0] ?? ''
  return path === '' || path === ':memory:' ? null : path
}
