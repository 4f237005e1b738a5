import { Elysia } from 'elysia'
import type { Core } from '../../core.ts'
import { StreamAnalytics } from './analytics.ts'
import { StreamChat } from './chat.ts'
import { GiftService } from './gifts.ts'
import { streamEvents, streamRealtime, ViewerCountThrottle } from './realtime.ts'
import { streamAnalyticsRoutes, streamRoutes } from './routes.ts'
import { streamRoomName, StreamService } from './service.ts'
import { videoRoutes } from './video-routes.ts'
import { VideoService } from './videos.ts'

/** Live streams on the SFU (media rooms `stream:<id>`) with chat, moderation, gifts, videos and creator analytics. */
export function streamsModule({ db, clock, config, hub, scheduler, media, notifications, wallet, users, plugins, deps }: Core) {
  const counts = new ViewerCountThrottle((streamId, viewerCount) => hub.publish(streamRoomName(streamId), 'viewer_count', { streamId, viewerCount }))
  const events = streamEvents(hub, media?.rooms, counts)
  const streams = new StreamService(db, clock, config, scheduler, notifications, users, hub, events, deps.hostGoneMs)
  const chat = new StreamChat(db, clock, streams, events)
  const gifts = new GiftService(db, clock, wallet, streams, notifications, events)
  hub.register(...streamRealtime(hub, streams, chat))
  media?.access.register('stream', (user, streamId) => streams.mediaGrant(user, streamId))
  return new Elysia({ name: 'streams-module' })
    .use(streamRoutes({ streams, chat, gifts, ...plugins }))
    .use(streamAnalyticsRoutes(new StreamAnalytics(db, clock, users), plugins))
    .use(videoRoutes({ videos: new VideoService(db, clock, config.uploads.dir), config, ...plugins }))
}
