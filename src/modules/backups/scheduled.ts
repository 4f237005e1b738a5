import { mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import type { Clock } from '../../clock.ts'
import type { Config } from '../../config.ts'
import { backupDatabase } from '../../db/backup.ts'
import type { Database } from '../../db/client.ts'

const PREFIX = 'majlis-'
const SUFFIX = '.db'

/** Copies into BACKUP_DIR named by their UTC time (so names sort by age), the newest BACKUP_KEEP kept. */
export class ScheduledBackups {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly settings: NonNullable<Config['backups']>,
  ) {}

  async take(): Promise<{ file: string; bytes: number; removed: string[] }> {
    mkdirSync(this.settings.dir, { recursive: true })
    const stamp = new Date(this.clock.now()).toISOString().replace(/[:.]/g, '-')
    const taken = await backupDatabase(this.db, join(this.settings.dir, `${PREFIX}${stamp}${SUFFIX}`))
    return { ...taken, removed: this.prune() }
  }

  /** Deletes all but the newest `keep` copies; other files in the folder are left alone. */
  private prune(): string[] {
    const copies = readdirSync(this.settings.dir)
      .filter((name) => name.startsWith(PREFIX) && name.endsWith(SUFFIX))
      .sort()
    const removed = copies.slice(0, Math.max(0, copies.length - this.settings.keep))
    for (const name of removed) rmSync(join(this.settings.dir, name))
    return removed
  }
}
