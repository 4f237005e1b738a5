import { and, asc, desc, eq, inArray, isNotNull, isNull, lt, or } from 'drizzle-orm'
import type { Clock } from '../../../clock.ts'
import type { Database } from '../../../db/client.ts'
import { users } from '../../../db/schema/auth.ts'
import { enrolments, liveAttendance, liveSessions } from '../../../db/schema/courses.ts'
import type { AuthUser } from '../../../access/policy.ts'
import { decodeCursor, encodeCursor } from '../../../http/pagination.ts'
import { newId } from '../../../ids.ts'
import type { Logger } from '../../../logger.ts'
import type { Connection } from '../../../realtime/hub.ts'
import type { LiveSessionRow } from '../sessions.ts'
import type { ClassroomAccess } from './access.ts'

interface Stay {
  joinedAt: Date
  leftAt: Date | null
}

interface Presence {
  firstJoinedAt: Date | null
  lastLeftAt: Date | null
  secondsPresent: number
  minutesPresent: number
  joins: number
  present: boolean
}

/**
 * Time present within the class (from its start to its end, or now): overlapping stays (two tabs,
 * a move between instances) count once, and each separate stretch is one join.
 */
function presenceOf(stays: Stay[], session: Pick<LiveSessionRow, 'startedAt' | 'endedAt'>, now: number): Presence {
  const classStart = session.startedAt?.getTime() ?? now
  const classEnd = session.endedAt?.getTime() ?? now
  const sorted = [...stays].sort((a, b) => a.joinedAt.getTime() - b.joinedAt.getTime())
  let totalMs = 0
  let joins = 0
  let current: { start: number; end: number } | null = null
  for (const stay of sorted) {
    const start = Math.max(stay.joinedAt.getTime(), classStart)
    const end = Math.min(stay.leftAt?.getTime() ?? now, classEnd)
    if (end <= start && stay.leftAt !== null) continue
    if (current && start <= current.end) current.end = Math.max(current.end, end)
    else {
      if (current) totalMs += current.end - current.start
      current = { start, end }
      joins += 1
    }
  }
  if (current) totalMs += current.end - current.start
  const left = stays.map((stay) => stay.leftAt)
  const open = left.includes(null)
  return {
    firstJoinedAt: sorted[0]?.joinedAt ?? null,
    lastLeftAt: open || left.length === 0 ? null : new Date(Math.max(...left.map((at) => at!.getTime()))),
    secondsPresent: Math.round(totalMs / 1000),
    minutesPresent: Math.round(totalMs / 600) / 100,
    joins,
    present: open && session.endedAt === null,
  }
}

/**
 * Attendance: every connection's stay in a session's channel is a row (opened on join, closed on
 * leave or disconnect, on whichever instance held it), so the record is exact across instances.
 */
