import type { Core } from '../../core.ts'
import { VideoCallService } from './calls.ts'
import { callEvents, callRealtime } from './realtime.ts'
import { supportRoutes } from './routes.ts'
import { SupportService } from './service.ts'

/** Support requests and the one-to-one video calls they become (media rooms `call:<id>`). */
export function supportModule({ db, clock, hub, media, notifications, plugins }: Core) {
  const calls = new VideoCallService(db, clock, callEvents(hub, (roomId, reason) => media?.rooms.close(roomId, reason)))
  const support = new SupportService(db, clock, notifications, calls)
  hub.register(...callRealtime(hub, calls))
  media?.access.register('call', (user, callId) => calls.mediaGrant(user, callId))
  return supportRoutes({ support, calls, ...plugins })
}
