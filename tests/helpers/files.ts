import { Database } from 'bun:sqlite'
import { expect } from 'bun:test'
import { closeSync, openSync, rmSync, writeSync } from 'node:fs'
import { join } from 'node:path'
import type { TestApp } from './app.ts'
import { tempDir } from './server-process.ts'

/** Bytes that start like the real formats (the server sniffs the first bytes). */
export const png = () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(200).fill(3)])
/** An ISO-BMFF (mp4) start, then a counting pattern to check byte ranges against. */
export function mp4(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size)
  bytes.set([0, 0, 0, 0x18, ...new TextEncoder().encode('ftypisom')])
  for (let index = 12; index < size; index += 1) bytes[index] = index % 251
  return bytes
}
export const pdf = () =>
  new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')

export interface UploadFile {
  bytes: Uint8Array<ArrayBuffer>
  type: string
  name: string
}

/** A multipart POST of one `file` and text fields, as a browser's FormData sends it. */
export function uploadForm(
  t: TestApp,
  token: string | undefined,
  path: string,
  file: UploadFile | null,
  fields: Record<string, string> = {},
) {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  if (file) form.append('file', new Blob([file.bytes], { type: file.type }), file.name)
  const headers: Record<string, string> = { 'accept-language': 'en' }
  if (token) headers.authorization = `Bearer ${token}`
  return t.app.handle(new Request(`http://localhost${path}`, { method: 'POST', headers, body: form }))
}

/**
 * A 16 MiB tmpfs at a new folder, so a disk really fills up (ENOSPC, SQLITE_FULL) without touching
 * the machine's own. Mounting needs the right to (root with CAP_SYS_ADMIN, as CI runs); without it
 * the folder is an ordinary one and `mounted` is false.
 */
export function smallDisk(): { dir: string; mounted: boolean; release(): void } {
  const dir = tempDir('majlis-small-disk-')
  const mount = Bun.spawnSync(['mount', '-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', dir])
  if (mount.exitCode !== 0) console.warn(`no tmpfs for a full disk: ${mount.stderr.toString().trim()}`)
  return {
    dir,
    mounted: mount.exitCode === 0,
    release() {
      if (mount.exitCode === 0) Bun.spawnSync(['umount', '-l', dir])
      rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** Writes a file until the disk refuses more; the function returned frees the disk again. */
export function fillUp(dir: string): () => void {
  const filler = join(dir, 'filler')
  const fd = openSync(filler, 'w')
  const chunk = Buffer.alloc(64 * 1024, 1)
  try {
    for (;;) writeSync(fd, chunk)
  } catch (error) {
    expect((error as { code?: string }).code).toBe('ENOSPC')
  } finally {
    closeSync(fd)
  }
  return () => rmSync(filler)
}

/** The accounts of a database file whose coin balance is not the sum of their ledger (none, when sound). */
export function walletsOffTheirLedger(databaseFile: string): Array<{ id: string; balance: number; ledger: number }> {
  const database = new Database(databaseFile, { readonly: true })
  try {
    return database
      .query<{ id: string; balance: number; ledger: number }, []>(
        `select u.id, u.coin_balance as balance, coalesce(sum(w.amount), 0) as ledger
         from users u left join wallet_transactions w on w.user_id = u.id
         group by u.id having balance != ledger`,
      )
      .all()
  } finally {
    database.close()
  }
}
