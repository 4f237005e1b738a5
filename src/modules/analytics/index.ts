import type { ModuleContext } from '../shared-services.ts'
import { analyticsRoutes } from './routes.ts'
import { AnalyticsService } from './service.ts'

/** Back-office analytics: read-only aggregates over the other modules' tables. */
export const analyticsModule = ({ db, clock, plugins }: ModuleContext) =>
  analyticsRoutes(new AnalyticsService(db, clock), plugins)
