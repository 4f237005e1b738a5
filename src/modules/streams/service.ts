import { and, count, desc, eq, or, sql, type SQL } from 'drizzle-orm'
import type { MediaGrant } from '../../../media/index.ts'
import type { Clock } from '../../clock.ts'
import type { Config } from '../../config.ts'
import type { Database } from '../../db/client.ts'
import { users } from '../../db/schema/auth.ts'
import {
  streamCoHosts,
  streamModeration,
  streams,
  streamViewers,
  type StreamStatus,
  type StreamType,
  type ViewerRole,
} from '../../db/schema/streams.ts'
import { staffMay, type AuthUser } from '../../access/policy.ts'
import { conflict, forbidden, notFound, invalid } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { iceServersFor } from '../../ice-servers.ts'
import { newId } from '../../ids.ts'
import type { JobScheduler } from '../../jobs/scheduler.ts'
import type { UserService } from '../auth/public.ts'
import type { VideoService } from './videos.ts'
import type { NotificationService } from '../notifications/public.ts'
import { dbErrorMentions } from '../../db/errors.ts'
import { logEvent, type Logger } from '../../logger.ts'

export type StreamRow = typeof streams.$inferSelect
export type StreamRole = 'host' | ViewerRole

const STREAM_ROOM = 'stream:'
/** A stream's media room and WS channel: `stream:<id>`. */
export const streamRoomName = (streamId: string) => `${STREAM_ROOM}${streamId}`
/** The stream id in a room or channel name, or null for any other kind of room. */
export const streamIdOf = (room: string) => (room.startsWith(STREAM_ROOM) ? room.slice(STREAM_ROOM.length) : null)
const HOST_GONE_MS = 60_000
const JOB_HOST_CHECK = 'stream.host-check'
const hostCheckKey = (streamId: string) => `stream:${streamId}:host-check`

export const toStreamDto = ({
  hostSeenAt: _seen,
  updatedAt: _updated,
  messages: _m,
  gifts: _g,
  coins: _c,
  ...stream
}: StreamRow) => ({
  ...stream,
  roomId: streamRoomName(stream.id),
})

export const statsOf = (stream: StreamRow) => ({
  durationSec: stream.durationSec ?? 0,
  peakViewers: stream.peakViewers,
  totalViewers: stream.totalViewers,
  messages: stream.messages,
  gifts: stream.gifts,
  coins: stream.coins,
})

/** Outside the database: the stream's WS channel and media room. */
export interface StreamEvents {
  ended(stream: StreamRow): void
  viewerJoined(stream: StreamRow, user: AuthUser, role: StreamRole): void
  viewerLeft(stream: StreamRow, user: { id: string; name: string }): void
  /** Removes the user's connections from the stream's channel and media room (kick, ban). */
  removeUser(streamId: string, userId: string, reason: string): void
}

export interface HostPresence {
  isConnected(userId: string): Promise<boolean>
}

export interface ModerationState {
  muted: boolean
  banned: boolean
}

const staffMayModerate = (user: AuthUser) => staffMay(user, ['streams', 'routine'])

/**
 * Live streams: one live stream per host, visibility (private: host, followers, invited co-hosts),
 * viewers counted once per user in SQL so the counts are exact under concurrent joins, ending with
 * stored stats, and a durable check that ends a stream whose host has been gone for a minute.
 */
