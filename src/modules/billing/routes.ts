import { Elysia, t } from 'elysia'
import type { Config } from '../../config.ts'
import { ErrorBody, errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import { Page } from '../../http/pagination.ts'
import { absoluteUrl } from '../../http/uploads.ts'
import { toInvoiceDto, type InvoiceService } from './invoices.ts'
import { IdParams, Invoice, InvoiceListQuery, PayBody, PaymentAttempt, ProviderParams, WebhookAnswer } from './model.ts'
import { toAttemptDto, type PaymentService } from './payments.ts'
import type { WebhookReceiver } from './webhooks.ts'

export interface BillingRouteDeps extends RoutePlugins {
  config: Config
  invoices: InvoiceService
  payments: PaymentService
}

/** A user's invoices and payments. */
export const billingRoutes = ({ config, invoices, payments, ...plugins }: BillingRouteDeps) =>
  moduleRoutes({ name: 'billing-routes', prefix: '/billing', detail: { tags: ['billing'] } }, plugins)
    .get('/invoices', ({ user, query }) => invoices.page(user.id, { ...query, limit: query.limit ?? 20 }), {
      auth: 'any',
      query: InvoiceListQuery,
      response: { 200: Page(Invoice), ...errorResponses },
      detail: { summary: 'My invoices, newest first' },
    })
    .get('/invoices/:id', async ({ user, params }) => toInvoiceDto(await invoices.visibleTo(user, params.id)), {
      auth: { roles: 'any', staff: ['billing', 'read'] },
      params: IdParams,
      response: { 200: Invoice, ...errorResponses },
      detail: { summary: 'An invoice (its owner, or staff with the billing module)' },
    })
    .post(
      '/invoices/:id/pay',
      async ({ user, params, body, request, set }) => {
        const { attempt, created } = await payments.pay(user.id, params.id, body, absoluteUrl(config, request, ''))
        set.status = created ? 201 : 200
        return toAttemptDto(attempt)
      },
      {
        auth: 'any',
        params: IdParams,
        body: PayBody,
        response: { 200: PaymentAttempt, 201: PaymentAttempt, ...errorResponses },
        detail: {
          summary:
            'Start paying a pending invoice: 201 with the attempt and its checkoutUrl; the same idempotencyKey again → 200 with the same attempt; not pending → 409',
        },
      },
    )
    .post('/invoices/:id/cancel', async ({ user, params }) => toInvoiceDto(await invoices.cancel(user.id, params.id)), {
      auth: 'any',
      params: IdParams,
      response: { 200: Invoice, ...errorResponses },
      detail: { summary: 'Cancel my pending invoice (409 once paid or cancelled)' },
    })

/**
 * Gateways' webhooks. Not under the per-IP budget of anonymous callers: a gateway sends many from
 * few addresses, and each is authenticated by its signature before anything is read.
 */
export const WEBHOOK_PREFIX = '/billing/webhooks'

export const webhookRoutes = (webhooks: WebhookReceiver) =>
  new Elysia({ name: 'billing-webhook-routes', prefix: WEBHOOK_PREFIX, detail: { tags: ['billing'] } }).post(
    '/:provider',
    ({ params, headers, body }) =>
      webhooks.receive(params.provider, {
        timestamp: headers['x-timestamp'] ?? null,
        eventId: headers['x-event-id'] ?? null,
        signature: headers['x-signature'] ?? null,
        rawBody: typeof body === 'string' ? body : '',
      }),
    {
      params: ProviderParams,
      body: t.Unknown({
        description:
          '`{ reference | invoiceCode, status: paid|failed, amount?, currency? }`, read only after the signature verified',
      }),
      response: { 200: WebhookAnswer, 400: ErrorBody, 401: ErrorBody, 404: ErrorBody, 422: ErrorBody },
      detail: {
        summary: 'A gateway reports a payment (public, signed)',
        description:
          'Headers: `X-Timestamp` (unix seconds, within ±5 min), `X-Event-Id` (≤ 128 chars), `X-Signature` = ' +
          'hex HMAC-SHA256 with PAYMENT_WEBHOOK_SECRET over `<X-Timestamp>.<X-Event-Id>.<raw body>`. ' +
          'The signature is checked first: a bad or missing one, or a stale timestamp → 401, whatever the body ' +
          'or provider. Then: unknown provider → 404, body not JSON → 400, invalid → 422; ' +
          "`amount` (minor units) or `currency` stated and not the invoice's → 422 `AMOUNT_MISMATCH`, nothing paid; a repeated event id → 200 `{ duplicate: true }` with no second effect. " +
          '`paid` marks the invoice paid and applies its effect once, committed before this answer; `failed` marks the attempt failed and leaves the invoice pending.',
        security: [],
      },
    },
  )
