import { and, desc, eq, isNull } from 'drizzle-orm'
import type { Clock } from '../../../clock.ts'
import type { Database } from '../../../db/client.ts'
import { users } from '../../../db/schema/auth.ts'
import { liveChatMessages, liveSessions } from '../../../db/schema/courses.ts'
import type { AuthUser } from '../../../access/policy.ts'
import { DomainError, notFound } from '../../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../../http/pagination.ts'
import { newId } from '../../../ids.ts'
import type { Hub } from '../../../realtime/hub.ts'
import { liveRoomName } from '../sessions.ts'
import { removedFromSession, requireLive, type ClassroomAccess } from './access.ts'
import type { ParticipantStore } from './participants.ts'

export interface ChatMessage {
  id: string
  sessionId: string
  userId: string
  name: string
  content: string
  createdAt: Date
}

const columns = {
  id: liveChatMessages.id,
  sessionId: liveChatMessages.sessionId,
  userId: liveChatMessages.userId,
  name: users.name,
  content: liveChatMessages.content,
  createdAt: liveChatMessages.createdAt,
}

/** The class chat: stored, idempotent per clientMsgId, with the teacher's delete, per-student mute and slow mode. */
export class ClassChat {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly access: ClassroomAccess,
    private readonly participants: ParticipantStore,
    private readonly hub: Hub,
  ) {}

  async post(
    user: AuthUser,
    sessionId: string,
    input: { content: string; clientMsgId?: string },
  ): Promise<ChatMessage> {
    const { session, role } = await this.access.member(user, sessionId)
    requireLive(session)
    if (input.clientMsgId) {
      const repeated = await this.findByClientId(sessionId, user.id, input.clientMsgId)
      if (repeated) return repeated
    }
    if (role === 'student') await this.assertStudentMaySend(sessionId, user.id)
    const message = {
      id: newId('lcm'),
      sessionId,
      userId: user.id,
      content: input.content,
      clientMsgId: input.clientMsgId,
      createdAt: new Date(this.clock.now()),
    }
    const [stored] = await this.db.insert(liveChatMessages).values(message).onConflictDoNothing().returning()
    // Lost a race with the same clientMsgId: the first one stands.
    if (!stored) return (await this.findByClientId(sessionId, user.id, input.clientMsgId!))!
    const shown: ChatMessage = {
      id: stored.id,
      sessionId,
      userId: user.id,
      name: user.name,
      content: stored.content,
      createdAt: stored.createdAt,
    }
    this.hub.publish(liveRoomName(sessionId), 'live:chat-message', shown)
    return shown
  }

  /** Newest first, without deleted messages. */
  async list(user: AuthUser, sessionId: string, page: { cursor?: string; limit: number }) {
    await this.access.member(user, sessionId)
    const rows = await this.db
      .select(columns)
      .from(liveChatMessages)
      .innerJoin(users, eq(users.id, liveChatMessages.userId))
      .where(
        and(
          eq(liveChatMessages.sessionId, sessionId),
          isNull(liveChatMessages.deletedAt),
          afterCursor(liveChatMessages.createdAt, liveChatMessages.id, decodeCursor(page.cursor)),
        ),
      )
      .orderBy(desc(liveChatMessages.createdAt), desc(liveChatMessages.id))
      .limit(page.limit + 1)
    return toPage(rows, page.limit)
  }

  async delete(teacher: AuthUser, sessionId: string, messageId: string): Promise<void> {
    await this.access.teacher(teacher, sessionId, 'deletes chat messages')
    const [deleted] = await this.db
      .update(liveChatMessages)
      .set({ deletedAt: new Date(this.clock.now()) })
      .where(
        and(
          eq(liveChatMessages.id, messageId),
          eq(liveChatMessages.sessionId, sessionId),
          isNull(liveChatMessages.deletedAt),
        ),
      )
      .returning({ id: liveChatMessages.id })
    if (!deleted) throw notFound('Chat message')
    this.hub.publish(liveRoomName(sessionId), 'live:chat-deleted', { sessionId, messageId })
  }

  async mute(teacher: AuthUser, sessionId: string, userId: string, muted: boolean): Promise<void> {
    await this.access.teacher(teacher, sessionId, 'mutes the chat')
    await this.access.requireStudent(userId, sessionId)
    await this.participants.setChatMuted(sessionId, userId, muted)
    this.hub.sendToUser(userId, 'live:chat-muted', { sessionId, userId, muted })
  }

  async slowMode(teacher: AuthUser, sessionId: string, seconds: number): Promise<void> {
    await this.access.teacher(teacher, sessionId, 'sets slow mode')
    await this.db.update(liveSessions).set({ chatSlowSeconds: seconds }).where(eq(liveSessions.id, sessionId))
    this.hub.publish(liveRoomName(sessionId), 'live:chat-slow', { sessionId, seconds })
  }

  private async assertStudentMaySend(sessionId: string, userId: string): Promise<void> {
    const standing = await this.participants.standing(sessionId, userId)
    if (standing.removedAt) throw removedFromSession()
    if (standing.chatMuted) throw new DomainError('CHAT_MUTED', 'The teacher muted your chat')
    const slowSeconds = await this.slowSeconds(sessionId)
    if (slowSeconds === 0) return
    const [last] = await this.db
      .select({ createdAt: liveChatMessages.createdAt })
      .from(liveChatMessages)
      .where(and(eq(liveChatMessages.sessionId, sessionId), eq(liveChatMessages.userId, userId)))
      .orderBy(desc(liveChatMessages.createdAt))
      .limit(1)
    const waitMs = last ? last.createdAt.getTime() + slowSeconds * 1000 - this.clock.now() : 0
    if (waitMs > 0) {
      const retryAfter = Math.ceil(waitMs / 1000)
      throw new DomainError(
        'SLOW_MODE',
        `Slow mode: one message every ${slowSeconds} s; try again in ${retryAfter} s`,
        { retryAfterSec: retryAfter },
      )
    }
  }

  /** Slow mode changes take effect at once on every instance, so it is read fresh rather than from the session cache. */
  async slowSeconds(sessionId: string): Promise<number> {
    const [row] = await this.db
      .select({ seconds: liveSessions.chatSlowSeconds })
      .from(liveSessions)
      .where(eq(liveSessions.id, sessionId))
    return row?.seconds ?? 0
  }

  private async findByClientId(sessionId: string, userId: string, clientMsgId: string): Promise<ChatMessage | null> {
    const [row] = await this.db
      .select(columns)
      .from(liveChatMessages)
      .innerJoin(users, eq(users.id, liveChatMessages.userId))
      .where(
        and(
          eq(liveChatMessages.sessionId, sessionId),
          eq(liveChatMessages.userId, userId),
          eq(liveChatMessages.clientMsgId, clientMsgId),
        ),
      )
    return row ?? null
  }
}
