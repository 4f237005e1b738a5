import { t } from 'elysia'
import type { Access } from '../../access/policy.ts'
import { csvDetail, csvResponse } from '../../http/csv.ts'
import { errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import { BreakdownRow, Kpis, RangeQuery, RevenuePoint } from './model.ts'
import type { AnalyticsService } from './service.ts'

const analysts: Access = { roles: [], staff: ['analytics', 'read'] }

/** KPIs, revenue series, the request breakdown and the paid-invoices export (staff, analytics module). */
export const analyticsRoutes = (analytics: AnalyticsService, plugins: RoutePlugins) =>
  moduleRoutes({ name: 'analytics-routes', prefix: '/backoffice/analytics', detail: { tags: ['backoffice'] } }, plugins)
    .get('/kpis', ({ query }) => analytics.kpis(analytics.range(query)), {
      auth: analysts,
      query: RangeQuery,
      response: { 200: Kpis, ...errorResponses },
      detail: { summary: 'Key figures of a range of days (UTC, both ends included; default the last 30 days)' },
    })
    .get('/revenue/daily', ({ query }) => analytics.dailyRevenue(analytics.range(query)), {
      auth: analysts,
      query: RangeQuery,
      response: { 200: t.Array(RevenuePoint), ...errorResponses },
      detail: { summary: 'Paid invoices per day, every day of the range (at most 366 days → else 422)' },
    })
    .get('/revenue/monthly', ({ query }) => analytics.monthlyRevenue(analytics.range(query)), {
      auth: analysts,
      query: RangeQuery,
      response: { 200: t.Array(RevenuePoint), ...errorResponses },
      detail: { summary: 'Paid invoices per month (YYYY-MM) that had any' },
    })
    .get('/requests/breakdown', ({ query }) => analytics.requestBreakdown(analytics.range(query)), {
      auth: analysts,
      query: RangeQuery,
      response: { 200: t.Array(BreakdownRow), ...errorResponses },
      detail: { summary: 'Service requests created in the range, counted by type × status' },
    })
    .get(
      '/export/paid-invoices.csv',
      ({ query }) => {
        const range = analytics.range(query)
        return csvResponse(analytics.paidInvoicesCsv(range), `paid-invoices-${range.start}-${range.end}.csv`)
      },
      {
        auth: analysts,
        query: RangeQuery,
        response: { 200: t.String({ description: csvDetail.description }), ...errorResponses },
        detail: {
          summary: 'Paid invoices of the range as CSV, streamed (oldest payment first)',
          responses: csvDetail.responses,
        },
      },
    )
