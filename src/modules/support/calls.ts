import { and, count, eq, ne, or, sql } from 'drizzle-orm'
import type { MediaGrant } from '../../../media/index.ts'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { videoCalls } from '../../db/schema/support.ts'
import { staffMay, type AuthUser } from '../../access/policy.ts'
import { conflict, notFound } from '../../errors/domain.ts'

export type VideoCallRow = typeof videoCalls.$inferSelect

/** What happens outside the database when a call starts or ends (WS events, closing the media room). */
export interface CallEvents {
  started(call: VideoCallRow): void
  ended(call: VideoCallRow): void
}

export const callRoomId = (callId: string) => `call:${callId}`

const isParticipant = (call: VideoCallRow, userId: string) => call.customerId === userId || call.supporterId === userId

/** Video calls of accepted support requests: only their two participants see and run them. */
export class VideoCallService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly events: CallEvents,
  ) {}

  /** Calls in progress now, for /metrics. */
  async activeCount(): Promise<number> {
    const [active] = await this.db.select({ n: count() }).from(videoCalls).where(eq(videoCalls.status, 'active'))
    return active?.n ?? 0
  }

  async get(user: AuthUser, id: string): Promise<VideoCallRow> {
    return this.visible(user, await this.db.query.videoCalls.findFirst({ where: eq(videoCalls.id, id) }))
  }

  async getByRoom(user: AuthUser, roomId: string): Promise<VideoCallRow> {
    return this.visible(user, await this.db.query.videoCalls.findFirst({ where: eq(videoCalls.roomId, roomId) }))
  }

  /** created → active; starting an active call again is a no-op. */
  async start(user: AuthUser, id: string): Promise<VideoCallRow> {
    const call = await this.participantCall(user, id)
    if (call.status === 'ended') throw conflict('CALL_ENDED', 'This call has ended')
    const [started] = await this.db
      .update(videoCalls)
      .set({ status: 'active', startedAt: new Date(this.clock.now()) })
      .where(and(eq(videoCalls.id, id), eq(videoCalls.status, 'created')))
      .returning()
    if (started) this.events.started(started)
    return started ?? this.get(user, id)
  }

  async end(user: AuthUser, id: string): Promise<VideoCallRow> {
    await this.participantCall(user, id)
    const ended = await this.endWhere(eq(videoCalls.id, id))
    if (!ended) throw conflict('CALL_ENDED', 'This call has already ended')
    return ended
  }

  /** When its request is completed or cancelled, the call ends too (if it has not). */
  async endForRequest(requestId: string): Promise<void> {
    await this.endWhere(eq(videoCalls.requestId, requestId))
  }

  /** Either participant asks to record a call that has not ended; it starts once both have. Whoever sees the call sees its recordings. */
  recordingSubject() {
    return {
      authorize: async (user: AuthUser, id: string) => {
        const call = await this.participantCall(user, id)
        if (call.status === 'ended') throw conflict('CALL_ENDED', 'This call has ended')
        return { room: callRoomId(call.id), consentFrom: [call.customerId, call.supporterId] }
      },
      mayView: async (user: AuthUser, id: string) => (await this.get(user, id).catch(() => null)) !== null,
    }
  }

  /** The `call` media-room resolver: both participants publish, only while the call is not over. */
  async mediaGrant(user: { id: string }, callId: string): Promise<MediaGrant | null> {
    const call = await this.db.query.videoCalls.findFirst({ where: eq(videoCalls.id, callId) })
    if (!call || call.status === 'ended' || !isParticipant(call, user.id)) return null
    return { canPublish: ['camera', 'microphone', 'screen', 'screen-audio'] }
  }

  async isLiveParticipant(userId: string, callId: string): Promise<boolean> {
    return (await this.mediaGrant({ id: userId }, callId)) !== null
  }

  private async endWhere(which: ReturnType<typeof eq>): Promise<VideoCallRow | undefined> {
    const now = this.clock.now()
    const [ended] = await this.db
      .update(videoCalls)
      .set({
        status: 'ended',
        endedAt: new Date(now),
        // Whole seconds: the bound `now` arrives as a REAL, so plain division would store a fraction.
        durationSec: sql`CASE WHEN ${videoCalls.startedAt} IS NULL THEN 0 ELSE CAST((${now} - ${videoCalls.startedAt}) / 1000 AS INTEGER) END`,
      })
      .where(and(which, ne(videoCalls.status, 'ended')))
      .returning()
    if (ended) this.events.ended(ended)
    return ended
  }

  private async participantCall(user: AuthUser, id: string): Promise<VideoCallRow> {
    const call = await this.db.query.videoCalls.findFirst({
      where: and(eq(videoCalls.id, id), or(eq(videoCalls.customerId, user.id), eq(videoCalls.supporterId, user.id))),
    })
    if (!call) throw notFound('Video call')
    return call
  }

  private visible(user: AuthUser, call: VideoCallRow | undefined): VideoCallRow {
    if (!call || (!staffMay(user, ['support', 'read']) && !isParticipant(call, user.id))) throw notFound('Video call')
    return call
  }
}
