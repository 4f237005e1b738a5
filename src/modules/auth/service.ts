import { and, asc, count, desc, eq, inArray, isNull, or, sql, type Column, type SQL } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { containsText } from '../../db/contains.ts'
import {
  defaultPreferences,
  follows,
  users,
  type Role,
  type StaffProfile,
  type UserPreferences,
} from '../../db/schema/auth.ts'
import type { AuthUser } from '../../access/policy.ts'
import { DomainError, conflict, notFound, invalid } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { newId } from '../../ids.ts'
import { ShortLivedCache } from '../../short-lived-cache.ts'
import { dbErrorMentions } from '../../db/errors.ts'

export type UserRow = typeof users.$inferSelect

// Verified against when the account does not exist, so a wrong email costs the same time as a wrong password.
const absentUserHash = Bun.password.hashSync('absent-user-placeholder', { algorithm: 'argon2id' })

const hashPassword = (password: string) => Bun.password.hash(password, { algorithm: 'argon2id' })

const normalizeEmail = (email: string | undefined) => email?.trim().toLowerCase()

const isUniqueViolation = (error: unknown, column: string) =>
  dbErrorMentions(error, `UNIQUE constraint failed: users.${column}`)

export interface NewAccount {
  email?: string
  phone?: string
  password: string
  name: string
  role: Exclude<Role, 'phone_only' | 'staff'>
}

export interface ProfileChanges {
  name?: string
  email?: string
  bio?: string | null
  avatarUrl?: string | null
  preferences?: Partial<UserPreferences>
}

export function toPrivateUser(user: UserRow) {
  const { passwordHash: _hash, staffModules: _modules, deletedAt: _deleted, preferences, ...visible } = user
  return { ...visible, preferences: { ...defaultPreferences, ...preferences } }
}

const active = (condition: SQL | undefined) => and(condition, isNull(users.deletedAt))

/**
 * How long the auth guard may reuse a user it loaded. Changes made through this process evict
 * at once; another instance's change (role, deletion) is seen within this time.
 */
const AUTH_USER_TTL_MS = 2000

/** Users, their credentials, profile and follows (coins: wallet.ts). */
/** Figures other modules add to public profiles; the auth module reads none of their tables. */
export type ProfileCount = 'streams'

export class UserService {
  private readonly authUsers: ShortLivedCache<AuthUser | null>
  private readonly profileCounts = new Map<ProfileCount, (userId: string) => Promise<number>>()
  private readonly activeById

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {
    this.authUsers = new ShortLivedCache(AUTH_USER_TTL_MS, () => clock.now())
    this.activeById = db
      .select()
      .from(users)
      .where(active(eq(users.id, sql.placeholder('id'))))
      .limit(1)
      .prepare()
  }

  async register(account: NewAccount): Promise<UserRow> {
    if (!account.email && !account.phone) {
      throw invalid('EMAIL_OR_PHONE_REQUIRED', 'Give an email or a phone number (or both)')
    }
    return this.insertUser({
      email: normalizeEmail(account.email) ?? null,
      phone: account.phone ?? null,
      passwordHash: await hashPassword(account.password),
      name: account.name,
      // Supporters read customers' tickets and requests: an applicant is a customer until staff approve.
      ...(account.role === 'supporter' ? { role: 'customer', pendingRole: 'supporter' } : { role: account.role }),
    })
  }

  /** Staff approve a supporter applicant: one guarded update, so approving twice is a conflict. */
  async approveSupporter(id: string): Promise<UserRow> {
    const [approved] = await this.db
      .update(users)
      .set({ role: 'supporter', pendingRole: null, updatedAt: new Date(this.clock.now()) })
      .where(active(and(eq(users.id, id), eq(users.pendingRole, 'supporter'))))
      .returning()
    this.authUsers.forget(id)
    if (approved) return approved
    await this.require(id)
    throw conflict('NOT_PENDING', 'This account has not applied to be a supporter, or was already approved')
  }

  /** Supporter applicants waiting for approval, oldest first. */
  async pendingSupporters(page: { limit: number; cursor?: string }) {
    const rows = await this.db
      .select()
      .from(users)
      .where(
        active(
          and(
            eq(users.pendingRole, 'supporter'),
            afterCursor(users.createdAt, users.id, decodeCursor(page.cursor), 'asc'),
          ),
        ),
      )
      .orderBy(asc(users.createdAt), asc(users.id))
      .limit(page.limit + 1)
    const { items, nextCursor } = toPage(rows, page.limit)
    return { items: items.map(toPrivateUser), nextCursor }
  }

