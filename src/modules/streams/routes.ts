import { t } from 'elysia'
import type { Access } from '../../access/policy.ts'
import { errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import { Page, PageQuery } from '../../http/pagination.ts'
import type { StreamAnalytics } from './analytics.ts'
import type { StreamChat } from './chat.ts'
import type { GiftService } from './gifts.ts'
import {
  AnalyticsQuery,
  CoHostBody,
  CoHostParams,
  CreateGift,
  CreateStream,
  Gift,
  GiftIdParams,
  JoinResult,
  JoinStream,
  LeaderboardEntry,
  ModerationBody,
  ModerationResult,
  PostStreamMessage,
  SendGift,
  SendGiftResult,
  Stream,
  StreamIdParams,
  StreamListQuery,
  StreamMessage,
  StreamAnalytics as StreamAnalyticsResult,
  StreamStats,
  UpdateGift,
  UpdateStream,
} from './model.ts'
import { toStreamDto, type StreamService } from './service.ts'

export interface StreamRouteDeps extends RoutePlugins {
  streams: StreamService
  chat: StreamChat
  gifts: GiftService
}

/** Any completed account watches, chats and gives; staff with the streams module see and moderate all. */
const audience: Access = { roles: true, staff: ['streams', 'read'] }
const moderators: Access = { roles: true, staff: ['streams', 'routine'] }
const CoHostResult = t.Object({ streamId: t.String(), userId: t.String(), invited: t.Boolean() })

/** Live streams, their chat, moderation and gifts over REST (the same over /ws: realtime.ts). */
export const streamRoutes = ({ streams, chat, gifts, ...plugins }: StreamRouteDeps) =>
  moduleRoutes({ name: 'stream-routes' }, plugins)
    .group('/streams', { detail: { tags: ['streams'] } }, (routes) =>
      routes
        .post(
          '',
          async ({ user, body, set }) => {
            set.status = 201
            return toStreamDto(await streams.create(user, body))
          },
          {
            auth: true,
            body: CreateStream,
            response: { 201: Stream, ...errorResponses },
            detail: { summary: 'Go live now (one live stream per host; followers are notified)' },
          },
        )
        .get('', ({ user, query }) => streams.list(user, { ...query, limit: query.limit ?? 20 }), {
          auth: audience,
          query: StreamListQuery,
          response: { 200: Page(Stream), ...errorResponses },
          detail: { summary: 'Streams, newest first (private ones only for their host, followers and co-hosts)' },
        })
        .get('/:id', async ({ user, params }) => toStreamDto(await streams.get(user, params.id)), {
          auth: audience,
          params: StreamIdParams,
          response: { 200: Stream, ...errorResponses },
          detail: { summary: 'One stream' },
        })
        .patch('/:id', async ({ user, params, body }) => toStreamDto(await streams.update(user, params.id, body)), {
          auth: true,
          params: StreamIdParams,
          body: UpdateStream,
          response: { 200: Stream, ...errorResponses },
          detail: { summary: 'Change the title or slow mode (host)' },
        })
        .post(
          '/:id/join',
          async ({ user, params, body }) => {
            const joined = await streams.join(user, params.id, body.role ?? 'viewer')
            return { ...joined, stream: toStreamDto(joined.stream), roomId: `stream:${params.id}` }
          },
          {
            auth: true,
            params: StreamIdParams,
            body: JoinStream,
            response: { 200: JoinResult, ...errorResponses },
            detail: { summary: 'Join as viewer, or as co-host when invited; then media:join the roomId' },
          },
        )
        .post(
          '/:id/leave',
          async ({ user, params }) => {
            await streams.get(user, params.id)
            await streams.leave(user, params.id)
            return { left: true as const }
          },
          {
            auth: true,
            params: StreamIdParams,
            response: { 200: t.Object({ left: t.Literal(true) }), ...errorResponses },
            detail: { summary: 'Leave the stream' },
          },
        )
        .post('/:id/end', ({ user, params }) => streams.end(user, params.id), {
          auth: moderators,
          params: StreamIdParams,
          response: { 200: StreamStats, ...errorResponses },
          detail: { summary: 'End the stream (host or staff): closes the media room, returns its stats' },
        })
        .post('/:id/co-hosts', ({ user, params, body }) => streams.inviteCoHost(user, params.id, body.userId), {
          auth: true,
          params: StreamIdParams,
          body: CoHostBody,
          response: { 200: CoHostResult, ...errorResponses },
          detail: { summary: 'Invite a user on stage (host); they join with role co-host' },
        })
        .delete('/:id/co-hosts/:userId', ({ user, params }) => streams.removeCoHost(user, params.id, params.userId), {
          auth: true,
          params: CoHostParams,
          response: { 200: CoHostResult, ...errorResponses },
          detail: { summary: 'Take a co-host off stage (host); their microphone and camera stop' },
        })
        .get(
          '/:id/messages',
          ({ user, params, query }) =>
            chat.history(user, params.id, { cursor: query.cursor, limit: query.limit ?? 50 }),
          {
            auth: audience,
            params: StreamIdParams,
            query: t.Object(PageQuery),
            response: { 200: Page(StreamMessage), ...errorResponses },
            detail: { summary: 'Chat history, newest first' },
          },
        )
        .post(
          '/:id/messages',
          async ({ user, params, body, set }) => {
            const { message, created } = await chat.post(user, params.id, body)
            set.status = created ? 201 : 200
            return message
          },
          {
            auth: true,
            params: StreamIdParams,
            body: PostStreamMessage,
            response: { 200: StreamMessage, 201: StreamMessage, ...errorResponses },
            detail: {
              summary:
                'Chat (201; 200 with the stored message for a repeated clientMsgId; slow mode → 429 with Retry-After)',
            },
          },
        )
        .post('/:id/moderation', ({ user, params, body }) => chat.moderate(user, params.id, body.userId, body.action), {
          auth: moderators,
          params: StreamIdParams,
          body: ModerationBody,
          response: { 200: ModerationResult, ...errorResponses },
          detail: {
            summary:
              'Mute, unmute, ban, unban or kick a user (host, co-hosts, staff); ban and kick remove them from the room',
          },
        })
        .post(
          '/:id/gifts',
          async ({ user, params, body, set }) => {
            const { created, ...receipt } = await gifts.send(user, params.id, body)
            set.status = created ? 201 : 200
            return receipt
          },
          {
            auth: true,
            params: StreamIdParams,
            body: SendGift,
            response: { 200: SendGiftResult, 201: SendGiftResult, ...errorResponses },
            detail: {
              summary:
                'Send a gift to the host or a co-host (201; 200 for a repeated idempotencyKey; 409 INSUFFICIENT_COINS)',
            },
          },
        )
        .get('/:id/gifts/leaderboard', ({ user, params }) => gifts.leaderboard(user, params.id), {
          auth: audience,
          params: StreamIdParams,
          response: { 200: t.Array(LeaderboardEntry), ...errorResponses },
          detail: { summary: 'Top senders of the stream by coins' },
        }),
    )
    .get('/gifts', () => gifts.catalogue(), {
      auth: audience,
      response: { 200: t.Array(Gift), ...errorResponses },
      detail: { tags: ['streams'], summary: 'The gift catalogue' },
    })
    .group('/backoffice/gifts', { detail: { tags: ['backoffice'] } }, (routes) =>
      routes
        .get('', () => gifts.catalogue(true), {
          auth: { roles: [], staff: ['streams', 'read'] },
          response: { 200: t.Array(Gift), ...errorResponses },
          detail: { summary: 'Every gift, retired ones too (staff, streams module)' },
        })
        .post(
          '',
          async ({ body, set }) => {
            set.status = 201
            return gifts.create(body)
          },
          {
            auth: { roles: [], staff: ['streams', 'manage'] },
            body: CreateGift,
            response: { 201: Gift, ...errorResponses },
            detail: { summary: 'Add a gift (staff, streams module, admin or power)' },
          },
        )
        .patch('/:id', ({ params, body }) => gifts.update(params.id, body), {
          auth: { roles: [], staff: ['streams', 'manage'] },
          params: GiftIdParams,
          body: UpdateGift,
          response: { 200: Gift, ...errorResponses },
          detail: { summary: 'Change or retire (active: false) a gift (staff, streams module, admin or power)' },
        }),
    )

/** A host's own streaming analytics; staff with the analytics module see anyone's. */
export const streamAnalyticsRoutes = (analytics: StreamAnalytics, plugins: RoutePlugins) =>
  moduleRoutes({ name: 'stream-analytics-routes', prefix: '/analytics' }, plugins).get(
    '/streams',
    ({ user, query }) => analytics.forHost(user, query),
    {
      auth: { roles: true, staff: ['analytics', 'read'] },
      query: AnalyticsQuery,
      response: { 200: StreamAnalyticsResult, ...errorResponses },
      detail: {
        tags: ['analytics'],
        summary:
          'Streams, viewers, chat and coins earned over a period (UTC days, default week), with a per-day series',
      },
    },
  )
