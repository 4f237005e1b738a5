import { and, asc, count, eq, gte, inArray, lte, or, type SQL } from 'drizzle-orm'
import { customAlphabet } from 'nanoid'
import type { MediaGrant } from '../../../media/index.ts'
import type { Clock } from '../../clock.ts'
import type { Config, IceServerConfig } from '../../config.ts'
import type { Database } from '../../db/client.ts'
import { courses, enrolments, liveSessions, liveSpeakers, type LiveSessionStatus } from '../../db/schema/courses.ts'
import { staffMay, type AuthUser } from '../../access/policy.ts'
import { conflict, forbidden, notFound, invalid } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { iceServersFor } from '../../ice-servers.ts'
import { newId } from '../../ids.ts'
import { ShortLivedCache } from '../../short-lived-cache.ts'
import type { JobScheduler } from '../../jobs/scheduler.ts'
import type { Localized, NotificationService } from '../notifications/public.ts'
import type { RecordingService } from '../recordings/public.ts'
import { API_PREFIX } from '../../http/paths.ts'
import { logEvent, type Logger } from '../../logger.ts'
import type { CourseService } from './service.ts'

export type LiveSessionRow = typeof liveSessions.$inferSelect

/** Outside the database: what the live room does when a session starts or ends. */
export interface LiveEvents {
  ended(session: LiveSessionRow): void
}

const REMINDER_LEAD_MS = 10 * 60 * 1000
export const liveRoomName = (sessionId: string) => `live:${sessionId}`

const roomCode = customAlphabet('ABCDEFGHJKLMNPQRSTUVWXYZ23456789', 10)
const jobKeys = (sessionId: string) => ({
  reminder: `live_session:${sessionId}:reminder`,
  starting: `live_session:${sessionId}:starting`,
})
const JOB_REMINDER = 'live_session.reminder'
const JOB_STARTING = 'live_session.starting'

export interface SessionInput {
  title: string
  description?: string
  courseId: string
  scheduledAt: Date
  durationMinutes?: number
  autoRecord?: boolean
}

/** Another instance's start, end or edit of a session is seen within this time. */
const SESSION_CACHE_MS = 1000

/**
 * Scheduled classes: scheduled → live → ended, scheduled → canceled. Students hear of a new
 * session at once, get a reminder before it and a notice at its start time (durable jobs);
 * rescheduling moves the jobs, canceling removes them.
 */
