import { t } from 'elysia'
import type { Access } from '../../access/policy.ts'
import { errorResponses } from '../../http/errors.ts'
import { Page, PageQuery } from '../../http/pagination.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import {
  AssignTicket,
  CreateTicket,
  PostMessage,
  Ticket,
  TicketCounts,
  TicketIdParams,
  TicketListQuery,
  TicketMessage,
  UpdateTicket,
} from './model.ts'
import type { TicketService } from './service.ts'

/** Customers reach their own tickets; staff need the tickets module (qa only reads). */
const ticketReaders: Access = { roles: true, staff: ['tickets', 'read'] }
const ticketWriters: Access = { roles: true, staff: ['tickets', 'routine'] }

/** Text support tickets over REST; the same actions exist over /ws (see realtime.ts). */
export const ticketRoutes = (tickets: TicketService, plugins: RoutePlugins) =>
  moduleRoutes({ name: 'ticket-routes', prefix: '/tickets', detail: { tags: ['tickets'] } }, plugins)
    .post(
      '',
      async ({ user, body, set }) => {
        set.status = 201
        return tickets.create(user, body)
      },
      {
        auth: true,
        body: CreateTicket,
        response: { 201: Ticket, ...errorResponses },
        detail: { summary: 'Open a ticket' },
      },
    )
    .get('', ({ user, query }) => tickets.list(user, { ...query, limit: query.limit ?? 20 }), {
      auth: ticketReaders,
      query: TicketListQuery,
      response: { 200: Page(Ticket), ...errorResponses },
      detail: { summary: 'Tickets, newest first (customers: their own; supporters and staff: all)' },
    })
    .get('/stats/counts', ({ user }) => tickets.counts(user), {
      auth: ticketReaders,
      response: { 200: TicketCounts, ...errorResponses },
      detail: { summary: 'How many tickets I can see are open, pending, closed' },
    })
    .get('/:id', ({ user, params }) => tickets.get(user, params.id), {
      auth: ticketReaders,
      params: TicketIdParams,
      response: { 200: Ticket, ...errorResponses },
      detail: { summary: 'One ticket' },
    })
    .patch('/:id', ({ user, params, body }) => tickets.update(user, params.id, body), {
      auth: ticketWriters,
      params: TicketIdParams,
      body: UpdateTicket,
      response: { 200: Ticket, ...errorResponses },
      detail: { summary: 'Change status (customer: own ticket) or priority (supporters, staff)' },
    })
    .post('/:id/assign', ({ user, params, body }) => tickets.assign(user, params.id, body.agentId), {
      auth: { roles: ['supporter'], staff: ['tickets', 'routine'] },
      params: TicketIdParams,
      body: AssignTicket,
      response: { 200: Ticket, ...errorResponses },
      detail: { summary: 'Assign a supporter or staff member (yourself when agentId is absent)' },
    })
    .get(
      '/:id/messages',
      ({ user, params, query }) =>
        tickets.messages(user, params.id, { cursor: query.cursor, limit: query.limit ?? 50 }),
      {
        auth: ticketReaders,
        params: TicketIdParams,
        query: t.Object(PageQuery),
        response: { 200: Page(TicketMessage), ...errorResponses },
        detail: { summary: 'Message history, newest first; pass nextCursor for older messages' },
      },
    )
    .post(
      '/:id/messages',
      async ({ user, params, body, set }) => {
        const { message, created } = await tickets.postMessage(user, params.id, body)
        set.status = created ? 201 : 200
        return message
      },
      {
        auth: ticketWriters,
        params: TicketIdParams,
        body: PostMessage,
        response: { 200: TicketMessage, 201: TicketMessage, ...errorResponses },
        detail: { summary: 'Write in the ticket (201; 200 with the stored message when clientMsgId was already used)' },
      },
    )