  /** Accounts for staff, newest first, by role and words of name, email or phone. */
  async list(query: { q?: string; role?: Role; limit: number; cursor?: string }) {
    const rows = await this.db
      .select()
      .from(users)
      .where(
        active(
          and(
            query.role ? eq(users.role, query.role) : undefined,
            query.q ? containsText(query.q, users.name, users.email, users.phone) : undefined,
            afterCursor(users.createdAt, users.id, decodeCursor(query.cursor)),
          ),
        ),
      )
      .orderBy(desc(users.createdAt), desc(users.id))
      .limit(query.limit + 1)
    const { items, nextCursor } = toPage(rows, query.limit)
    return { items: items.map(toPrivateUser), nextCursor }
  }

  async createStaff(account: {
    email: string
    password: string
    name: string
    profile: StaffProfile
    modules: string[]
  }) {
    return this.insertUser({
      email: normalizeEmail(account.email)!,
      passwordHash: await hashPassword(account.password),
      name: account.name,
      role: 'staff',
      staffProfile: account.profile,
      staffModules: account.modules,
    })
  }

  /** The same answer for an unknown account and a wrong password, in about the same time. */
  async authenticate(login: { email?: string; phone?: string; password: string }): Promise<UserRow> {
    if (!login.email && !login.phone)
      throw invalid('EMAIL_OR_PHONE_REQUIRED', 'Give the email or the phone number you registered with')
    const where = login.email ? eq(users.email, normalizeEmail(login.email)!) : eq(users.phone, login.phone!)
    const user = await this.db.query.users.findFirst({ where: active(where) })
    const valid = await Bun.password.verify(login.password, user?.passwordHash ?? absentUserHash)
    if (!user?.passwordHash || !valid) {
      throw new DomainError('INVALID_CREDENTIALS', 'Wrong email, phone or password')
    }
    return user
  }

  /** Finds the phone's account, or opens a phone_only one that must complete its profile. */
  async findOrCreateByPhone(phone: string): Promise<{ user: UserRow; isNewUser: boolean }> {
    const existing = await this.db.query.users.findFirst({ where: active(eq(users.phone, phone)) })
    if (existing) return { user: existing, isNewUser: false }
    const user = await this.insertUser({ phone, name: '', role: 'phone_only' })
    return { user, isNewUser: true }
  }

  async findActive(id: string): Promise<UserRow | null> {
    return (await this.activeById.get({ id })) ?? null
  }

  /** The guard's view of a user, on every authenticated request: cached for AUTH_USER_TTL_MS. */
  loadAuthUser(id: string): Promise<AuthUser | null> {
    return this.authUsers.get(id, async () => {
      const row = await this.findActive(id)
      return (
        row && {
          id: row.id,
          role: row.role,
          name: row.name,
          staffProfile: row.staffProfile,
          staffModules: row.staffModules,
        }
      )
    })
  }

  async require(id: string): Promise<UserRow> {
    const user = await this.findActive(id)
    if (!user) throw notFound('User')
    return user
  }

  async updateProfile(id: string, { preferences, ...changes }: ProfileChanges): Promise<UserRow> {
    const merged = preferences && { ...defaultPreferences, ...(await this.require(id)).preferences, ...preferences }
    return this.updateUser(id, { ...changes, email: normalizeEmail(changes.email), preferences: merged })
  }

  /**
   * An OTP account has no name until it completes its profile, also if it became a provider
   * first (it keeps that role); phone_only becomes customer.
   */
  async completeProfile(id: string, profile: { name: string; email?: string; password?: string }): Promise<UserRow> {
    const user = await this.require(id)
    if (user.name !== '') throw conflict('PROFILE_ALREADY_COMPLETE', 'This profile is already complete')
    return this.updateUser(id, {
      name: profile.name,
      email: normalizeEmail(profile.email),
      passwordHash: profile.password ? await hashPassword(profile.password) : undefined,
      role: user.role === 'phone_only' ? 'customer' : user.role,
    })
  }

  /**
   * A customer (or phone_only account) who registers as a provider takes the provider role, which
   * the guard sees at once. Other roles keep theirs: a provider profile, not the role, opens the
   * provider routes.
   */
  async becomeProvider(id: string): Promise<void> {
    await this.db
      .update(users)
      .set({ role: 'provider', updatedAt: new Date(this.clock.now()) })
      .where(active(and(eq(users.id, id), inArray(users.role, ['phone_only', 'customer']))))
    this.authUsers.forget(id)
  }

