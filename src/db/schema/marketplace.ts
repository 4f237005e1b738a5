import { sql } from 'drizzle-orm'
import {
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
  type AnySQLiteColumn,
} from 'drizzle-orm/sqlite-core'
import { users } from './auth.ts'
import { createdAt, timestamp } from './columns.ts'

export const categories = sqliteTable('categories', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  nameEn: text('name_en'),
  isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
  createdAt: createdAt(),
})

export const subcategories = sqliteTable(
  'subcategories',
  {
    id: text('id').primaryKey(),
    categoryId: text('category_id')
      .notNull()
      .references(() => categories.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    nameEn: text('name_en'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
  },
  (table) => [index('subcategories_category_idx').on(table.categoryId)],
)

/**
 * A user's provider profile. `searchText` is the name and bio folded for search (case, Arabic
 * diacritics and letter variants); the FTS5 index providers_fts follows it through triggers.
 * The rating is recomputed from the reviews in the same batch that adds one, so it never drifts.
 */
export const providers = sqliteTable(
  'providers',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .unique()
      .references(() => users.id, { onDelete: 'cascade' }),
    displayName: text('display_name').notNull(),
    bio: text('bio'),
    city: text('city').notNull(),
    /** The city as search compares it (cityKey): spellings of one city share it. */
    cityKey: text('city_key').notNull().default(''),
    searchText: text('search_text').notNull(),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    verified: integer('verified', { mode: 'boolean' }).notNull().default(false),
    verifiedUntil: timestamp('verified_until'),
    ratingCount: integer('rating_count').notNull().default(0),
    ratingSum: integer('rating_sum').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    index('providers_listing_idx').on(table.createdAt, table.id),
    index('providers_city_idx').on(table.cityKey, table.createdAt),
  ],
)

export const providerSubcategories = sqliteTable(
  'provider_subcategories',
  {
    providerId: text('provider_id')
      .notNull()
      .references(() => providers.id, { onDelete: 'cascade' }),
    subcategoryId: text('subcategory_id')
      .notNull()
      .references(() => subcategories.id, { onDelete: 'cascade' }),
  },
  (table) => [
    primaryKey({ columns: [table.providerId, table.subcategoryId] }),
    index('provider_subcategories_subcategory_idx').on(table.subcategoryId),
  ],
)

export const services = sqliteTable(
  'services',
  {
    id: text('id').primaryKey(),
    providerId: text('provider_id')
      .notNull()
      .references(() => providers.id, { onDelete: 'cascade' }),
    subcategoryId: text('subcategory_id')
      .notNull()
      .references(() => subcategories.id),
    title: text('title').notNull(),
    description: text('description'),
    /** Halalas (1/100 SAR). */
    priceFrom: integer('price_from'),
    priceTo: integer('price_to'),
    isActive: integer('is_active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [index('services_provider_idx').on(table.providerId, table.createdAt)],
)

export const portfolioKinds = ['image', 'video'] as const

export const portfolioItems = sqliteTable(
  'portfolio_items',
  {
    id: text('id').primaryKey(),
    providerId: text('provider_id')
      .notNull()
      .references(() => providers.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: portfolioKinds }).notNull(),
    /** Where the file is served, relative to the server (`/uploads/portfolio/<name>`). */
    path: text('path').notNull(),
    mimeType: text('mime_type').notNull(),
    sizeBytes: integer('size_bytes').notNull(),
    caption: text('caption'),
    createdAt: createdAt(),
  },
  (table) => [index('portfolio_items_provider_idx').on(table.providerId, table.createdAt)],
)

const userMarks = (name: string, target: string, targetTable: () => { id: AnySQLiteColumn }) =>
  sqliteTable(
    name,
    {
      userId: text('user_id')
        .notNull()
        .references(() => users.id, { onDelete: 'cascade' }),
      targetId: text(target)
        .notNull()
        .references(() => targetTable().id, { onDelete: 'cascade' }),
      createdAt: createdAt(),
    },
    (table) => [
      primaryKey({ columns: [table.userId, table.targetId] }),
      index(`${name}_target_idx`).on(table.targetId, table.createdAt),
    ],
  )

/** Who follows, likes a provider, and likes a portfolio item: one row per pair, so repeating is a no-op. */
export const providerFollows = userMarks('provider_follows', 'provider_id', () => providers)
export const providerLikes = userMarks('provider_likes', 'provider_id', () => providers)
export const portfolioLikes = userMarks('portfolio_likes', 'item_id', () => portfolioItems)

export const requestTypes = ['normal', 'competitive', 'urgent'] as const
export type RequestType = (typeof requestTypes)[number]
export const requestStatuses = [
  'sent',
  'accepted',
  'rejected',
  'in_progress',
  'completed',
  'cancelled',
  'expired',
] as const
export type RequestStatus = (typeof requestStatuses)[number]

export const serviceRequests = sqliteTable(
  'service_requests',
  {
    id: text('id').primaryKey(),
    clientId: text('client_id')
      .notNull()
      .references(() => users.id),
    type: text('type', { enum: requestTypes }).notNull(),
    status: text('status', { enum: requestStatuses }).notNull(),
    title: text('title').notNull(),
    description: text('description').notNull(),
    subcategoryId: text('subcategory_id')
      .notNull()
      .references(() => subcategories.id),
    city: text('city').notNull(),
    cityKey: text('city_key').notNull().default(''),
    /** Halalas (1/100 SAR). */
    budget: integer('budget'),
    /** The assigned provider: a normal request's from creation, otherwise the winner of an offer or claim. */
    providerId: text('provider_id').references(() => providers.id),
    acceptedOfferId: text('accepted_offer_id'),
    expiresAt: timestamp('expires_at'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    index('service_requests_client_idx').on(table.clientId, table.createdAt),
    index('service_requests_provider_idx').on(table.providerId, table.createdAt),
    index('service_requests_open_idx').on(table.status, table.subcategoryId, table.createdAt),
    index('service_requests_created_idx').on(table.createdAt, table.id),
    index('service_requests_city_idx').on(table.cityKey),
  ],
)

export const requestHistory = sqliteTable(
  'service_request_history',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id')
      .notNull()
      .references(() => serviceRequests.id, { onDelete: 'cascade' }),
    status: text('status', { enum: requestStatuses }).notNull(),
    /** Null when the system made the change (an urgent request expiring). */
    actorId: text('actor_id').references(() => users.id),
    note: text('note'),
    at: timestamp('at').notNull(),
  },
  (table) => [index('service_request_history_request_idx').on(table.requestId, table.at)],
)

export const offerStatuses = ['pending', 'accepted', 'rejected'] as const

export const offers = sqliteTable(
  'offers',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id')
      .notNull()
      .references(() => serviceRequests.id, { onDelete: 'cascade' }),
    providerId: text('provider_id')
      .notNull()
      .references(() => providers.id),
    /** Halalas (1/100 SAR). */
    price: integer('price').notNull(),
    etaDays: integer('eta_days'),
    note: text('note'),
    status: text('status', { enum: offerStatuses }).notNull(),
    createdAt: createdAt(),
  },
  (table) => [uniqueIndex('offers_one_per_provider').on(table.requestId, table.providerId)],
)

export const requestMessages = sqliteTable(
  'service_request_messages',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id')
      .notNull()
      .references(() => serviceRequests.id, { onDelete: 'cascade' }),
    senderId: text('sender_id')
      .notNull()
      .references(() => users.id),
    body: text('body').notNull(),
    clientMsgId: text('client_msg_id'),
    createdAt: createdAt(),
  },
  (table) => [
    index('service_request_messages_request_idx').on(table.requestId, table.createdAt),
    uniqueIndex('service_request_messages_client_msg_idx').on(table.requestId, table.senderId, table.clientMsgId),
  ],
)

/** Up to where each participant has read a request's chat. */
export const requestReads = sqliteTable(
  'service_request_reads',
  {
    requestId: text('request_id')
      .notNull()
      .references(() => serviceRequests.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    readAt: timestamp('read_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.requestId, table.userId] })],
)

export const reviews = sqliteTable(
  'reviews',
  {
    id: text('id').primaryKey(),
    requestId: text('request_id')
      .notNull()
      .unique()
      .references(() => serviceRequests.id),
    providerId: text('provider_id')
      .notNull()
      .references(() => providers.id, { onDelete: 'cascade' }),
    clientId: text('client_id')
      .notNull()
      .references(() => users.id),
    rating: integer('rating').notNull(),
    comment: text('comment'),
    createdAt: createdAt(),
  },
  (table) => [
    index('reviews_provider_idx').on(table.providerId, table.createdAt),
    check('reviews_rating_range', sql`${table.rating} between 1 and 5`),
  ],
)
