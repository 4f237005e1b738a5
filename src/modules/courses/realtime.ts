import { t, type Static, type TSchema } from 'elysia'
import type { MediaRooms } from '../../../media/rooms.ts'
import { localizedMessage } from '../../http/error-messages.ts'
import { ApiError, conflict, forbidden, notFound, unprocessable } from '../../http/errors.ts'
import type { Hub } from '../../realtime/hub.ts'
import { defineHandler, WsError, type MessageHandler, type WsClient } from '../../realtime/protocol.ts'
import { liveRoomName, type LiveEvents, type LiveSessionService } from './sessions.ts'

const SessionId = t.String({ minLength: 1, maxLength: 64 })

/** Ending a session closes its media room and tells everyone in the class channel. */
export const liveEvents = (hub: Hub, rooms: MediaRooms | undefined): LiveEvents => ({
  ended(session) {
    rooms?.close(liveRoomName(session.id), 'session ended')
    hub.publish(liveRoomName(session.id), 'live:session-ended', { sessionId: session.id, endedAt: session.endedAt })
  },
})

/** A live:* handler whose failures also arrive as a `live:error` event (README, "Live courses"). */
function liveHandler<Schema extends TSchema>(type: string, schema: Schema, handle: (client: WsClient, data: Static<Schema>) => Promise<unknown>) {
  return defineHandler({
    type,
    schema,
    async handle(client, data) {
      try {
        return await handle(client, data)
      } catch (error) {
        const shown = error instanceof ApiError ? { code: error.errorCode, message: error.message } : error instanceof WsError ? { code: error.code, message: error.message } : null
        if (shown) client.send('live:error', { type, sessionId: (data as { sessionId?: string }).sessionId, code: shown.code, message: localizedMessage(shown.code, shown.message, client.language) })
        throw error
      }
    },
  })
}

/** live:join / live:leave with peer events, and the teacher's live:invite-speaker / live:revoke-speaker. */
export function liveRealtime(hub: Hub, sessions: LiveSessionService, rooms: MediaRooms | undefined): MessageHandler[] {
  hub.registerChannelKind(
    'live',
    async (user, sessionId) => (await sessions.roleIn(user.id, sessionId))?.session.status === 'live',
    (user, channel) => hub.publish(channel, 'live:peer-left', { sessionId: channel.slice('live:'.length), userId: user.id, name: user.name }),
  )

  async function liveMembership(userId: string, sessionId: string) {
    const membership = await sessions.roleIn(userId, sessionId)
    if (!membership) throw notFound('Live session')
    if (membership.session.status !== 'live') throw conflict('NOT_LIVE', `The session is ${membership.session.status}; join once the teacher starts it`)
    return membership
  }

  async function setSpeaker(client: WsClient, sessionId: string, userId: string, canSpeak: boolean) {
    if ((await liveMembership(client.user.id, sessionId)).role !== 'teacher') throw forbidden('Only the teacher invites speakers')
    if ((await sessions.roleIn(userId, sessionId))?.role !== 'student') throw unprocessable('NOT_A_STUDENT', 'Only an enrolled student can be invited to speak')
    await sessions.setSpeaker(sessionId, userId, canSpeak)
    rooms?.setGrant(liveRoomName(sessionId), userId, { canPublish: canSpeak ? ['microphone'] : [] })
    hub.publish(liveRoomName(sessionId), 'live:speaker-changed', { sessionId, userId, canSpeak })
    return {}
  }

  return [
    liveHandler('live:join', t.Object({ sessionId: SessionId }), async (client, { sessionId }) => {
      const { session, role } = await liveMembership(client.user.id, sessionId)
      const channel = liveRoomName(sessionId)
      if (await hub.join(client.id, channel)) {
        hub.publish(channel, 'live:peer-joined', { sessionId, userId: client.user.id, name: client.user.name, role }, client.id)
      }
      return { session, role, room: channel, participants: await hub.presence(channel), canSpeak: role === 'teacher' || (await sessions.isSpeaker(sessionId, client.user.id)) }
    }),
    liveHandler('live:leave', t.Object({ sessionId: SessionId }), async (client, { sessionId }) => {
      hub.leave(client.id, liveRoomName(sessionId))
      return {}
    }),
    liveHandler('live:invite-speaker', t.Object({ sessionId: SessionId, userId: t.String({ minLength: 1, maxLength: 64 }) }), (client, { sessionId, userId }) =>
      setSpeaker(client, sessionId, userId, true),
    ),
    liveHandler('live:revoke-speaker', t.Object({ sessionId: SessionId, userId: t.String({ minLength: 1, maxLength: 64 }) }), (client, { sessionId, userId }) =>
      setSpeaker(client, sessionId, userId, false),
    ),
  ]
}
