import { t } from 'elysia'
import type { Hub } from '../../realtime/hub.ts'
import { defineHandler, type MessageHandler } from '../../realtime/protocol.ts'
import type { CallEvents, VideoCallService } from './calls.ts'

const RoomId = t.String({ pattern: '^call:[A-Za-z0-9_-]{1,64}$', description: 'the call room, call:<videoCallId>' })

/** Both participants hear when their call starts and ends; ending it also closes its media room. */
export const callEvents = (hub: Hub, closeMediaRoom: (roomId: string, reason: string) => void): CallEvents => ({
  started(call) {
    for (const userId of [call.customerId, call.supporterId]) {
      hub.sendToUser(userId, 'call-started', { callId: call.id, roomId: call.roomId, startedAt: call.startedAt })
    }
  },
  ended(call) {
    closeMediaRoom(call.roomId, 'call ended')
    for (const userId of [call.customerId, call.supporterId]) {
      hub.sendToUser(userId, 'call-ended', {
        callId: call.id,
        roomId: call.roomId,
        endedAt: call.endedAt,
        durationSec: call.durationSec,
      })
    }
  },
})

/** join-room / leave-room for a call's two participants, with user-joined / user-left. */
export function callRealtime(hub: Hub, calls: VideoCallService): MessageHandler[] {
  hub.registerChannelKind(
    'call',
    (user, callId) => calls.isLiveParticipant(user.id, callId),
    (user, roomId) => hub.publish(roomId, 'user-left', { roomId, userId: user.id, name: user.name }),
  )

  return [
    defineHandler({
      type: 'join-room',
      schema: t.Object({ roomId: RoomId }),
      async handle(client, { roomId }) {
        if (await hub.join(client.id, roomId))
          hub.publish(roomId, 'user-joined', { roomId, userId: client.user.id, name: client.user.name }, client.id)
        return { roomId, participants: await hub.presence(roomId) }
      },
    }),
    defineHandler({
      type: 'leave-room',
      schema: t.Object({ roomId: RoomId }),
      handle(client, { roomId }) {
        hub.leave(client.id, roomId)
        return {}
      },
    }),
  ]
}
