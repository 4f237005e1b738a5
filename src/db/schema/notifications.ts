import { index, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { users } from './auth.ts'
import { createdAt, timestamp } from './columns.ts'

export const notifications = sqliteTable(
  'notifications',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    type: text('type').notNull(),
    title: text('title').notNull(),
    body: text('body'),
    data: text('data', { mode: 'json' }).$type<Record<string, unknown>>(),
    readAt: timestamp('read_at'),
    /** Set by senders that may retry (scheduled jobs): one notification per user and key. */
    dedupeKey: text('dedupe_key'),
    createdAt: createdAt(),
  },
  (table) => [
    index('notifications_user_idx').on(table.userId, table.createdAt),
    uniqueIndex('notifications_dedupe_idx').on(table.userId, table.dedupeKey),
  ],
)

export const devicePlatforms = ['ios', 'android', 'web'] as const

export const deviceTokens = sqliteTable(
  'device_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    token: text('token').notNull(),
    platform: text('platform', { enum: devicePlatforms }).notNull(),
    createdAt: createdAt(),
    lastSeenAt: timestamp('last_seen_at').notNull(),
  },
  (table) => [uniqueIndex('device_tokens_token_idx').on(table.token)],
)
