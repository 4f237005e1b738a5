import type { ModuleContext } from '../shared-services.ts'
import { ticketEvents, ticketRealtime } from './realtime.ts'
import { ticketRoutes } from './routes.ts'
import { TicketService } from './service.ts'

/** Text support tickets over REST and /ws. */
export function ticketsModule({ db, clock, hub, notifications, plugins }: ModuleContext) {
  const tickets = new TicketService(db, clock, notifications, ticketEvents(hub))
  hub.register(...ticketRealtime(hub, tickets))
  return ticketRoutes(tickets, plugins)
}