  async setAvailability(id: string, available: boolean): Promise<UserRow> {
    return this.updateUser(id, { available })
  }

  /**
   * Closes the account: personal data is erased and email/phone freed, while the row stays so
   * that records other people own (tickets, payments) still point somewhere.
   */
  async deleteAccount(id: string): Promise<void> {
    const now = new Date(this.clock.now())
    await this.db.batch([
      this.db.delete(follows).where(or(eq(follows.followerId, id), eq(follows.followeeId, id))),
      this.db
        .update(users)
        .set({
          email: null,
          phone: null,
          passwordHash: null,
          name: 'Deleted user',
          bio: null,
          avatarUrl: null,
          available: false,
          deletedAt: now,
          updatedAt: now,
        })
        .where(eq(users.id, id)),
    ])
    this.authUsers.forget(id)
  }

  async publicProfile(id: string, viewerId: string) {
    const user = await this.require(id)
    const hosted = (await this.profileCounts.get('streams')?.(id)) ?? 0
    const [[followers], [following], [viewerFollows]] = await this.db.batch([
      this.db.select({ n: count() }).from(follows).where(eq(follows.followeeId, id)),
      this.db.select({ n: count() }).from(follows).where(eq(follows.followerId, id)),
      this.db
        .select({ n: count() })
        .from(follows)
        .where(and(eq(follows.followerId, viewerId), eq(follows.followeeId, id))),
    ])
    return {
      id: user.id,
      name: user.name,
      role: user.role,
      bio: user.bio,
      avatarUrl: user.avatarUrl,
      available: user.available,
      followers: followers?.n ?? 0,
      following: following?.n ?? 0,
      streams: hosted,
      isFollowing: (viewerFollows?.n ?? 0) > 0,
      createdAt: user.createdAt,
    }
  }

  addProfileCount(name: ProfileCount, count: (userId: string) => Promise<number>): void {
    this.profileCounts.set(name, count)
  }

  async followerIds(userId: string): Promise<string[]> {
    return (await this.db.select({ id: follows.followerId }).from(follows).where(eq(follows.followeeId, userId))).map(
      (row) => row.id,
    )
  }

  /** SQL that holds when the user follows whoever `followee` names (a column of the caller's query). */
  followsCondition(followerId: string, followee: Column): SQL {
    return sql`exists (select 1 from ${follows} where ${follows.followerId} = ${followerId} and ${follows.followeeId} = ${followee})`
  }

  /** Idempotent: following twice, or unfollowing someone not followed, is not an error. */
  async setFollowing(followerId: string, followeeId: string, following: boolean) {
    if (followerId === followeeId) throw invalid('CANNOT_FOLLOW_SELF', 'You cannot follow yourself')
    await this.require(followeeId)
    const pair = and(eq(follows.followerId, followerId), eq(follows.followeeId, followeeId))
    if (following) {
      await this.db
        .insert(follows)
        .values({ followerId, followeeId, createdAt: new Date(this.clock.now()) })
        .onConflictDoNothing()
    } else {
      await this.db.delete(follows).where(pair)
    }
    const [followers] = await this.db.select({ n: count() }).from(follows).where(eq(follows.followeeId, followeeId))
    return { following, followers: followers?.n ?? 0 }
  }

  private async insertUser(values: Omit<typeof users.$inferInsert, 'id'>): Promise<UserRow> {
    const now = new Date(this.clock.now())
    try {
      const [user] = await this.db
        .insert(users)
        .values({ ...values, id: newId('usr'), createdAt: now, updatedAt: now })
        .returning()
      return user!
    } catch (error) {
      throw this.duplicateOr(error)
    }
  }

  private async updateUser(id: string, changes: Partial<typeof users.$inferInsert>): Promise<UserRow> {
    try {
      const [user] = await this.db
        .update(users)
        .set({ ...changes, updatedAt: new Date(this.clock.now()) })
        .where(active(eq(users.id, id)))
        .returning()
      if (!user) throw notFound('User')
      return user
    } catch (error) {
      throw this.duplicateOr(error)
    } finally {
      this.authUsers.forget(id) // after the write, so no request re-caches the old row
    }
  }

  private duplicateOr(error: unknown): unknown {
    if (isUniqueViolation(error, 'email')) return conflict('EMAIL_TAKEN', 'An account with this email already exists')
    if (isUniqueViolation(error, 'phone'))
      return conflict('PHONE_TAKEN', 'An account with this phone number already exists')
    return error
  }
}