export class LiveSessionService {
  /**
   * A session with its course's teacher, for membership checks: a join asks three times (live:join,
   * the channel, the media grant) and a class joins at once. Writes here forget the session.
   */
  private readonly sessionsWithTeacher: ShortLivedCache<{ session: LiveSessionRow; teacherId: string } | null>
  private readonly endListeners: Array<(session: LiveSessionRow) => Promise<void>> = []

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly courses: CourseService,
    private readonly scheduler: JobScheduler,
    private readonly notifications: NotificationService,
    private readonly events: LiveEvents,
    private readonly recordings: RecordingService,
    private readonly logger: Logger,
    private readonly reminderLeadMs = REMINDER_LEAD_MS,
  ) {
    this.sessionsWithTeacher = new ShortLivedCache(SESSION_CACHE_MS, () => clock.now())
    scheduler.register(JOB_REMINDER, (payload) => this.sendScheduledNotice(String(payload.sessionId), 'reminder'))
    scheduler.register(JOB_STARTING, (payload) => this.sendScheduledNotice(String(payload.sessionId), 'starting'))
  }

  /** Sessions live now, for /metrics. */
  async liveCount(): Promise<number> {
    const [live] = await this.db.select({ n: count() }).from(liveSessions).where(eq(liveSessions.status, 'live'))
    return live?.n ?? 0
  }

  async create(teacher: AuthUser, input: SessionInput) {
    const course = await this.courses.require(input.courseId)
    if (course.teacherId !== teacher.id) throw forbidden('Only the course’s teacher schedules its sessions')
    this.assertFuture(input.scheduledAt)
    const now = new Date(this.clock.now())
    const [session] = await this.db
      .insert(liveSessions)
      .values({
        id: newId('ls'),
        courseId: course.id,
        title: input.title,
        description: input.description,
        scheduledAt: input.scheduledAt,
        durationMinutes: input.durationMinutes ?? 60,
        autoRecord: input.autoRecord ?? false,
        status: 'scheduled',
        roomCode: roomCode(),
        createdAt: now,
        updatedAt: now,
      })
      .returning()
    await this.scheduleNotices(session!)
    await this.tellStudents(session!, 'created', { ar: 'حصة مباشرة جديدة في الجدول', en: 'New live session scheduled' })
    return session!
  }

  async update(teacher: AuthUser, id: string, changes: Partial<Omit<SessionInput, 'courseId'>>) {
    const session = await this.teachersSession(teacher, id)
    if (session.status !== 'scheduled')
      throw conflict('INVALID_STATE', `The session is ${session.status}; only scheduled sessions change`)
    if (changes.scheduledAt) this.assertFuture(changes.scheduledAt)
    const [updated] = await this.db
      .update(liveSessions)
      .set({ ...changes, updatedAt: new Date(this.clock.now()) })
      .where(and(eq(liveSessions.id, id), eq(liveSessions.status, 'scheduled')))
      .returning()
    this.sessionsWithTeacher.forget(id)
    if (!updated) throw conflict('INVALID_STATE', 'The session is no longer scheduled')
    if (changes.scheduledAt && changes.scheduledAt.getTime() !== session.scheduledAt.getTime()) {
      await this.scheduleNotices(updated)
      await this.tellStudents(updated, `rescheduled:${updated.scheduledAt.getTime()}`, {
        ar: 'تغيّر موعد الحصة المباشرة',
        en: 'Live session moved',
      })
    }
    return updated
  }

  async cancel(teacher: AuthUser, id: string) {
    const session = await this.transition(teacher, id, 'canceled', 'scheduled', {
      canceledAt: new Date(this.clock.now()),
    })
    const keys = jobKeys(id)
    await this.scheduler.cancel([keys.reminder, keys.starting])
    await this.tellStudents(session, 'canceled', { ar: 'أُلغيت الحصة المباشرة', en: 'Live session canceled' })
    return session
  }

  async start(teacher: AuthUser, id: string) {
    const session = await this.transition(teacher, id, 'live', 'scheduled', { startedAt: new Date(this.clock.now()) })
    logEvent(this.logger, 'class.started', teacher.id, { sessionId: id, courseId: session.courseId })
    await this.tellStudents(session, 'live', { ar: 'حصتك مباشرة الآن', en: 'Your class is live now' })
    if (session.autoRecord) {
      // Going live matters more than its recording: a server without ffmpeg still starts the class.
      await this.recordings.start('live', id, liveRoomName(id), teacher.id).catch((error: unknown) => {
        this.logger.warn('automatic recording did not start', {
          sessionId: id,
          err: error instanceof Error ? error.message : String(error),
        })
      })
    }
    return session
  }

  /** Recordings of a class: the teacher starts and stops them while it is live; whoever sees the session sees them. */
  recordingSubject() {
    return {
      authorize: async (user: AuthUser, id: string) => {
        const session = await this.teachersSession(user, id)
        if (session.status !== 'live')
          throw conflict('INVALID_STATE', `The session is ${session.status}; only a live session is recorded`)
        return { room: liveRoomName(id) }
      },
      mayView: async (user: AuthUser, id: string) => (await this.get(user, id).catch(() => null)) !== null,
      onFinished: async (recording: { id: string; subjectId: string }) => {
        await this.db
          .update(liveSessions)
          .set({ recordingUrl: `${API_PREFIX}/recordings/${recording.id}/file` })
          .where(eq(liveSessions.id, recording.subjectId))
      },
    }
  }

  /** Runs when a session ends, before the class hears of it (attendance closes at the end, open polls close). */
  onEnded(listener: (session: LiveSessionRow) => Promise<void>): void {
    this.endListeners.push(listener)
  }

  async end(teacher: AuthUser, id: string) {
    const session = await this.transition(teacher, id, 'ended', 'live', { endedAt: new Date(this.clock.now()) })
    logEvent(this.logger, 'class.ended', teacher.id, { sessionId: id, courseId: session.courseId })
    for (const listener of this.endListeners) await listener(session)
    this.events.ended(session)
    return session
  }

  /** The session a room code opens (the class link), if the user may see it. */
  async byCode(user: AuthUser, roomCode: string): Promise<LiveSessionRow> {
    const [row] = await this.db
      .select({ session: liveSessions })
      .from(liveSessions)
      .innerJoin(courses, eq(courses.id, liveSessions.courseId))
      .where(and(eq(liveSessions.roomCode, roomCode.toUpperCase()), this.visibleTo(user)))
    if (!row) throw notFound('Live session')
    return row.session
  }

  /** Sessions of courses the user teaches or attends (staff: all), by schedule time. */
  async list(
    user: AuthUser,
    filter: { courseId?: string; status?: LiveSessionStatus; from?: Date; to?: Date; cursor?: string; limit: number },
  ) {
    const rows = await this.db
      .select({ session: liveSessions })
      .from(liveSessions)
      .innerJoin(courses, eq(courses.id, liveSessions.courseId))
      .where(
        and(
          this.visibleTo(user),
          filter.courseId ? eq(liveSessions.courseId, filter.courseId) : undefined,
          filter.status ? eq(liveSessions.status, filter.status) : undefined,
          filter.from ? gte(liveSessions.scheduledAt, filter.from) : undefined,
          filter.to ? lte(liveSessions.scheduledAt, filter.to) : undefined,
          afterCursor(liveSessions.scheduledAt, liveSessions.id, decodeCursor(filter.cursor), 'asc'),
        ),
      )
      .orderBy(asc(liveSessions.scheduledAt), asc(liveSessions.id))
      .limit(filter.limit + 1)
    return toPage(
      rows.map((row) => row.session),
      filter.limit,
      (session) => session.scheduledAt,
    )
  }

  async get(user: AuthUser, id: string): Promise<LiveSessionRow> {
    const [row] = await this.db
      .select({ session: liveSessions })
      .from(liveSessions)
      .innerJoin(courses, eq(courses.id, liveSessions.courseId))
      .where(and(eq(liveSessions.id, id), this.visibleTo(user)))
    if (!row) throw notFound('Live session')
    return row.session
  }

  async iceServers(user: AuthUser, id: string): Promise<IceServerConfig[]> {
    await this.get(user, id)
    return iceServersFor(this.config, this.clock, user.id)
  }

  /** Who is in the class and what they may send: the teacher everything, students nothing unless invited to speak. */
  async roleIn(
    userId: string,
    sessionId: string,
  ): Promise<{ session: LiveSessionRow; role: 'teacher' | 'student'; teacherId: string } | null> {
    const row = await this.sessionsWithTeacher.get(sessionId, async () => {
      const [found] = await this.db
        .select({ session: liveSessions, teacherId: courses.teacherId })
        .from(liveSessions)
        .innerJoin(courses, eq(courses.id, liveSessions.courseId))
        .where(eq(liveSessions.id, sessionId))
      return found ?? null
    })
    if (!row) return null
    if (row.teacherId === userId) return { session: row.session, role: 'teacher', teacherId: row.teacherId }
    return (await this.courses.isEnrolled(userId, row.session.courseId))
      ? { session: row.session, role: 'student', teacherId: row.teacherId }
      : null
  }

  async mediaGrant(userId: string, sessionId: string): Promise<MediaGrant | null> {
    const membership = await this.roleIn(userId, sessionId)
    if (membership?.session.status !== 'live') return null
    if (membership.role === 'teacher') return { canPublish: ['camera', 'microphone', 'screen', 'screen-audio'] }
    return { canPublish: (await this.isSpeaker(sessionId, userId)) ? ['microphone'] : [] }
  }

  /** Whether the teacher invited the student to speak; in the database, so every instance agrees. */
  async isSpeaker(sessionId: string, userId: string): Promise<boolean> {
    const [row] = await this.db
      .select({ userId: liveSpeakers.userId })
      .from(liveSpeakers)
      .where(and(eq(liveSpeakers.sessionId, sessionId), eq(liveSpeakers.userId, userId)))
    return row !== undefined
  }

  async speakerIds(sessionId: string): Promise<string[]> {
    const rows = await this.db
      .select({ userId: liveSpeakers.userId })
      .from(liveSpeakers)
      .where(eq(liveSpeakers.sessionId, sessionId))
    return rows.map((row) => row.userId)
  }

  async setSpeaker(sessionId: string, userId: string, canSpeak: boolean): Promise<void> {
    if (canSpeak) await this.db.insert(liveSpeakers).values({ sessionId, userId }).onConflictDoNothing()
    else
      await this.db
        .delete(liveSpeakers)
        .where(and(eq(liveSpeakers.sessionId, sessionId), eq(liveSpeakers.userId, userId)))
  }

  private async scheduleNotices(session: LiveSessionRow): Promise<void> {
    const keys = jobKeys(session.id)
    const payload = { sessionId: session.id }
    const reminderAt = session.scheduledAt.getTime() - this.reminderLeadMs
    if (reminderAt > this.clock.now()) {
      await this.scheduler.schedule({ kind: JOB_REMINDER, key: keys.reminder, runAt: new Date(reminderAt), payload })
    } else {
      await this.scheduler.cancel([keys.reminder])
    }
    await this.scheduler.schedule({ kind: JOB_STARTING, key: keys.starting, runAt: session.scheduledAt, payload })
  }

  /** A job handler: only a still-scheduled session is announced; the dedupe key makes a retried run harmless. */
  private async sendScheduledNotice(sessionId: string, notice: 'reminder' | 'starting'): Promise<void> {
    const session = await this.db.query.liveSessions.findFirst({ where: eq(liveSessions.id, sessionId) })
    if (session?.status !== 'scheduled') return
    const minutes = Math.round(this.reminderLeadMs / 60000)
    const title =
      notice === 'reminder'
        ? { ar: `تبدأ الحصة بعد ${minutes} دقائق`, en: `Starts in ${minutes} minutes` }
        : { ar: 'تبدأ حصتك الآن', en: 'Your class starts now' }
    await this.tellStudents(session, `${notice}:${session.scheduledAt.getTime()}`, title)
  }

  private async tellStudents(session: LiveSessionRow, event: string, title: Localized): Promise<void> {
    const studentIds = await this.courses.studentIds(session.courseId)
    const type = `live_session.${event.split(':')[0]}`
    for (const studentId of studentIds) {
      await this.notifications.notify(studentId, {
        type,
        title,
        body: session.title,
        data: {
          sessionId: session.id,
          courseId: session.courseId,
          scheduledAt: session.scheduledAt.toISOString(),
          roomCode: session.roomCode,
        },
        dedupeKey: `live_session:${session.id}:${event}`,
      })
    }
  }

  private assertFuture(scheduledAt: Date): void {
    if (scheduledAt.getTime() <= this.clock.now()) {
      throw invalid('VALIDATION_FAILED', 'scheduledAt must be in the future', [
        { in: 'body', path: '/scheduledAt', message: 'must be in the future' },
      ])
    }
  }

  private async transition(
    teacher: AuthUser,
    id: string,
    to: LiveSessionStatus,
    from: LiveSessionStatus,
    extra: Partial<typeof liveSessions.$inferInsert>,
  ) {
    const session = await this.teachersSession(teacher, id)
    const [updated] = await this.db
      .update(liveSessions)
      .set({ ...extra, status: to, updatedAt: new Date(this.clock.now()) })
      .where(and(eq(liveSessions.id, id), eq(liveSessions.status, from)))
      .returning()
    this.sessionsWithTeacher.forget(id)
    if (!updated) throw conflict('INVALID_STATE', `The session is ${session.status}; it cannot become ${to}`)
    return updated
  }

  private async teachersSession(teacher: AuthUser, id: string): Promise<LiveSessionRow> {
    const session = await this.get(teacher, id)
    const course = await this.courses.require(session.courseId)
    if (course.teacherId !== teacher.id) throw forbidden('Only the course’s teacher runs its sessions')
    return session
  }

  private visibleTo(user: AuthUser): SQL | undefined {
    if (staffMay(user, ['courses', 'read'])) return undefined
    return or(
      eq(courses.teacherId, user.id),
      inArray(
        liveSessions.courseId,
        this.db.select({ id: enrolments.courseId }).from(enrolments).where(eq(enrolments.studentId, user.id)),
      ),
    )
  }
}
