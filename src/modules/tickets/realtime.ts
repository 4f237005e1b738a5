import { t } from 'elysia'
import { oneOf } from '../../http/enums.ts'
import type { Hub } from '../../realtime/hub.ts'
import { defineHandler, WsError, type MessageHandler } from '../../realtime/protocol.ts'
import { ticketStatuses } from '../../db/schema/tickets.ts'
import { ClientMsgId, MessageContent } from './model.ts'
import type { TicketEvents, TicketService } from './service.ts'

const TicketId = t.String({ minLength: 1, maxLength: 64 })
const channelOf = (ticketId: string) => `ticket:${ticketId}`

/** Stored ticket changes, told to everyone in the ticket's channel. */
export const ticketEvents = (hub: Hub): TicketEvents => ({
  messageCreated: (message) => hub.publish(channelOf(message.ticketId), 'message_received', message),
  updated: (ticket) => hub.publish(channelOf(ticket.id), 'ticket_updated', ticket),
})

/** join_ticket, leave_ticket, send_message, typing, ticket_status_change; presence by user. */
export function ticketRealtime(hub: Hub, tickets: TicketService): MessageHandler[] {
  hub.registerChannelKind(
    'ticket',
    (user, ticketId) => tickets.canAccess(user, ticketId),
    (user, channel) =>
      hub.publish(channel, 'user_left', {
        ticketId: channel.slice('ticket:'.length),
        userId: user.id,
        name: user.name,
      }),
  )

  return [
    defineHandler({
      type: 'join_ticket',
      schema: t.Object({ ticketId: TicketId }),
      async handle(client, { ticketId }) {
        const ticket = await tickets.get(client.user, ticketId)
        const channel = channelOf(ticketId)
        if (await hub.join(client.id, channel)) {
          hub.publish(channel, 'user_joined', { ticketId, userId: client.user.id, name: client.user.name }, client.id)
        }
        return { ticket, presence: await hub.presence(channel) }
      },
    }),
    defineHandler({
      type: 'leave_ticket',
      schema: t.Object({ ticketId: TicketId }),
      handle(client, { ticketId }) {
        hub.leave(client.id, channelOf(ticketId))
        return {}
      },
    }),
    defineHandler({
      type: 'send_message',
      schema: t.Object({ ticketId: TicketId, content: MessageContent, clientMsgId: t.Optional(ClientMsgId) }),
      async handle(client, { ticketId, content, clientMsgId }) {
        const { message, created } = await tickets.postMessage(client.user, ticketId, { content, clientMsgId })
        return { message, duplicate: !created }
      },
    }),
    defineHandler({
      type: 'typing',
      schema: t.Object({ ticketId: TicketId, isTyping: t.Boolean() }),
      handle(client, { ticketId, isTyping }) {
        const channel = channelOf(ticketId)
        if (!hub.isMember(client.id, channel)) throw new WsError('NOT_JOINED', 'Join the ticket first (join_ticket)')
        hub.publish(
          channel,
          'typing_indicator',
          { ticketId, userId: client.user.id, name: client.user.name, isTyping },
          client.id,
        )
        return {}
      },
    }),
    defineHandler({
      type: 'ticket_status_change',
      schema: t.Object({ ticketId: TicketId, status: oneOf(ticketStatuses) }),
      async handle(client, { ticketId, status }) {
        return { ticket: await tickets.update(client.user, ticketId, { status }) }
      },
    }),
  ]
}
