import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { users } from './auth.ts'
import { createdAt, timestamp } from './columns.ts'

export const courses = sqliteTable(
  'courses',
  {
    id: text('id').primaryKey(),
    teacherId: text('teacher_id').notNull().references(() => users.id),
    title: text('title').notNull(),
    description: text('description'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [index('courses_teacher_idx').on(table.teacherId, table.createdAt), index('courses_created_idx').on(table.createdAt, table.id)],
)

export const enrolments = sqliteTable(
  'enrolments',
  {
    courseId: text('course_id').notNull().references(() => courses.id, { onDelete: 'cascade' }),
    studentId: text('student_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.courseId, table.studentId] }), index('enrolments_student_idx').on(table.studentId)],
)

export const liveSessionStatuses = ['scheduled', 'live', 'ended', 'canceled'] as const
export type LiveSessionStatus = (typeof liveSessionStatuses)[number]

export const liveSessions = sqliteTable(
  'live_sessions',
  {
    id: text('id').primaryKey(),
    courseId: text('course_id').notNull().references(() => courses.id),
    title: text('title').notNull(),
    description: text('description'),
    scheduledAt: timestamp('scheduled_at').notNull(),
    durationMinutes: integer('duration_minutes').notNull(),
    status: text('status', { enum: liveSessionStatuses }).notNull(),
    roomCode: text('room_code').notNull().unique(),
    /** Record from go-live on. */
    autoRecord: integer('auto_record', { mode: 'boolean' }).notNull().default(false),
    /** The file of the session's latest finished recording (API path; bearer token or a signed link from GET /recordings/:id). */
    recordingUrl: text('recording_url'),
    startedAt: timestamp('started_at'),
    endedAt: timestamp('ended_at'),
    canceledAt: timestamp('canceled_at'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [index('live_sessions_course_idx').on(table.courseId, table.scheduledAt), index('live_sessions_scheduled_idx').on(table.scheduledAt)],
)

/** Students the teacher invited to speak in a live session (they may publish their microphone), kept for every instance. */
export const liveSpeakers = sqliteTable(
  'live_speakers',
  {
    sessionId: text('session_id').notNull().references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: text('user_id').notNull().references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.sessionId, table.userId] })],
)
