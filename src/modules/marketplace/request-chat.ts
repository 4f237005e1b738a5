import { and, count, desc, eq, gt, ne, sql } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { requestMessages, requestReads } from '../../db/schema/marketplace.ts'
import { staffMay, type AuthUser } from '../../access/policy.ts'
import { ApiError } from '../../http/errors.ts'
import { DomainError, conflict } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { newId } from '../../ids.ts'
import type { RequestRow, RequestService } from './requests.ts'

type RequestMessageRow = typeof requestMessages.$inferSelect

/** What the realtime side does once a message is stored or read. */
export interface ChatEvents {
  messageCreated(message: RequestMessageRow): void
  read(requestId: string, userId: string, readAt: Date): void
}

const messageNotice = {
  type: 'request.message',
  title: { ar: 'رسالة جديدة على طلبك', en: 'A new message on your request' },
}

/**
 * The chat of a request between its client and assigned provider. Staff with the marketplace
 * module read it, and write through the back office. Messages are stored before anyone hears of them.
 */
export class RequestChat {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly requests: RequestService,
    private readonly events: ChatEvents,
  ) {}

  /** The request, if the user may read its chat: a participant or marketplace staff. */
  async readable(user: AuthUser, requestId: string): Promise<RequestRow> {
    const request = await this.requests.get(user, requestId)
    if (staffMay(user, ['marketplace', 'read']) || (await this.requests.isParticipant(user, request))) return request
    throw new DomainError('FORBIDDEN', 'Only the client and the assigned provider take part in this chat')
  }

  async canJoin(user: AuthUser, requestId: string): Promise<boolean> {
    try {
      await this.readable(user, requestId)
      return true
    } catch (error) {
      if (error instanceof ApiError) return false
      throw error
    }
  }

  async messages(user: AuthUser, requestId: string, page: { cursor?: string; limit: number }) {
    await this.readable(user, requestId)
    const rows = await this.db
      .select()
      .from(requestMessages)
      .where(
        and(
          eq(requestMessages.requestId, requestId),
          afterCursor(requestMessages.createdAt, requestMessages.id, decodeCursor(page.cursor)),
        ),
      )
      .orderBy(desc(requestMessages.createdAt), desc(requestMessages.id))
      .limit(page.limit + 1)
    return toPage(rows, page.limit)
  }

  /** A participant writes; a retry with the same clientMsgId returns the stored message (created: false). */
  async post(user: AuthUser, requestId: string, input: { body: string; clientMsgId?: string }) {
    const request = await this.requests.get(user, requestId)
    if (!(await this.requests.isParticipant(user, request)))
      throw new DomainError('FORBIDDEN', 'Only the client and the assigned provider write in this chat')
    return this.store(user, request, input)
  }

  /** Staff (module marketplace, beyond qa) write in a request's chat. */
  async postAsStaff(user: AuthUser, requestId: string, body: string) {
    return this.store(user, await this.requests.get(user, requestId), { body })
  }

  /** Marks every message from others up to now read; `marked` counts the ones that were unread. */
  async markRead(user: AuthUser, requestId: string) {
    await this.readable(user, requestId)
    const now = new Date(this.clock.now())
    const [[before]] = await this.db.batch([
      this.db.select({ n: count() }).from(requestMessages).where(this.unreadBy(user.id, requestId)),
      this.db
        .insert(requestReads)
        .values({ requestId, userId: user.id, readAt: now })
        .onConflictDoUpdate({
          target: [requestReads.requestId, requestReads.userId],
          set: { readAt: sql`max(${requestReads.readAt}, excluded.read_at)` },
        }),
    ])
    const marked = before?.n ?? 0
    if (marked > 0) this.events.read(requestId, user.id, now)
    return { marked }
  }

  async thread(user: AuthUser, requestId: string) {
    await this.readable(user, requestId)
    const [[unread], [lastMessage]] = await this.db.batch([
      this.db.select({ n: count() }).from(requestMessages).where(this.unreadBy(user.id, requestId)),
      this.db
        .select()
        .from(requestMessages)
        .where(eq(requestMessages.requestId, requestId))
        .orderBy(desc(requestMessages.createdAt), desc(requestMessages.id))
        .limit(1),
    ])
    return { unread: unread?.n ?? 0, lastMessage: lastMessage ?? null }
  }

  private async store(user: AuthUser, request: RequestRow, input: { body: string; clientMsgId?: string }) {
    if (!request.providerId) throw conflict('NOT_ASSIGNED', 'The chat opens once a provider is assigned')
    const [created] = await this.db
      .insert(requestMessages)
      .values({
        id: newId('rqm'),
        requestId: request.id,
        senderId: user.id,
        body: input.body,
        clientMsgId: input.clientMsgId ?? null,
        createdAt: new Date(this.clock.now()),
      })
      .onConflictDoNothing()
      .returning()
    if (!created) {
      const stored = await this.db.query.requestMessages.findFirst({
        where: and(
          eq(requestMessages.requestId, request.id),
          eq(requestMessages.senderId, user.id),
          eq(requestMessages.clientMsgId, input.clientMsgId ?? ''),
        ),
      })
      return { message: stored!, created: false }
    }
    this.events.messageCreated(created)
    const recipients = [request.clientId, ...(await this.requests.providerUsers(request))].filter(
      (id) => id !== user.id,
    )
    await this.requests.tell(recipients, messageNotice, request, input.body.slice(0, 140))
    return { message: created, created: true }
  }

  /** Messages from others after the user's read marker. */
  private unreadBy(userId: string, requestId: string) {
    const readAt = sql`coalesce((select ${requestReads.readAt} from ${requestReads} where ${requestReads.requestId} = ${requestId} and ${requestReads.userId} = ${userId}), -1)`
    return and(
      eq(requestMessages.requestId, requestId),
      ne(requestMessages.senderId, userId),
      gt(requestMessages.createdAt, readAt),
    )
  }
}
