import { and, eq } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { paymentAttempts } from '../../db/schema/billing.ts'
import { notFound, invalid } from '../../errors/domain.ts'
import { newId } from '../../ids.ts'
import type { InvoiceRow, InvoiceService } from './invoices.ts'

export type AttemptRow = typeof paymentAttempts.$inferSelect
export const toAttemptDto = ({ idempotencyKey: _key, updatedAt: _updated, ...attempt }: AttemptRow) => attempt

/**
 * A payment gateway. `checkout` opens a payment for an attempt and says where the payer goes;
 * the gateway later reports the outcome through the signed webhook (`/billing/webhooks/:name`).
 */
export interface PaymentProvider {
  readonly name: string
  checkout(
    attempt: { reference: string; invoice: InvoiceRow },
    origin: string,
  ): Promise<{ checkoutUrl: string }> | { checkoutUrl: string }
}

/** Payment attempts on pending invoices, through the providers this server offers. */
export class PaymentService {
  private readonly providers = new Map<string, PaymentProvider>()

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly invoices: InvoiceService,
    providers: PaymentProvider[],
  ) {
    for (const provider of providers) this.providers.set(provider.name, provider)
  }

  has(name: string): boolean {
    return this.providers.has(name)
  }

  /** Starts paying; with an idempotency key already used on this invoice, the first attempt again (`created: false`). */
  async pay(
    userId: string,
    invoiceId: string,
    body: { provider: string; idempotencyKey?: string },
    origin: string,
  ): Promise<{ attempt: AttemptRow; created: boolean }> {
    const invoice = await this.invoices.get(invoiceId)
    if (invoice.userId !== userId) throw notFound('Invoice')
    const provider = this.providers.get(body.provider)
    if (!provider) {
      const offered = [...this.providers.keys()].join(', ') || 'none'
      throw invalid('UNKNOWN_PAYMENT_PROVIDER', `No payment provider "${body.provider}" here (offered: ${offered})`, [
        { in: 'body', path: '/provider', message: `one of: ${offered}` },
      ])
    }
    if (body.idempotencyKey) {
      const earlier = await this.byKey(invoiceId, body.idempotencyKey)
      if (earlier) return { attempt: earlier, created: false }
    }
    this.invoices.assertPayable(invoice)
    const reference = `${newId('pay')}${newId('ref').slice(4)}`
    const { checkoutUrl } = await provider.checkout({ reference, invoice }, origin)
    const now = new Date(this.clock.now())
    const [attempt] = await this.db
      .insert(paymentAttempts)
      .values({
        id: newId('att'),
        invoiceId,
        provider: provider.name,
        status: 'initiated',
        reference,
        checkoutUrl,
        idempotencyKey: body.idempotencyKey ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing()
      .returning()
    if (attempt) return { attempt, created: true }
    // The same key raced this call and won: answer with its attempt.
    return { attempt: (await this.byKey(invoiceId, body.idempotencyKey!))!, created: false }
  }

  async byReference(reference: string): Promise<AttemptRow | undefined> {
    return this.db.query.paymentAttempts.findFirst({ where: eq(paymentAttempts.reference, reference) })
  }

  private byKey(invoiceId: string, idempotencyKey: string) {
    return this.db.query.paymentAttempts.findFirst({
      where: and(eq(paymentAttempts.invoiceId, invoiceId), eq(paymentAttempts.idempotencyKey, idempotencyKey)),
    })
  }
}
