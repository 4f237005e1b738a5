import { t } from 'elysia'
import type { Config } from '../../config.ts'
import type { Access } from '../../access/policy.ts'
import { ErrorBody, errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import { Page, PageQuery } from '../../http/pagination.ts'
import { API_PREFIX } from '../../http/paths.ts'
import { fileResponse, streamedUpload } from '../../http/upload-route.ts'
import { absoluteUrl } from '../../http/uploads.ts'
import {
  ActivePromotion,
  ActiveQuery,
  CreatePromo,
  IdParams,
  PromoAsset,
  PromoRequest,
  Quote,
  Rejection,
  StaffPromoQuery,
  UploadAsset,
} from './model.ts'
import type { PromoService } from './service.ts'

const deciders: Access = { roles: [], staff: ['promo', 'manage'] }

/** Promotion requests, their quotes and the public list of running promotions. */
export const promoRoutes = ({ config, promo, ...plugins }: { config: Config; promo: PromoService } & RoutePlugins) => {
  const assetUrl =
    (request: Request) =>
    <Asset extends { url: string }>(asset: Asset) => ({
      ...asset,
      url: absoluteUrl(config, request, API_PREFIX + asset.url),
    })
  const withUrls =
    (request: Request) =>
    <Item extends { assets: { url: string }[] }>(item: Item) => ({
      ...item,
      assets: item.assets.map(assetUrl(request)),
    })
  return moduleRoutes({ name: 'promo-routes', detail: { tags: ['promo'] } }, plugins)
    .post(
      '/promo/requests',
      async ({ user, body, request, set }) => {
        set.status = 201
        return withUrls(request)(await promo.create(user.id, body))
      },
      {
        auth: true,
        body: CreatePromo,
        response: { 201: PromoRequest, ...errorResponses },
        detail: {
          summary: 'Ask to promote (banner, featured, push) between two dates; staff quote a price (422 INVALID_DATES)',
        },
      },
    )
    .post(
      '/promo/requests/:id/assets',
      async ({ user, params, request, set }) => {
        set.status = 201
        return assetUrl(request)(await promo.addAsset(user.id, params.id, request))
      },
      {
        auth: true,
        params: IdParams,
        ...streamedUpload(
          UploadAsset,
          'Attach an image or video to my pending request (multipart `{ file }`; jpeg, png, webp, mp4, webm by content → else 422; > MAX_UPLOAD_MB → 413)',
        ),
        response: { 201: PromoAsset, 413: ErrorBody, ...errorResponses },
      },
    )
    .get(
      '/promo/requests/mine',
      async ({ user, query, request }) => {
        const page = await promo.mine(user.id, { ...query, limit: query.limit ?? 20 })
        return { items: page.items.map(withUrls(request)), nextCursor: page.nextCursor }
      },
      {
        auth: 'any',
        query: t.Object(PageQuery),
        response: { 200: Page(PromoRequest), ...errorResponses },
        detail: { summary: 'My promotion requests, newest first' },
      },
    )
    .get(
      '/promo/requests/:id',
      async ({ user, params, request }) => withUrls(request)(await promo.get(user, params.id)),
      {
        auth: { roles: 'any', staff: ['promo', 'read'] },
        params: IdParams,
        response: { 200: PromoRequest, ...errorResponses },
        detail: { summary: 'A promotion request (its owner, or staff with the promo module)' },
      },
    )
    .get('/promo/active', async ({ query, request }) => (await promo.active(query.adType)).map(withUrls(request)), {
      query: ActiveQuery,
      response: { 200: t.Array(ActivePromotion), ...errorResponses },
      detail: {
        summary: 'Promotions running now (paid, between their dates), soonest ending first; public',
        security: [],
      },
    })
    .get('/promo/assets/:id/file', ({ viewer, params }) => promo.assetFile(viewer, params.id), {
      viewer: true,
      params: IdParams,
      response: { 200: t.Any(), ...errorResponses },
      detail: {
        summary:
          'An asset’s file: public while its promotion runs; before that only for the owner and promo staff (send the bearer token)',
        security: [],
        responses: fileResponse(['image/jpeg', 'image/png', 'image/webp', 'video/mp4', 'video/webm']),
      },
    })
    .get(
      '/backoffice/promo/requests',
      async ({ query, request }) => {
        const page = await promo.staffList({ ...query, limit: query.limit ?? 20 })
        return { items: page.items.map(withUrls(request)), nextCursor: page.nextCursor }
      },
      {
        auth: { roles: [], staff: ['promo', 'read'] },
        query: StaffPromoQuery,
        response: { 200: Page(PromoRequest), ...errorResponses },
        detail: {
          tags: ['backoffice'],
          summary: 'Promotion requests, newest first, by status, ad type and words of title or name',
        },
      },
    )
    .post(
      '/backoffice/promo/requests/:id/quote',
      async ({ user, params, body, request }) => withUrls(request)(await promo.quote(user, params.id, body)),
      {
        auth: deciders,
        params: IdParams,
        body: Quote,
        response: { 200: PromoRequest, ...errorResponses },
        detail: {
          tags: ['backoffice'],
          summary: 'Price a pending request: its invoice and pending_payment; paid → active between its dates',
        },
      },
    )
    .post(
      '/backoffice/promo/requests/:id/reject',
      async ({ user, params, body, request }) =>
        withUrls(request)(await promo.reject(user, params.id, body.rejectReason)),
      {
        auth: deciders,
        params: IdParams,
        body: Rejection,
        response: { 200: PromoRequest, ...errorResponses },
        detail: { tags: ['backoffice'], summary: 'Turn down a pending request with a reason' },
      },
    )
}
