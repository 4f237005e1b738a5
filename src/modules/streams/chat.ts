import { and, desc, eq, gt, sql } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { users } from '../../db/schema/auth.ts'
import { streamMessages, streams } from '../../db/schema/streams.ts'
import type { AuthUser } from '../../access/policy.ts'
import { DomainError, conflict, forbidden } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { newId } from '../../ids.ts'
import type { moderationActions } from './model.ts'
import type { StreamRow, StreamService } from './service.ts'
import { dbErrorMentions } from '../../db/errors.ts'

export type StreamMessageDto = typeof streamMessages.$inferSelect & { name: string }
export type ModerationAction = (typeof moderationActions)[number]

/** Outside the database: the stream's channel hears new messages and moderation. */
export interface ChatEvents {
  message(message: StreamMessageDto): void
  moderated(stream: StreamRow, event: { userId: string; action: ModerationAction; moderatorId: string }): void
}

const isUniqueViolation = (error: unknown) => dbErrorMentions(error, 'UNIQUE constraint failed: stream_messages')

const actionChanges: Record<ModerationAction, { muted?: boolean; banned?: boolean }> = {
  mute: { muted: true },
  unmute: { muted: false },
  ban: { banned: true },
  unban: { banned: false },
  kick: {},
}

/** Stream chat (stored, then broadcast; idempotent on clientMsgId; slow mode) and its moderation. */
export class StreamChat {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly streams: StreamService,
    private readonly events: ChatEvents,
  ) {}

  async post(
    user: AuthUser,
    streamId: string,
    input: { message: string; type?: 'text' | 'emoji'; clientMsgId?: string },
  ): Promise<{ message: StreamMessageDto; created: boolean }> {
    const stream = await this.streams.get(user, streamId)
    if (input.clientMsgId) {
      const existing = await this.byClientMsgId(streamId, user.id, input.clientMsgId)
      if (existing) return { message: existing, created: false }
    }
    const moderation = await this.streams.moderationOf(streamId, user.id)
    if (moderation.banned) throw forbidden('You are banned from this stream')
    if (moderation.muted) throw forbidden('You are muted in this stream')
    if (stream.status !== 'live') throw conflict('STREAM_ENDED', 'The stream has ended')
    if (stream.slowModeSec > 0 && !(await this.streams.isOnStage(streamId, user, stream.hostId)))
      await this.assertSlowMode(stream, user.id)

    const row = {
      id: newId('smsg'),
      streamId,
      userId: user.id,
      message: input.message,
      type: input.type ?? 'text',
      clientMsgId: input.clientMsgId ?? null,
      createdAt: new Date(this.clock.now()),
    }
    try {
      await this.db.batch([
        this.db.insert(streamMessages).values(row),
        this.db
          .update(streams)
          .set({ messages: sql`${streams.messages} + 1` })
          .where(eq(streams.id, streamId)),
      ])
    } catch (error) {
      // The same clientMsgId sent twice at once: the first stored it.
      const existing =
        isUniqueViolation(error) && input.clientMsgId
          ? await this.byClientMsgId(streamId, user.id, input.clientMsgId)
          : null
      if (existing) return { message: existing, created: false }
      throw error
    }
    const message = { ...row, name: user.name }
    this.events.message(message)
    return { message, created: true }
  }

  async history(user: AuthUser, streamId: string, page: { cursor?: string; limit: number }) {
    await this.streams.get(user, streamId)
    const rows = await this.selectMessages()
      .where(
        and(
          eq(streamMessages.streamId, streamId),
          afterCursor(streamMessages.createdAt, streamMessages.id, decodeCursor(page.cursor)),
        ),
      )
      .orderBy(desc(streamMessages.createdAt), desc(streamMessages.id))
      .limit(page.limit + 1)
    return toPage(rows, page.limit)
  }

  /** mute / unmute / ban / unban / kick any user id, present or not; ban and kick also take them out of the room. */
  async moderate(moderator: AuthUser, streamId: string, userId: string, action: ModerationAction) {
    const stream = await this.streams.get(moderator, streamId)
    await this.streams.assertModerator(moderator, stream, userId)
    if (stream.status !== 'live') throw conflict('STREAM_ENDED', 'The stream has ended')
    const state =
      action === 'kick'
        ? await this.streams.moderationOf(streamId, userId)
        : await this.streams.setModeration(stream, moderator.id, userId, actionChanges[action])
    // Told before the expulsion, so the expelled user's own connections hear why.
    this.events.moderated(stream, { userId, action, moderatorId: moderator.id })
    if (action === 'ban' || action === 'kick')
      await this.streams.expel(stream, userId, action === 'ban' ? 'banned' : 'kicked')
    return { streamId, userId, action, ...state }
  }

  private async assertSlowMode(stream: StreamRow, userId: string): Promise<void> {
    const since = new Date(this.clock.now() - stream.slowModeSec * 1000)
    const [last] = await this.db
      .select({ createdAt: streamMessages.createdAt })
      .from(streamMessages)
      .where(
        and(
          eq(streamMessages.streamId, stream.id),
          eq(streamMessages.userId, userId),
          gt(streamMessages.createdAt, since),
        ),
      )
      .orderBy(desc(streamMessages.createdAt))
      .limit(1)
    if (!last) return
    const retryAfterSec = Math.max(
      1,
      Math.ceil((last.createdAt.getTime() + stream.slowModeSec * 1000 - this.clock.now()) / 1000),
    )
    throw new DomainError('SLOW_MODE', `Slow mode is on: wait ${retryAfterSec} s before your next message`, {
      retryAfterSec,
    })
  }

  private async byClientMsgId(streamId: string, userId: string, clientMsgId: string): Promise<StreamMessageDto | null> {
    const [row] = await this.selectMessages().where(
      and(
        eq(streamMessages.streamId, streamId),
        eq(streamMessages.userId, userId),
        eq(streamMessages.clientMsgId, clientMsgId),
      ),
    )
    return row ?? null
  }

  private selectMessages() {
    return this.db
      .select({
        id: streamMessages.id,
        streamId: streamMessages.streamId,
        userId: streamMessages.userId,
        name: users.name,
        message: streamMessages.message,
        type: streamMessages.type,
        clientMsgId: streamMessages.clientMsgId,
        createdAt: streamMessages.createdAt,
      })
      .from(streamMessages)
      .innerJoin(users, eq(users.id, streamMessages.userId))
      .$dynamic()
  }
}
