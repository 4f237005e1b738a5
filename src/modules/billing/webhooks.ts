import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Clock } from '../../clock.ts'
import { DomainError, notFound } from '../../errors/domain.ts'
import { validated } from '../../http/validate.ts'
import type { InvoiceService } from './invoices.ts'
import { WebhookBody } from './model.ts'
import type { PaymentService } from './payments.ts'

/** How far a webhook's signed timestamp may be from our clock before it counts as a replay. */
const WEBHOOK_WINDOW_SEC = 5 * 60

export interface WebhookDelivery {
  timestamp: string | null
  eventId: string | null
  signature: string | null
  rawBody: string
}

/** Hex HMAC-SHA256 over `<timestamp>.<event id>.<raw body>`: what a gateway sends as X-Signature. */
export function signWebhook(secret: string, timestamp: string, eventId: string, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${eventId}.${rawBody}`).digest('hex')
}

const unauthorized = (code: 'INVALID_SIGNATURE' | 'STALE_WEBHOOK', message: string) => new DomainError(code, message)

/** Refuses (401) a delivery whose signature is missing or wrong, or whose signed timestamp is outside the window. */
function verifyWebhook(secret: string, delivery: WebhookDelivery, nowMs: number): void {
  const { timestamp, eventId, signature, rawBody } = delivery
  if (!timestamp || !/^\d{1,12}$/.test(timestamp))
    throw unauthorized('INVALID_SIGNATURE', 'X-Timestamp must be the unix time in seconds')
  if (!eventId || eventId.length > 128)
    throw unauthorized('INVALID_SIGNATURE', 'X-Event-Id is required (at most 128 characters) and signed')
  if (!signature || !/^[0-9a-f]{64}$/i.test(signature))
    throw unauthorized(
      'INVALID_SIGNATURE',
      'X-Signature must be the hex HMAC-SHA256 of "<X-Timestamp>.<X-Event-Id>.<body>"',
    )
  const expected = Buffer.from(signWebhook(secret, timestamp, eventId, rawBody), 'hex')
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex')))
    throw unauthorized('INVALID_SIGNATURE', 'The signature does not match')
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > WEBHOOK_WINDOW_SEC) {
    throw unauthorized(
      'STALE_WEBHOOK',
      `X-Timestamp is more than ${WEBHOOK_WINDOW_SEC} s from now; a replayed or delayed event`,
    )
  }
}

/**
 * Gateways' webhooks: the signature first (nothing of an unsigned delivery is parsed or looked
 * up), then the body; deduplicated by event id, checked against the invoice's amount, then settled.
 */
export class WebhookReceiver {
  constructor(
    private readonly secret: string,
    private readonly clock: Clock,
    private readonly invoices: InvoiceService,
    private readonly payments: PaymentService,
  ) {}

  async receive(provider: string, delivery: WebhookDelivery): Promise<{ received: true; duplicate: boolean }> {
    verifyWebhook(this.secret, delivery, this.clock.now())
    const eventId = delivery.eventId!
    if (!this.payments.has(provider)) throw notFound('Payment provider')
    const body = validated(WebhookBody, parseJson(delivery.rawBody))
    const attempt = body.reference ? await this.payments.byReference(body.reference) : undefined
    if (body.reference && attempt?.provider !== provider) throw notFound('Payment attempt')
    const invoice = attempt
      ? await this.invoices.get(attempt.invoiceId)
      : body.invoiceCode
        ? await this.invoices.byCode(body.invoiceCode)
        : undefined
    if (!invoice)
      throw body.invoiceCode || body.reference
        ? notFound('Invoice')
        : new DomainError('VALIDATION_FAILED', 'Name the payment: reference or invoiceCode', [
            { in: 'body', path: '/reference', message: 'required' },
          ])
    assertSameCharge(body, invoice)
    const { duplicate } = await this.invoices.settle({
      provider,
      eventId,
      invoice,
      attemptId: attempt?.id ?? null,
      status: body.status,
    })
    return { received: true, duplicate }
  }
}

/** An event that states what was charged must have charged exactly the invoice (422 otherwise, nothing paid). */
function assertSameCharge(
  body: { amount?: number; currency?: string },
  invoice: { amount: number; currency: string },
): void {
  const mismatched = [
    body.amount !== undefined && body.amount !== invoice.amount
      ? { in: 'body', path: '/amount', message: `the invoice is for ${invoice.amount}` }
      : null,
    body.currency !== undefined && body.currency !== invoice.currency
      ? { in: 'body', path: '/currency', message: `the invoice is in ${invoice.currency}` }
      : null,
  ].filter((detail) => detail !== null)
  if (mismatched.length > 0)
    throw new DomainError('AMOUNT_MISMATCH', 'The event states another amount or currency than the invoice', mismatched)
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    throw new DomainError('MALFORMED_BODY', 'The webhook body is not JSON')
  }
}
