import { and, desc, eq, sql, type SQL } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { insertWhere } from '../../db/insert-where.ts'
import {
  invoices,
  paymentAttempts,
  paymentEvents,
  type InvoiceLine,
  type InvoicePurpose,
} from '../../db/schema/billing.ts'
import { staffMay, type AuthUser } from '../../access/policy.ts'
import { conflict, notFound } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { newId } from '../../ids.ts'
import { logEvent, type Logger } from '../../logger.ts'
import type { NotificationService } from '../notifications/public.ts'

export type InvoiceRow = typeof invoices.$inferSelect
export const CURRENCY = 'SAR' as const
export const toInvoiceDto = ({ settlement: _token, ...invoice }: InvoiceRow) => ({ ...invoice, currency: CURRENCY })

/**
 * What paying an invoice of one purpose does, as statements for the batch that marks it paid.
 * `settled` holds only in the batch of the one delivery that moved the invoice to paid: every
 * statement must be guarded by it, so a second delivery of any event applies nothing.
 */
export type PaidEffect = (
  invoice: InvoiceRow,
  context: { settled: SQL; paidAt: Date },
) => Promise<BatchItem<'sqlite'>[]> | BatchItem<'sqlite'>[]
/** What cancelling a pending invoice does to what it was for: statements for the cancelling batch, guarded by `cancelled`. */
export type CancelledEffect = (invoice: InvoiceRow, context: { cancelled: SQL; at: Date }) => BatchItem<'sqlite'>[]

export interface Settlement {
  provider: string
  eventId: string
  invoice: InvoiceRow
  attemptId: string | null
  status: 'paid' | 'failed'
}

const CODE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ'
function invoiceCode(at: Date): string {
  const day = at.toISOString().slice(0, 10).replaceAll('-', '')
  const random = crypto.getRandomValues(new Uint8Array(6))
  return `INV-${day}-${Array.from(random, (byte) => CODE_ALPHABET[byte % CODE_ALPHABET.length]).join('')}`
}

/**
 * Invoices made by the flows (verification, promotion, plans, extras, coin packs), never typed in
 * by a client, and their settlement: a webhook event, its dedupe row, the attempt's outcome, the
 * invoice marked paid and the purpose's effect all commit in one batch.
 */
