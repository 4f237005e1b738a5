import { index, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { users } from './auth.ts'
import { createdAt, timestamp } from './columns.ts'
import { priorities } from './support.ts'

export const ticketStatuses = ['open', 'pending', 'closed'] as const
export type TicketStatus = (typeof ticketStatuses)[number]

export const tickets = sqliteTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    customerId: text('customer_id')
      .notNull()
      .references(() => users.id),
    assigneeId: text('assignee_id').references(() => users.id),
    subject: text('subject').notNull(),
    description: text('description'),
    status: text('status', { enum: ticketStatuses }).notNull(),
    priority: text('priority', { enum: priorities }).notNull(),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
    closedAt: timestamp('closed_at'),
  },
  (table) => [
    // Staff list every ticket newest first: without it each page sorts the whole table.
    index('tickets_created_idx').on(table.createdAt, table.id),
    index('tickets_customer_idx').on(table.customerId, table.createdAt),
    index('tickets_status_idx').on(table.status, table.createdAt),
    index('tickets_assignee_idx').on(table.assigneeId, table.createdAt),
  ],
)

export const ticketMessages = sqliteTable(
  'ticket_messages',
  {
    id: text('id').primaryKey(),
    ticketId: text('ticket_id')
      .notNull()
      .references(() => tickets.id, { onDelete: 'cascade' }),
    senderId: text('sender_id')
      .notNull()
      .references(() => users.id),
    content: text('content').notNull(),
    /** The sender's own id for the message, so a retried send is stored once. */
    clientMsgId: text('client_msg_id'),
    createdAt: createdAt(),
  },
  (table) => [
    index('ticket_messages_ticket_idx').on(table.ticketId, table.createdAt),
    uniqueIndex('ticket_messages_client_msg_idx').on(table.ticketId, table.senderId, table.clientMsgId),
  ],
)
