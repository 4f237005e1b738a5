import { t } from 'elysia'
import { errorResponses } from '../../http/errors.ts'
import { Page } from '../../http/pagination.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import { DeviceToken, DeviceTokenBody, Notification, NotificationQuery } from './model.ts'
import type { NotificationService } from './service.ts'

/** A user's own notifications; nobody reads anyone else's. */
export const notificationRoutes = (notifications: NotificationService, plugins: RoutePlugins) =>
  moduleRoutes({ name: 'notification-routes', prefix: '/notifications', detail: { tags: ['notifications'] } }, plugins)
    .get('', ({ user, query }) => notifications.list(user.id, { ...query, limit: query.limit ?? 20 }), {
      auth: 'any',
      query: NotificationQuery,
      response: { 200: Page(Notification), ...errorResponses },
      detail: { summary: 'My notifications, newest first (filter by type, unread only)' },
    })
    .get('/unread-count', async ({ user }) => ({ count: await notifications.unreadCount(user.id) }), {
      auth: 'any',
      response: { 200: t.Object({ count: t.Integer() }), ...errorResponses },
      detail: { summary: 'How many of my notifications are unread' },
    })
    .post('/:id/read', ({ user, params }) => notifications.markRead(user.id, params.id), {
      auth: 'any',
      params: t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) }),
      response: { 200: Notification, ...errorResponses },
      detail: { summary: 'Mark one notification read (idempotent)' },
    })
    .post('/read-all', async ({ user }) => ({ updated: await notifications.markAllRead(user.id) }), {
      auth: 'any',
      response: { 200: t.Object({ updated: t.Integer() }), ...errorResponses },
      detail: { summary: 'Mark all my notifications read' },
    })
    .post('/delete-old', async ({ user }) => ({ deleted: await notifications.deleteOld(user.id) }), {
      auth: 'any',
      response: { 200: t.Object({ deleted: t.Integer() }), ...errorResponses },
      detail: { summary: 'Delete my notifications older than the retention period (NOTIFICATION_RETENTION_DAYS)' },
    })
    .post(
      '/device-tokens',
      async ({ user, body, set }) => {
        set.status = 201
        return notifications.registerDeviceToken(user.id, body.token, body.platform)
      },
      {
        auth: 'any',
        body: DeviceTokenBody,
        response: { 201: DeviceToken, ...errorResponses },
        detail: { summary: 'Register a push device token' },
      },
    )
