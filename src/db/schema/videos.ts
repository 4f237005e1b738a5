import { index, integer, primaryKey, sqliteTable, text } from 'drizzle-orm/sqlite-core'
import { users } from './auth.ts'
import { createdAt, timestamp } from './columns.ts'

export const videos = sqliteTable(
  'videos',
  {
    id: text('id').primaryKey(),
    ownerId: text('owner_id')
      .notNull()
      .references(() => users.id),
    title: text('title').notNull(),
    description: text('description'),
    category: text('category').notNull(),
    tags: text('tags', { mode: 'json' }).$type<string[]>().notNull(),
    /** An external URL, or our own /uploads/videos/… path when the file was uploaded. */
    videoUrl: text('video_url').notNull(),
    /** The uploaded file's name under UPLOAD_DIR/videos (null for an external URL). */
    fileName: text('file_name'),
    mimeType: text('mime_type'),
    sizeBytes: integer('size_bytes'),
    duration: integer('duration').notNull(),
    /** Only its owner (and staff) see it: the recording of a private stream. */
    isPrivate: integer('is_private', { mode: 'boolean' }).notNull().default(false),
    /** Set when the video is a stream's recording. */
    recordingId: text('recording_id'),
    views: integer('views').notNull().default(0),
    likes: integer('likes').notNull().default(0),
    createdAt: createdAt(),
    updatedAt: timestamp('updated_at').notNull(),
  },
  (table) => [
    index('videos_created_idx').on(table.createdAt, table.id),
    index('videos_owner_idx').on(table.ownerId, table.createdAt),
    index('videos_category_idx').on(table.category, table.createdAt),
  ],
)

export const videoLikes = sqliteTable(
  'video_likes',
  {
    videoId: text('video_id')
      .notNull()
      .references(() => videos.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (table) => [
    primaryKey({ columns: [table.videoId, table.userId] }),
    index('video_likes_recent_idx').on(table.videoId, table.createdAt),
  ],
)

/** One row per counted view, so "trending" can count the last 7 days. */
export const videoViews = sqliteTable(
  'video_views',
  {
    id: text('id').primaryKey(),
    videoId: text('video_id')
      .notNull()
      .references(() => videos.id, { onDelete: 'cascade' }),
    userId: text('user_id'),
    createdAt: createdAt(),
  },
  (table) => [index('video_views_video_idx').on(table.videoId, table.createdAt)],
)
