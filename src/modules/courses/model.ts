import { t } from 'elysia'
import { IceServer } from '../../ice-servers.ts'
import { liveSessionStatuses } from '../../db/schema/courses.ts'
import { oneOf, optionalEnum } from '../../http/enums.ts'
import { PageQuery } from '../../http/pagination.ts'

export const Course = t.Object(
  {
    id: t.String(),
    teacherId: t.String(),
    title: t.String(),
    description: t.Union([t.String(), t.Null()]),
    students: t.Integer({ description: 'how many are enrolled' }),
    isEnrolled: t.Boolean({ description: 'whether the caller is enrolled' }),
    createdAt: t.Date(),
    updatedAt: t.Date(),
  },
  { title: 'Course' },
)

export const LiveSession = t.Object(
  {
    id: t.String(),
    courseId: t.String(),
    title: t.String(),
    description: t.Union([t.String(), t.Null()]),
    scheduledAt: t.Date(),
    durationMinutes: t.Integer(),
    status: oneOf(liveSessionStatuses),
    roomCode: t.String({ description: 'a short unique code for the class' }),
    autoRecord: t.Boolean({ description: 'recording starts by itself when the session goes live' }),
    chatSlowSeconds: t.Integer({
      description:
        'students may send one chat message per this many seconds (0: off); the teacher sets it with live:chat-slow',
    }),
    recordingUrl: t.Union([t.String(), t.Null()], {
      description:
        'the latest recording’s file once ready: an absolute link, signed for 6 hours, that a <video> plays as it is (no bearer token)',
    }),
    startedAt: t.Union([t.Date(), t.Null()]),
    endedAt: t.Union([t.Date(), t.Null()]),
    canceledAt: t.Union([t.Date(), t.Null()]),
    createdAt: t.Date(),
    updatedAt: t.Date(),
  },
  { title: 'LiveSession' },
)

export const Student = t.Object(
  { id: t.String(), name: t.String(), avatarUrl: t.Union([t.String(), t.Null()]), enrolledAt: t.Date() },
  { title: 'Student' },
)

export const CreateCourse = t.Object({
  title: t.String({ minLength: 1, maxLength: 200 }),
  description: t.Optional(t.String({ maxLength: 5000 })),
})
export const CourseListQuery = t.Object({
  teacherId: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  ...PageQuery,
})

const ScheduledAt = t.Date({ description: 'ISO-8601; must be in the future' })
const Duration = t.Integer({ minimum: 5, maximum: 600, description: 'minutes (default 60)' })

export const CreateSession = t.Object({
  title: t.String({ minLength: 1, maxLength: 200 }),
  description: t.Optional(t.String({ maxLength: 5000 })),
  courseId: t.String({ minLength: 1, maxLength: 64 }),
  scheduledAt: ScheduledAt,
  durationMinutes: t.Optional(Duration),
  autoRecord: t.Optional(t.Boolean({ description: 'record from go-live on (default false)' })),
})
export const UpdateSession = t.Object(
  {
    title: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
    description: t.Optional(t.String({ maxLength: 5000 })),
    scheduledAt: t.Optional(ScheduledAt),
    durationMinutes: t.Optional(Duration),
    autoRecord: t.Optional(t.Boolean({ description: 'record from go-live on' })),
  },
  { minProperties: 1 },
)
export const SessionListQuery = t.Object({
  courseId: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
  status: optionalEnum(liveSessionStatuses),
  from: t.Optional(t.Date()),
  to: t.Optional(t.Date()),
  ...PageQuery,
})

export const IceServers = t.Object({ iceServers: t.Array(IceServer) })
export const IdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) })
export const RoomCodeParams = t.Object({ roomCode: t.String({ minLength: 1, maxLength: 32 }) })
