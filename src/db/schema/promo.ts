import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { users } from './auth.ts'
import { createdAt, timestamp } from './columns.ts'

export const adTypes = ['banner', 'featured', 'push'] as const
/** `cancelled`: its owner cancelled the quoted invoice. */
export const promoStatuses = ['pending', 'pending_payment', 'rejected', 'active', 'cancelled'] as const

/** A request to advertise between two dates; staff quote a price, and paying it makes it active. */
export const promoRequests = sqliteTable(
  'promo_requests',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    adType: text('ad_type', { enum: adTypes }).notNull(),
    title: text('title').notNull(),
    note: text('note'),
    startAt: timestamp('start_at').notNull(),
    endAt: timestamp('end_at').notNull(),
    status: text('status', { enum: promoStatuses }).notNull(),
    quoteAmount: integer('quote_amount'),
    quoteNote: text('quote_note'),
    rejectReason: text('reject_reason'),
    invoiceId: text('invoice_id'),
    decidedBy: text('decided_by'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    index('promo_requests_user_idx').on(table.userId, table.createdAt),
    index('promo_requests_status_idx').on(table.status, table.createdAt),
    index('promo_requests_active_idx').on(table.status, table.adType, table.endAt),
  ],
)

export const promoAssets = sqliteTable(
  'promo_assets',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id')
      .notNull()
      .references(() => promoRequests.id, { onDelete: 'cascade' }),
    path: text('path').notNull(),
    mimeType: text('mime_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('promo_assets_request_idx').on(table.requestId, table.createdAt)],
)
