import type { MediaRooms } from '../../../media/index.ts'
import type { Hub } from '../../realtime/hub.ts'
import { liveRoomName, type LiveEvents } from './sessions.ts'

/** Ending a session closes its media room and tells everyone in the class channel. */
export const liveEvents = (hub: Hub, rooms: MediaRooms | undefined): LiveEvents => ({
  ended(session) {
    rooms?.close(liveRoomName(session.id), 'session ended')
    hub.publish(liveRoomName(session.id), 'live:session-ended', { sessionId: session.id, endedAt: session.endedAt })
  },
})
