import { Elysia } from 'elysia'
import { API_PREFIX } from '../../http/paths.ts'
import type { ModuleContext } from '../shared-services.ts'
import { billingBackofficeRoutes } from './backoffice-routes.ts'
import { billingCatalogues } from './catalogues.ts'
import { mockCheckoutRoutes, mockProvider } from './mock-checkout.ts'
import { PaymentService } from './payments.ts'
import { purchaseRoutes } from './purchase-routes.ts'
import { PurchaseService } from './purchases.ts'
import { billingRoutes, WEBHOOK_PREFIX, webhookRoutes } from './routes.ts'
import { WebhookReceiver } from './webhooks.ts'

/**
 * Billing: invoices (made by the flows that sell something), payments through provider adapters,
 * signed webhooks, plans, extras, coin packs and the features they unlock. The mock provider and
 * its checkout page exist only outside production.
 */
export function billingModule({
  db,
  clock,
  config,
  invoices,
  features,
  wallet,
  scheduler,
  plugins,
  rawBodyRoutes,
}: ModuleContext) {
  const catalogues = billingCatalogues(db, clock)
  const offerMock = !config.isProduction
  const payments = new PaymentService(db, clock, invoices, offerMock ? [mockProvider(API_PREFIX)] : [])
  const webhooks = new WebhookReceiver(config.paymentWebhookSecret, clock, invoices, payments)
  rawBodyRoutes.add(`${API_PREFIX}${WEBHOOK_PREFIX}/:provider`)
  const module = new Elysia({ name: 'billing-module' })
    .use(billingRoutes({ config, invoices, payments, ...plugins }))
    .use(webhookRoutes(webhooks))
    .use(
      purchaseRoutes({
        catalogues,
        purchases: new PurchaseService(db, clock, catalogues, invoices, wallet, scheduler),
        features,
        ...plugins,
      }),
    )
    .use(billingBackofficeRoutes(catalogues, plugins))
  return offerMock
    ? module.use(mockCheckoutRoutes({ secret: config.paymentWebhookSecret, clock, invoices, payments, webhooks }))
    : module
}
