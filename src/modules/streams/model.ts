import { t } from 'elysia'
import { streamMessageTypes, streamStatuses, streamTypes } from '../../db/schema/streams.ts'
import { oneOf, optionalEnum } from '../../http/enums.ts'
import { PageQuery } from '../../http/pagination.ts'
import { IceServer } from '../../ice-servers.ts'

const Id = t.String({ minLength: 1, maxLength: 64 })
export const StreamIdParams = t.Object({ id: Id })
const Category = t.String({ minLength: 1, maxLength: 50 })

export const Stream = t.Object(
  {
    id: t.String(),
    hostId: t.String(),
    title: t.String(),
    description: t.Union([t.String(), t.Null()]),
    type: oneOf(streamTypes),
    category: t.Union([t.String(), t.Null()]),
    isPrivate: t.Boolean(),
    status: oneOf(streamStatuses),
    roomId: t.String({ description: 'the media room, stream:<id>' }),
    slowModeSec: t.Integer({ description: 'seconds a viewer waits between chat messages; 0 is off' }),
    viewerCount: t.Integer({ description: 'viewers in the stream now (distinct users, host not counted)' }),
    peakViewers: t.Integer(),
    totalViewers: t.Integer({ description: 'distinct users who joined at any time' }),
    startedAt: t.Date(),
    endedAt: t.Union([t.Date(), t.Null()]),
    durationSec: t.Union([t.Integer(), t.Null()]),
  },
  { title: 'Stream' },
)

export const StreamStats = t.Object(
  {
    durationSec: t.Integer(),
    peakViewers: t.Integer(),
    totalViewers: t.Integer(),
    messages: t.Integer(),
    gifts: t.Integer(),
    coins: t.Integer(),
  },
  { title: 'StreamStats' },
)

export const CreateStream = t.Object({
  title: t.String({ minLength: 1, maxLength: 200 }),
  description: t.Optional(t.String({ maxLength: 2000 })),
  type: oneOf(streamTypes, { description: 'video: camera and microphone; audio: microphone only' }),
  category: t.Optional(Category),
  isPrivate: t.Optional(t.Boolean({ description: "only the host's followers and invited co-hosts see it" })),
})
export const UpdateStream = t.Object(
  {
    title: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
    slowModeSec: t.Optional(t.Integer({ minimum: 0, maximum: 3600 })),
  },
  { minProperties: 1 },
)
export const StreamListQuery = t.Object({
  status: optionalEnum(streamStatuses),
  type: optionalEnum(streamTypes),
  category: t.Optional(Category),
  hostId: t.Optional(Id),
  ...PageQuery,
})

export const JoinStream = t.Object({ role: t.Optional(oneOf(['viewer', 'co-host'], { default: 'viewer' })) })
export const JoinResult = t.Object(
  { stream: Stream, role: oneOf(['host', 'viewer', 'co-host']), roomId: t.String(), iceServers: t.Array(IceServer) },
  { title: 'StreamJoin' },
)
export const CoHostBody = t.Object({ userId: Id })
export const CoHostParams = t.Object({ id: Id, userId: Id })

export const moderationActions = ['mute', 'unmute', 'ban', 'unban', 'kick'] as const
export const ModerationBody = t.Object({ userId: Id, action: oneOf(moderationActions) })
export const ModerationResult = t.Object(
  {
    streamId: t.String(),
    userId: t.String(),
    action: oneOf(moderationActions),
    muted: t.Boolean(),
    banned: t.Boolean(),
  },
  { title: 'StreamModeration' },
)

export const ChatText = t.String({ minLength: 1, maxLength: 500 })
export const ClientMsgId = t.String({
  minLength: 1,
  maxLength: 64,
  description: 'your id for the message; a retried send with it is stored once',
})
export const PostStreamMessage = t.Object({
  message: ChatText,
  type: t.Optional(oneOf(streamMessageTypes, { default: 'text' })),
  clientMsgId: t.Optional(ClientMsgId),
})
export const StreamMessage = t.Object(
  {
    id: t.String(),
    streamId: t.String(),
    userId: t.String(),
    name: t.String(),
    message: t.String(),
    type: oneOf(streamMessageTypes),
    clientMsgId: t.Union([t.String(), t.Null()]),
    createdAt: t.Date(),
  },
  { title: 'StreamMessage' },
)

export const Gift = t.Object(
  {
    id: t.String(),
    name: t.String({ description: 'English' }),
    nameAr: t.String({ description: 'Arabic (the English name when none was given)' }),
    icon: t.String(),
    coins: t.Integer(),
    animation: t.String(),
    active: t.Boolean(),
  },
  { title: 'Gift' },
)
export const GiftIdParams = t.Object({ id: Id })
const GiftFields = {
  name: t.String({ minLength: 1, maxLength: 50, description: 'English' }),
  nameAr: t.Optional(t.String({ minLength: 1, maxLength: 50, description: 'Arabic' })),
  icon: t.String({ minLength: 1, maxLength: 200, description: 'an emoji or an image URL' }),
  coins: t.Integer({ minimum: 1, maximum: 1_000_000 }),
  animation: t.String({ minLength: 1, maxLength: 50 }),
}
export const CreateGift = t.Object({ ...GiftFields, sortOrder: t.Optional(t.Integer({ minimum: 0, maximum: 10_000 })) })
export const UpdateGift = t.Partial(
  t.Object({ ...GiftFields, active: t.Boolean(), sortOrder: t.Integer({ minimum: 0, maximum: 10_000 }) }),
  { minProperties: 1 },
)

export const SendGift = t.Object({
  giftId: Id,
  recipientId: t.Optional(Id),
  quantity: t.Optional(t.Integer({ minimum: 1, maximum: 99, default: 1 })),
  message: t.Optional(t.String({ maxLength: 200 })),
  idempotencyKey: t.Optional(
    t.String({ minLength: 1, maxLength: 100, description: 'a retried send with the same key is charged once' }),
  ),
})
const GiftTransaction = t.Object(
  {
    id: t.String(),
    giftId: t.String(),
    quantity: t.Integer(),
    coins: t.Integer({ description: 'gift coins × quantity' }),
    senderId: t.String(),
    recipientId: t.String(),
    streamId: t.String(),
    message: t.Union([t.String(), t.Null()]),
    createdAt: t.Date(),
  },
  { title: 'GiftTransaction' },
)
export const SendGiftResult = t.Object({
  transaction: GiftTransaction,
  balance: t.Integer({ description: "the sender's balance after" }),
})
export const LeaderboardEntry = t.Object({ userId: t.String(), name: t.String(), coins: t.Integer() })

export const analyticsPeriods = ['day', 'week', 'month', 'year'] as const
export const AnalyticsQuery = t.Object({ userId: t.Optional(Id), period: optionalEnum(analyticsPeriods) })
export const StreamAnalytics = t.Object(
  {
    period: oneOf(analyticsPeriods),
    from: t.String({ format: 'date' }),
    to: t.String({ format: 'date' }),
    streams: t.Integer(),
    totalDurationSec: t.Integer(),
    totalViewers: t.Integer(),
    peakViewers: t.Integer(),
    messages: t.Integer(),
    gifts: t.Integer(),
    coinsEarned: t.Integer(),
    series: t.Array(
      t.Object({ date: t.String({ format: 'date' }), streams: t.Integer(), viewers: t.Integer(), coins: t.Integer() }),
    ),
  },
  { title: 'StreamAnalytics' },
)
