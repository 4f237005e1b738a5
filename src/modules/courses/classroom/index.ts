import type { ModuleContext } from '../../shared-services.ts'
import { errorFields } from '../../../logger.ts'
import { CoalescedEvents, type Render } from '../../../realtime/coalesced-events.ts'
import type { CourseService } from '../service.ts'
import type { LiveSessionService } from '../sessions.ts'
import { ClassroomAccess } from './access.ts'
import { AttendanceService } from './attendance.ts'
import { ClassChat } from './chat.ts'
import { HandQueue } from './hands.ts'
import { ParticipantStore } from './participants.ts'
import { PollService } from './polls.ts'
import { QuestionService } from './questions.ts'
import { ReactionAggregator } from './reactions.ts'
import { classroomRealtime } from './realtime.ts'
import { RoomControl } from './room-control.ts'
import { classroomRoutes } from './routes.ts'

/** The teacher gets the hand queue at most four times a second, poll results and each question's updates twice. */
const HANDS_INTERVAL_MS = 250
const RESULTS_INTERVAL_MS = 500

/**
 * The live class beyond its video: the class channel (join, leave, attendance), chat, hands, polls,
 * questions, reactions and the teacher's room control.
 */
export function classroom(
  { db, clock, config, hub, media, cluster, logger, plugins, startTasks }: ModuleContext,
  courses: CourseService,
  sessions: LiveSessionService,
) {
  const reportError = (error: unknown) => logger.error('class event failed', errorFields(error))
  const coalesced = (name: string, intervalMs: number, render: Render) =>
    new CoalescedEvents(name, render, hub, cluster, config.classroomAggregation ? intervalMs : 0, reportError)
  const access = new ClassroomAccess(sessions, courses)
  const participants = new ParticipantStore(db, clock)
  const chat = new ClassChat(db, clock, access, participants, hub)
  const hands: HandQueue = new HandQueue(
    access,
    participants,
    hub,
    coalesced('live-hands', HANDS_INTERVAL_MS, (sessionId) => hands.queueEvent(sessionId)),
  )
  const polls: PollService = new PollService(
    db,
    clock,
    access,
    participants,
    hub,
    coalesced('live-poll-results', RESULTS_INTERVAL_MS, (pollId) => polls.resultsEvent(pollId)),
  )
  const questions: QuestionService = new QuestionService(
    db,
    clock,
    access,
    participants,
    coalesced('live-question', RESULTS_INTERVAL_MS, (questionId) => questions.questionEvent(questionId)),
  )
  const reactions = new ReactionAggregator(hub, cluster, config.classroomAggregation)
  const control = new RoomControl(access, sessions, participants, hands, hub, media?.rooms, cluster)
  const attendance = new AttendanceService(db, clock, access, logger, config.cluster.instanceId)
  startTasks.push(() =>
    attendance.closeStaysOfGoneInstances(async (ids) => (cluster ? cluster.members.whichLive(ids) : new Set())),
  )
  cluster?.members.on('swept', (instanceId) => {
    void attendance
      .closeStaysOf([instanceId])
      .catch((error: unknown) => logger.error('closing a gone instance’s attendance failed', errorFields(error)))
  })

  hub.registerChannelKind(
    'live',
    async (user, sessionId) =>
      (await sessions.roleIn(user.id, sessionId))?.session.status === 'live' &&
      !(await participants.isRemoved(sessionId, user.id)),
    (user, channel) => {
      const sessionId = channel.slice('live:'.length)
      hub.publish(channel, 'live:peer-left', { sessionId, userId: user.id, name: user.name })
      void sessions
        .roleIn(user.id, sessionId)
        .then((membership) =>
          membership?.role === 'student' ? hands.lowerFor(sessionId, membership.teacherId, user.id) : undefined,
        )
        .catch((error: unknown) => logger.error('lowering a leaving student’s hand failed', errorFields(error)))
    },
    attendance.connections,
  )
  hub.register(
    ...classroomRealtime(hub, { sessions, access, participants, chat, hands, polls, questions, reactions, control }),
  )
  sessions.onEnded(async (session) => {
    await attendance.ended(session)
    await polls.closeAll(session.id)
    await participants.lowerHands(session.id)
  })
  media?.access.register('live', async (user, sessionId) =>
    (await participants.isRemoved(sessionId, user.id)) ? null : sessions.mediaGrant(user.id, sessionId),
  )

  return classroomRoutes({ chat, polls, questions, attendance, ...plugins })
}
