import { Elysia, t } from 'elysia'
import { ApiError, ErrorBody, errorResponses } from '../../http/errors.ts'
import { DomainError, conflict, notFound } from '../../errors/domain.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import type { Config } from '../../config.ts'
import { SignedQuery } from '../../access/signed-urls.ts'
import { absoluteUrl } from '../../http/uploads.ts'
import type { UserService } from '../auth/public.ts'
import type { StreamHls } from './hls.ts'
import type { StreamIngest } from './ingest.ts'
import { StreamIdParams } from './model.ts'
import type { StreamService } from './service.ts'

export interface StreamEgressDeps extends RoutePlugins {
  streams: StreamService
  hls: StreamHls
  ingest: StreamIngest
  users: UserService
  config: Config
}

const Playlist = t.Object({
  playlistUrl: t.String({ description: '/api/v1/hls/<streamId>/index.m3u8, signed and expiring for a private stream' }),
})
const Ingest = t.Object({
  whipUrl: t.String({ description: 'POST an SDP offer here (WHIP, e.g. OBS ≥ 30: Service "WHIP")' }),
  streamKey: t.String({ description: 'the Bearer token for whipUrl; keep it secret' }),
})
const HlsFileParams = t.Object({
  id: t.String({ minLength: 1, maxLength: 64 }),
  file: t.String({ minLength: 1, maxLength: 64 }),
})
const badKey = () => new DomainError('INVALID_TOKEN', 'Send the stream key as Authorization: Bearer <streamKey>')
const sdpBody = { required: true, content: { 'application/sdp': { schema: { type: 'string' as const } } } }

/** The host's HLS and ingest controls. */
export const streamEgressRoutes = ({ streams, hls, ingest, config, ...plugins }: Omit<StreamEgressDeps, 'users'>) =>
  moduleRoutes({ name: 'stream-egress-routes', prefix: '/streams', detail: { tags: ['streams'] } }, plugins)
    .post(
      '/:id/hls/start',
      async ({ user, params, request }) => ({
        playlistUrl: absoluteUrl(
          config,
          request,
          await hls.start(await streams.hostsLiveStream(user, params.id, 'Only the host publishes HLS')),
        ),
      }),
      {
        auth: true,
        params: StreamIdParams,
        response: { 200: Playlist, ...errorResponses },
        detail: {
          summary:
            'Publish the live stream as HLS too (host): 2 s segments for CDNs and big audiences; 409 when already on, 503 without ffmpeg',
        },
      },
    )
    .post(
      '/:id/hls/stop',
      async ({ user, params, request }) => {
        const stream = await streams.hostsLiveStream(user, params.id, 'Only the host stops HLS')
        const playlistUrl = absoluteUrl(config, request, hls.playlistPath(stream))
        await hls.stop(stream.id)
        return { playlistUrl }
      },
      {
        auth: true,
        params: StreamIdParams,
        response: { 200: Playlist, ...errorResponses },
        detail: { summary: 'Stop the HLS output (host); 409 when it is off' },
      },
    )
    .get(
      '/:id/ingest',
      async ({ user, params, request }) => {
        const credentials = ingest.credentials(
          await streams.hostsLiveStream(user, params.id, 'Only the host sees the stream key'),
        )
        return { whipUrl: absoluteUrl(config, request, credentials.whipPath), streamKey: credentials.streamKey }
      },
      {
        auth: true,
        params: StreamIdParams,
        response: { 200: Ingest, ...errorResponses },
        detail: { summary: 'Where OBS sends the stream (WHIP) and its key (host, while live)' },
      },
    )

/**
 * What players and encoders call without a user token, so without the per-IP budget either (a CDN
 * or an encoder is one address): HLS files (public stream, or a signed link) and WHIP (stream key).
 */
export const streamEgressFiles = ({
  streams,
  hls,
  ingest,
  users,
}: Pick<StreamEgressDeps, 'streams' | 'hls' | 'ingest' | 'users'>) =>
  new Elysia({ name: 'stream-egress-files', detail: { tags: ['streams'] } })
    .get(
      '/hls/:id/:file',
      async ({ params, query }) => {
        const stream = await streams.find(params.id)
        if (!stream) throw notFound('HLS file')
        return hls.file(stream, params.file, query)
      },
      {
        params: HlsFileParams,
        query: SignedQuery,
        response: errorResponses,
        detail: {
          summary:
            'The HLS playlist (index.m3u8) or a segment of a stream published as HLS: public streams openly, private ones with the signed link',
          security: [],
          responses: {
            200: {
              description: 'playlist or segment',
              content: {
                'application/vnd.apple.mpegurl': { schema: { type: 'string' } },
                'video/mp2t': { schema: { type: 'string', format: 'binary' } },
              },
            },
          },
        },
      },
    )
    .post(
      '/whip/:id',
      async ({ params, body, request }) => {
        if (!ingest.isKeyFor(params.id, request.headers.get('authorization'))) throw badKey()
        if (
          request.headers.get('content-type')?.split(';')[0]?.trim() !== 'application/sdp' ||
          typeof body !== 'string'
        ) {
          throw new ApiError(415, 'INVALID_SDP', 'Send the SDP offer as Content-Type: application/sdp')
        }
        const stream = await streams.find(params.id)
        if (stream?.status !== 'live') throw conflict('STREAM_ENDED', 'The stream is not live')
        const host = await users.loadAuthUser(stream.hostId)
        if (!host) throw notFound('Stream host')
        const { sessionId, answer } = await ingest.publish(stream, host, body)
        return new Response(answer, {
          status: 201,
          headers: { 'content-type': 'application/sdp', location: `${request.url.replace(/\/$/, '')}/${sessionId}` },
        })
      },
      {
        params: StreamIdParams,
        response: { 415: ErrorBody, ...errorResponses },
        detail: {
          summary:
            'WHIP ingest: an SDP offer (H264 or VP8 + Opus) in, the SDP answer out (201, Location to DELETE when done); 401 bad key, 409 not live or already ingesting, 422 unusable offer',
          security: [],
          requestBody: sdpBody,
          responses: {
            201: { description: 'the SDP answer', content: { 'application/sdp': { schema: { type: 'string' } } } },
          },
        },
      },
    )
    .delete(
      '/whip/:id/:session',
      async ({ params, request }) => {
        if (!ingest.isKeyFor(params.id, request.headers.get('authorization'))) throw badKey()
        await ingest.stopAnywhere(params.id, params.session)
        return { ended: true }
      },
      {
        params: t.Object({
          id: t.String({ minLength: 1, maxLength: 64 }),
          session: t.String({ minLength: 1, maxLength: 64 }),
        }),
        response: { 200: t.Object({ ended: t.Literal(true) }), ...errorResponses },
        detail: { summary: 'End a WHIP ingest (stream key)', security: [] },
      },
    )
