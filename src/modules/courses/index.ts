import type { ModuleContext } from '../shared-services.ts'
import { gaugesFrom } from '../../metrics/registry.ts'
import { classroom } from './classroom/index.ts'
import { liveEvents } from './realtime.ts'
import { courseRoutes } from './routes.ts'
import { CourseService } from './service.ts'
import { LiveSessionService } from './sessions.ts'

/** Courses, enrolment, their live sessions (media rooms `live:<id>`, reminder jobs, recordings) and the live classroom. */
export function coursesModule(core: ModuleContext) {
  const {
    db,
    clock,
    config,
    hub,
    scheduler,
    media,
    notifications,
    recordings,
    signer,
    logger,
    metrics,
    plugins,
    tuning,
  } = core
  const courses = new CourseService(db, clock)
  const sessions = new LiveSessionService(
    db,
    clock,
    config,
    courses,
    scheduler,
    notifications,
    liveEvents(hub, media?.rooms),
    recordings,
    logger,
    tuning.reminderLeadMs,
  )
  recordings.register('live', sessions.recordingSubject())
  metrics.register(
    gaugesFrom(async () => [
      ['majlis_live_classes', 'Live class sessions running now (every instance)', await sessions.liveCount()],
    ]),
  )
  return courseRoutes({ courses, sessions, config, signer, clock, ...plugins }).use(classroom(core, courses, sessions))
}
