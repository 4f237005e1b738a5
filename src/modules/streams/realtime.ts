import { t } from 'elysia'
import type { MediaRooms } from '../../../media/index.ts'
import { oneOf } from '../../http/enums.ts'
import { Coalescer } from '../../realtime/coalescer.ts'
import type { Hub } from '../../realtime/hub.ts'
import { defineHandler, type MessageHandler } from '../../realtime/protocol.ts'
import type { ChatEvents, StreamChat } from './chat.ts'
import type { GiftEvents } from './gifts.ts'
import { ChatText, ClientMsgId } from './model.ts'
import { statsOf, streamIdOf, streamRoomName, toStreamDto, type StreamEvents, type StreamService } from './service.ts'

const StreamId = t.String({ minLength: 1, maxLength: 64 })
/** Host and co-hosts also sit in this channel: per-viewer events go only to them, never to every viewer. */
const moderatorsChannel = (streamId: string) => `stream-mods:${streamId}`
const VIEWER_COUNT_INTERVAL_MS = 1000

/**
 * viewer_count at most once per interval per stream, carrying the latest count: a join wave of
 * 10,000 viewers sends a handful of events, not one per join to every viewer.
 */
export class ViewerCountThrottle {
  private readonly coalescer: Coalescer

  constructor(
    private readonly publish: (streamId: string, viewerCount: number) => void,
    onError: (error: unknown) => void,
    intervalMs = VIEWER_COUNT_INTERVAL_MS,
  ) {
    this.coalescer = new Coalescer(intervalMs, onError)
  }

  update(streamId: string, viewerCount: number): void {
    this.coalescer.trigger(streamId, () => this.publish(streamId, viewerCount))
  }

  forget(streamId: string): void {
    this.coalescer.forget(streamId)
  }
}

/** What the stream's channel, moderators and media room hear. */
export function streamEvents(
  hub: Hub,
  rooms: MediaRooms | undefined,
  counts: ViewerCountThrottle,
): StreamEvents & ChatEvents & GiftEvents {
  return {
    ended(stream) {
      counts.forget(stream.id)
      rooms?.close(streamRoomName(stream.id), 'stream ended')
      hub.publish(streamRoomName(stream.id), 'session_ended', {
        streamId: stream.id,
        endedAt: stream.endedAt,
        stats: statsOf(stream),
      })
    },
    viewerJoined(stream, user, role) {
      hub.publish(moderatorsChannel(stream.id), 'viewer_joined', {
        streamId: stream.id,
        userId: user.id,
        name: user.name,
        role,
        viewerCount: stream.viewerCount,
      })
      counts.update(stream.id, stream.viewerCount)
    },
    viewerLeft(stream, user) {
      hub.publish(moderatorsChannel(stream.id), 'viewer_left', {
        streamId: stream.id,
        userId: user.id,
        name: user.name,
        viewerCount: stream.viewerCount,
      })
      counts.update(stream.id, stream.viewerCount)
    },
    removeUser(streamId, userId, reason) {
      hub.removeUser(moderatorsChannel(streamId), userId)
      hub.removeUser(streamRoomName(streamId), userId)
      rooms?.removeUser(streamRoomName(streamId), userId, reason)
    },
    message(message) {
      hub.publish(streamRoomName(message.streamId), 'new_message', message)
    },
    moderated(stream, event) {
      hub.publish(streamRoomName(stream.id), 'moderation', { streamId: stream.id, ...event })
    },
    sent(stream, { transaction, gift, sender }) {
      hub.publish(streamRoomName(stream.id), 'gift_animation', {
        streamId: stream.id,
        transaction,
        gift: { id: gift.id, name: gift.name, icon: gift.icon, animation: gift.animation },
        sender,
      })
    },
  }
}

/** join_session / leave_session / send_stream_message, and the channel kinds behind them. */
export function streamRealtime(hub: Hub, streams: StreamService, chat: StreamChat): MessageHandler[] {
  hub.registerChannelKind(
    'stream',
    (user, streamId) => streams.mayEnter(user, streamId),
    (user, channel) => {
      const streamId = streamIdOf(channel)
      if (streamId) void streams.leave(user, streamId).catch(() => undefined)
    },
  )
  hub.registerChannelKind('stream-mods', async (user, streamId) => {
    const stream = await streams.get(user, streamId).catch(() => null)
    return stream !== null && (stream.hostId === user.id || (await streams.isInvitedCoHost(streamId, user.id)))
  })
  hub.onDisconnect((connection) => {
    const user = connection.user
    if (user)
      void hub
        .isConnected(user.id)
        .then(async (connected) => {
          if (!connected) await streams.hostSeen(user.id)
        })
        .catch(() => undefined)
  })

  return [
    defineHandler({
      type: 'join_session',
      schema: t.Object({
        sessionId: StreamId,
        role: t.Optional(oneOf(['viewer', 'co-host'], { description: 'co-host only when invited; default viewer' })),
      }),
      async handle(client, { sessionId, role }) {
        const joined = await streams.join(client.user, sessionId, role ?? 'viewer')
        await hub.join(client.id, streamRoomName(sessionId))
        if (joined.role !== 'viewer') await hub.join(client.id, moderatorsChannel(sessionId))
        return {
          stream: toStreamDto(joined.stream),
          role: joined.role,
          viewers: joined.stream.viewerCount,
          iceServers: joined.iceServers,
        }
      },
    }),
    defineHandler({
      type: 'leave_session',
      schema: t.Object({ sessionId: StreamId }),
      handle(client, { sessionId }) {
        hub.leave(client.id, moderatorsChannel(sessionId))
        hub.leave(client.id, streamRoomName(sessionId))
        return {}
      },
    }),
    defineHandler({
      type: 'send_stream_message',
      schema: t.Object({
        sessionId: StreamId,
        message: ChatText,
        type: t.Optional(oneOf(['text', 'emoji'])),
        clientMsgId: t.Optional(ClientMsgId),
      }),
      async handle(client, { sessionId, ...input }) {
        const { message, created } = await chat.post(client.user, sessionId, input)
        return { message, duplicate: !created }
      },
    }),
  ]
}
