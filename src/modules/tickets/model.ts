import { t } from 'elysia'
import { oneOf, optionalEnum } from '../../http/enums.ts'
import { PageQuery } from '../../http/pagination.ts'
import { priorities } from '../../db/schema/support.ts'
import { ticketStatuses } from '../../db/schema/tickets.ts'

export const Ticket = t.Object(
  {
    id: t.String(),
    customerId: t.String(),
    assigneeId: t.Union([t.String(), t.Null()]),
    subject: t.String(),
    description: t.Union([t.String(), t.Null()]),
    status: oneOf(ticketStatuses),
    priority: oneOf(priorities),
    createdAt: t.Date(),
    updatedAt: t.Date(),
    closedAt: t.Union([t.Date(), t.Null()]),
  },
  { title: 'Ticket' },
)

export const TicketMessage = t.Object(
  {
    id: t.String(),
    ticketId: t.String(),
    senderId: t.String(),
    content: t.String(),
    clientMsgId: t.Union([t.String(), t.Null()]),
    createdAt: t.Date(),
  },
  { title: 'TicketMessage' },
)

export const CreateTicket = t.Object({
  subject: t.String({ minLength: 1, maxLength: 200 }),
  description: t.Optional(t.String({ maxLength: 5000 })),
  priority: t.Optional(oneOf(priorities, { default: 'normal' })),
})
export const UpdateTicket = t.Object(
  { status: optionalEnum(ticketStatuses), priority: optionalEnum(priorities) },
  { minProperties: 1 },
)
export const AssignTicket = t.Object({ agentId: t.Optional(t.String({ minLength: 1, maxLength: 64 })) })
export const MessageContent = t.String({ minLength: 1, maxLength: 4000 })
export const ClientMsgId = t.String({
  minLength: 1,
  maxLength: 64,
  description: 'your id for the message; a retried send with it is stored once',
})
export const PostMessage = t.Object({ content: MessageContent, clientMsgId: t.Optional(ClientMsgId) })
export const TicketListQuery = t.Object({
  status: optionalEnum(ticketStatuses),
  assigneeId: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  priority: optionalEnum(priorities),
  ...PageQuery,
})
export const TicketCounts = t.Object({
  open: t.Integer(),
  pending: t.Integer(),
  closed: t.Integer(),
  total: t.Integer(),
})
export const TicketIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) })
