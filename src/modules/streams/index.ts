import { Elysia } from 'elysia'
import type { ModuleContext } from '../shared-services.ts'
import { errorFields } from '../../logger.ts'
import { gaugesFrom } from '../../metrics/registry.ts'
import { StreamAnalytics } from './analytics.ts'
import { StreamChat } from './chat.ts'
import { GiftService } from './gifts.ts'
import { streamEvents, streamRealtime, ViewerCountThrottle } from './realtime.ts'
import { streamAnalyticsRoutes, streamRoutes } from './routes.ts'
import { streamRoomName, StreamService } from './service.ts'
import { streamEgressFiles, streamEgressRoutes } from './egress-routes.ts'
import { StreamHls } from './hls.ts'
import { StreamIngest } from './ingest.ts'
import { videoRoutes } from './video-routes.ts'
import { VideoService } from './videos.ts'

/** Live streams on the SFU (media rooms `stream:<id>`), also as HLS and from OBS over WHIP, with chat, moderation, gifts, videos (uploaded or recorded) and creator analytics. */
export function streamsModule({
  db,
  clock,
  config,
  hub,
  scheduler,
  media,
  notifications,
  wallet,
  users,
  recordings,
  signer,
  cluster,
  logger,
  metrics,
  plugins,
  tuning,
}: ModuleContext) {
  const ingest = new StreamIngest(media, hub, signer, cluster)
  const hls = new StreamHls(media, config, signer, clock, cluster)
  // A host publishing from OBS has no socket, yet is there: the ingest holds their presence in the hub.
  const hostPresence = { isConnected: (hostId: string) => hub.isConnected(hostId) }
  const counts = new ViewerCountThrottle(
    (streamId, viewerCount) => hub.publish(streamRoomName(streamId), 'viewer_count', { streamId, viewerCount }),
    (error) => logger.error('viewer count not sent', errorFields(error)),
  )
  const events = streamEvents(hub, media?.rooms, counts)
  const streams = new StreamService(
    db,
    clock,
    config,
    scheduler,
    notifications,
    users,
    hostPresence,
    events,
    logger,
    tuning.hostGoneMs,
  )
  const chat = new StreamChat(db, clock, streams, events)
  const gifts = new GiftService(db, clock, wallet, streams, notifications, events)
  const videos = new VideoService(db, clock, config.uploads.dir)
  recordings.register('stream', streams.recordingSubject(videos))
  hub.register(...streamRealtime(hub, streams, chat))
  // Viewers whose leave was not seen (their instance died, or Redis was away when they left) stop counting.
  const recountViewers = () =>
    void streams
      .dropAbsentViewers((streamId, userId) => hub.isPresent(streamRoomName(streamId), userId))
      .catch((error: Error) => logger.warn('could not recount the viewers', { err: error.message }))
  cluster?.members.on('swept', recountViewers)
  cluster?.members.on('rejoined', recountViewers)
  media?.access.register('stream', (user, streamId) => streams.mediaGrant(user, streamId))
  metrics.register(
    gaugesFrom(async () => {
      const live = await streams.liveTotals()
      return [
        ['majlis_live_streams', 'Streams live now (every instance)', live.streams],
        ['majlis_stream_viewers', 'Viewers of the live streams now (every instance)', live.viewers],
      ]
    }),
  )
  return new Elysia({ name: 'streams-module' })
    .use(streamRoutes({ streams, chat, gifts, ...plugins }))
    .use(streamAnalyticsRoutes(new StreamAnalytics(db, clock, users), plugins))
    .use(streamEgressRoutes({ streams, hls, ingest, config, ...plugins }))
    .use(streamEgressFiles({ streams, hls, ingest, users }))
    .use(videoRoutes({ videos, config, signer, clock, ...plugins }))
}
