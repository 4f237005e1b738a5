import type { Core } from '../core.ts'
import { UserService, Wallet } from './auth/public.ts'
import { FeatureService, InvoiceService } from './billing/public.ts'
import { NotificationService } from './notifications/public.ts'
import { RecordingService } from './recordings/public.ts'

/**
 * The domain services several modules share, composed here and nowhere else: a module that sells
 * something raises invoices, every module notifies, three modules record. The kernel below knows
 * none of them.
 */
export interface SharedServices {
  users: UserService
  wallet: Wallet
  notifications: NotificationService
  /** Invoices for every flow that sells something; each flow registers what paying does. */
  invoices: InvoiceService
  /** What an account's plan and extras let it use (upload size, portfolio items…). */
  features: FeatureService
  /** Recordings of calls, streams and classes; each of those modules registers what its recordings are. */
  recordings: RecordingService
}

/** What every module's entry point is given: the kernel and the shared domain services. */
export type ModuleContext = Core & SharedServices

export function createSharedServices(core: Core): SharedServices {
  const { db, clock, config, logger, hub } = core
  const notifications = new NotificationService(
    db,
    clock,
    (userId, notification) => hub.sendToUser(userId, 'notification', notification),
    config.notificationRetentionDays,
    logger,
  )
  return {
    users: new UserService(db, clock),
    wallet: new Wallet(db, clock),
    notifications,
    invoices: new InvoiceService(db, clock, notifications, logger),
    features: new FeatureService(db, clock, config.uploads.maxBytes),
    recordings: new RecordingService(db, clock, config, core.scheduler, logger, core.media, core.cluster),
  }
}
