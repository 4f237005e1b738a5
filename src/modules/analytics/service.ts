import { and, asc, avg, count, eq, gt, gte, isNull, lt, or, sql, type Column } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import { dayOf, int, monthOf } from '../../db/aggregates.ts'
import type { Database } from '../../db/client.ts'
import { users } from '../../db/schema/auth.ts'
import { invoices } from '../../db/schema/billing.ts'
import { liveSessions } from '../../db/schema/courses.ts'
import { providers, reviews, serviceRequests } from '../../db/schema/marketplace.ts'
import { streams } from '../../db/schema/streams.ts'
import { invalid } from '../../errors/domain.ts'
import { csvStream } from '../../http/csv.ts'

const DAY_MS = 24 * 60 * 60 * 1000
/** A daily series longer than this is refused (ask for months instead). */
const MAX_DAILY_DAYS = 366
const EXPORT_PAGE = 500
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

export interface DayRange {
  start: string
  end: string
  from: Date
  /** The instant after the last day. */
  until: Date
}

/**
 * Back-office reporting across modules. It only reads, and only aggregates in SQL (counts, sums,
 * GROUP BY day or month), so a year of data never passes through memory; the paid-invoices
 * export streams page by page.
 */
export class AnalyticsService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** `start`..`end` as whole UTC days (both included); by default the last 30 days. */
  range(query: { start?: string; end?: string }): DayRange {
    const endMs = query.end ? Date.parse(`${query.end}T00:00:00Z`) : Math.floor(this.clock.now() / DAY_MS) * DAY_MS
    const startMs = query.start ? Date.parse(`${query.start}T00:00:00Z`) : endMs - 29 * DAY_MS
    if (Number.isNaN(startMs) || Number.isNaN(endMs) || startMs > endMs) {
      throw invalid('INVALID_DATES', 'start and end must be real days (YYYY-MM-DD) with start on or before end', [
        { in: 'query', path: '/start', message: 'on or before end' },
      ])
    }
    return { start: isoDay(startMs), end: isoDay(endMs), from: new Date(startMs), until: new Date(endMs + DAY_MS) }
  }

  async kpis(range: DayRange) {
    const within = (column: Column) => and(gte(column, range.from), lt(column, range.until))
    const [[people], [profiles], byStatus, [money], [rating], [streamCount], [sessionCount]] = await this.db.batch([
      this.db
        .select({ count: count() })
        .from(users)
        .where(and(isNull(users.deletedAt), within(users.createdAt))),
      this.db.select({ count: count() }).from(providers).where(within(providers.createdAt)),
      this.db
        .select({ status: serviceRequests.status, count: count() })
        .from(serviceRequests)
        .where(within(serviceRequests.createdAt))
        .groupBy(serviceRequests.status),
      this.db
        .select({ amount: int(sql`sum(${invoices.amount})`), count: count() })
        .from(invoices)
        .where(and(eq(invoices.status, 'paid'), within(invoices.paidAt))),
      this.db
        .select({ average: avg(reviews.rating) })
        .from(reviews)
        .where(within(reviews.createdAt)),
      this.db.select({ count: count() }).from(streams).where(within(streams.startedAt)),
      this.db.select({ count: count() }).from(liveSessions).where(within(liveSessions.scheduledAt)),
    ])
    const statusCounts = Object.fromEntries(byStatus.map((row) => [row.status, row.count]))
    return {
      start: range.start,
      end: range.end,
      users: people!.count,
      providers: profiles!.count,
      requests: { total: byStatus.reduce((total, row) => total + row.count, 0), byStatus: statusCounts },
      completedRequests: statusCounts.completed ?? 0,
      revenue: money!.amount,
      paidInvoices: money!.count,
      averageRating:
        rating?.average === null || rating?.average === undefined ? 0 : Math.round(Number(rating.average) * 100) / 100,
      streams: streamCount!.count,
      liveSessions: sessionCount!.count,
    }
  }

  /** One point per day of the range, days without payments included as 0. */
  async dailyRevenue(range: DayRange) {
    const days = Math.round((range.until.getTime() - range.from.getTime()) / DAY_MS)
    if (days > MAX_DAILY_DAYS) {
      throw invalid('INVALID_DATES', `A daily series covers at most ${MAX_DAILY_DAYS} days; ask for monthly revenue`, [
        { in: 'query', path: '/start', message: 'range too long' },
      ])
    }
    const byDay = new Map((await this.revenueBy(dayOf(invoices.paidAt), range)).map((row) => [row.date, row]))
    return Array.from({ length: days }, (_, index) => {
      const date = isoDay(range.from.getTime() + index * DAY_MS)
      return { date, amount: byDay.get(date)?.amount ?? 0, invoices: byDay.get(date)?.invoices ?? 0 }
    })
  }

  /** One point per month that had payments in the range. */
  monthlyRevenue(range: DayRange) {
    return this.revenueBy(monthOf(invoices.paidAt), range)
  }

  /** Service requests created in the range, counted by type × status. */
  requestBreakdown(range: DayRange) {
    return this.db
      .select({ type: serviceRequests.type, status: serviceRequests.status, count: count() })
      .from(serviceRequests)
      .where(and(gte(serviceRequests.createdAt, range.from), lt(serviceRequests.createdAt, range.until)))
      .groupBy(serviceRequests.type, serviceRequests.status)
      .orderBy(asc(serviceRequests.type), asc(serviceRequests.status))
  }

  /** Paid invoices of the range as CSV, oldest payment first, read EXPORT_PAGE rows at a time. */
  paidInvoicesCsv(range: DayRange): ReadableStream<Uint8Array> {
    type Row = Awaited<ReturnType<typeof nextPage>>[number]
    const nextPage = (after: { paidAt: Date | null; id: string } | null) =>
      this.db
        .select({
          id: invoices.id,
          code: invoices.code,
          paidAt: invoices.paidAt,
          purpose: invoices.purpose,
          amount: invoices.amount,
          currency: invoices.currency,
          userId: invoices.userId,
          name: users.name,
          email: users.email,
          phone: users.phone,
        })
        .from(invoices)
        .innerJoin(users, eq(users.id, invoices.userId))
        .where(
          and(
            eq(invoices.status, 'paid'),
            gte(invoices.paidAt, range.from),
            lt(invoices.paidAt, range.until),
            after
              ? or(
                  gt(invoices.paidAt, after.paidAt!),
                  and(eq(invoices.paidAt, after.paidAt!), gt(invoices.id, after.id)),
                )
              : undefined,
          ),
        )
        .orderBy(asc(invoices.paidAt), asc(invoices.id))
        .limit(EXPORT_PAGE)
    return csvStream<Row>(
      ['code', 'paid_at', 'purpose', 'amount_sar', 'currency', 'user_id', 'name', 'email', 'phone'],
      nextPage,
      (row) => [
        row.code,
        row.paidAt!.toISOString(),
        row.purpose,
        (row.amount / 100).toFixed(2),
        row.currency,
        row.userId,
        row.name,
        row.email,
        row.phone,
      ],
    )
  }

  private revenueBy(period: ReturnType<typeof dayOf>, range: DayRange) {
    return this.db
      .select({ date: period, amount: int(sql`sum(${invoices.amount})`), invoices: count() })
      .from(invoices)
      .where(and(eq(invoices.status, 'paid'), gte(invoices.paidAt, range.from), lt(invoices.paidAt, range.until)))
      .groupBy(period)
      .orderBy(asc(period))
  }
}
