import { t } from 'elysia'

const Day = t.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'YYYY-MM-DD (UTC)', examples: ['2026-11-01'] })
export const RangeQuery = t.Object({
  start: t.Optional({ ...Day, description: 'first day, included; default 29 days before end' }),
  end: t.Optional({ ...Day, description: 'last day, included; default today' }),
})
const Counts = t.Record(t.String(), t.Integer())
export const Kpis = t.Object(
  {
    start: t.String(),
    end: t.String(),
    users: t.Integer({ description: 'accounts created in the range' }),
    providers: t.Integer({ description: 'provider profiles created in the range' }),
    requests: t.Object(
      { total: t.Integer(), byStatus: Counts },
      { description: 'service requests created in the range' },
    ),
    completedRequests: t.Integer({ description: 'of those, completed' }),
    revenue: t.Integer({ description: 'paid invoices in the range, in halalas' }),
    paidInvoices: t.Integer(),
    averageRating: t.Number({ description: 'mean review rating in the range, 0 without reviews' }),
    streams: t.Integer({ description: 'live streams started in the range' }),
    liveSessions: t.Integer({ description: 'live class sessions scheduled in the range' }),
  },
  { title: 'Kpis' },
)
export const RevenuePoint = t.Object(
  {
    date: t.String({ description: 'YYYY-MM-DD, or YYYY-MM for months' }),
    amount: t.Integer({ description: 'halalas' }),
    invoices: t.Integer(),
  },
  { title: 'RevenuePoint' },
)
export const BreakdownRow = t.Object(
  { type: t.String(), status: t.String(), count: t.Integer() },
  { title: 'RequestBreakdown' },
)
