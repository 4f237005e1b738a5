import { t } from 'elysia'
import { optionalEnum } from '../../http/enums.ts'
import { PageQuery } from '../../http/pagination.ts'

const Id = t.String({ minLength: 1, maxLength: 64 })
export const VideoIdParams = t.Object({ id: Id })
export const videoSorts = ['recent', 'popular', 'trending'] as const

export const Video = t.Object(
  {
    id: t.String(),
    ownerId: t.String(),
    title: t.String(),
    description: t.Union([t.String(), t.Null()]),
    category: t.String(),
    tags: t.Array(t.String()),
    videoUrl: t.String({
      description: 'an external URL, or ours (absolute) for an uploaded file, which supports Range requests',
    }),
    duration: t.Integer({ description: 'seconds' }),
    isPrivate: t.Boolean({ description: 'the recording of a private stream: only its host (and staff) see it' }),
    recordingId: t.Union([t.String(), t.Null()], {
      description: 'set when the video is a stream’s recording; videoUrl is then a signed link',
    }),
    views: t.Integer(),
    likes: t.Integer(),
    mimeType: t.Union([t.String(), t.Null()]),
    sizeBytes: t.Union([t.Integer(), t.Null()]),
    createdAt: t.Date(),
  },
  { title: 'Video' },
)

const VideoFields = {
  title: t.String({ minLength: 1, maxLength: 200 }),
  description: t.Optional(t.String({ maxLength: 5000 })),
  category: t.String({ minLength: 1, maxLength: 50 }),
  tags: t.Optional(t.Array(t.String({ minLength: 1, maxLength: 30 }), { maxItems: 20, default: [] })),
}
export const CreateVideo = t.Object(
  {
    ...VideoFields,
    videoUrl: t.String({ pattern: '^https?://[^\\s]+$', maxLength: 2048 }),
    duration: t.Integer({ minimum: 0, maximum: 24 * 3600 }),
  },
  { title: 'CreateVideo' },
)
/** The text fields of a multipart upload (tags repeated or comma-separated; duration optional). */
export const UploadVideoFields = t.Object(
  { ...VideoFields, duration: t.Optional(t.Integer({ minimum: 0, maximum: 24 * 3600, default: 0 })) },
  { title: 'UploadVideoFields' },
)

export const VideoListQuery = t.Object({
  category: t.Optional(t.String({ minLength: 1, maxLength: 50 })),
  hostId: t.Optional(Id),
  sortBy: optionalEnum(videoSorts),
  ...PageQuery,
})
export const LikeResult = t.Object({ liked: t.Boolean(), likes: t.Integer() })
