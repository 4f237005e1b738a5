import type { Core } from '../../core.ts'
import { gaugesFrom } from '../../http/metrics-registry.ts'
import { liveEvents, liveRealtime } from './realtime.ts'
import { courseRoutes } from './routes.ts'
import { CourseService } from './service.ts'
import { LiveSessionService } from './sessions.ts'

/** Courses, enrolment and their live sessions (media rooms `live:<id>`, reminder jobs, recordings). */
export function coursesModule({ db, clock, config, hub, scheduler, media, notifications, recordings, signer, logger, metrics, plugins, deps }: Core) {
  const courses = new CourseService(db, clock)
  const sessions = new LiveSessionService(db, clock, config, courses, scheduler, notifications, liveEvents(hub, media?.rooms), recordings, logger, deps.reminderLeadMs)
  hub.register(...liveRealtime(hub, sessions, media?.rooms))
  recordings.register('live', sessions.recordingSubject())
  media?.access.register('live', (user, sessionId) => sessions.mediaGrant(user.id, sessionId))
  metrics.register(gaugesFrom(async () => [['majlis_live_classes', 'Live class sessions running now (every instance)', await sessions.liveCount()]]))
  return courseRoutes({ courses, sessions, config, signer, clock, ...plugins })
}
