import { index, integer, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { users } from './auth.ts'
import { createdAt, timestamp } from './columns.ts'

export const badges = ['blue', 'green'] as const
/** `cancelled`: its owner cancelled the badge's invoice (a new request may follow). */
export const verificationStatuses = ['pending', 'pending_payment', 'rejected', 'verified', 'cancelled'] as const

/** A provider's request for a badge: documents are reviewed one by one, then the request is finalized. */
export const verificationRequests = sqliteTable(
  'verification_requests',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    badge: text('badge', { enum: badges }).notNull(),
    note: text('note'),
    status: text('status', { enum: verificationStatuses }).notNull(),
    invoiceId: text('invoice_id'),
    decidedBy: text('decided_by'),
    decidedAt: timestamp('decided_at'),
    verifiedUntil: timestamp('verified_until'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    index('verification_requests_user_idx').on(table.userId, table.createdAt),
    index('verification_requests_status_idx').on(table.status, table.createdAt),
  ],
)

/** A document file kept outside the public uploads; `isApproved` is null until reviewed. */
export const verificationDocuments = sqliteTable(
  'verification_documents',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id')
      .notNull()
      .references(() => verificationRequests.id, { onDelete: 'cascade' }),
    docType: text('doc_type').notNull(),
    title: text('title'),
    path: text('path').notNull(),
    mimeType: text('mime_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    isApproved: integer('is_approved', { mode: 'boolean' }),
    decisionNote: text('decision_note'),
    reviewedBy: text('reviewed_by'),
    reviewedAt: timestamp('reviewed_at'),
    createdAt: createdAt(),
  },
  (table) => [index('verification_documents_request_idx').on(table.requestId, table.createdAt)],
)
