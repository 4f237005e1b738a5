import type { Core } from '../../core.ts'
import { notificationRoutes } from './routes.ts'

/** The inbox: every module notifies through core.notifications; this installs its routes. */
export const notificationsModule = ({ notifications, plugins }: Core) => notificationRoutes(notifications, plugins)
