import type { AuthUser } from '../../../access/policy.ts'
import { staffMay } from '../../../access/policy.ts'
import { DomainError, conflict, forbidden, notFound, invalid } from '../../../errors/domain.ts'
import type { CourseService } from '../service.ts'
import type { LiveSessionRow, LiveSessionService } from '../sessions.ts'

export type ClassRole = 'teacher' | 'student' | 'staff'

/** Who someone is in a session: its teacher, an enrolled student, or staff reading with the `courses` module. */
export interface Membership {
  session: LiveSessionRow
  role: ClassRole
  teacherId: string
}

export const notInSession = () => new DomainError('NOT_IN_SESSION', 'Join the class first (live:join)')
export const removedFromSession = () =>
  new DomainError('REMOVED_FROM_SESSION', 'The teacher removed you from this session')

/** Every engagement feature asks the same questions about a user and a session; one place answers them. */
export class ClassroomAccess {
  constructor(
    private readonly sessions: LiveSessionService,
    private readonly courses: CourseService,
  ) {}

  /** Participants and staff with `courses` read; anyone else is told the session does not exist. */
  async member(user: AuthUser, sessionId: string): Promise<Membership> {
    const membership = await this.sessions.roleIn(user.id, sessionId)
    if (membership) return membership
    if (staffMay(user, ['courses', 'read'])) {
      const session = await this.sessions.get(user, sessionId)
      return { session, role: 'staff', teacherId: (await this.courses.require(session.courseId)).teacherId }
    }
    throw notFound('Live session')
  }

  async teacher(user: AuthUser, sessionId: string, action: string): Promise<Membership> {
    const membership = await this.member(user, sessionId)
    if (membership.role !== 'teacher') throw forbidden(`Only the teacher ${action}`)
    return membership
  }

  async student(user: AuthUser, sessionId: string, action: string): Promise<Membership> {
    const membership = await this.member(user, sessionId)
    if (membership.role !== 'student') throw forbidden(`Only students ${action}`)
    return membership
  }

  /** The target of a teacher's action (mute, remove, invite) must be one of the class's students. */
  async requireStudent(userId: string, sessionId: string): Promise<void> {
    if ((await this.sessions.roleIn(userId, sessionId))?.role !== 'student')
      throw invalid('NOT_A_STUDENT', 'That user is not a student of this class')
  }

  /** The teacher or staff: who sees results, names and attendance. */
  async overseer(user: AuthUser, sessionId: string, what: string): Promise<Membership> {
    const membership = await this.member(user, sessionId)
    if (membership.role === 'student') throw forbidden(`Only the teacher sees ${what}`)
    return membership
  }
}

export function requireLive(session: LiveSessionRow): void {
  if (session.status !== 'live') throw conflict('NOT_LIVE', `The session is ${session.status}, not live`)
}
