import { t, type TSchema } from 'elysia'
import type { Access } from '../../access/policy.ts'
import { errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import type { BillingCatalogues } from './catalogues.ts'
import {
  CoinPack,
  CreateCoinPack,
  CreateExtra,
  CreatePlan,
  Extra,
  IdParams,
  Plan,
  SkuParams,
  UpdateCoinPack,
  UpdateExtra,
  UpdatePlan,
} from './model.ts'

const readers: Access = { roles: [], staff: ['billing', 'read'] }
const managers: Access = { roles: [], staff: ['billing', 'manage'] }

/** What these routes need of a catalogue; bodies are checked by each route's own schema. */
interface EditableCatalogue {
  list(includeInactive: boolean): Promise<unknown[]>
  create(values: never): Promise<unknown>
  update(key: string, patch: never): Promise<unknown>
}

interface CatalogueRoutes {
  path: string
  label: string
  item: TSchema
  create: TSchema
  update: TSchema
  params: TSchema
  key: 'id' | 'sku'
}

/** Staff with the billing module manage the plans, extras and coin packs (deactivated entries stay on old invoices). */
export const billingBackofficeRoutes = (catalogues: BillingCatalogues, plugins: RoutePlugins) => {
  const routesFor = (catalogue: EditableCatalogue, spec: CatalogueRoutes) =>
    moduleRoutes(
      { name: `billing-backoffice-${spec.path}`, prefix: `/backoffice/${spec.path}`, detail: { tags: ['backoffice'] } },
      plugins,
    )
      .get('/', () => catalogue.list(true), {
        auth: readers,
        response: { 200: t.Array(spec.item), ...errorResponses },
        detail: { summary: `Every ${spec.label}, on sale or not` },
      })
      .post(
        '/',
        async ({ body, set }) => {
          set.status = 201
          return catalogue.create(body as never)
        },
        {
          auth: managers,
          body: spec.create,
          response: { 201: spec.item, ...errorResponses },
          detail: { summary: `Add a ${spec.label}` },
        },
      )
      .patch(
        `/:${spec.key}`,
        ({ params, body }) => catalogue.update((params as Record<string, string>)[spec.key]!, body as never),
        {
          auth: managers,
          params: spec.params,
          body: spec.update,
          response: { 200: spec.item, ...errorResponses },
          detail: { summary: `Change a ${spec.label} (price, content, or isActive to take it off sale)` },
        },
      )
  return moduleRoutes({ name: 'billing-backoffice-routes' }, plugins)
    .use(
      routesFor(catalogues.plans, {
        path: 'plans',
        label: 'plan',
        item: Plan,
        create: CreatePlan,
        update: UpdatePlan,
        params: IdParams,
        key: 'id',
      }),
    )
    .use(
      routesFor(catalogues.extras, {
        path: 'extras',
        label: 'extra',
        item: Extra,
        create: CreateExtra,
        update: UpdateExtra,
        params: SkuParams,
        key: 'sku',
      }),
    )
    .use(
      routesFor(catalogues.coinPacks, {
        path: 'coin-packs',
        label: 'coin pack',
        item: CoinPack,
        create: CreateCoinPack,
        update: UpdateCoinPack,
        params: IdParams,
        key: 'id',
      }),
    )
}
