import type { AuthUser } from '../../../access/policy.ts'
import type { CoalescedEvents } from '../../../realtime/coalesced-events.ts'
import type { Hub } from '../../../realtime/hub.ts'
import { removedFromSession, requireLive, type ClassroomAccess } from './access.ts'
import type { ParticipantStore } from './participants.ts'

/**
 * The raised-hands queue. The teacher gets the whole queue when it changes (coalesced: 200 hands
 * raised at once arrive as a few queue updates, not 200); each student hears of their own hand.
 * `toTeacher` renders the queue with `queueEvent`.
 */
export class HandQueue {
  constructor(
    private readonly access: ClassroomAccess,
    private readonly participants: ParticipantStore,
    private readonly hub: Hub,
    private readonly toTeacher: CoalescedEvents,
  ) {}

  async set(student: AuthUser, sessionId: string, raised: boolean): Promise<{ raised: boolean }> {
    const { session, teacherId } = await this.access.student(student, sessionId, 'raise hands')
    requireLive(session)
    if (raised && (await this.participants.isRemoved(sessionId, student.id))) throw removedFromSession()
    if (await this.participants.setHand(sessionId, student.id, raised))
      this.changed(sessionId, teacherId, [student.id], raised)
    return { raised }
  }

  /** The teacher lowers one hand, or every hand without a userId. */
  async lower(teacher: AuthUser, sessionId: string, userId?: string): Promise<{ lowered: number }> {
    const { teacherId } = await this.access.teacher(teacher, sessionId, 'lowers hands')
    const lowered = await this.participants.lowerHands(sessionId, userId)
    this.changed(sessionId, teacherId, lowered, false)
    return { lowered: lowered.length }
  }

  /** A student left the class (on every instance) or was invited to speak: their hand goes down. */
  async lowerFor(sessionId: string, teacherId: string, userId: string): Promise<void> {
    this.changed(sessionId, teacherId, await this.participants.lowerHands(sessionId, userId), false)
  }

  queue(sessionId: string) {
    return this.participants.hands(sessionId)
  }

  async queueEvent(sessionId: string) {
    return { type: 'live:hands', data: { sessionId, hands: await this.queue(sessionId) } }
  }

  private changed(sessionId: string, teacherId: string, userIds: string[], raised: boolean): void {
    if (userIds.length === 0) return
    for (const userId of userIds) this.hub.sendToUser(userId, 'live:hand-changed', { sessionId, raised })
    this.toTeacher.changed(sessionId, { userId: teacherId })
  }
}
