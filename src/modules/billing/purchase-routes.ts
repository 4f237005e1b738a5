import { t } from 'elysia'
import { errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import type { BillingCatalogues } from './catalogues.ts'
import type { FeatureService } from './features.ts'
import {
  CoinPack,
  Extra,
  ExtraGrant,
  Features,
  IdParams,
  InvoiceOnly,
  Plan,
  SkuParams,
  Subscription,
  SubscriptionWithInvoice,
} from './model.ts'
import type { PurchaseService } from './purchases.ts'

export interface PurchaseRouteDeps extends RoutePlugins {
  catalogues: BillingCatalogues
  purchases: PurchaseService
  features: FeatureService
}

const created = <Result>(set: { status?: number | string }, result: Result) => {
  set.status = 201
  return result
}

/** Plans, extras and coin packs on sale, buying them (each purchase is an invoice), and what the account may use. */
export const purchaseRoutes = ({ catalogues, purchases, features, ...plugins }: PurchaseRouteDeps) =>
  moduleRoutes({ name: 'purchase-routes', detail: { tags: ['billing'] } }, plugins)
    .get('/subscriptions/plans', () => catalogues.plans.list(), {
      response: { 200: t.Array(Plan), ...errorResponses },
      detail: { summary: 'Plans on sale, cheapest first (public)', security: [] },
    })
    .get('/subscriptions/mine', ({ user }) => purchases.mySubscriptions(user.id), {
      auth: 'any',
      response: { 200: t.Array(Subscription), ...errorResponses },
      detail: { summary: 'My subscriptions, newest first (the last 50)' },
    })
    .post(
      '/subscriptions/plans/:id/subscribe',
      async ({ user, params, set }) => created(set, await purchases.subscribe(user.id, params.id)),
      {
        auth: true,
        params: IdParams,
        response: { 201: SubscriptionWithInvoice, ...errorResponses },
        detail: {
          summary:
            'Subscribe: a pending subscription and its invoice; paid → active until endsAt (409 ALREADY_SUBSCRIBED while one is active)',
        },
      },
    )
    .get('/extras', () => catalogues.extras.list(), {
      response: { 200: t.Array(Extra), ...errorResponses },
      detail: { summary: 'Extras on sale (public)', security: [] },
    })
    .get('/extras/mine', ({ user }) => purchases.myExtras(user.id), {
      auth: 'any',
      response: { 200: t.Array(ExtraGrant), ...errorResponses },
      detail: { summary: 'Extras I bought and paid for' },
    })
    .post(
      '/extras/:sku/buy',
      async ({ user, params, set }) => created(set, await purchases.buyExtra(user.id, params.sku)),
      {
        auth: true,
        params: SkuParams,
        response: { 201: InvoiceOnly, ...errorResponses },
        detail: { summary: 'Buy an extra: its invoice; paid → granted' },
      },
    )
    .get('/coin-packs', () => catalogues.coinPacks.list(), {
      response: { 200: t.Array(CoinPack), ...errorResponses },
      detail: { summary: 'Coin packs on sale (public)', security: [] },
    })
    .post(
      '/coin-packs/:id/buy',
      async ({ user, params, set }) => created(set, await purchases.buyCoins(user.id, params.id)),
      {
        auth: true,
        params: IdParams,
        response: { 201: InvoiceOnly, ...errorResponses },
        detail: { summary: 'Buy a coin pack: its invoice; paid → the coins are credited to the wallet once' },
      },
    )
    .get('/features/mine', ({ user }) => features.of(user.id), {
      auth: 'any',
      response: { 200: Features, ...errorResponses },
      detail: { summary: 'What my account may use: the free features, or my active plan’s, plus my extras' },
    })
