import { DEV_WEBHOOK_SECRET } from '../../src/config.ts'
import { signWebhook } from '../../src/modules/billing/webhooks.ts'
import type { TestApp } from '../helpers/app.ts'

type Who = { accessToken: string }

/** Sends a webhook as a gateway would: signed with the (dev) secret at the given unix time unless told otherwise. */
export function sendWebhook(
  t: TestApp,
  body: unknown,
  options: { at: number; eventId?: string; secret?: string; signature?: string; timestamp?: string; provider?: string },
) {
  const rawBody = typeof body === 'string' ? body : JSON.stringify(body)
  const timestamp = options.timestamp ?? String(Math.floor(options.at / 1000))
  const eventId = options.eventId ?? crypto.randomUUID()
  const headers: Record<string, string> = {
    'x-timestamp': timestamp,
    'x-event-id': eventId,
    'content-type': 'application/json',
  }
  headers['x-signature'] =
    options.signature ?? signWebhook(options.secret ?? DEV_WEBHOOK_SECRET, timestamp, eventId, rawBody)
  return t.call('POST', `/api/v1/billing/webhooks/${options.provider ?? 'mock'}`, { rawBody, headers })
}

/** Starts a mock payment for the invoice: the attempt with its checkoutUrl. */
export async function startPayment(t: TestApp, who: Who, invoiceId: string, idempotencyKey?: string) {
  const response = await t.call('POST', `/api/v1/billing/invoices/${invoiceId}/pay`, {
    token: who.accessToken,
    body: { provider: 'mock', idempotencyKey },
  })
  if (response.status !== 201) throw new Error(`pay failed: ${response.status} ${JSON.stringify(response.body)}`)
  return response.body as { id: string; reference: string; checkoutUrl: string; status: string }
}

/** What the payer does on the mock checkout page: open it, then press Pay (or Decline). */
export async function completeCheckout(t: TestApp, checkoutUrl: string, button: 'pay' | 'fail' = 'pay') {
  const pagePath = new URL(checkoutUrl).pathname
  const page = await t.app.handle(new Request(`http://localhost${pagePath}`))
  if (page.status !== 200) throw new Error(`checkout page: ${page.status}`)
  const html = await page.text()
  const action = html.match(new RegExp(`action="([^"]+/${button})"`))?.[1]
  if (!action) throw new Error(`no ${button} button on the checkout page`)
  const result = await t.app.handle(new Request(new URL(action, `http://localhost${pagePath}`), { method: 'POST' }))
  return { page: html, result: await result.text(), status: result.status }
}

/** Buys (invoice) and pays through the mock page. */
export async function payInvoice(t: TestApp, who: Who, invoiceId: string) {
  const attempt = await startPayment(t, who, invoiceId)
  await completeCheckout(t, attempt.checkoutUrl)
  return attempt
}
