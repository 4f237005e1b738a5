import { and, count, desc, eq, exists, sql } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { PreparedVariants } from '../../db/prepared-variants.ts'
import { users } from '../../db/schema/auth.ts'
import type { Priority } from '../../db/schema/support.ts'
import { ticketMessages, tickets, ticketStatuses, type TicketStatus } from '../../db/schema/tickets.ts'
import { staffMay, type AuthUser, type StaffLevel } from '../../access/policy.ts'
import { conflict, forbidden, notFound, invalid } from '../../errors/domain.ts'
import { afterCursor, afterCursorPlaceholder, cursorValues, decodeCursor, toPage } from '../../http/pagination.ts'
import { newId } from '../../ids.ts'
import type { Localized, NotificationService } from '../notifications/public.ts'

export type TicketRow = typeof tickets.$inferSelect
type TicketMessageRow = typeof ticketMessages.$inferSelect

/** What the realtime side does once a change is stored. */
export interface TicketEvents {
  messageCreated(message: TicketMessageRow): void
  updated(ticket: TicketRow): void
}

type Viewer = Pick<AuthUser, 'id' | 'role' | 'staffProfile' | 'staffModules'>

/** Supporters work every ticket; staff need the tickets module, and more than qa to write. */
const ticketStatusNotes: Record<TicketStatus, Localized> = {
  open: { ar: 'أُعيد فتح التذكرة', en: 'Ticket reopened' },
  pending: { ar: 'التذكرة بانتظار ردّك', en: 'Ticket waiting for your reply' },
  closed: { ar: 'أُغلقت التذكرة', en: 'Ticket closed' },
}

const isAgent = (user: Omit<Viewer, 'id'>, level: StaffLevel = 'read') =>
  user.role === 'supporter' || staffMay(user, ['tickets', level])

