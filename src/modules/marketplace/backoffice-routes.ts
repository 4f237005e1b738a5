import { errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import { Page } from '../../http/pagination.ts'
import {
  ActiveFlag,
  BackofficeProviderQuery,
  IdParams,
  ProviderSummary,
  RequestListQuery,
  RequestMessage,
  Service,
  ServiceRequest,
  StaffMessage,
  StaffTransition,
} from './model.ts'
import type { OfferingService } from './offerings.ts'
import type { ProviderService } from './providers.ts'
import type { RequestChat } from './request-chat.ts'
import { toRequestDto, type RequestService } from './requests.ts'

export interface MarketplaceBackofficeDeps extends RoutePlugins {
  requests: RequestService
  chat: RequestChat
  providers: ProviderService
  offerings: OfferingService
}

/** The marketplace in the back office (staff module `marketplace`). */
export const marketplaceBackofficeRoutes = ({
  requests,
  chat,
  providers,
  offerings,
  ...plugins
}: MarketplaceBackofficeDeps) =>
  moduleRoutes(
    { name: 'marketplace-backoffice-routes', prefix: '/backoffice', detail: { tags: ['backoffice'] } },
    plugins,
  )
    .get('/service-requests', ({ query }) => requests.staffList({ ...query, limit: query.limit ?? 20 }), {
      auth: { roles: [], staff: ['marketplace', 'read'] },
      query: RequestListQuery,
      response: { 200: Page(ServiceRequest), ...errorResponses },
      detail: { summary: 'Every service request, newest first, by status, type and words of title or description' },
    })
    .post(
      '/service-requests/:id/transition',
      async ({ user, params, body }) =>
        toRequestDto(await requests.staffTransition(user, params.id, body.to, body.note)),
      {
        auth: { roles: [], staff: ['marketplace', 'manage'] },
        params: IdParams,
        body: StaffTransition,
        response: { 200: ServiceRequest, ...errorResponses },
        detail: {
          summary:
            'Move a request along the same state machine (409 otherwise), recorded with the staff member as actor',
        },
      },
    )
    .post(
      '/service-requests/:id/messages',
      async ({ user, params, body, set }) => {
        set.status = 201
        return (await chat.postAsStaff(user, params.id, body.body)).message
      },
      {
        auth: { roles: [], staff: ['marketplace', 'routine'] },
        params: IdParams,
        body: StaffMessage,
        response: { 201: RequestMessage, ...errorResponses },
        detail: { summary: 'Write in a request’s chat as staff' },
      },
    )
    .get(
      '/providers',
      ({ query }) =>
        providers.search({ q: query.q, isActive: query.isActive, cursor: query.cursor, limit: query.limit ?? 20 }),
      {
        auth: { roles: [], staff: ['marketplace', 'read'] },
        query: BackofficeProviderQuery,
        response: { 200: Page(ProviderSummary), ...errorResponses },
        detail: { summary: 'Providers, listed or not, newest first' },
      },
    )
    .patch('/providers/:id', ({ params, body }) => providers.setActive(params.id, body.isActive), {
      auth: { roles: [], staff: ['marketplace', 'manage'] },
      params: IdParams,
      body: ActiveFlag,
      response: { 200: ProviderSummary, ...errorResponses },
      detail: { summary: 'List or delist a provider' },
    })
    .patch('/services/:id', ({ params, body }) => offerings.update(undefined, params.id, { isActive: body.isActive }), {
      auth: { roles: [], staff: ['marketplace', 'manage'] },
      params: IdParams,
      body: ActiveFlag,
      response: { 200: Service, ...errorResponses },
      detail: { summary: 'Show or hide a provider’s service' },
    })
