import { sql } from 'drizzle-orm'
import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core'
import { users } from './auth.ts'
import { createdAt, timestamp } from './columns.ts'

export const recordingStatuses = ['recording', 'processing', 'ready', 'failed', 'partial'] as const
/** What a recording is of: a live class session, a stream or a support call. */
export const recordingSubjects = ['live', 'stream', 'call'] as const
export type RecordingSubject = (typeof recordingSubjects)[number]

/**
 * One recording of a media room. `interrupted` when a part ended abnormally (ffmpeg crash, worker
 * death, server restart): the file is whole up to that point and the status ends `partial`.
 */
export const recordings = sqliteTable(
  'recordings',
  {
    id: text('id').primaryKey(),
    room: text('room').notNull(),
    subject: text('subject', { enum: recordingSubjects }).notNull(),
    subjectId: text('subject_id').notNull(),
    startedBy: text('started_by')
      .notNull()
      .references(() => users.id),
    status: text('status', { enum: recordingStatuses }).notNull(),
    /** The instance whose ffmpeg records it: a stop, or the job, is handed to it while it lives. */
    instanceId: text('instance_id'),
    interrupted: integer('interrupted', { mode: 'boolean' }).notNull().default(false),
    durationSec: integer('duration_sec'),
    sizeBytes: integer('size_bytes'),
    fileName: text('file_name'),
    mimeType: text('mime_type'),
    thumbnailName: text('thumbnail_name'),
    error: text('error'),
    startedAt: timestamp('started_at').notNull(),
    endedAt: timestamp('ended_at'),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('recordings_one_running_per_room').on(table.room).where(sql`${table.status} = 'recording'`),
    index('recordings_subject_idx').on(table.subject, table.subjectId, table.startedAt),
    index('recordings_status_idx').on(table.status),
  ],
)

/** A call participant who asked to record; the recording starts once every participant has. */
export const recordingConsents = sqliteTable(
  'recording_consents',
  {
    room: text('room').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (table) => [primaryKey({ columns: [table.room, table.userId] })],
)
