import { t } from 'elysia'
import type { Hub } from '../../realtime/hub.ts'
import { defineHandler, type MessageHandler } from '../../realtime/protocol.ts'
import type { ChatEvents, RequestChat } from './request-chat.ts'
import { ClientMsgId, MessageBody } from './model.ts'
import { toRequestDto, type RequestEvents } from './requests.ts'

const RequestId = t.String({ minLength: 1, maxLength: 64 })
const channelOf = (requestId: string) => `request:${requestId}`

/** Stored request changes and chat messages, told to everyone in the request's channel. */
export const requestEvents = (hub: Hub): RequestEvents & ChatEvents => ({
  updated: (request) => hub.publish(channelOf(request.id), 'request_updated', toRequestDto(request)),
  messageCreated: (message) => hub.publish(channelOf(message.requestId), 'request_message', message),
  read: (requestId, userId, readAt) => hub.publish(channelOf(requestId), 'request_read', { requestId, userId, readAt }),
})

/** join_request, leave_request, send_request_message. Joining does not mark messages read. */
export function requestRealtime(hub: Hub, chat: RequestChat): MessageHandler[] {
  hub.registerChannelKind('request', (user, requestId) => chat.canJoin(user, requestId))
  return [
    defineHandler({
      type: 'join_request',
      schema: t.Object({ requestId: RequestId }),
      async handle(client, { requestId }) {
        const request = await chat.readable(client.user, requestId)
        await hub.join(client.id, channelOf(requestId))
        return { request: toRequestDto(request), thread: await chat.thread(client.user, requestId) }
      },
    }),
    defineHandler({
      type: 'leave_request',
      schema: t.Object({ requestId: RequestId }),
      handle(client, { requestId }) {
        hub.leave(client.id, channelOf(requestId))
        return {}
      },
    }),
    defineHandler({
      type: 'send_request_message',
      schema: t.Object({ requestId: RequestId, body: MessageBody, clientMsgId: t.Optional(ClientMsgId) }),
      async handle(client, { requestId, body, clientMsgId }) {
        const { message, created } = await chat.post(client.user, requestId, { body, clientMsgId })
        return { message, duplicate: !created }
      },
    }),
  ]
}
