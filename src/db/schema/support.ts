import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { users } from './auth.ts'
import { createdAt, timestamp } from './columns.ts'

export const priorities = ['low', 'normal', 'high', 'urgent'] as const
export type Priority = (typeof priorities)[number]

export const supportRequestStatuses = ['pending', 'accepted', 'rejected', 'completed', 'cancelled'] as const
export type SupportRequestStatus = (typeof supportRequestStatuses)[number]

export const supportRequests = sqliteTable(
  'support_requests',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => users.id),
    supporterId: text('supporter_id').references(() => users.id),
    subject: text('subject').notNull(),
    description: text('description').notNull(),
    priority: text('priority', { enum: priorities }).notNull(),
    status: text('status', { enum: supportRequestStatuses }).notNull(),
    rejectReason: text('reject_reason'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    index('support_requests_created_idx').on(table.createdAt, table.id),
    index('support_requests_customer_idx').on(table.customerId, table.createdAt),
    index('support_requests_status_idx').on(table.status, table.createdAt),
    index('support_requests_supporter_idx').on(table.supporterId, table.createdAt),
  ],
)

export const videoCallStatuses = ['created', 'active', 'ended'] as const

export const videoCalls = sqliteTable('video_calls', {
  id: text('id').primaryKey(),
  requestId: text('request_id')
    .notNull()
    .unique()
    .references(() => supportRequests.id),
  customerId: text('customer_id')
    .notNull()
    .references(() => users.id),
  supporterId: text('supporter_id')
    .notNull()
    .references(() => users.id),
  /** The media room, `call:<id>`. */
  roomId: text('room_id').notNull().unique(),
  status: text('status', { enum: videoCallStatuses }).notNull(),
  startedAt: timestamp('started_at'),
  endedAt: timestamp('ended_at'),
  durationSec: integer('duration_sec'),
  createdAt: createdAt(),
})
