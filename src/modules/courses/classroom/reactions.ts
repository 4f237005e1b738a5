import { t } from 'elysia'
import type { Cluster } from '../../../cluster/index.ts'
import type { Hub } from '../../../realtime/hub.ts'
import { liveRoomName } from '../sessions.ts'

export const REACTIONS = ['👍', '❤️', '😂', '👏', '🎉', '❓'] as const
export type Reaction = (typeof REACTIONS)[number]
const PER_STUDENT_PER_SECOND = 5
const TICK_MS = 1000

type Counts = Partial<Record<Reaction, number>>

interface Second {
  /** Reactions taken by this instance (shared with the others at the tick). */
  local: Counts
  /** The other instances' sums for the same second. */
  remote: Counts
  perUser: Map<string, number>
}

const add = (into: Counts, from: Counts) => {
  for (const [emoji, n] of Object.entries(from) as Array<[Reaction, number]>) into[emoji] = (into[emoji] ?? 0) + n
}

/**
 * Reactions are summed per second, not fanned out one by one: a class where 1,000 students react
 * sends each connection one `live:reactions` a second, however many react. Each instance sums
 * its own students, sends that sum to the others once a second, and delivers the class-wide sum
 * to its own connections. `aggregate: false` sends every reaction as it comes (for benchmarks).
 */
export class ReactionAggregator {
  private readonly seconds = new Map<string, Second>()
  private timer: Timer | undefined

  constructor(
    private readonly hub: Hub,
    private readonly cluster: Cluster | undefined,
    private readonly aggregate: boolean,
  ) {
    cluster?.bus.on(
      'classroom:reactions',
      t.Object({
        sessionId: t.String({ maxLength: 64 }),
        counts: t.Record(t.String({ maxLength: 8 }), t.Integer({ minimum: 0 })),
      }),
      ({ sessionId, counts }) => {
        add(this.second(sessionId).remote, counts as Counts)
      },
    )
  }

  /** Counts a student's reaction; beyond five a second one student's extra reactions are dropped. */
  react(sessionId: string, userId: string, emoji: Reaction): { counted: boolean } {
    if (!this.aggregate) {
      this.hub.publish(liveRoomName(sessionId), 'live:reactions', { sessionId, counts: { [emoji]: 1 } })
      return { counted: true }
    }
    const second = this.second(sessionId)
    const taken = second.perUser.get(userId) ?? 0
    if (taken >= PER_STUDENT_PER_SECOND) return { counted: false }
    second.perUser.set(userId, taken + 1)
    second.local[emoji] = (second.local[emoji] ?? 0) + 1
    return { counted: true }
  }

  stop(): void {
    clearInterval(this.timer)
    this.timer = undefined
    this.seconds.clear()
  }

  private second(sessionId: string): Second {
    let second = this.seconds.get(sessionId)
    if (!second) {
      second = { local: {}, remote: {}, perUser: new Map() }
      this.seconds.set(sessionId, second)
      this.timer ??= setInterval(() => this.tick(), TICK_MS)
    }
    return second
  }

  private tick(): void {
    const ending = [...this.seconds]
    this.seconds.clear()
    for (const [sessionId, { local, remote }] of ending) {
      if (Object.keys(local).length > 0)
        this.cluster?.bus.broadcast('classroom:reactions', { sessionId, counts: local })
      const counts: Counts = {}
      add(counts, local)
      add(counts, remote)
      if (Object.keys(counts).length > 0)
        this.hub.publishHere(liveRoomName(sessionId), 'live:reactions', { sessionId, counts })
    }
    if (this.seconds.size === 0) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }
}
