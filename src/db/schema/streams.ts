import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { users } from './auth.ts'
import { createdAt, timestamp } from './columns.ts'

export const streamTypes = ['audio', 'video'] as const
export type StreamType = (typeof streamTypes)[number]
export const streamStatuses = ['live', 'ended'] as const
export type StreamStatus = (typeof streamStatuses)[number]
export const viewerRoles = ['viewer', 'co-host'] as const
export type ViewerRole = (typeof viewerRoles)[number]
export const streamMessageTypes = ['text', 'emoji'] as const

/** A live stream and, once ended, its stored stats (counters kept by the same batches that change them). */
export const streams = sqliteTable(
  'streams',
  {
    id: text('id').primaryKey(),
    hostId: text('host_id')
      .notNull()
      .references(() => users.id),
    title: text('title').notNull(),
    description: text('description'),
    type: text('type', { enum: streamTypes }).notNull(),
    category: text('category'),
    isPrivate: integer('is_private', { mode: 'boolean' }).notNull().default(false),
    status: text('status', { enum: streamStatuses }).notNull(),
    slowModeSec: integer('slow_mode_sec').notNull().default(0),
    viewerCount: integer('viewer_count').notNull().default(0),
    peakViewers: integer('peak_viewers').notNull().default(0),
    totalViewers: integer('total_viewers').notNull().default(0),
    messages: integer('messages').notNull().default(0),
    gifts: integer('gifts').notNull().default(0),
    coins: integer('coins').notNull().default(0),
    hostSeenAt: timestamp('host_seen_at').notNull(),
    startedAt: timestamp('started_at').notNull(),
    endedAt: timestamp('ended_at'),
    durationSec: integer('duration_sec'),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('streams_one_live_per_host').on(table.hostId).where(sql`${table.status} = 'live'`),
    index('streams_host_started_idx').on(table.hostId, table.startedAt),
    index('streams_status_started_idx').on(table.status, table.startedAt, table.id),
  ],
)

/** Everyone other than the host who joined, once per user; `present` while they are in it. */
export const streamViewers = sqliteTable(
  'stream_viewers',
  {
    streamId: text('stream_id')
      .notNull()
      .references(() => streams.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: text('role', { enum: viewerRoles }).notNull(),
    present: integer('present', { mode: 'boolean' }).notNull(),
    joinedAt: timestamp('joined_at').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.streamId, table.userId] }),
    index('stream_viewers_present_idx').on(table.streamId, table.present),
  ],
)

/** Users the host invited on stage; they publish once they join as co-host. */
export const streamCoHosts = sqliteTable(
  'stream_co_hosts',
  {
    streamId: text('stream_id')
      .notNull()
      .references(() => streams.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.streamId, table.userId] })],
)

/** Per-stream mutes and bans, for any user id, present or not. */
export const streamModeration = sqliteTable(
  'stream_moderation',
  {
    streamId: text('stream_id')
      .notNull()
      .references(() => streams.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull(),
    muted: integer('muted', { mode: 'boolean' }).notNull().default(false),
    banned: integer('banned', { mode: 'boolean' }).notNull().default(false),
    moderatorId: text('moderator_id').notNull(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.streamId, table.userId] })],
)

export const streamMessages = sqliteTable(
  'stream_messages',
  {
    id: text('id').primaryKey(),
    streamId: text('stream_id')
      .notNull()
      .references(() => streams.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    message: text('message').notNull(),
    type: text('type', { enum: streamMessageTypes }).notNull(),
    clientMsgId: text('client_msg_id'),
    createdAt: createdAt(),
  },
  (table) => [
    index('stream_messages_stream_idx').on(table.streamId, table.createdAt, table.id),
    uniqueIndex('stream_messages_client_msg_idx').on(table.streamId, table.userId, table.clientMsgId),
    index('stream_messages_user_idx').on(table.streamId, table.userId, table.createdAt),
  ],
)

export const gifts = sqliteTable(
  'gifts',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    /** The Arabic name (`name` is English); empty until staff give one, then `name` is shown. */
    nameAr: text('name_ar').notNull().default(''),
    icon: text('icon').notNull(),
    coins: integer('coins').notNull(),
    animation: text('animation').notNull(),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    sortOrder: integer('sort_order').notNull().default(0),
    createdAt: createdAt(),
  },
  (table) => [check('gifts_coins_positive', sql`${table.coins} > 0`)],
)

export const giftTransactions = sqliteTable(
  'gift_transactions',
  {
    id: text('id').primaryKey(),
    streamId: text('stream_id')
      .notNull()
      .references(() => streams.id),
    giftId: text('gift_id')
      .notNull()
      .references(() => gifts.id),
    senderId: text('sender_id')
      .notNull()
      .references(() => users.id),
    recipientId: text('recipient_id')
      .notNull()
      .references(() => users.id),
    quantity: integer('quantity').notNull(),
    coins: integer('coins').notNull(),
    message: text('message'),
    idempotencyKey: text('idempotency_key'),
    createdAt: createdAt(),
  },
  (table) => [
    uniqueIndex('gift_transactions_idempotency_idx').on(table.senderId, table.idempotencyKey),
    index('gift_transactions_stream_idx').on(table.streamId, table.senderId),
    index('gift_transactions_recipient_idx').on(table.recipientId, table.createdAt),
  ],
)
