import { Recording } from '../recordings/public.ts'
import { t } from 'elysia'
import { oneOf, optionalEnum } from '../../http/enums.ts'
import { PageQuery } from '../../http/pagination.ts'
import { priorities, supportRequestStatuses, videoCallStatuses } from '../../db/schema/support.ts'

const Nullable = <T extends ReturnType<typeof t.String>>(schema: T) => t.Union([schema, t.Null()])

export const SupportRequest = t.Object(
  {
    id: t.String(),
    customerId: t.String(),
    supporterId: Nullable(t.String()),
    subject: t.String(),
    description: t.String(),
    priority: oneOf(priorities),
    status: oneOf(supportRequestStatuses),
    rejectReason: Nullable(t.String()),
    createdAt: t.Date(),
    updatedAt: t.Date(),
  },
  { title: 'SupportRequest' },
)

export const VideoCall = t.Object(
  {
    id: t.String(),
    requestId: t.String(),
    customerId: t.String(),
    supporterId: t.String(),
    roomId: t.String({ description: 'the media room to join over /ws: media:join { room: roomId }' }),
    status: oneOf(videoCallStatuses),
    startedAt: t.Union([t.Date(), t.Null()]),
    endedAt: t.Union([t.Date(), t.Null()]),
    durationSec: t.Union([t.Integer(), t.Null()]),
    createdAt: t.Date(),
  },
  { title: 'VideoCall' },
)

export const VideoCallDetail = t.Composite(
  [VideoCall, t.Object({ recordings: t.Array(Recording, { description: 'oldest first' }) })],
  { title: 'VideoCallDetail' },
)

export const CreateSupportRequest = t.Object({
  subject: t.String({ minLength: 1, maxLength: 200 }),
  description: t.String({ minLength: 1, maxLength: 5000 }),
  priority: t.Optional(oneOf(priorities, { default: 'normal' })),
})

export const RejectBody = t.Object({ reason: t.Optional(t.String({ minLength: 1, maxLength: 1000 })) })
export const SupportListQuery = t.Object({ status: optionalEnum(supportRequestStatuses), ...PageQuery })
export const IdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) })