export class AttendanceService {
  /** This instance's open stays by connection and channel; the insert is awaited before its close. */
  private readonly open = new Map<string, Promise<string | null>>()

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly access: ClassroomAccess,
    private readonly logger: Logger,
    private readonly instanceId: string,
  ) {}

  /** The channel listener: a connection entered or left `live:<sessionId>`. */
  readonly connections = {
    joined: (connection: Connection, channel: string) => {
      const sessionId = channel.slice('live:'.length)
      const id = newId('att')
      const inserted = this.db
        .insert(liveAttendance)
        .values({
          id,
          sessionId,
          userId: connection.user!.id,
          instanceId: this.instanceId,
          joinedAt: new Date(this.clock.now()),
        })
        .then(() => id)
        .catch((error: unknown) => this.failed(error, sessionId))
      this.open.set(`${connection.id} ${channel}`, inserted)
    },
    left: (connection: Connection, channel: string) => {
      const key = `${connection.id} ${channel}`
      const opened = this.open.get(key)
      this.open.delete(key)
      const leftAt = new Date(this.clock.now())
      void opened
        ?.then(async (id) => {
          if (id)
            await this.db
              .update(liveAttendance)
              .set({ leftAt })
              .where(and(eq(liveAttendance.id, id), isNull(liveAttendance.leftAt)))
        })
        .catch((error: unknown) => this.failed(error, channel))
    },
  }

  /** The class ended: whoever is still there leaves at its end. */
  async ended(session: LiveSessionRow): Promise<void> {
    await this.db
      .update(liveAttendance)
      .set({ leftAt: session.endedAt })
      .where(and(eq(liveAttendance.sessionId, session.id), isNull(liveAttendance.leftAt)))
  }

  /**
   * Stays an instance left open when it died (killed, not stopped): they end now, when it is
   * noticed. At start, every open stay of another instance that is not alive (all of them without
   * a cluster: this process is the only one); in a cluster, the stays of an instance found gone.
   */
  async closeStaysOfGoneInstances(isAlive: (instanceIds: string[]) => Promise<Set<string>>): Promise<number> {
    const open = await this.db
      .selectDistinct({ instanceId: liveAttendance.instanceId })
      .from(liveAttendance)
      .where(isNull(liveAttendance.leftAt))
    const others = open.map((row) => row.instanceId).filter((id) => id !== this.instanceId)
    const alive = await isAlive(others)
    const gone = others.filter((id) => !alive.has(id))
    return gone.length === 0 ? 0 : this.closeStaysOf(gone)
  }

  async closeStaysOf(instanceIds: string[]): Promise<number> {
    const closed = await this.db
      .update(liveAttendance)
      .set({ leftAt: new Date(this.clock.now()) })
      .where(and(inArray(liveAttendance.instanceId, instanceIds), isNull(liveAttendance.leftAt)))
      .returning({ id: liveAttendance.id })
    return closed.length
  }

  /** Every enrolled student (absent ones at zero), for the teacher and staff. */
  async forSession(user: AuthUser, sessionId: string) {
    const { session } = await this.access.overseer(user, sessionId, 'attendance')
    const students = await this.db
      .select({ userId: users.id, name: users.name })
      .from(enrolments)
      .innerJoin(users, eq(users.id, enrolments.studentId))
      .where(eq(enrolments.courseId, session.courseId))
      .orderBy(asc(users.name), asc(users.id))
    const stays = Map.groupBy(
      await this.db.select().from(liveAttendance).where(eq(liveAttendance.sessionId, sessionId)),
      (stay) => stay.userId,
    )
    const now = this.clock.now()
    const items = students.map((student) => ({
      ...student,
      ...presenceOf(stays.get(student.userId) ?? [], session, now),
    }))
    return { sessionId, title: session.title, startedAt: session.startedAt, endedAt: session.endedAt, items }
  }

  /** A student's own record: sessions of their courses that went live, newest first. */
  async mine(student: AuthUser, filter: { courseId?: string; cursor?: string; limit: number }) {
    const position = decodeCursor(filter.cursor)
    const sessions = await this.db
      .select()
      .from(liveSessions)
      .innerJoin(enrolments, and(eq(enrolments.courseId, liveSessions.courseId), eq(enrolments.studentId, student.id)))
      .where(
        and(
          isNotNull(liveSessions.startedAt),
          filter.courseId ? eq(liveSessions.courseId, filter.courseId) : undefined,
          position
            ? or(
                lt(liveSessions.startedAt, new Date(position.at)),
                and(eq(liveSessions.startedAt, new Date(position.at)), lt(liveSessions.id, position.id)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(liveSessions.startedAt), desc(liveSessions.id))
      .limit(filter.limit + 1)
    const page = sessions.slice(0, filter.limit).map((row) => row.live_sessions)
    const stays = Map.groupBy(
      page.length
        ? await this.db
            .select()
            .from(liveAttendance)
            .where(
              and(
                eq(liveAttendance.userId, student.id),
                inArray(
                  liveAttendance.sessionId,
                  page.map((session) => session.id),
                ),
              ),
            )
        : [],
      (stay) => stay.sessionId,
    )
    const now = this.clock.now()
    const last = page.at(-1)
    return {
      items: page.map((session) => ({
        sessionId: session.id,
        courseId: session.courseId,
        title: session.title,
        startedAt: session.startedAt,
        endedAt: session.endedAt,
        ...presenceOf(stays.get(session.id) ?? [], session, now),
      })),
      nextCursor:
        sessions.length > filter.limit && last ? encodeCursor({ at: last.startedAt!.getTime(), id: last.id }) : null,
    }
  }

  private failed(error: unknown, where: string): null {
    this.logger.error('attendance write failed', { where, err: error instanceof Error ? error.message : String(error) })
    return null
  }
}
