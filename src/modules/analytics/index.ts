import type { Core } from '../../core.ts'
import { analyticsRoutes } from './routes.ts'
import { AnalyticsService } from './service.ts'

/** Back-office analytics: read-only aggregates over the other modules' tables. */
export const analyticsModule = ({ db, clock, plugins }: Core) =>
  analyticsRoutes(new AnalyticsService(db, clock), plugins)
