import { Elysia } from 'elysia'
import { escapeHtml, htmlPage } from '../../http/html.ts'
import { newId } from '../../ids.ts'
import type { Clock } from '../../clock.ts'
import type { paymentStatuses } from '../../db/schema/billing.ts'
import type { InvoiceService } from './invoices.ts'
import { ReferenceParams } from './model.ts'
import type { PaymentProvider, PaymentService } from './payments.ts'
import { signWebhook, type WebhookReceiver } from './webhooks.ts'

const MOCK_PROVIDER = 'mock'
const CHECKOUT_PATH = '/billing/mock/checkout'
// No script at all: two plain forms posting back to us; inline styles only.
const CHECKOUT_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

/** A stand-in gateway for development and tests (never offered in production): its checkout page is served by Majlis. */
export const mockProvider = (apiPrefix: string): PaymentProvider => ({
  name: MOCK_PROVIDER,
  checkout: ({ reference }, origin) => ({ checkoutUrl: `${origin}${apiPrefix}${CHECKOUT_PATH}/${reference}` }),
})

export interface MockCheckoutDeps {
  secret: string
  clock: Clock
  invoices: InvoiceService
  payments: PaymentService
  webhooks: WebhookReceiver
}

const formatAmount = (halalas: number) => `${(halalas / 100).toFixed(2)} SAR`
/** A coin pack's quantity is its coins, already in its name ("550 coins"); other lines show a count above one. */
const lineLabel = (purpose: string, line: { description: string; quantity: number }) =>
  purpose === 'coins' || line.quantity === 1 ? line.description : `${line.description} × ${line.quantity}`
const attemptOutcome: Record<(typeof paymentStatuses)[number], string> = {
  initiated: 'This payment was not completed.',
  succeeded: 'This payment is complete.',
  failed: 'This payment was declined.',
}

const pageStyle = `
body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;color:#1f2937}
h1{font-size:1.3rem}
.card{border:1px solid #d1d5db;border-radius:.5rem;padding:1rem 1.25rem}
button{font:inherit;padding:.6rem 1.2rem;border-radius:.4rem;border:0;cursor:pointer;margin:.5rem .5rem 0 0}
.pay{background:#047857;color:#fff}
.fail{background:#e5e7eb}
form{display:inline}
small{color:#6b7280}`

function page(title: string, body: string) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title>
<style>${pageStyle}</style></head>
<body><div class="card">${body}</div>
<p><small>Majlis mock payment provider — for development only, never offered in production.</small></p></body></html>`
}

/**
 * The mock gateway's public checkout page, reached only through the unguessable attempt
 * reference. Its buttons make Majlis send the signed webhook a real gateway would send, through
 * the same receiver; the webhook secret never reaches the browser.
 */
export const mockCheckoutRoutes = ({ secret, clock, invoices, payments, webhooks }: MockCheckoutDeps) => {
  const findAttempt = async (reference: string) => {
    const attempt = await payments.byReference(reference)
    return attempt?.provider === MOCK_PROVIDER ? { attempt, invoice: await invoices.get(attempt.invoiceId) } : null
  }
  const notFoundPage = () => htmlPage(page('Not found', '<h1>No such payment</h1>'), CHECKOUT_CSP, 404)
  const complete = async (reference: string, status: 'paid' | 'failed') => {
    const found = await findAttempt(reference)
    if (!found) return notFoundPage()
    const rawBody = JSON.stringify({
      reference,
      status,
      amount: found.invoice.amount,
      currency: found.invoice.currency,
    })
    const timestamp = String(Math.floor(clock.now() / 1000))
    const eventId = newId('evt')
    await webhooks.receive(MOCK_PROVIDER, {
      timestamp,
      eventId,
      signature: signWebhook(secret, timestamp, eventId, rawBody),
      rawBody,
    })
    const invoice = await invoices.get(found.invoice.id)
    const outcome =
      invoice.status === 'paid'
        ? 'Payment complete'
        : status === 'failed'
          ? 'Payment failed'
          : `The invoice is ${invoice.status}`
    return htmlPage(
      page(
        outcome,
        `<h1>${escapeHtml(outcome)}</h1><p>Invoice <b>${escapeHtml(invoice.code)}</b>: ${escapeHtml(invoice.status)}.</p><p>You can close this page.</p>`,
      ),
      CHECKOUT_CSP,
    )
  }
  // A page for people, not part of the JSON API: kept out of the OpenAPI document.
  const hidden = { hide: true }
  return new Elysia({ name: 'mock-checkout-routes', prefix: CHECKOUT_PATH })
    .get(
      '/:reference',
      async ({ params }) => {
        const found = await findAttempt(params.reference)
        if (!found) return notFoundPage()
        const { invoice, attempt } = found
        const action = `${params.reference}`
        const buttons =
          invoice.status === 'pending' && attempt.status === 'initiated'
            ? `<form method="post" action="${escapeHtml(action)}/pay">` +
              `<button class="pay" type="submit">Pay ${escapeHtml(formatAmount(invoice.amount))}</button></form>` +
              `<form method="post" action="${escapeHtml(action)}/fail"><button class="fail" type="submit">Decline</button></form>`
            : `<p>${escapeHtml(attemptOutcome[attempt.status])} The invoice is ${escapeHtml(invoice.status)}.</p>`
        const lines = invoice.lines
          .map(
            (line) =>
              `<li>${escapeHtml(lineLabel(invoice.purpose, line))}: ${escapeHtml(formatAmount(line.amount))}</li>`,
          )
          .join('')
        return htmlPage(
          page(
            `Pay ${invoice.code}`,
            `<h1>Pay invoice ${escapeHtml(invoice.code)}</h1><ul>${lines}</ul><p>Total: <b>${escapeHtml(formatAmount(invoice.amount))}</b></p>${buttons}`,
          ),
          CHECKOUT_CSP,
        )
      },
      {
        params: ReferenceParams,
        detail: { ...hidden, summary: 'The mock provider’s checkout page (HTML; not in production)' },
      },
    )
    .post('/:reference/pay', ({ params }) => complete(params.reference, 'paid'), {
      params: ReferenceParams,
      detail: {
        ...hidden,
        summary: 'Mock checkout: pay — Majlis sends itself the signed `paid` webhook (HTML answer)',
      },
    })
    .post('/:reference/fail', ({ params }) => complete(params.reference, 'failed'), {
      params: ReferenceParams,
      detail: {
        ...hidden,
        summary: 'Mock checkout: decline — Majlis sends itself the signed `failed` webhook (HTML answer)',
      },
    })
}
