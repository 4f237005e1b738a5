import { t } from 'elysia'
import type { Clock } from '../../clock.ts'
import type { Config } from '../../config.ts'
import type { UrlSigner } from '../../access/signed-urls.ts'
import { signedRecordingPath } from '../recordings/public.ts'
import { ErrorBody, errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import { plainJsonSchema } from '../../http/openapi.ts'
import { Page } from '../../http/pagination.ts'
import { absoluteUrl } from '../../http/uploads.ts'
import { validated } from '../../http/validate.ts'
import { CreateVideo, LikeResult, UploadVideoFields, Video, VideoIdParams, VideoListQuery } from './video-model.ts'
import type { VideoRow, VideoService } from './videos.ts'
import { receiveVideo } from './video-upload.ts'

export interface VideoRouteDeps extends RoutePlugins {
  videos: VideoService
  config: Config
  signer: UrlSigner
  clock: Clock
}

const isMultipart = (contentType: string) => contentType === 'multipart/form-data'
const UploadForm = t.Composite([
  t.Object({ file: t.String({ format: 'binary', description: 'mp4 or webm' }) }),
  t.Omit(UploadVideoFields, ['tags']),
  t.Object({ tags: t.Optional(t.String({ description: 'comma-separated, or the field repeated' })) }),
])

/** Videos: metadata with an external URL, or a multipart upload streamed to disk; views, likes and orderings. */
export const videoRoutes = ({ videos, config, signer, clock, ...plugins }: VideoRouteDeps) => {
  const urlOf = (request: Request, video: VideoRow) => {
    // A stream's recording plays through a signed link; an uploaded file by its public path.
    if (video.recordingId)
      return absoluteUrl(config, request, signedRecordingPath(signer, clock.now(), video.recordingId, 'file'))
    return video.fileName ? absoluteUrl(config, request, video.videoUrl) : video.videoUrl
  }
  const toDto = (request: Request) => (video: VideoRow) => {
    const { fileName: _file, updatedAt: _updated, ...shown } = video
    return { ...shown, videoUrl: urlOf(request, video) }
  }
  return moduleRoutes({ name: 'video-routes', prefix: '/videos', detail: { tags: ['videos'] } }, plugins)
    .post(
      '',
      async ({ user, body, request, set }) => {
        let video: VideoRow
        if (isMultipart(request.headers.get('content-type')?.split(';')[0]?.trim() ?? '')) {
          const { input, file } = await receiveVideo(request, await videos.folder(), config.uploads.maxVideoBytes)
          video = await videos.create(user, { ...input, videoUrl: videos.uploadedUrl(file.fileName) }, file)
        } else {
          video = await videos.create(user, validated(CreateVideo, body))
        }
        set.status = 201
        return toDto(request)(video)
      },
      {
        auth: true,
        // A multipart body is left unread here and streamed to disk by the handler.
        parse: ({ contentType }) => (isMultipart(contentType) ? { multipart: true } : undefined),
        response: { 201: Video, 413: ErrorBody, ...errorResponses },
        detail: {
          summary:
            'Add a video: JSON with videoUrl, or multipart with the file (mp4/webm, ≤ MAX_VIDEO_UPLOAD_MB; larger → 413, other types → 422)',
          requestBody: {
            required: true,
            content: {
              'application/json': { schema: plainJsonSchema(CreateVideo) },
              'multipart/form-data': { schema: plainJsonSchema(UploadForm) },
            },
          },
        },
      },
    )
    .get(
      '',
      async ({ user, query, request }) => {
        const page = await videos.list(user, { ...query, limit: query.limit ?? 20 })
        return { items: page.items.map(toDto(request)), nextCursor: page.nextCursor }
      },
      {
        auth: true,
        query: VideoListQuery,
        response: { 200: Page(Video), ...errorResponses },
        detail: {
          summary: 'Videos: recent (default), popular (views + likes) or trending (the same over the last 7 days)',
        },
      },
    )
    .get('/:id', async ({ user, params, request }) => toDto(request)(await videos.view(user, params.id)), {
      auth: true,
      params: VideoIdParams,
      response: { 200: Video, ...errorResponses },
      detail: { summary: 'One video (counts a view)' },
    })
    .post('/:id/like', ({ user, params }) => videos.setLiked(user, params.id, true), {
      auth: true,
      params: VideoIdParams,
      response: { 200: LikeResult, ...errorResponses },
      detail: { summary: 'Like a video (idempotent)' },
    })
    .post('/:id/unlike', ({ user, params }) => videos.setLiked(user, params.id, false), {
      auth: true,
      params: VideoIdParams,
      response: { 200: LikeResult, ...errorResponses },
      detail: { summary: 'Take back a like (idempotent)' },
    })
    .delete(
      '/:id',
      async ({ user, params, set }) => {
        await videos.delete(user, params.id)
        set.status = 204
      },
      {
        auth: true,
        params: VideoIdParams,
        response: { 204: t.Void(), ...errorResponses },
        detail: { summary: 'Delete a video and its file (owner, staff with the streams module)' },
      },
    )
}
