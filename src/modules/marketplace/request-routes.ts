import { t } from 'elysia'
import type { Access } from '../../access/policy.ts'
import { errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import { Page, PageQuery } from '../../http/pagination.ts'
import {
  AvailableQuery,
  CreateOffer,
  CreateReview,
  CreateServiceRequest,
  HistoryEntry,
  IdParams,
  NoteBody,
  Offer,
  PostRequestMessage,
  ProviderRequestQuery,
  ReadResult,
  RequestListQuery,
  RequestMessage,
  Review,
  ServiceRequest,
  Thread,
} from './model.ts'
import type { OfferService } from './offers.ts'
import type { RequestChat } from './request-chat.ts'
import { toRequestDto, type RequestService } from './requests.ts'
import type { ReviewService } from './reviews.ts'

export interface RequestRouteDeps extends RoutePlugins {
  requests: RequestService
  offers: OfferService
  chat: RequestChat
  reviews: ReviewService
}

/** Clients, providers and (reading) staff with the marketplace module. */
const readers: Access = { roles: true, staff: ['marketplace', 'read'] }
const AcceptedOffer = t.Object({ request: ServiceRequest, offer: Offer })

/** Service requests: the client's and the provider's sides, offers, chat and reviews. */
export const requestRoutes = ({ requests, offers, chat, reviews, ...plugins }: RequestRouteDeps) =>
  moduleRoutes({ name: 'request-routes', detail: { tags: ['service-requests'] } }, plugins)
    .group('/service-requests', (routes) =>
      routes
        .post(
          '',
          async ({ user, body, set }) => {
            set.status = 201
            return toRequestDto(await requests.create(user, body))
          },
          {
            auth: true,
            body: CreateServiceRequest,
            response: { 201: ServiceRequest, ...errorResponses },
            detail: {
              summary:
                'Ask for a service: normal (to providerId), competitive (offers) or urgent (first claim wins within 30 minutes)',
            },
          },
        )
        .get('', ({ user, query }) => requests.list(user, { ...query, limit: query.limit ?? 20 }), {
          auth: true,
          query: RequestListQuery,
          response: { 200: Page(ServiceRequest), ...errorResponses },
          detail: { summary: 'My requests as a client, newest first' },
        }),
    )
    .group('/service-requests/:id', { params: IdParams }, (routes) =>
      routes
        .get('', async ({ user, params }) => toRequestDto(await requests.get(user, params.id)), {
          auth: readers,
          response: { 200: ServiceRequest, ...errorResponses },
          detail: { summary: 'One request (its client, its provider, providers who may offer or claim, staff)' },
        })
        .get('/history', ({ user, params }) => requests.history(user, params.id), {
          auth: readers,
          response: { 200: t.Array(HistoryEntry), ...errorResponses },
          detail: { summary: 'Every status the request went through, oldest first (actorId null: the system)' },
        })
        .post('/accept', async ({ user, params }) => toRequestDto(await requests.decide(user, params.id, 'accepted')), {
          auth: true,
          response: { 200: ServiceRequest, ...errorResponses },
          detail: { summary: 'Accept a normal request sent to me' },
        })
        .post(
          '/reject',
          async ({ user, params, body }) => toRequestDto(await requests.decide(user, params.id, 'rejected', body.note)),
          {
            auth: true,
            body: NoteBody,
            response: { 200: ServiceRequest, ...errorResponses },
            detail: { summary: 'Decline a normal request sent to me' },
          },
        )
        .post('/claim', async ({ user, params }) => toRequestDto(await requests.claim(user, params.id)), {
          auth: true,
          response: { 200: ServiceRequest, ...errorResponses },
          detail: { summary: 'Take an urgent request in my field: the first claim wins, later ones get 409' },
        })
        .post(
          '/start',
          async ({ user, params, body }) =>
            toRequestDto(await requests.progress(user, params.id, 'in_progress', body.note)),
          {
            auth: true,
            body: NoteBody,
            response: { 200: ServiceRequest, ...errorResponses },
            detail: { summary: 'Start the work (the assigned provider)' },
          },
        )
        .post(
          '/complete',
          async ({ user, params, body }) =>
            toRequestDto(await requests.progress(user, params.id, 'completed', body.note)),
          {
            auth: true,
            body: NoteBody,
            response: { 200: ServiceRequest, ...errorResponses },
            detail: { summary: 'Finish the work (the assigned provider)' },
          },
        )
        .post(
          '/cancel',
          async ({ user, params, body }) => toRequestDto(await requests.cancel(user, params.id, body.note)),
          {
            auth: true,
            body: NoteBody,
            response: { 200: ServiceRequest, ...errorResponses },
            detail: { summary: 'Cancel my request while sent or accepted' },
          },
        )
        .post(
          '/offers',
          async ({ user, params, body, set }) => {
            set.status = 201
            return offers.create(user, params.id, body)
          },
          {
            auth: true,
            body: CreateOffer,
            response: { 201: Offer, ...errorResponses },
            detail: { summary: 'Offer a price on a competitive request in my field (one per provider)' },
          },
        )
        .get('/offers', ({ user, params }) => offers.list(user, params.id), {
          auth: readers,
          response: { 200: t.Array(Offer), ...errorResponses },
          detail: { summary: 'Offers on the request (the client and staff: all; a provider: its own)' },
        })
        .get(
          '/messages',
          ({ user, params, query }) => chat.messages(user, params.id, { ...query, limit: query.limit ?? 50 }),
          {
            auth: readers,
            query: t.Object(PageQuery),
            response: { 200: Page(RequestMessage), ...errorResponses },
            detail: { summary: 'The chat with the assigned provider, newest first' },
          },
        )
        .post(
          '/messages',
          async ({ user, params, body, set }) => {
            const { message, created } = await chat.post(user, params.id, body)
            set.status = created ? 201 : 200
            return message
          },
          {
            auth: true,
            body: PostRequestMessage,
            response: { 200: RequestMessage, 201: RequestMessage, ...errorResponses },
            detail: {
              summary: 'Write to the other side (201; 200 with the stored message when clientMsgId was already used)',
            },
          },
        )
        .post('/messages/read', ({ user, params }) => chat.markRead(user, params.id), {
          auth: true,
          response: { 200: ReadResult, ...errorResponses },
          detail: { summary: 'Mark the other side’s messages read' },
        })
        .get('/thread', ({ user, params }) => chat.thread(user, params.id), {
          auth: readers,
          response: { 200: Thread, ...errorResponses },
          detail: { summary: 'My unread count and the last message' },
        })
        .post(
          '/review',
          async ({ user, params, body, set }) => {
            set.status = 201
            return reviews.create(user, params.id, body)
          },
          {
            auth: true,
            body: CreateReview,
            response: { 201: Review, ...errorResponses },
            detail: { summary: 'Rate a completed request, once (its client)' },
          },
        ),
    )
    .post('/offers/:id/accept', ({ user, params }) => offers.accept(user, params.id), {
      auth: true,
      params: IdParams,
      response: { 200: AcceptedOffer, ...errorResponses },
      detail: {
        summary:
          'Choose an offer (the client): the request is accepted with that provider, the other offers rejected; only once',
      },
    })
    .group('/provider/requests', (routes) =>
      routes
        .get('', ({ user, query }) => requests.assigned(user, { ...query, limit: query.limit ?? 20 }), {
          auth: true,
          query: ProviderRequestQuery,
          response: { 200: Page(ServiceRequest), ...errorResponses },
          detail: { summary: 'Requests assigned to me as a provider, newest first' },
        })
        .get('/available', ({ user, query }) => requests.available(user, { ...query, limit: query.limit ?? 20 }), {
          auth: true,
          query: AvailableQuery,
          response: { 200: Page(ServiceRequest), ...errorResponses },
          detail: { summary: 'Open urgent and competitive requests in my subcategories and city' },
        }),
    )