export class StreamService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly scheduler: JobScheduler,
    private readonly notifications: NotificationService,
    private readonly users: UserService,
    private readonly hostPresence: HostPresence,
    private readonly events: StreamEvents,
    private readonly logger: Logger,
    private readonly hostGoneMs = HOST_GONE_MS,
  ) {
    scheduler.register(JOB_HOST_CHECK, (payload) => this.checkHost(String(payload.streamId)))
    users.addProfileCount(
      'streams',
      async (userId) => (await db.select({ n: count() }).from(streams).where(eq(streams.hostId, userId)))[0]?.n ?? 0,
    )
  }

  /** How many streams are live and how many viewers they have, for /metrics. */
  async liveTotals(): Promise<{ streams: number; viewers: number }> {
    const [totals] = await this.db
      .select({ streams: count(), viewers: sql<number>`coalesce(sum(${streams.viewerCount}), 0)` })
      .from(streams)
      .where(eq(streams.status, 'live'))
    return { streams: totals?.streams ?? 0, viewers: Number(totals?.viewers ?? 0) }
  }

  async create(
    host: AuthUser,
    input: { title: string; description?: string; type: StreamType; category?: string; isPrivate?: boolean },
  ) {
    const now = new Date(this.clock.now())
    let stream: StreamRow
    try {
      ;[stream] = (await this.db
        .insert(streams)
        .values({
          id: newId('str'),
          hostId: host.id,
          title: input.title,
          description: input.description ?? null,
          type: input.type,
          category: input.category ?? null,
          isPrivate: input.isPrivate ?? false,
          status: 'live',
          hostSeenAt: now,
          startedAt: now,
          updatedAt: now,
        })
        .returning()) as [StreamRow]
    } catch (error) {
      if (dbErrorMentions(error, 'streams.host_id')) {
        throw conflict('ALREADY_LIVE', 'You already have a live stream; end it first')
      }
      throw error
    }
    await this.scheduleHostCheck(stream.id, now.getTime() + this.hostGoneMs)
    logEvent(this.logger, 'stream.started', host.id, {
      streamId: stream.id,
      type: stream.type,
      isPrivate: stream.isPrivate,
    })
    await this.notifications.notifyAll(await this.users.followerIds(host.id), {
      type: 'stream.live',
      title: { ar: `${host.name} في بث مباشر الآن`, en: `${host.name} is live now` },
      body: stream.title,
      data: { streamId: stream.id, hostId: host.id, type: stream.type },
      dedupeKey: `stream:${stream.id}:live`,
    })
    return stream
  }

  async list(
    user: AuthUser,
    filter: {
      status?: StreamStatus
      type?: StreamType
      category?: string
      hostId?: string
      cursor?: string
      limit: number
    },
  ) {
    const rows = await this.db
      .select()
      .from(streams)
      .where(
        and(
          this.visibleTo(user),
          filter.status ? eq(streams.status, filter.status) : undefined,
          filter.type ? eq(streams.type, filter.type) : undefined,
          filter.category ? eq(streams.category, filter.category) : undefined,
          filter.hostId ? eq(streams.hostId, filter.hostId) : undefined,
          afterCursor(streams.startedAt, streams.id, decodeCursor(filter.cursor)),
        ),
      )
      .orderBy(desc(streams.startedAt), desc(streams.id))
      .limit(filter.limit + 1)
    const page = toPage(rows, filter.limit, (stream) => stream.startedAt)
    return { items: page.items.map(toStreamDto), nextCursor: page.nextCursor }
  }

  /** The stream if the user may see it; a private one they may not see is 404 (its existence is private). */
  async get(user: AuthUser, id: string): Promise<StreamRow> {
    const [stream] = await this.db
      .select()
      .from(streams)
      .where(and(eq(streams.id, id), this.visibleTo(user)))
    if (!stream) throw notFound('Stream')
    return stream
  }

  async update(user: AuthUser, id: string, changes: { title?: string; slowModeSec?: number }) {
    const stream = await this.get(user, id)
    if (stream.hostId !== user.id) throw forbidden('Only the host changes the stream')
    const [updated] = await this.db
      .update(streams)
      .set({ ...changes, updatedAt: new Date(this.clock.now()) })
      .where(and(eq(streams.id, id), eq(streams.status, 'live')))
      .returning()
    if (!updated) throw conflict('STREAM_ENDED', 'The stream has ended')
    return updated
  }

  /** Joins as a viewer or an invited co-host (the host joins as host, uncounted). */
  async join(
    user: AuthUser,
    id: string,
    asRole: ViewerRole,
  ): Promise<{ stream: StreamRow; role: StreamRole; iceServers: ReturnType<typeof iceServersFor> }> {
    const stream = await this.get(user, id)
    if (stream.hostId === user.id) {
      if (stream.status !== 'live') throw conflict('STREAM_ENDED', 'The stream has ended')
      return { stream, role: 'host', iceServers: iceServersFor(this.config, this.clock, user.id) }
    }
    if ((await this.moderationOf(id, user.id)).banned) throw forbidden('You are banned from this stream')
    if (stream.status !== 'live') throw conflict('STREAM_ENDED', 'The stream has ended')
    if (asRole === 'co-host' && !(await this.isInvitedCoHost(id, user.id)))
      throw forbidden('Only users the host invited join as co-host')
    const joined = await this.markPresent(stream, user.id, asRole)
    if (joined.changed) this.events.viewerJoined(joined.stream, user, asRole)
    return { stream: joined.stream, role: asRole, iceServers: iceServersFor(this.config, this.clock, user.id) }
  }

  /**
   * Viewers counted present whom no instance has in the stream any more: those of an instance
   * that died (its sockets closed without a leave). They leave now, so the counts stay true.
   */
  async dropAbsentViewers(isPresent: (streamId: string, userId: string) => Promise<boolean>): Promise<void> {
    const counted = await this.db
      .select({ streamId: streamViewers.streamId, userId: streamViewers.userId })
      .from(streamViewers)
      .innerJoin(streams, eq(streams.id, streamViewers.streamId))
      .where(and(eq(streamViewers.present, true), eq(streams.status, 'live')))
    for (const { streamId, userId } of counted) {
      if (await isPresent(streamId, userId)) continue
      const user = await this.users.findActive(userId)
      await this.leave({ id: userId, name: user?.name ?? '' }, streamId)
    }
  }

  /** The viewer is no longer in the stream (REST leave, or their last connection left its channel). */
  async leave(user: { id: string; name: string }, id: string): Promise<StreamRow | null> {
    const [[left], [stream]] = await this.db.batch([
      this.db
        .update(streamViewers)
        .set({ present: false })
        .where(and(eq(streamViewers.streamId, id), eq(streamViewers.userId, user.id), eq(streamViewers.present, true)))
        .returning({ userId: streamViewers.userId }),
      this.recount(id),
    ])
    if (left && stream) this.events.viewerLeft(stream, user)
    return stream ?? null
  }

  /** Kicked or banned: out of the channel and media room, and no longer counted. */
  async expel(stream: StreamRow, userId: string, reason: string): Promise<void> {
    this.events.removeUser(stream.id, userId, reason)
    const [user] = await this.db.select({ id: users.id, name: users.name }).from(users).where(eq(users.id, userId))
    if (user) await this.leave(user, stream.id)
  }

  /** Host or staff: ends the stream, stores its stats and closes its media room. */
  async end(user: AuthUser, id: string) {
    const stream = await this.get(user, id)
    if (stream.hostId !== user.id && !staffMayModerate(user)) throw forbidden('Only the host or staff end a stream')
    const ended = await this.endNow(id)
    if (!ended) throw conflict('STREAM_ENDED', 'The stream has already ended')
    return statsOf(ended)
  }

  async inviteCoHost(host: AuthUser, id: string, userId: string) {
    const stream = await this.hostsLiveStream(host, id, 'Only the host invites co-hosts')
    if (userId === host.id) throw invalid('INVALID_CO_HOST', 'The host is already on stage')
    try {
      await this.db
        .insert(streamCoHosts)
        .values({ streamId: stream.id, userId, createdAt: new Date(this.clock.now()) })
        .onConflictDoNothing()
    } catch (error) {
      if (dbErrorMentions(error, 'FOREIGN KEY')) throw notFound('User')
      throw error
    }
    return { streamId: stream.id, userId, invited: true }
  }

  async removeCoHost(host: AuthUser, id: string, userId: string) {
    const stream = await this.hostsLiveStream(host, id, 'Only the host removes co-hosts')
    await this.db
      .delete(streamCoHosts)
      .where(and(eq(streamCoHosts.streamId, stream.id), eq(streamCoHosts.userId, userId)))
    await this.db
      .update(streamViewers)
      .set({ role: 'viewer' })
      .where(and(eq(streamViewers.streamId, stream.id), eq(streamViewers.userId, userId)))
    return { streamId: stream.id, userId, invited: false }
  }

  /** Host, invited co-hosts, and staff with the streams module moderate; never the host themselves. */
  async assertModerator(user: AuthUser, stream: StreamRow, targetId: string): Promise<void> {
    if (targetId === stream.hostId) throw forbidden('Nobody moderates the host')
    if (targetId === user.id) throw invalid('INVALID_TARGET', 'You cannot moderate yourself')
    if (stream.hostId === user.id || staffMayModerate(user)) return
    if (!(await this.isInvitedCoHost(stream.id, user.id))) throw forbidden('Only the host, co-hosts and staff moderate')
  }

  async moderationOf(streamId: string, userId: string): Promise<ModerationState> {
    const [row] = await this.db
      .select({ muted: streamModeration.muted, banned: streamModeration.banned })
      .from(streamModeration)
      .where(and(eq(streamModeration.streamId, streamId), eq(streamModeration.userId, userId)))
    return row ?? { muted: false, banned: false }
  }

  async setModeration(
    stream: StreamRow,
    moderatorId: string,
    userId: string,
    change: Partial<ModerationState>,
  ): Promise<ModerationState> {
    const [row] = await this.db
      .insert(streamModeration)
      .values({
        streamId: stream.id,
        userId,
        moderatorId,
        muted: change.muted ?? false,
        banned: change.banned ?? false,
        updatedAt: new Date(this.clock.now()),
      })
      .onConflictDoUpdate({
        target: [streamModeration.streamId, streamModeration.userId],
        set: { ...change, moderatorId, updatedAt: new Date(this.clock.now()) },
      })
      .returning({ muted: streamModeration.muted, banned: streamModeration.banned })
    return row!
  }

  /** May the user chat or send gifts here? Host and co-hosts are exempt from slow mode. */
  async isOnStage(streamId: string, user: AuthUser, hostId: string): Promise<boolean> {
    return user.id === hostId || staffMayModerate(user) || (await this.isInvitedCoHost(streamId, user.id))
  }

  async isInvitedCoHost(streamId: string, userId: string): Promise<boolean> {
    const [row] = await this.db
      .select({ n: count() })
      .from(streamCoHosts)
      .where(and(eq(streamCoHosts.streamId, streamId), eq(streamCoHosts.userId, userId)))
    return (row?.n ?? 0) > 0
  }

  /** The host starts and stops a live stream's recordings; whoever may see the stream sees them. */
  recordingSubject(videos: VideoService) {
    return {
      authorize: async (user: AuthUser, id: string) => ({
        room: streamRoomName((await this.hostsLiveStream(user, id, 'Only the host records the stream')).id),
      }),
      mayView: async (user: AuthUser, id: string) => (await this.get(user, id).catch(() => null)) !== null,
      onFinished: async (recording: {
        id: string
        subjectId: string
        durationSec: number | null
        sizeBytes: number | null
        mimeType: string | null
      }) => {
        const [stream] = await this.db.select().from(streams).where(eq(streams.id, recording.subjectId))
        if (stream) await videos.createFromRecording(stream, recording)
      },
    }
  }

  /** The `stream` media room resolver: host and joined co-hosts publish what the stream type allows; viewers subscribe. */
  async mediaGrant(user: AuthUser, streamId: string): Promise<MediaGrant | null> {
    const [stream] = await this.db
      .select()
      .from(streams)
      .where(and(eq(streams.id, streamId), this.visibleTo(user)))
    if (stream?.status !== 'live') return null
    const onStage: MediaGrant = { canPublish: stream.type === 'video' ? ['camera', 'microphone'] : ['microphone'] }
    if (stream.hostId === user.id) return onStage
    if ((await this.moderationOf(streamId, user.id)).banned) return null
    const [viewer] = await this.db
      .select({ role: streamViewers.role })
      .from(streamViewers)
      .where(and(eq(streamViewers.streamId, streamId), eq(streamViewers.userId, user.id)))
    return viewer?.role === 'co-host' && (await this.isInvitedCoHost(streamId, user.id)) ? onStage : { canPublish: [] }
  }

  /** Whether the user may be in the stream's WS channel. */
  async mayEnter(user: AuthUser, streamId: string): Promise<boolean> {
    const [stream] = await this.db
      .select({ status: streams.status, hostId: streams.hostId })
      .from(streams)
      .where(and(eq(streams.id, streamId), this.visibleTo(user)))
    if (stream?.status !== 'live') return false
    return stream.hostId === user.id || !(await this.moderationOf(streamId, user.id)).banned
  }

  /** The host was seen (connected, or just disconnected): the check moves to a minute from now. */
  async hostSeen(hostId: string): Promise<void> {
    const now = this.clock.now()
    const live = await this.db
      .update(streams)
      .set({ hostSeenAt: new Date(now) })
      .where(and(eq(streams.hostId, hostId), eq(streams.status, 'live')))
      .returning({ id: streams.id })
    for (const { id } of live) await this.scheduleHostCheck(id, now + this.hostGoneMs)
  }

  /** The job: a live stream whose host has had no connection for hostGoneMs ends by itself; otherwise it looks again later. */
  private async checkHost(streamId: string): Promise<void | { runAgainAt: Date }> {
    const [stream] = await this.db.select().from(streams).where(eq(streams.id, streamId))
    if (stream?.status !== 'live') return
    const now = this.clock.now()
    if (await this.hostPresence.isConnected(stream.hostId)) {
      await this.db
        .update(streams)
        .set({ hostSeenAt: new Date(now) })
        .where(eq(streams.id, streamId))
      return { runAgainAt: new Date(now + this.hostGoneMs) }
    }
    const goneUntil = stream.hostSeenAt.getTime() + this.hostGoneMs
    if (goneUntil > now) return { runAgainAt: new Date(goneUntil) }
    await this.endNow(streamId)
  }

  private async endNow(id: string): Promise<StreamRow | null> {
    const now = this.clock.now()
    const [[ended]] = await this.db.batch([
      this.db
        .update(streams)
        .set({
          status: 'ended',
          endedAt: new Date(now),
          // Whole seconds, as the API documents: rounded from the real clock's milliseconds.
          durationSec: sql`max(0, cast(round((${now} - ${streams.startedAt}) / 1000.0) as integer))`,
          viewerCount: 0,
          updatedAt: new Date(now),
        })
        .where(and(eq(streams.id, id), eq(streams.status, 'live')))
        .returning(),
      this.db
        .update(streamViewers)
        .set({ present: false })
        .where(and(eq(streamViewers.streamId, id), eq(streamViewers.present, true))),
    ])
    if (!ended) return null
    logEvent(this.logger, 'stream.ended', ended.hostId, {
      streamId: id,
      durationSec: ended.durationSec,
      totalViewers: ended.totalViewers,
    })
    await this.scheduler.cancel([hostCheckKey(id)])
    this.events.ended(ended)
    return ended
  }

  private async markPresent(
    stream: StreamRow,
    userId: string,
    role: ViewerRole,
  ): Promise<{ stream: StreamRow; changed: boolean }> {
    const [changed, [recounted]] = await this.db.batch([
      this.db
        .insert(streamViewers)
        .values({ streamId: stream.id, userId, role, present: true, joinedAt: new Date(this.clock.now()) })
        .onConflictDoUpdate({
          target: [streamViewers.streamId, streamViewers.userId],
          set: { present: true, role },
          setWhere: or(eq(streamViewers.present, false), sql`${streamViewers.role} <> ${role}`),
        })
        .returning({ userId: streamViewers.userId }),
      this.recount(stream.id),
    ])
    return { stream: recounted ?? stream, changed: changed.length > 0 }
  }

  /** Counts from the viewer rows inside the same batch, so concurrent joins and leaves never lose one. */
  private recount(id: string) {
    const presentNow = sql<number>`(select count(*) from ${streamViewers} where ${streamViewers.streamId} = ${id} and ${streamViewers.present} = 1)`
    return this.db
      .update(streams)
      .set({
        viewerCount: presentNow,
        totalViewers: sql`(select count(*) from ${streamViewers} where ${streamViewers.streamId} = ${id})`,
        peakViewers: sql`max(${streams.peakViewers}, ${presentNow})`,
      })
      .where(and(eq(streams.id, id), eq(streams.status, 'live')))
      .returning()
  }

  private scheduleHostCheck(streamId: string, at: number) {
    return this.scheduler.schedule({
      kind: JOB_HOST_CHECK,
      key: hostCheckKey(streamId),
      runAt: new Date(at),
      payload: { streamId },
    })
  }

  /** A stream by id whoever asks (for routes authorized otherwise: signed links, stream keys). */
  async find(id: string): Promise<StreamRow | undefined> {
    const [stream] = await this.db.select().from(streams).where(eq(streams.id, id))
    return stream
  }

  async hostsLiveStream(host: AuthUser, id: string, onlyHost: string): Promise<StreamRow> {
    const stream = await this.get(host, id)
    if (stream.hostId !== host.id) throw forbidden(onlyHost)
    if (stream.status !== 'live') throw conflict('STREAM_ENDED', 'The stream has ended')
    return stream
  }

  /** Public streams to everyone; private ones to the host, their followers, invited co-hosts and staff. */
  private visibleTo(user: AuthUser): SQL | undefined {
    if (staffMay(user, ['streams', 'read'])) return undefined
    return or(
      eq(streams.isPrivate, false),
      eq(streams.hostId, user.id),
      this.users.followsCondition(user.id, streams.hostId),
      sql`exists (select 1 from ${streamCoHosts} where ${streamCoHosts.streamId} = ${streams.id} and ${streamCoHosts.userId} = ${user.id})`,
    )
  }
}
