import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createdAt, timestamp } from './columns.ts'

export const jobStatuses = ['pending', 'running', 'done', 'failed'] as const

/** Durable scheduled work: survives restarts; the idempotency key names one job for its lifetime. */
export const jobs = sqliteTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    kind: text('kind').notNull(),
    idempotencyKey: text('idempotency_key').notNull().unique(),
    payload: text('payload', { mode: 'json' }).$type<Record<string, unknown>>().notNull(),
    runAt: timestamp('run_at').notNull(),
    status: text('status', { enum: jobStatuses }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** While running: when the claim expires (a crashed run becomes due again after it). */
    lockedUntil: timestamp('locked_until'),
    lastError: text('last_error'),
    createdAt: createdAt(),
    finishedAt: timestamp('finished_at'),
  },
  (table) => [index('jobs_due_idx').on(table.status, table.runAt)],
)
