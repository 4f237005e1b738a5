import type { ModuleContext } from '../shared-services.ts'
import { notificationRoutes } from './routes.ts'

/** The inbox: every module notifies through the shared NotificationService; this installs its routes. */
export const notificationsModule = ({ notifications, plugins }: ModuleContext) =>
  notificationRoutes(notifications, plugins)