export class InvoiceService {
  private readonly effects = new Map<InvoicePurpose, PaidEffect>()
  private readonly cancellations = new Map<InvoicePurpose, CancelledEffect>()

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly notifications: NotificationService,
    private readonly logger: Logger,
  ) {}

  /** The owning flow says what paying its invoices does (one effect per purpose). */
  onPaid(purpose: InvoicePurpose, effect: PaidEffect): void {
    this.effects.set(purpose, effect)
  }

  /** The owning flow says what cancelling its invoice does (its own statements must be guarded by its state). */
  onCancelled(purpose: InvoicePurpose, effect: CancelledEffect): void {
    this.cancellations.set(purpose, effect)
  }

  /** A pending invoice's row (not yet stored): the amount is the sum of its lines. */
  draft(userId: string, purpose: InvoicePurpose, subjectId: string, lines: InvoiceLine[]): InvoiceRow {
    const createdAt = new Date(this.clock.now())
    const amount = lines.reduce((total, line) => total + line.amount, 0)
    return {
      id: newId('inv'),
      code: invoiceCode(createdAt),
      userId,
      purpose,
      subjectId,
      amount,
      currency: CURRENCY,
      status: 'pending',
      lines,
      settlement: null,
      createdAt,
      paidAt: null,
    }
  }

  /**
   * Issues a drafted invoice together with the flow's own guarded update that writes its id on the
   * flow's row (`invoiceColumn`): one batch, and the invoice is stored only if that update happened,
   * so a concurrent second decision issues nothing.
   */
  async issueWith(
    invoice: InvoiceRow,
    recordOnRow: BatchItem<'sqlite'>,
    row: { id: string; idColumn: SQLiteColumn; invoiceColumn: SQLiteColumn },
  ) {
    const recorded = sql`exists (select 1 from ${row.idColumn.table} where ${row.idColumn} = ${row.id} and ${row.invoiceColumn} = ${invoice.id})`
    await this.db.batch([recordOnRow, insertWhere(this.db, invoices, invoice, recorded)])
  }

  insert(invoice: InvoiceRow) {
    return this.db.insert(invoices).values(invoice)
  }

  async get(id: string): Promise<InvoiceRow> {
    const invoice = await this.db.query.invoices.findFirst({ where: eq(invoices.id, id) })
    if (!invoice) throw notFound('Invoice')
    return invoice
  }

  /** The owner's invoice, or any invoice for staff with the billing module (404 otherwise, so ids are not probed). */
  async visibleTo(user: AuthUser, id: string): Promise<InvoiceRow> {
    const invoice = await this.get(id)
    if (invoice.userId !== user.id && !staffMay(user, ['billing', 'read'])) throw notFound('Invoice')
    return invoice
  }

  async byCode(code: string): Promise<InvoiceRow | undefined> {
    return this.db.query.invoices.findFirst({ where: eq(invoices.code, code) })
  }

  async page(
    userId: string,
    query: { status?: InvoiceRow['status']; purpose?: InvoicePurpose; limit: number; cursor?: string },
  ) {
    const rows = await this.db
      .select()
      .from(invoices)
      .where(
        and(
          eq(invoices.userId, userId),
          query.status ? eq(invoices.status, query.status) : undefined,
          query.purpose ? eq(invoices.purpose, query.purpose) : undefined,
          afterCursor(invoices.createdAt, invoices.id, decodeCursor(query.cursor)),
        ),
      )
      .orderBy(desc(invoices.createdAt), desc(invoices.id))
      .limit(query.limit + 1)
    const { items, nextCursor } = toPage(rows, query.limit)
    return { items: items.map(toInvoiceDto), nextCursor }
  }

  /**
   * The owner cancels a pending invoice, and with it what it was for (a pending subscription, a
   * verification or promotion awaiting payment), in one batch; a paid or cancelled one → 409.
   */
  async cancel(userId: string, id: string): Promise<InvoiceRow> {
    const invoice = await this.get(id)
    if (invoice.userId !== userId) throw notFound('Invoice')
    if (invoice.status !== 'pending')
      throw conflict('INVALID_STATE', `The invoice is ${invoice.status}; only a pending invoice can be cancelled`)
    const [first] = await this.db.batch([
      this.db
        .update(invoices)
        .set({ status: 'cancelled' })
        .where(and(eq(invoices.id, id), eq(invoices.status, 'pending')))
        .returning(),
      ...(this.cancellations.get(invoice.purpose)?.(invoice, {
        cancelled: sql`exists (select 1 from ${invoices} where ${invoices.id} = ${id} and ${invoices.status} = 'cancelled')`,
        at: new Date(this.clock.now()),
      }) ?? []),
    ])
    const cancelled = (first as InvoiceRow[])[0]
    if (!cancelled) throw conflict('INVALID_STATE', 'The invoice was paid or cancelled meanwhile')
    return cancelled
  }

  /** Refuses to start paying an invoice that is not pending (409). */
  assertPayable(invoice: InvoiceRow): void {
    if (invoice.status !== 'pending')
      throw conflict('INVALID_STATE', `The invoice is ${invoice.status}; only a pending invoice can be paid`)
  }

  /**
   * Applies one webhook event. Returns `duplicate: true` when the event id was seen before; an
   * invoice that is no longer pending changes nothing. Concurrent deliveries serialize in SQLite:
   * exactly one batch finds its own event row and the invoice pending, and only its guards hold.
   */
  async settle({ provider, eventId, invoice, attemptId, status }: Settlement): Promise<{ duplicate: boolean }> {
    const token = newId('stl')
    const now = new Date(this.clock.now())
    const recorded = sql`exists (select 1 from ${paymentEvents} where ${paymentEvents.provider} = ${provider} and ${paymentEvents.eventId} = ${eventId} and ${paymentEvents.token} = ${token})`
    const settled = sql`exists (select 1 from ${invoices} where ${invoices.id} = ${invoice.id} and ${invoices.settlement} = ${token})`
    const effect = this.effects.get(invoice.purpose)
    if (!effect) throw new Error(`no paid effect registered for invoices of purpose ${invoice.purpose}`)
    const items: BatchItem<'sqlite'>[] = [
      this.db
        .insert(paymentEvents)
        .values({ provider, eventId, token, invoiceId: invoice.id, status, receivedAt: now })
        .onConflictDoNothing(),
    ]
    if (attemptId) {
      items.push(
        this.db
          .update(paymentAttempts)
          .set({ status: status === 'paid' ? 'succeeded' : 'failed', updatedAt: now })
          .where(and(eq(paymentAttempts.id, attemptId), eq(paymentAttempts.status, 'initiated'), recorded)),
      )
    }
    if (status === 'paid') {
      items.push(
        this.db
          .update(invoices)
          .set({ status: 'paid', paidAt: now, settlement: token })
          .where(and(eq(invoices.id, invoice.id), eq(invoices.status, 'pending'), recorded)),
        ...(await effect(invoice, { settled, paidAt: now })),
      )
    }
    await this.db.batch(items as [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]])

    const [event] = await this.db
      .select({ token: paymentEvents.token })
      .from(paymentEvents)
      .where(and(eq(paymentEvents.provider, provider), eq(paymentEvents.eventId, eventId)))
    if (event?.token !== token) return { duplicate: true }
    const [paid] = await this.db
      .select({ id: invoices.id })
      .from(invoices)
      .where(and(eq(invoices.id, invoice.id), eq(invoices.settlement, token)))
    if (paid) {
      logEvent(this.logger, 'billing.payment_settled', invoice.userId, {
        invoice: invoice.code,
        purpose: invoice.purpose,
        amount: invoice.amount,
        currency: invoice.currency,
        provider,
        eventId,
      })
      await this.notifyPaid(invoice)
    } else if (status === 'paid')
      this.logger.warn('payment for an invoice that is not pending', { invoice: invoice.code, provider, eventId })
    else logEvent(this.logger, 'billing.payment_failed', invoice.userId, { invoice: invoice.code, provider, eventId })
    return { duplicate: false }
  }

  private notifyPaid(invoice: InvoiceRow) {
    return this.notifications.notify(invoice.userId, {
      type: 'billing.invoice_paid',
      title: { ar: 'تم استلام الدفع', en: 'Payment received' },
      body: { ar: `تم دفع الفاتورة ${invoice.code}`, en: `Invoice ${invoice.code} is paid` },
      data: { invoiceId: invoice.id, purpose: invoice.purpose, subjectId: invoice.subjectId },
      dedupeKey: `invoice-paid:${invoice.id}`,
    })
  }
}
