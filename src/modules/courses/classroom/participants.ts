import { and, asc, eq, isNotNull } from 'drizzle-orm'
import type { Clock } from '../../../clock.ts'
import type { Database } from '../../../db/client.ts'
import { users } from '../../../db/schema/auth.ts'
import { liveParticipants } from '../../../db/schema/courses.ts'

export interface RaisedHand {
  userId: string
  name: string
  raisedAt: Date
}

/** A participant's hand, chat mute and removal in one session. */
export interface Standing {
  handRaisedAt: Date | null
  chatMuted: boolean
  removedAt: Date | null
}

/** Each participant's standing in a session (hand, chat mute, removal), in the database so every instance agrees. */
export class ParticipantStore {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async standing(sessionId: string, userId: string): Promise<Standing> {
    const [row] = await this.db
      .select({
        handRaisedAt: liveParticipants.handRaisedAt,
        chatMuted: liveParticipants.chatMuted,
        removedAt: liveParticipants.removedAt,
      })
      .from(liveParticipants)
      .where(and(eq(liveParticipants.sessionId, sessionId), eq(liveParticipants.userId, userId)))
    return row ?? { handRaisedAt: null, chatMuted: false, removedAt: null }
  }

  async isRemoved(sessionId: string, userId: string): Promise<boolean> {
    return (await this.standing(sessionId, userId)).removedAt !== null
  }

  /** Raises (keeping an already raised hand's place in the queue) or lowers; returns whether it changed. */
  async setHand(sessionId: string, userId: string, raised: boolean): Promise<boolean> {
    const before = (await this.standing(sessionId, userId)).handRaisedAt !== null
    if (before === raised) return false
    const handRaisedAt = raised ? new Date(this.clock.now()) : null
    await this.upsert(sessionId, userId, { handRaisedAt })
    return true
  }

  /** Lowers one student's hand or every hand; returns whose hands went down. */
  async lowerHands(sessionId: string, userId?: string): Promise<string[]> {
    const lowered = await this.db
      .update(liveParticipants)
      .set({ handRaisedAt: null })
      .where(
        and(
          eq(liveParticipants.sessionId, sessionId),
          isNotNull(liveParticipants.handRaisedAt),
          userId ? eq(liveParticipants.userId, userId) : undefined,
        ),
      )
      .returning({ userId: liveParticipants.userId })
    return lowered.map((row) => row.userId)
  }

  /** The queue, oldest hand first. */
  async hands(sessionId: string): Promise<RaisedHand[]> {
    const rows = await this.db
      .select({ userId: liveParticipants.userId, name: users.name, raisedAt: liveParticipants.handRaisedAt })
      .from(liveParticipants)
      .innerJoin(users, eq(users.id, liveParticipants.userId))
      .where(and(eq(liveParticipants.sessionId, sessionId), isNotNull(liveParticipants.handRaisedAt)))
      .orderBy(asc(liveParticipants.handRaisedAt), asc(liveParticipants.userId))
    return rows.map((row) => ({ userId: row.userId, name: row.name, raisedAt: row.raisedAt! }))
  }

  setChatMuted(sessionId: string, userId: string, chatMuted: boolean): Promise<void> {
    return this.upsert(sessionId, userId, { chatMuted })
  }

  remove(sessionId: string, userId: string): Promise<void> {
    return this.upsert(sessionId, userId, { removedAt: new Date(this.clock.now()), handRaisedAt: null })
  }

  private async upsert(
    sessionId: string,
    userId: string,
    changes: Partial<typeof liveParticipants.$inferInsert>,
  ): Promise<void> {
    await this.db
      .insert(liveParticipants)
      .values({ sessionId, userId, ...changes })
      .onConflictDoUpdate({ target: [liveParticipants.sessionId, liveParticipants.userId], set: changes })
  }
}
