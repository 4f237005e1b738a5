import { t } from 'elysia'
import type { Config } from '../../config.ts'
import { providerFollows, providerLikes } from '../../db/schema/marketplace.ts'
import { ErrorBody, errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import { plainJsonSchema } from '../../http/openapi.ts'
import { Page, PageQuery } from '../../http/pagination.ts'
import { absoluteUrl } from '../../http/uploads.ts'
import {
  CityInUse,
  CreateService,
  Fan,
  FollowState,
  IdParams,
  ItemIdParams,
  LikeState,
  PortfolioFields,
  PortfolioItem,
  Provider,
  ProviderSearchQuery,
  ProviderSummary,
  RatingSummary,
  RegisterProvider,
  Review,
  Service,
  Subcategory,
  SubcategoryIds,
  UpdateProvider,
  UpdateService,
} from './model.ts'
import type { OfferingService } from './offerings.ts'
import type { PortfolioService } from './portfolio.ts'
import type { ProviderService } from './providers.ts'
import type { ReviewService } from './reviews.ts'
import type { SocialService } from './social.ts'

export interface ProviderRouteDeps extends RoutePlugins {
  config: Config
  providers: ProviderService
  offerings: OfferingService
  portfolio: PortfolioService
  social: SocialService
  reviews: ReviewService
}

const PageOnly = t.Object(PageQuery)
const UploadForm = t.Composite([
  t.Object({ file: t.String({ format: 'binary', description: 'jpeg, png, webp, mp4 or webm' }) }),
  PortfolioFields,
])
const publicRoute = (summary: string) => ({ summary, security: [] })

/** Provider profiles: registration and self-service (any signed-in account), public pages and search, social marks. */
export const providerRoutes = ({
  config,
  providers,
  offerings,
  portfolio,
  social,
  reviews,
  ...plugins
}: ProviderRouteDeps) => {
  const myProviderId = async (user: { id: string }) => (await providers.mine(user.id)).id
  const withUrls =
    (request: Request) =>
    <Item extends { url: string }>(items: Item[]) =>
      items.map((item) => ({ ...item, url: absoluteUrl(config, request, item.url) }))
  return moduleRoutes({ name: 'provider-routes', detail: { tags: ['providers'] } }, plugins)
    .post(
      '/providers/register',
      async ({ user, body, set }) => {
        set.status = 201
        return providers.register(user.id, body)
      },
      {
        auth: 'any',
        body: RegisterProvider,
        response: { 201: Provider, ...errorResponses },
        detail: {
          summary: 'Become a provider (also from phone_only): the role becomes provider at once; 409 if already one',
        },
      },
    )
    .get('/cities', () => providers.cities(), {
      response: { 200: t.Array(CityInUse), ...errorResponses },
      detail: publicRoute(
        'The cities listed providers are in (at most 500, most providers first); pass a name or key as `city` to the search',
      ),
    })
    .get('/providers', ({ query }) => providers.search({ ...query, isActive: true, limit: query.limit ?? 20 }), {
      query: ProviderSearchQuery,
      response: { 200: Page(ProviderSummary), ...errorResponses },
      detail: publicRoute(
        'Search listed providers, newest first, by words of name and bio, city, category, subcategory',
      ),
    })
    .group('/providers/me', (routes) =>
      routes
        .get('', async ({ user }) => providers.page(await myProviderId(user), { includeInactive: true }), {
          auth: 'any',
          response: { 200: Provider, ...errorResponses },
          detail: { summary: 'My provider profile (403 NOT_A_PROVIDER without one)' },
        })
        .patch('', ({ user, body }) => providers.update(user.id, body), {
          auth: 'any',
          body: UpdateProvider,
          response: { 200: Provider, ...errorResponses },
          detail: { summary: 'Change my provider profile' },
        })
        .get('/subcategories', async ({ user }) => providers.subcategoriesOf(await myProviderId(user)), {
          auth: 'any',
          response: { 200: t.Array(Subcategory), ...errorResponses },
          detail: { summary: 'The subcategories I work in' },
        })
        .put('/subcategories', ({ user, body }) => providers.setSubcategories(user.id, body.subcategoryIds), {
          auth: 'any',
          body: SubcategoryIds,
          response: { 200: t.Array(Subcategory), ...errorResponses },
          detail: { summary: 'Replace the subcategories I work in (active ones only)' },
        })
        .get('/services', async ({ user }) => offerings.list(await myProviderId(user), { activeOnly: false }), {
          auth: 'any',
          response: { 200: t.Array(Service), ...errorResponses },
          detail: { summary: 'My services, active or not' },
        })
        .post(
          '/services',
          async ({ user, body, set }) => {
            const created = await offerings.create(await myProviderId(user), body)
            set.status = 201
            return created
          },
          {
            auth: 'any',
            body: CreateService,
            response: { 201: Service, ...errorResponses },
            detail: { summary: 'Offer a service (prices in halalas)' },
          },
        )
        .patch(
          '/services/:id',
          async ({ user, params, body }) => offerings.update(await myProviderId(user), params.id, body),
          {
            auth: 'any',
            params: IdParams,
            body: UpdateService,
            response: { 200: Service, ...errorResponses },
            detail: { summary: 'Change one of my services' },
          },
        )
        .delete(
          '/services/:id',
          async ({ user, params, set }) => {
            await offerings.remove(await myProviderId(user), params.id)
            set.status = 204
          },
          {
            auth: 'any',
            params: IdParams,
            response: { 204: t.Void(), ...errorResponses },
            detail: { summary: 'Remove one of my services' },
          },
        )
        .get(
          '/portfolio',
          async ({ user, request }) => withUrls(request)(await portfolio.list(await myProviderId(user))),
          {
            auth: 'any',
            response: { 200: t.Array(PortfolioItem), ...errorResponses },
            detail: { summary: 'My portfolio' },
          },
        )
        .post(
          '/portfolio',
          async ({ user, request, set }) => {
            const item = await portfolio.add({ id: await myProviderId(user), userId: user.id }, request)
            set.status = 201
            return withUrls(request)([item])[0]!
          },
          {
            auth: 'any',
            // The body is streamed to disk by the handler, never read here.
            parse: () => ({ streamed: true }),
            response: { 201: PortfolioItem, 413: ErrorBody, ...errorResponses },
            detail: {
              summary:
                'Add an image or short video (multipart; within my plan’s maxUploadMb → else 413; ' +
                'jpeg, png, webp, mp4, webm checked by content, videos if my plan has portfolioVideos → else 422; ' +
                'more items than portfolioItems → 403 PLAN_LIMIT_REACHED)',
              requestBody: {
                required: true,
                content: { 'multipart/form-data': { schema: plainJsonSchema(UploadForm) } },
              },
            },
          },
        )
        .delete(
          '/portfolio/:id',
          async ({ user, params, set }) => {
            await portfolio.remove(await myProviderId(user), params.id)
            set.status = 204
          },
          {
            auth: 'any',
            params: IdParams,
            response: { 204: t.Void(), ...errorResponses },
            detail: { summary: 'Remove a portfolio item and its file' },
          },
        )
        .get(
          '/followers',
          async ({ user, query }) =>
            social.markers(providerFollows, await myProviderId(user), { ...query, limit: query.limit ?? 20 }),
          {
            auth: 'any',
            query: PageOnly,
            response: { 200: Page(Fan), ...errorResponses },
            detail: { summary: 'Who follows me, most recent first' },
          },
        )
        .get(
          '/likers',
          async ({ user, query }) =>
            social.markers(providerLikes, await myProviderId(user), { ...query, limit: query.limit ?? 20 }),
          {
            auth: 'any',
            query: PageOnly,
            response: { 200: Page(Fan), ...errorResponses },
            detail: { summary: 'Who likes me, most recent first' },
          },
        ),
    )
    .group('/providers/:id', { params: IdParams }, (routes) =>
      routes
        .get('', ({ params }) => providers.page(params.id), {
          response: { 200: Provider, ...errorResponses },
          detail: publicRoute(
            'A provider’s public page: profile, subcategories, rating, followers, likes, verified, active services',
          ),
        })
        .get(
          '/services',
          async ({ params }) => offerings.list((await providers.requireListed(params.id)).id, { activeOnly: true }),
          {
            response: { 200: t.Array(Service), ...errorResponses },
            detail: publicRoute('A provider’s active services'),
          },
        )
        .get(
          '/portfolio',
          async ({ params, request }) =>
            withUrls(request)(await portfolio.list((await providers.requireListed(params.id)).id)),
          {
            response: { 200: t.Array(PortfolioItem), ...errorResponses },
            detail: publicRoute('A provider’s portfolio, newest first'),
          },
        )
        .get('/reviews', ({ params, query }) => reviews.page(params.id, { ...query, limit: query.limit ?? 20 }), {
          query: PageOnly,
          response: { 200: Page(Review), ...errorResponses },
          detail: publicRoute('Reviews of a provider, newest first'),
        })
        .get('/rating', ({ params }) => reviews.rating(params.id), {
          response: { 200: RatingSummary, ...errorResponses },
          detail: publicRoute('A provider’s rating: average, count and how many of each star'),
        })
        .post('/follow', ({ user, params }) => social.followProvider(user.id, params.id, true), {
          auth: 'any',
          response: { 200: FollowState, ...errorResponses },
          detail: { summary: 'Follow a provider (idempotent)' },
        })
        .post('/unfollow', ({ user, params }) => social.followProvider(user.id, params.id, false), {
          auth: 'any',
          response: { 200: FollowState, ...errorResponses },
          detail: { summary: 'Stop following a provider (idempotent)' },
        })
        .post('/like', ({ user, params }) => social.likeProvider(user.id, params.id, true), {
          auth: 'any',
          response: { 200: LikeState, ...errorResponses },
          detail: { summary: 'Like a provider (idempotent)' },
        })
        .post('/unlike', ({ user, params }) => social.likeProvider(user.id, params.id, false), {
          auth: 'any',
          response: { 200: LikeState, ...errorResponses },
          detail: { summary: 'Take back a like (idempotent)' },
        }),
    )
    .post('/portfolio/:itemId/like', ({ user, params }) => social.likePortfolioItem(user.id, params.itemId, true), {
      auth: 'any',
      params: ItemIdParams,
      response: { 200: LikeState, ...errorResponses },
      detail: { summary: 'Like a portfolio item (idempotent)' },
    })
    .post('/portfolio/:itemId/unlike', ({ user, params }) => social.likePortfolioItem(user.id, params.itemId, false), {
      auth: 'any',
      params: ItemIdParams,
      response: { 200: LikeState, ...errorResponses },
      detail: { summary: 'Take back a like on a portfolio item (idempotent)' },
    })
    .get(
      '/me/following-providers',
      ({ user, query }) => social.markedProviders(providerFollows, user.id, { ...query, limit: query.limit ?? 20 }),
      {
        auth: 'any',
        query: PageOnly,
        response: { 200: Page(ProviderSummary), ...errorResponses },
        detail: { summary: 'Providers I follow, most recent first' },
      },
    )
    .get(
      '/me/liked-providers',
      ({ user, query }) => social.markedProviders(providerLikes, user.id, { ...query, limit: query.limit ?? 20 }),
      {
        auth: 'any',
        query: PageOnly,
        response: { 200: Page(ProviderSummary), ...errorResponses },
        detail: { summary: 'Providers I like, most recent first' },
      },
    )
    .get(
      '/me/favorites',
      async ({ user, query, request }) => {
        const page = await social.favorites(user.id, { ...query, limit: query.limit ?? 20 })
        return { items: withUrls(request)(page.items), nextCursor: page.nextCursor }
      },
      {
        auth: 'any',
        query: PageOnly,
        response: { 200: Page(PortfolioItem), ...errorResponses },
        detail: { summary: 'Portfolio items I like, most recent first' },
      },
    )
}
