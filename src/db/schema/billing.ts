import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { users } from './auth.ts'
import { createdAt, timestamp } from './columns.ts'

/** Every amount is in halalas (1/100 SAR). */
export const currencies = ['SAR'] as const
export const invoicePurposes = ['verification', 'promo', 'subscription', 'extra', 'coins'] as const
export type InvoicePurpose = (typeof invoicePurposes)[number]
export const invoiceStatuses = ['pending', 'paid', 'cancelled'] as const
export const paymentStatuses = ['initiated', 'succeeded', 'failed'] as const
export const subscriptionStatuses = ['pending_payment', 'active', 'expired', 'cancelled'] as const

export interface InvoiceLine {
  description: string
  quantity: number
  amount: number
}
/** What a plan or an extra unlocks: on/off features and numeric limits, merged by the features service. */
export type FeatureFlags = Record<string, boolean | number>

/**
 * An invoice made by a flow (verification, promotion, plan, extra, coin pack), never typed in by a
 * client. `subjectId` names what it pays for in the owning flow; `settlement` is the token of the
 * one payment event that marked it paid, which the effect statements of that same batch check.
 */
export const invoices = sqliteTable(
  'invoices',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull().unique(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    purpose: text('purpose', { enum: invoicePurposes }).notNull(),
    subjectId: text('subject_id').notNull(),
    amount: integer('amount').notNull(),
    currency: text('currency', { enum: currencies }).notNull(),
    status: text('status', { enum: invoiceStatuses }).notNull(),
    lines: text('lines', { mode: 'json' }).$type<InvoiceLine[]>().notNull(),
    settlement: text('settlement'),
    createdAt: createdAt(),
    paidAt: timestamp('paid_at'),
  },
  (table) => [
    index('invoices_user_idx').on(table.userId, table.createdAt),
    index('invoices_paid_idx').on(table.status, table.paidAt),
    check('invoices_amount_positive', sql`${table.amount} > 0`),
  ],
)

export const paymentAttempts = sqliteTable(
  'payment_attempts',
  {
    id: text('id').primaryKey(),
    invoiceId: text('invoice_id')
      .notNull()
      .references(() => invoices.id, { onDelete: 'cascade' }),
    provider: text('provider').notNull(),
    status: text('status', { enum: paymentStatuses }).notNull(),
    reference: text('reference').notNull().unique(),
    checkoutUrl: text('checkout_url').notNull(),
    idempotencyKey: text('idempotency_key'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [uniqueIndex('payment_attempts_idempotency_idx').on(table.invoiceId, table.idempotencyKey)],
)

/** Every webhook event once: a repeated event id finds its row and changes nothing. */
export const paymentEvents = sqliteTable(
  'payment_events',
  {
    provider: text('provider').notNull(),
    eventId: text('event_id').notNull(),
    token: text('token').notNull(),
    invoiceId: text('invoice_id').notNull(),
    status: text('status').notNull(),
    receivedAt: timestamp('received_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.provider, table.eventId] })],
)

export const plans = sqliteTable('plans', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  amount: integer('amount').notNull(),
  currency: text('currency', { enum: currencies }).notNull(),
  periodDays: integer('period_days').notNull(),
  flags: text('flags', { mode: 'json' }).$type<FeatureFlags>().notNull(),
  maxUploadMb: integer('max_upload_mb').notNull(),
  isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
  createdAt: createdAt(),
})

export const extras = sqliteTable('extras', {
  sku: text('sku').primaryKey(),
  name: text('name').notNull(),
  amount: integer('amount').notNull(),
  currency: text('currency', { enum: currencies }).notNull(),
  grants: text('grants', { mode: 'json' }).$type<FeatureFlags>().notNull(),
  isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
  createdAt: createdAt(),
})

export const coinPacks = sqliteTable('coin_packs', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  coins: integer('coins').notNull(),
  amount: integer('amount').notNull(),
  currency: text('currency', { enum: currencies }).notNull(),
  isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
  createdAt: createdAt(),
})

export const subscriptions = sqliteTable(
  'subscriptions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id),
    status: text('status', { enum: subscriptionStatuses }).notNull(),
    startsAt: timestamp('starts_at'),
    endsAt: timestamp('ends_at'),
    createdAt: createdAt(),
  },
  (table) => [index('subscriptions_user_idx').on(table.userId, table.status)],
)

/** An extra bought: its grants as they were when paid. */
export const extraGrants = sqliteTable(
  'extra_grants',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    sku: text('sku').notNull(),
    invoiceId: text('invoice_id').notNull().unique(),
    grants: text('grants', { mode: 'json' }).$type<FeatureFlags>().notNull(),
    createdAt: createdAt(),
  },
  (table) => [index('extra_grants_user_idx').on(table.userId)],
)
