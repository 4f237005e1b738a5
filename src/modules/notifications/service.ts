import { and, count, desc, eq, gte, inArray, isNull, lt, type SQL } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { storageUnavailable } from '../../db/errors.ts'
import { defaultPreferences, users, type UserPreferences } from '../../db/schema/auth.ts'
import { deviceTokens, notifications } from '../../db/schema/notifications.ts'
import { notFound } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { newId } from '../../ids.ts'
import type { Logger } from '../../logger.ts'

/** Text in each language a user may prefer; the recipient's `preferences.language` picks one. */
export type Localized = Record<UserPreferences['language'], string>
/** Localized, or a plain string the same for everyone (what a user wrote: a subject, a title). */
type LocalizedText = string | Localized

export interface NewNotification {
  type: string
  /** Always in both languages: a notification reads in its recipient's language. */
  title: Localized
  body?: LocalizedText
  data?: Record<string, unknown>
  /** Makes a retried send a no-op: at most one notification per user and key. */
  dedupeKey?: string
}

/** `area.event` matches that type, `area` every type of the area ('.' < '/' in byte order), `all` everything. */
function ofType(type: string | undefined): SQL | undefined {
  if (type === undefined || type === 'all') return undefined
  if (type.includes('.')) return eq(notifications.type, type)
  return and(gte(notifications.type, `${type}.`), lt(notifications.type, `${type}/`))
}

type NotificationRow = typeof notifications.$inferSelect

/** Where a stored notification is pushed live (the /ws hub). */
export type NotificationPush = (userId: string, notification: ReturnType<typeof toNotificationDto>) => void

const toNotificationDto = ({ userId: _owner, dedupeKey: _key, ...notification }: NotificationRow) => ({
  ...notification,
  read: notification.readAt !== null,
})

const DAY_MS = 24 * 60 * 60 * 1000
const INSERT_CHUNK = 200
const inLanguage = (text: LocalizedText, language: UserPreferences['language']) =>
  typeof text === 'string' ? text : text[language]

/** Stored per user first, then pushed on WS, so nothing is lost when the user is offline. */
export class NotificationService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly push: NotificationPush,
    private readonly retentionDays: number,
    private readonly logger: Logger,
  ) {}

  /**
   * Stores, then pushes; returns null when a notification with the same dedupe key was already sent,
   * or could not be stored (a full disk): what it tells of has happened, so its caller goes on.
   */
  async notify(userId: string, notification: NewNotification) {
    return (await this.notifyAll([userId], notification))[0] ?? null
  }

  /**
   * The same notification to many users (a host's followers): stored in multi-row inserts, then
   * pushed; users who already had it (same dedupe key) are skipped.
   */
  async notifyAll(userIds: string[], { title, body, ...notification }: NewNotification) {
    const createdAt = new Date(this.clock.now())
    const sent: Array<ReturnType<typeof toNotificationDto>> = []
    for (let start = 0; start < userIds.length; start += INSERT_CHUNK) {
      const chunk = userIds.slice(start, start + INSERT_CHUNK)
      const languages = await this.languagesOf(
        chunk,
        typeof title !== 'string' || (body !== undefined && typeof body !== 'string'),
      )
      const rows = await this.store(
        chunk.map((userId) => {
          const language = languages.get(userId) ?? defaultPreferences.language
          return {
            id: newId('ntf'),
            userId,
            ...notification,
            title: inLanguage(title, language),
            body: body && inLanguage(body, language),
            createdAt,
          }
        }),
      )
      for (const row of rows) {
        const dto = toNotificationDto(row)
        this.push(row.userId, dto)
        sent.push(dto)
      }
    }
    return sent
  }

  /** The rows stored (not those whose dedupe key was taken); none when storage refuses them, logged. */
  private async store(rows: Array<typeof notifications.$inferInsert>) {
    try {
      return await this.db.insert(notifications).values(rows).onConflictDoNothing().returning()
    } catch (error) {
      if (!storageUnavailable(error)) throw error
      this.logger.warn('notifications not stored: storage unavailable', {
        type: rows[0]?.type,
        users: rows.length,
        err: (error as Error).message,
      })
      return []
    }
  }

  private async languagesOf(userIds: string[], needed: boolean): Promise<Map<string, UserPreferences['language']>> {
    if (!needed) return new Map()
    const rows = await this.db
      .select({ id: users.id, preferences: users.preferences })
      .from(users)
      .where(inArray(users.id, userIds))
    return new Map(rows.map((row) => [row.id, row.preferences?.language ?? defaultPreferences.language]))
  }

  async list(userId: string, filter: { type?: string; unreadOnly?: boolean; cursor?: string; limit: number }) {
    const rows = await this.db
      .select()
      .from(notifications)
      .where(
        and(
          eq(notifications.userId, userId),
          ofType(filter.type),
          filter.unreadOnly ? isNull(notifications.readAt) : undefined,
          afterCursor(notifications.createdAt, notifications.id, decodeCursor(filter.cursor)),
        ),
      )
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(filter.limit + 1)
    const page = toPage(rows, filter.limit)
    return { items: page.items.map(toNotificationDto), nextCursor: page.nextCursor }
  }

  async unreadCount(userId: string): Promise<number> {
    const [row] = await this.db
      .select({ n: count() })
      .from(notifications)
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    return row?.n ?? 0
  }

  async markRead(userId: string, id: string) {
    const mine = and(eq(notifications.id, id), eq(notifications.userId, userId))
    await this.db
      .update(notifications)
      .set({ readAt: new Date(this.clock.now()) })
      .where(and(mine, isNull(notifications.readAt)))
    const row = await this.db.query.notifications.findFirst({ where: mine })
    if (!row) throw notFound('Notification')
    return toNotificationDto(row)
  }

  async markAllRead(userId: string): Promise<number> {
    const result = await this.db
      .update(notifications)
      .set({ readAt: new Date(this.clock.now()) })
      .where(and(eq(notifications.userId, userId), isNull(notifications.readAt)))
    return result.rowsAffected
  }

  /** Deletes the user's notifications older than the retention period (NOTIFICATION_RETENTION_DAYS). */
  async deleteOld(userId: string): Promise<number> {
    const cutoff = new Date(this.clock.now() - this.retentionDays * DAY_MS)
    const result = await this.db
      .delete(notifications)
      .where(and(eq(notifications.userId, userId), lt(notifications.createdAt, cutoff)))
    return result.rowsAffected
  }

  /** Registers a push token; a token moves to whoever registers it last (a shared device). */
  async registerDeviceToken(userId: string, token: string, platform: (typeof deviceTokens.$inferInsert)['platform']) {
    const now = new Date(this.clock.now())
    const [row] = await this.db
      .insert(deviceTokens)
      .values({ id: newId('dvt'), userId, token, platform, createdAt: now, lastSeenAt: now })
      .onConflictDoUpdate({ target: deviceTokens.token, set: { userId, platform, lastSeenAt: now } })
      .returning()
    const { userId: _owner, ...visible } = row!
    return visible
  }
}
