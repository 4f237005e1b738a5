import { Elysia } from 'elysia'
import type { ModuleContext } from '../shared-services.ts'
import { ScheduledBackups } from './scheduled.ts'

const JOB = { kind: 'backup', key: 'backup:scheduled' }

/**
 * Scheduled backups (BACKUP_DIR): one durable, recurring job, so exactly one instance of a cluster
 * takes each copy and a restart neither skips nor repeats one. No routes: `npm run admin -- backup`
 * and `restore` are the operator's tools (docs/operations.md, "Backups and restore").
 */
export function backupsModule({ config, db, clock, logger, scheduler, startTasks }: ModuleContext) {
  const settings = config.backups
  if (settings) {
    const backups = new ScheduledBackups(db, clock, settings)
    scheduler.register(JOB.kind, async () => {
      const taken = await backups.take()
      logger.info('backup taken', { ...taken })
      return { runAgainAt: new Date(clock.now() + settings.everyMs) }
    })
    // A pending job is left as it is (a restart must not postpone it); one that failed for good starts again.
    startTasks.push(async () => {
      const job = await scheduler.get(JOB.key)
      if (!job || job.status === 'failed')
        await scheduler.schedule({ ...JOB, runAt: new Date(clock.now()), payload: {} })
    })
  }
  return new Elysia({ name: 'backups-module' })
}
