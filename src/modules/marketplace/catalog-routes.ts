import { t } from 'elysia'
import { staffMay, type Access } from '../../access/policy.ts'
import { errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import type { CatalogService } from './catalog.ts'
import { Category, CreateCategory, IdParams, Subcategory, UpdateCategory } from './model.ts'

const catalogManagers: Access = { roles: [], staff: ['catalog', 'manage'] }

/** The public category tree, and its management by staff with the catalog module. */
export const catalogRoutes = (catalog: CatalogService, plugins: RoutePlugins) =>
  moduleRoutes({ name: 'catalog-routes', detail: { tags: ['catalog'] } }, plugins)
    .get('/categories', ({ viewer }) => catalog.tree(viewer !== null && staffMay(viewer, ['catalog', 'read'])), {
      viewer: true,
      response: { 200: t.Array(Category), ...errorResponses },
      detail: {
        summary: 'Categories with their subcategories (public: active ones; staff with the catalog module: all)',
        security: [],
      },
    })
    .post(
      '/categories',
      async ({ body, set }) => {
        set.status = 201
        return catalog.createCategory(body)
      },
      {
        auth: catalogManagers,
        body: CreateCategory,
        response: { 201: Category, ...errorResponses },
        detail: { summary: 'Add a category (active by default)' },
      },
    )
    .patch('/categories/:id', ({ params, body }) => catalog.updateCategory(params.id, body), {
      auth: catalogManagers,
      params: IdParams,
      body: UpdateCategory,
      response: { 200: Category, ...errorResponses },
      detail: { summary: 'Rename or (de)activate a category; inactive ones leave the public tree and new requests' },
    })
    .post(
      '/categories/:id/subcategories',
      async ({ params, body, set }) => {
        set.status = 201
        return catalog.createSubcategory(params.id, body)
      },
      {
        auth: catalogManagers,
        params: IdParams,
        body: CreateCategory,
        response: { 201: Subcategory, ...errorResponses },
        detail: { summary: 'Add a subcategory' },
      },
    )
    .patch('/subcategories/:id', ({ params, body }) => catalog.updateSubcategory(params.id, body), {
      auth: catalogManagers,
      params: IdParams,
      body: UpdateCategory,
      response: { 200: Subcategory, ...errorResponses },
      detail: { summary: 'Rename or (de)activate a subcategory' },
    })
