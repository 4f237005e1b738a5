import { t } from 'elysia'
import { oneOf } from '../../http/enums.ts'
import { PageQuery } from '../../http/pagination.ts'
import { devicePlatforms } from '../../db/schema/notifications.ts'

export const Notification = t.Object(
  {
    id: t.String(),
    type: t.String({ examples: ['support_request.accepted'] }),
    title: t.String(),
    body: t.Union([t.String(), t.Null()]),
    data: t.Union([t.Record(t.String(), t.Unknown()), t.Null()]),
    read: t.Boolean(),
    readAt: t.Union([t.Date(), t.Null()]),
    createdAt: t.Date(),
  },
  { title: 'Notification' },
)

export const NotificationQuery = t.Object({
  type: t.Optional(
    t.String({
      pattern: '^[a-z_]+(\\.[a-z_]+)?$',
      maxLength: 64,
      description: 'a full type (`ticket.reply`), an area (`ticket`: every `ticket.*`), or `all`',
      examples: ['ticket.reply', 'ticket', 'all'],
    }),
  ),
  unreadOnly: t.Optional(t.Boolean()),
  ...PageQuery,
})

export const DeviceTokenBody = t.Object({
  token: t.String({ minLength: 8, maxLength: 4096 }),
  platform: oneOf(devicePlatforms),
})
export const DeviceToken = t.Object({
  id: t.String(),
  token: t.String(),
  platform: oneOf(devicePlatforms),
  createdAt: t.Date(),
  lastSeenAt: t.Date(),
})
