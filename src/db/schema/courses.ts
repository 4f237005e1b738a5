import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { users } from './auth.ts'
import { createdAt, timestamp } from './columns.ts'

export const courses = sqliteTable(
  'courses',
  {
    id: text('id').primaryKey(),
    teacherId: text('teacher_id')
      .notNull()
      .references(() => users.id),
    title: text('title').notNull(),
    description: text('description'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    index('courses_teacher_idx').on(table.teacherId, table.createdAt),
    index('courses_created_idx').on(table.createdAt, table.id),
  ],
)

export const enrolments = sqliteTable(
  'enrolments',
  {
    courseId: text('course_id')
      .notNull()
      .references(() => courses.id, { onDelete: 'cascade' }),
    studentId: text('student_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.courseId, table.studentId] }),
    index('enrolments_student_idx').on(table.studentId),
  ],
)

export const liveSessionStatuses = ['scheduled', 'live', 'ended', 'canceled'] as const
export type LiveSessionStatus = (typeof liveSessionStatuses)[number]

export const liveSessions = sqliteTable(
  'live_sessions',
  {
    id: text('id').primaryKey(),
    courseId: text('course_id')
      .notNull()
      .references(() => courses.id),
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
    /** Students may send one chat message per this many seconds (0: no slow mode). */
    chatSlowSeconds: integer('chat_slow_seconds').notNull().default(0),
    startedAt: timestamp('started_at'),
    endedAt: timestamp('ended_at'),
    canceledAt: timestamp('canceled_at'),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    index('live_sessions_course_idx').on(table.courseId, table.scheduledAt),
    index('live_sessions_scheduled_idx').on(table.scheduledAt),
  ],
)

/** Students the teacher invited to speak in a live session (they may publish their microphone), kept for every instance. */
export const liveSpeakers = sqliteTable(
  'live_speakers',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.sessionId, table.userId] })],
)

/**
 * A participant's standing in one session, kept for every instance: their raised hand, whether the
 * teacher muted their chat or removed them.
 */
export const liveParticipants = sqliteTable(
  'live_participants',
  {
    sessionId: text('session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    handRaisedAt: timestamp('hand_raised_at'),
    chatMuted: integer('chat_muted', { mode: 'boolean' }).notNull().default(false),
    removedAt: timestamp('removed_at'),
  },
  (table) => [
    primaryKey({ columns: [table.sessionId, table.userId] }),
    index('live_participants_hands_idx').on(table.sessionId, table.handRaisedAt),
  ],
)

export const liveChatMessages = sqliteTable(
  'live_chat_messages',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    content: text('content').notNull(),
    clientMsgId: text('client_msg_id'),
    createdAt: createdAt(),
    deletedAt: timestamp('deleted_at'),
  },
  (table) => [
    index('live_chat_session_idx').on(table.sessionId, table.createdAt, table.id),
    index('live_chat_sender_idx').on(table.sessionId, table.userId, table.createdAt),
    uniqueIndex('live_chat_client_msg_idx').on(table.sessionId, table.userId, table.clientMsgId),
  ],
)

export const pollStatuses = ['draft', 'open', 'closed'] as const
export type PollStatus = (typeof pollStatuses)[number]

export const livePolls = sqliteTable(
  'live_polls',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    question: text('question').notNull(),
    options: text('options', { mode: 'json' }).$type<Array<{ id: string; text: string }>>().notNull(),
    multiple: integer('multiple', { mode: 'boolean' }).notNull(),
    anonymous: integer('anonymous', { mode: 'boolean' }).notNull(),
    status: text('status', { enum: pollStatuses }).notNull(),
    createdAt: createdAt(),
    openedAt: timestamp('opened_at'),
    closedAt: timestamp('closed_at'),
  },
  (table) => [index('live_polls_session_idx').on(table.sessionId, table.createdAt)],
)

/** A student's current vote: a second vote replaces the first. */
export const livePollVotes = sqliteTable(
  'live_poll_votes',
  {
    pollId: text('poll_id')
      .notNull()
      .references(() => livePolls.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    optionIds: text('option_ids', { mode: 'json' }).$type<string[]>().notNull(),
    votedAt: timestamp('voted_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.pollId, table.userId] })],
)

export const questionStatuses = ['open', 'answered', 'dismissed'] as const
export type QuestionStatus = (typeof questionStatuses)[number]

export const liveQuestions = sqliteTable(
  'live_questions',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    content: text('content').notNull(),
    anonymous: integer('anonymous', { mode: 'boolean' }).notNull(),
    status: text('status', { enum: questionStatuses }).notNull(),
    votes: integer('votes').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [index('live_questions_session_idx').on(table.sessionId, table.status, table.votes)],
)

export const liveQuestionVotes = sqliteTable(
  'live_question_votes',
  {
    questionId: text('question_id')
      .notNull()
      .references(() => liveQuestions.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
  },
  (table) => [primaryKey({ columns: [table.questionId, table.userId] })],
)

/** One connection's stay in a session's channel, on whichever instance held it; open while `leftAt` is null. */
export const liveAttendance = sqliteTable(
  'live_attendance',
  {
    id: text('id').primaryKey(),
    sessionId: text('session_id')
      .notNull()
      .references(() => liveSessions.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    /** The instance that held the connection: its stays are closed when it is found gone. */
    instanceId: text('instance_id').notNull(),
    joinedAt: timestamp('joined_at').notNull(),
    leftAt: timestamp('left_at'),
  },
  (table) => [
    index('live_attendance_session_idx').on(table.sessionId, table.userId, table.joinedAt),
    index('live_attendance_user_idx').on(table.userId, table.sessionId),
    index('live_attendance_open_idx').on(table.instanceId, table.leftAt),
  ],
)
