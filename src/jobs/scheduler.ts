import { and, asc, eq, inArray, lte, or, sql, type SQL } from 'drizzle-orm'
import type { Clock } from '../clock.ts'
import type { Database } from '../db/client.ts'
import { insertWhere } from '../db/insert-where.ts'
import { jobs } from '../db/schema/jobs.ts'
import { newId } from '../ids.ts'
import { errorFields, type Logger } from '../logger.ts'
import { singleInstanceLock, type JobLock } from './lock.ts'

export type JobRow = typeof jobs.$inferSelect
/** A handler may ask to run again later (a recurring check) instead of finishing. */
export type JobHandler = (payload: Record<string, unknown>) => Promise<void | { runAgainAt: Date }>

export interface SchedulerOptions {
  pollMs?: number
  /** How long a claimed run may take before the job counts as abandoned and becomes due again. */
  leaseMs?: number
  maxAttempts?: number
  batchSize?: number
}

/**
 * Durable jobs in the database, run by an in-process poller. A job is claimed by one guarded
 * UPDATE (and, scaled out, a Redis lock), so concurrent pollers never run it twice at once. A
 * run that crashed becomes due again after its lease, so handlers make their effects idempotent
 * (notifications carry a dedupe key): each effect then happens exactly once.
 */
export class JobScheduler {
  private readonly handlers = new Map<string, JobHandler>()
  private timer: Timer | undefined
  private running: Promise<number> | null = null
  private readonly pollMs: number
  private readonly leaseMs: number
  private readonly maxAttempts: number
  private readonly batchSize: number

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly lock: JobLock = singleInstanceLock,
    options: SchedulerOptions = {},
  ) {
    this.pollMs = options.pollMs ?? 1000
    this.leaseMs = options.leaseMs ?? 60_000
    this.maxAttempts = options.maxAttempts ?? 5
    this.batchSize = options.batchSize ?? 50
  }

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler)
  }

  /** Creates the job, or moves it (new time and payload, due again) if the key exists. */
  async schedule(job: { kind: string; key: string; runAt: Date; payload: Record<string, unknown> }): Promise<void> {
    const now = new Date(this.clock.now())
    await this.db
      .insert(jobs)
      .values({
        id: newId('job'),
        kind: job.kind,
        idempotencyKey: job.key,
        payload: job.payload,
        runAt: job.runAt,
        status: 'pending',
        createdAt: now,
      })
      .onConflictDoUpdate({
        target: jobs.idempotencyKey,
        set: {
          kind: job.kind,
          payload: job.payload,
          runAt: job.runAt,
          status: 'pending',
          attempts: 0,
          lastError: null,
          lockedUntil: null,
          finishedAt: null,
        },
      })
  }

  /**
   * The statement that schedules a job only if `condition` holds, for a db.batch that must create
   * the job together with what it will act on (a subscription paid in that same batch).
   */
  scheduleWhere(job: { kind: string; key: string; runAt: Date; payload: Record<string, unknown> }, condition: SQL) {
    return insertWhere(
      this.db,
      jobs,
      {
        id: newId('job'),
        kind: job.kind,
        idempotencyKey: job.key,
        payload: job.payload,
        runAt: job.runAt,
        status: 'pending',
        attempts: 0,
        createdAt: new Date(this.clock.now()),
      },
      condition,
      sql`on conflict (${sql.identifier(jobs.idempotencyKey.name)}) do update set
        run_at = excluded.run_at, payload = excluded.payload, status = 'pending',
        attempts = 0, locked_until = null, finished_at = null`,
    )
  }

  /** Removes jobs that have not run yet. */
  async cancel(keys: string[]): Promise<void> {
    await this.db
      .delete(jobs)
      .where(and(inArray(jobs.idempotencyKey, keys), inArray(jobs.status, ['pending', 'failed'])))
  }

  async get(key: string): Promise<JobRow | undefined> {
    return this.db.query.jobs.findFirst({ where: eq(jobs.idempotencyKey, key) })
  }

  /** Runs every job that is due now; returns how many ran. Concurrent calls share one pass. */
  runDue(): Promise<number> {
    this.running ??= this.pass().finally(() => {
      this.running = null
    })
    return this.running
  }

  start(): void {
    this.timer ??= setInterval(() => {
      this.runDue().catch((error) => this.logger.error('job poller failed', errorFields(error)))
    }, this.pollMs)
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    this.timer = undefined
    await this.running
  }

  private async pass(): Promise<number> {
    const now = new Date(this.clock.now())
    const due = await this.db
      .select()
      .from(jobs)
      .where(
        or(
          and(eq(jobs.status, 'pending'), lte(jobs.runAt, now)),
          and(eq(jobs.status, 'running'), lte(jobs.lockedUntil, now)),
        ),
      )
      .orderBy(asc(jobs.runAt))
      .limit(this.batchSize)
    let ran = 0
    for (const job of due) if (await this.run(job)) ran += 1
    return ran
  }

  private async run(job: JobRow): Promise<boolean> {
    const lockKey = `job:${job.id}`
    if (!(await this.lock.acquire(lockKey, this.leaseMs))) return false
    try {
      const now = this.clock.now()
      const claimed = await this.db
        .update(jobs)
        .set({ status: 'running', attempts: sql`${jobs.attempts} + 1`, lockedUntil: new Date(now + this.leaseMs) })
        .where(
          and(
            eq(jobs.id, job.id),
            or(
              and(eq(jobs.status, 'pending'), lte(jobs.runAt, new Date(now))),
              and(eq(jobs.status, 'running'), lte(jobs.lockedUntil, new Date(now))),
            ),
          ),
        )
        .returning({ attempts: jobs.attempts })
      if (claimed.length === 0) return false
      await this.execute(job, claimed[0]!.attempts)
      return true
    } finally {
      await this.lock.release(lockKey)
    }
  }

  private async execute(job: JobRow, attempts: number): Promise<void> {
    const handler = this.handlers.get(job.kind)
    try {
      if (!handler) throw new Error(`no handler for job kind ${job.kind}`)
      const outcome = await handler(job.payload)
      await this.db
        .update(jobs)
        .set(
          outcome
            ? { status: 'pending', runAt: outcome.runAgainAt, attempts: 0, lockedUntil: null }
            : { status: 'done', finishedAt: new Date(this.clock.now()), lockedUntil: null },
        )
        .where(eq(jobs.id, job.id))
    } catch (error) {
      const giveUp = attempts >= this.maxAttempts || !handler
      this.logger.error(giveUp ? 'job failed for good' : 'job failed; will retry', {
        ...errorFields(error),
        job: job.idempotencyKey,
        attempts,
      })
      await this.db
        .update(jobs)
        .set({
          status: giveUp ? 'failed' : 'pending',
          runAt: new Date(this.clock.now() + 1000 * 2 ** attempts),
          lastError: error instanceof Error ? error.message : String(error),
          lockedUntil: null,
        })
        .where(eq(jobs.id, job.id))
    }
  }
}
