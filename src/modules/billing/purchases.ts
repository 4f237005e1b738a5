import { and, desc, eq, gt, lte } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { insertWhere } from '../../db/insert-where.ts'
import { extraGrants, subscriptions } from '../../db/schema/billing.ts'
import { conflict } from '../../errors/domain.ts'
import { newId } from '../../ids.ts'
import type { JobScheduler } from '../../jobs/scheduler.ts'
import type { Wallet } from '../auth/public.ts'
import type { BillingCatalogues } from './catalogues.ts'
import { toInvoiceDto, type InvoiceService } from './invoices.ts'

const EXPIRE_SUBSCRIPTION_JOB = 'subscription.expire'
const DAY_MS = 24 * 60 * 60 * 1000
type SubscriptionRow = typeof subscriptions.$inferSelect
const toSubscriptionDto = ({ userId: _owner, ...subscription }: SubscriptionRow) => subscription

/**
 * What a user buys from the catalogues: a plan subscription, an extra, a coin pack. Each purchase
 * is a pending invoice; paying it applies the effect registered here, inside the paying batch.
 */
export class PurchaseService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly catalogues: BillingCatalogues,
    private readonly invoices: InvoiceService,
    wallet: Wallet,
    scheduler: JobScheduler,
  ) {
    scheduler.register(EXPIRE_SUBSCRIPTION_JOB, ({ subscriptionId }) => this.expire(String(subscriptionId)))
    invoices.onCancelled('subscription', (invoice, { cancelled }) => [
      this.db
        .update(subscriptions)
        .set({ status: 'cancelled' })
        .where(and(eq(subscriptions.id, invoice.subjectId), eq(subscriptions.status, 'pending_payment'), cancelled)),
    ])
    invoices.onPaid('subscription', async (invoice, { settled, paidAt }) => {
      const subscription = await this.db.query.subscriptions.findFirst({
        where: eq(subscriptions.id, invoice.subjectId),
      })
      const plan = await this.catalogues.plans.get(subscription!.planId)
      // Paid while another subscription still runs (two pending ones, both paid): it follows that one.
      const [running] = await this.db
        .select({ endsAt: subscriptions.endsAt })
        .from(subscriptions)
        .where(
          and(
            eq(subscriptions.userId, invoice.userId),
            eq(subscriptions.status, 'active'),
            gt(subscriptions.endsAt, paidAt),
          ),
        )
        .orderBy(desc(subscriptions.endsAt))
        .limit(1)
      const startsAt = running?.endsAt ?? paidAt
      const endsAt = new Date(startsAt.getTime() + plan.periodDays * DAY_MS)
      return [
        this.db
          .update(subscriptions)
          .set({ status: 'active', startsAt, endsAt })
          .where(and(eq(subscriptions.id, invoice.subjectId), eq(subscriptions.status, 'pending_payment'), settled)),
        scheduler.scheduleWhere(
          {
            kind: EXPIRE_SUBSCRIPTION_JOB,
            key: `subscription-expire:${invoice.subjectId}`,
            runAt: endsAt,
            payload: { subscriptionId: invoice.subjectId },
          },
          settled,
        ),
      ]
    })
    invoices.onPaid('extra', async (invoice, { settled, paidAt }) => {
      const extra = await this.catalogues.extras.get(invoice.subjectId)
      return [
        insertWhere(
          this.db,
          extraGrants,
          {
            id: newId('grant'),
            userId: invoice.userId,
            sku: extra.sku,
            invoiceId: invoice.id,
            grants: extra.grants,
            createdAt: paidAt,
          },
          settled,
        ),
      ]
    })
    // A coin pack's invoice line counts the coins as bought (its quantity), whatever the pack says later.
    invoices.onPaid('coins', (invoice, { settled }) =>
      wallet.entries(
        [
          {
            userId: invoice.userId,
            amount: invoice.lines.reduce((coins, line) => coins + line.quantity, 0),
            kind: 'purchase',
            reference: invoice.code,
          },
        ],
        settled,
      ),
    )
  }

  /** A pending subscription and its invoice; one active subscription at a time (409). */
  async subscribe(userId: string, planId: string) {
    const plan = await this.catalogues.plans.onSale(planId)
    const now = new Date(this.clock.now())
    const [active] = await this.db
      .select({ id: subscriptions.id })
      .from(subscriptions)
      .where(and(eq(subscriptions.userId, userId), eq(subscriptions.status, 'active'), gt(subscriptions.endsAt, now)))
    if (active)
      throw conflict('ALREADY_SUBSCRIBED', 'You already have an active subscription; subscribe again once it ends')
    const subscription: SubscriptionRow = {
      id: newId('sub'),
      userId,
      planId: plan.id,
      status: 'pending_payment',
      startsAt: null,
      endsAt: null,
      createdAt: now,
    }
    const invoice = this.invoices.draft(userId, 'subscription', subscription.id, [
      { description: `${plan.name} plan, ${plan.periodDays} days`, quantity: 1, amount: plan.amount },
    ])
    await this.db.batch([this.db.insert(subscriptions).values(subscription), this.invoices.insert(invoice)])
    return { subscription: toSubscriptionDto(subscription), invoice: toInvoiceDto(invoice) }
  }

  async mySubscriptions(userId: string) {
    const rows = await this.db
      .select()
      .from(subscriptions)
      .where(eq(subscriptions.userId, userId))
      .orderBy(desc(subscriptions.createdAt), desc(subscriptions.id))
      .limit(50)
    return rows.map(toSubscriptionDto)
  }

  async buyExtra(userId: string, sku: string) {
    const extra = await this.catalogues.extras.onSale(sku)
    const invoice = this.invoices.draft(userId, 'extra', extra.sku, [
      { description: extra.name, quantity: 1, amount: extra.amount },
    ])
    await this.invoices.insert(invoice)
    return { invoice: toInvoiceDto(invoice) }
  }

  async myExtras(userId: string) {
    const rows = await this.db
      .select()
      .from(extraGrants)
      .where(eq(extraGrants.userId, userId))
      .orderBy(desc(extraGrants.createdAt), desc(extraGrants.id))
    return rows.map(({ userId: _owner, ...grant }) => grant)
  }

  async buyCoins(userId: string, packId: string) {
    const pack = await this.catalogues.coinPacks.onSale(packId)
    const invoice = this.invoices.draft(userId, 'coins', pack.id, [
      { description: pack.name, quantity: pack.coins, amount: pack.amount },
    ])
    await this.invoices.insert(invoice)
    return { invoice: toInvoiceDto(invoice) }
  }

  private async expire(subscriptionId: string): Promise<void> {
    const now = new Date(this.clock.now())
    await this.db
      .update(subscriptions)
      .set({ status: 'expired' })
      .where(
        and(eq(subscriptions.id, subscriptionId), eq(subscriptions.status, 'active'), lte(subscriptions.endsAt, now)),
      )
  }
}
