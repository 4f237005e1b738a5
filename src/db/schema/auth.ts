import { sql } from 'drizzle-orm'
import { check, index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { createdAt, timestamp } from './columns.ts'

export const roles = ['phone_only', 'customer', 'supporter', 'teacher', 'provider', 'staff'] as const
export type Role = (typeof roles)[number]
export const staffProfiles = ['admin', 'power', 'user', 'qa'] as const
export type StaffProfile = (typeof staffProfiles)[number]
/** The back-office areas a staff member can be given (admin has them all). */
export const staffModules = [
  'tickets',
  'support',
  'catalog',
  'marketplace',
  'verification',
  'promo',
  'billing',
  'analytics',
  'users',
  'streams',
  'courses',
] as const
export type StaffModule = (typeof staffModules)[number]
/** A role asked for at registration that staff must approve first; until then the account is a customer. */
export const pendingRoles = ['supporter'] as const

export const languages = ['ar', 'en'] as const
export const themes = ['light', 'dark'] as const
export interface UserPreferences {
  language: (typeof languages)[number]
  theme: (typeof themes)[number]
}
export const defaultPreferences: UserPreferences = { language: 'ar', theme: 'light' }

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').unique(),
    phone: text('phone').unique(),
    passwordHash: text('password_hash'),
    name: text('name').notNull(),
    role: text('role', { enum: roles }).notNull(),
    pendingRole: text('pending_role', { enum: pendingRoles }),
    staffProfile: text('staff_profile', { enum: staffProfiles }),
    staffModules: text('staff_modules', { mode: 'json' }).$type<string[]>(),
    available: integer('available', { mode: 'boolean' }).notNull().default(false),
    bio: text('bio'),
    avatarUrl: text('avatar_url'),
    preferences: text('preferences', { mode: 'json' }).$type<UserPreferences>(),
    coinBalance: integer('coin_balance').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at')
      .notNull()
      .$defaultFn(() => new Date()),
    deletedAt: timestamp('deleted_at'),
  },
  (table) => [check('users_coin_balance_non_negative', sql`${table.coinBalance} >= 0`)],
)

export const refreshTokens = sqliteTable(
  'refresh_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    familyId: text('family_id').notNull(),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: timestamp('expires_at').notNull(),
    usedAt: timestamp('used_at'),
    revokedAt: timestamp('revoked_at'),
    createdAt: createdAt(),
  },
  (table) => [index('refresh_tokens_family_idx').on(table.familyId), index('refresh_tokens_user_idx').on(table.userId)],
)

export const otpCodes = sqliteTable(
  'otp_codes',
  {
    id: text('id').primaryKey(),
    phone: text('phone').notNull(),
    codeHash: text('code_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: timestamp('expires_at').notNull(),
    consumedAt: timestamp('consumed_at'),
    createdAt: createdAt(),
  },
  (table) => [index('otp_codes_phone_idx').on(table.phone, table.createdAt)],
)

export const follows = sqliteTable(
  'follows',
  {
    followerId: text('follower_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    followeeId: text('followee_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.followerId, table.followeeId] }),
    index('follows_followee_idx').on(table.followeeId),
  ],
)

/** The coin ledger: every balance change is one row, so the balance can always be explained. */
export const walletTransactions = sqliteTable(
  'wallet_transactions',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    amount: integer('amount').notNull(),
    balanceAfter: integer('balance_after').notNull(),
    kind: text('kind').notNull(),
    reference: text('reference'),
    createdAt: createdAt(),
  },
  (table) => [index('wallet_transactions_user_idx').on(table.userId, table.createdAt)],
)
