import { and, eq, gte, lt, sql } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import { dayOf, int } from '../../db/aggregates.ts'
import type { Database } from '../../db/client.ts'
import { giftTransactions, streams } from '../../db/schema/streams.ts'
import { staffMay, type AuthUser } from '../../access/policy.ts'
import { forbidden } from '../../errors/domain.ts'
import type { UserService } from '../auth/public.ts'
import type { analyticsPeriods } from './model.ts'

export type AnalyticsPeriod = (typeof analyticsPeriods)[number]

const DAY_MS = 24 * 60 * 60 * 1000
const periodDays: Record<AnalyticsPeriod, number> = { day: 1, week: 7, month: 30, year: 365 }
const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** A host's streaming over a period, aggregated in SQL (totals and one row per day), never row by row in memory. */
export class StreamAnalytics {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly users: UserService,
  ) {}

  async forHost(viewer: AuthUser, query: { userId?: string; period?: AnalyticsPeriod }) {
    const hostId = query.userId ?? viewer.id
    if (hostId !== viewer.id && !staffMay(viewer, ['analytics', 'read']))
      throw forbidden("Only staff with the analytics module see another user's analytics")
    await this.users.require(hostId)
    const period = query.period ?? 'week'
    const today = Math.floor(this.clock.now() / DAY_MS) * DAY_MS
    const from = today - (periodDays[period] - 1) * DAY_MS
    const until = today + DAY_MS
    const hosted = and(
      eq(streams.hostId, hostId),
      gte(streams.startedAt, new Date(from)),
      lt(streams.startedAt, new Date(until)),
    )
    const earned = and(
      eq(giftTransactions.recipientId, hostId),
      gte(giftTransactions.createdAt, new Date(from)),
      lt(giftTransactions.createdAt, new Date(until)),
    )

    const [[totals], streamDays, coinDays, [coins]] = await this.db.batch([
      this.db
        .select({
          streams: int(sql`count(*)`),
          totalDurationSec: int(sql`sum(${streams.durationSec})`),
          totalViewers: int(sql`sum(${streams.totalViewers})`),
          peakViewers: int(sql`max(${streams.peakViewers})`),
          messages: int(sql`sum(${streams.messages})`),
          gifts: int(sql`sum(${streams.gifts})`),
        })
        .from(streams)
        .where(hosted),
      this.db
        .select({
          date: dayOf(streams.startedAt),
          streams: int(sql`count(*)`),
          viewers: int(sql`sum(${streams.totalViewers})`),
        })
        .from(streams)
        .where(hosted)
        .groupBy(dayOf(streams.startedAt)),
      this.db
        .select({ date: dayOf(giftTransactions.createdAt), coins: int(sql`sum(${giftTransactions.coins})`) })
        .from(giftTransactions)
        .where(earned)
        .groupBy(dayOf(giftTransactions.createdAt)),
      this.db
        .select({ coins: int(sql`sum(${giftTransactions.coins})`) })
        .from(giftTransactions)
        .where(earned),
    ])

    const byDay = new Map(streamDays.map((day) => [day.date, day]))
    const coinsByDay = new Map(coinDays.map((day) => [day.date, day.coins]))
    const series = Array.from({ length: periodDays[period] }, (_, index) => {
      const date = isoDate(from + index * DAY_MS)
      return {
        date,
        streams: byDay.get(date)?.streams ?? 0,
        viewers: byDay.get(date)?.viewers ?? 0,
        coins: coinsByDay.get(date) ?? 0,
      }
    })
    return { period, from: isoDate(from), to: isoDate(today), ...totals!, coinsEarned: coins?.coins ?? 0, series }
  }
}
