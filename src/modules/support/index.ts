import type { ModuleContext } from '../shared-services.ts'
import { gaugesFrom } from '../../metrics/registry.ts'
import { VideoCallService } from './calls.ts'
import { callEvents, callRealtime } from './realtime.ts'
import { supportRoutes } from './routes.ts'
import { SupportService } from './service.ts'
import { recordingView } from '../recordings/public.ts'

/** Support requests and the one-to-one video calls they become (media rooms `call:<id>`), recorded with both participants' consent. */
export function supportModule({
  db,
  clock,
  config,
  hub,
  media,
  notifications,
  recordings,
  signer,
  metrics,
  plugins,
}: ModuleContext) {
  const calls = new VideoCallService(
    db,
    clock,
    callEvents(hub, (roomId, reason) => media?.rooms.close(roomId, reason)),
  )
  const support = new SupportService(db, clock, notifications, calls)
  hub.register(...callRealtime(hub, calls))
  media?.access.register('call', (user, callId) => calls.mediaGrant(user, callId))
  recordings.register('call', calls.recordingSubject())
  metrics.register(
    gaugesFrom(async () => [
      ['majlis_calls_in_progress', 'Support video calls in progress now (every instance)', await calls.activeCount()],
    ]),
  )
  const recordingDto = recordingView({ config, signer, clock })
  const recordingsOf = async (request: Request, callId: string) =>
    (await recordings.listFor('call', callId)).map(recordingDto(request))
  return supportRoutes({ support, calls, recordingsOf, ...plugins })
}