/** Text support tickets and their chat. Customers see their own; supporters and staff see all. */
export class TicketService {
  private readonly listQueries

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly notifications: NotificationService,
    private readonly events: TicketEvents,
  ) {
    this.listQueries = new PreparedVariants(
      (has: (filter: 'customerId' | 'status' | 'assigneeId' | 'priority' | 'cursorAt') => boolean) =>
        db
          .select()
          .from(tickets)
          .where(
            and(
              has('customerId') ? eq(tickets.customerId, sql.placeholder('customerId')) : undefined,
              has('status') ? eq(tickets.status, sql.placeholder('status')) : undefined,
              has('assigneeId') ? eq(tickets.assigneeId, sql.placeholder('assigneeId')) : undefined,
              has('priority') ? eq(tickets.priority, sql.placeholder('priority')) : undefined,
              has('cursorAt') ? afterCursorPlaceholder(tickets.createdAt, tickets.id) : undefined,
            ),
          )
          .orderBy(desc(tickets.createdAt), desc(tickets.id))
          .limit(sql.placeholder('limit'))
          .prepare(),
    )
  }

  async create(user: AuthUser, input: { subject: string; description?: string; priority?: Priority }) {
    const now = new Date(this.clock.now())
    const [ticket] = await this.db
      .insert(tickets)
      .values({
        id: newId('tkt'),
        customerId: user.id,
        priority: 'normal',
        ...input,
        status: 'open',
        createdAt: now,
        updatedAt: now,
      })
      .returning()
    return ticket!
  }

  async list(
    user: AuthUser,
    filter: { status?: TicketStatus; assigneeId?: string; priority?: Priority; cursor?: string; limit: number },
  ) {
    const values = {
      customerId: isAgent(user) ? undefined : user.id,
      status: filter.status,
      assigneeId: filter.assigneeId,
      priority: filter.priority,
      ...cursorValues(filter.cursor),
    }
    const rows = await this.listQueries.for(values).all({ ...values, limit: filter.limit + 1 })
    return toPage(rows, filter.limit)
  }

  async get(user: Viewer, id: string): Promise<TicketRow> {
    const ticket = await this.db.query.tickets.findFirst({ where: and(eq(tickets.id, id), this.visibleTo(user)) })
    if (!ticket) throw notFound('Ticket')
    return ticket
  }

  async canAccess(user: Viewer, id: string): Promise<boolean> {
    return (
      (await this.db.query.tickets.findFirst({
        columns: { id: true },
        where: and(eq(tickets.id, id), this.visibleTo(user)),
      })) !== undefined
    )
  }

  /** Customers may change the status of their own ticket (close, reopen); priority is for agents. */
  async update(user: AuthUser, id: string, changes: { status?: TicketStatus; priority?: Priority }) {
    const before = await this.writable(user, id)
    if (changes.priority !== undefined && !isAgent(user)) throw forbidden('Only supporters and staff set the priority')
    const now = new Date(this.clock.now())
    const closedAt =
      changes.status === undefined ? undefined : changes.status === 'closed' ? (before.closedAt ?? now) : null
    const [ticket] = await this.db
      .update(tickets)
      .set({ ...changes, closedAt, updatedAt: now })
      .where(eq(tickets.id, id))
      .returning()
    this.events.updated(ticket!)
    if (changes.status !== undefined && changes.status !== before.status) {
      await this.tellOtherSide(user, ticket!, {
        type: 'ticket.status_changed',
        title: ticketStatusNotes[ticket!.status],
        body: ticket!.subject,
      })
    }
    return ticket!
  }

  /** Assigns an agent (the caller when none is given). */
  async assign(user: AuthUser, id: string, agentId = user.id) {
    await this.get(user, id)
    const agent = await this.db.query.users.findFirst({
      columns: { id: true, role: true, staffProfile: true, staffModules: true, deletedAt: true },
      where: eq(users.id, agentId),
    })
    if (!agent || agent.deletedAt || !isAgent(agent, 'routine'))
      throw invalid('INVALID_AGENT', 'The assignee must be a supporter or staff member')
    const [ticket] = await this.db
      .update(tickets)
      .set({ assigneeId: agentId, updatedAt: new Date(this.clock.now()) })
      .where(eq(tickets.id, id))
      .returning()
    this.events.updated(ticket!)
    if (agentId !== user.id) {
      await this.notifications.notify(agentId, {
        type: 'ticket.assigned',
        title: { ar: 'أُسندت إليك تذكرة', en: 'A ticket was assigned to you' },
        body: ticket!.subject,
        data: { ticketId: id },
      })
    }
    return ticket!
  }

  async messages(user: AuthUser, id: string, page: { cursor?: string; limit: number }) {
    await this.get(user, id)
    const rows = await this.db
      .select()
      .from(ticketMessages)
      .where(
        and(
          eq(ticketMessages.ticketId, id),
          afterCursor(ticketMessages.createdAt, ticketMessages.id, decodeCursor(page.cursor)),
        ),
      )
      .orderBy(desc(ticketMessages.createdAt), desc(ticketMessages.id))
      .limit(page.limit + 1)
    return toPage(rows, page.limit)
  }

  /**
   * Stores a message before anyone hears of it. A retry with the same clientMsgId returns the
   * stored message (created: false) and is not broadcast again.
   */
  async postMessage(user: Viewer, id: string, input: { content: string; clientMsgId?: string }) {
    const ticket = await this.writable(user, id)
    if (ticket.status === 'closed') throw conflict('TICKET_CLOSED', 'The ticket is closed; reopen it to write')
    const now = new Date(this.clock.now())
    const messageId = newId('msg')
    // One transaction (one commit): the message, and the ticket's updatedAt only if it was stored.
    const [[created]] = await this.db.batch([
      this.db
        .insert(ticketMessages)
        .values({
          id: messageId,
          ticketId: id,
          senderId: user.id,
          content: input.content,
          clientMsgId: input.clientMsgId ?? null,
          createdAt: now,
        })
        .onConflictDoNothing()
        .returning(),
      this.db
        .update(tickets)
        .set({ updatedAt: now })
        .where(
          and(
            eq(tickets.id, id),
            exists(
              this.db.select({ id: ticketMessages.id }).from(ticketMessages).where(eq(ticketMessages.id, messageId)),
            ),
          ),
        ),
    ])
    if (!created) {
      const stored = await this.db.query.ticketMessages.findFirst({
        where: and(
          eq(ticketMessages.ticketId, id),
          eq(ticketMessages.senderId, user.id),
          eq(ticketMessages.clientMsgId, input.clientMsgId ?? ''),
        ),
      })
      return { message: stored!, created: false }
    }
    this.events.messageCreated(created)
    await this.tellOtherSide(user, ticket, {
      type: 'ticket.reply',
      title: { ar: 'ردّ جديد على تذكرتك', en: 'New reply on your ticket' },
      body: input.content.slice(0, 140),
    })
    return { message: created, created: true }
  }

  async counts(user: AuthUser) {
    const rows = await this.db
      .select({ status: tickets.status, n: count() })
      .from(tickets)
      .where(this.visibleTo(user))
      .groupBy(tickets.status)
    const counts = Object.fromEntries(
      ticketStatuses.map((status) => [status, rows.find((row) => row.status === status)?.n ?? 0]),
    ) as Record<TicketStatus, number>
    return { ...counts, total: rows.reduce((sum, row) => sum + row.n, 0) }
  }

  /** The customer hears of agents' actions, the assignee of the customer's. */
  private async tellOtherSide(
    actor: { id: string },
    ticket: TicketRow,
    note: { type: string; title: Localized; body: string },
  ) {
    const recipient = actor.id === ticket.customerId ? ticket.assigneeId : ticket.customerId
    if (recipient && recipient !== actor.id)
      await this.notifications.notify(recipient, { ...note, data: { ticketId: ticket.id } })
  }

  /** A ticket the user may write in: their own, or any for agents beyond read-only staff. */
  private async writable(user: Viewer, id: string): Promise<TicketRow> {
    const ticket = await this.get(user, id)
    if (ticket.customerId !== user.id && !isAgent(user, 'routine'))
      throw forbidden('Your staff profile may only read tickets')
    return ticket
  }

  private visibleTo(user: Viewer) {
    return isAgent(user) ? undefined : eq(tickets.customerId, user.id)
  }
}
