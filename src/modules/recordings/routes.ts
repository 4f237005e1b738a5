import type { Clock } from '../../clock.ts'
import type { Config } from '../../config.ts'
import type { RecordingSubject } from '../../db/schema/recordings.ts'
import { unauthenticated } from '../../http/auth.ts'
import { errorResponses } from '../../http/errors.ts'
import { notFound } from '../../errors/domain.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import { SignedQuery, type UrlSigner } from '../../access/signed-urls.ts'
import { fileResponse } from '../../http/upload-route.ts'
import { rangeResponse } from '../../http/uploads.ts'
import { recordingScope, recordingView } from './links.ts'
import { AwaitingConsent, Recording, RecordingIdParams, StoppedRecording, SubjectIdParams } from './model.ts'
import type { RecordingService } from './service.ts'

export interface RecordingRouteDeps extends RoutePlugins {
  recordings: RecordingService
  signer: UrlSigner
  config: Config
  clock: Clock
}

/** Where each subject's start and stop live, and who may use them. */
const subjectRoutes: Array<{ path: string; subject: RecordingSubject; who: string }> = [
  { path: 'live-sessions', subject: 'live', who: 'the teacher, while the session is live' },
  { path: 'streams', subject: 'stream', who: 'the host, while the stream is live' },
  {
    path: 'video-calls',
    subject: 'call',
    who: 'a participant; it starts once both have asked (the first gets 202 awaiting_consent)',
  },
]

/** Start/stop per subject, the recording resource, and its file and thumbnail (bearer or signed link). */
export const recordingRoutes = ({ recordings, signer, config, clock, ...plugins }: RecordingRouteDeps) => {
  const toDto = recordingView({ config, signer, clock })

  /** The recording for a signed link, or for a signed-in user who may see it. */
  const readable = async (
    id: string,
    query: { expires?: string; signature?: string },
    viewer: Parameters<RecordingService['get']>[0] | null,
  ) => {
    if (signer.verify(recordingScope(id), query, clock.now())) {
      const recording = await recordings.find(id)
      if (recording) return recording
      throw notFound('Recording')
    }
    if (!viewer)
      throw unauthenticated('UNAUTHENTICATED', 'Sign in, or open the signed link the API gives (fileUrl, recordingUrl)')
    return recordings.get(viewer, id)
  }

  let routes = moduleRoutes({ name: 'recording-routes', detail: { tags: ['recordings'] } }, plugins)
  for (const { path, subject, who } of subjectRoutes) {
    routes = routes
      .post(
        `/${path}/:id/recording/start`,
        async ({ user, params, request, set }) => {
          const started = await recordings.requestStart(user, subject, params.id)
          if (started === 'awaiting_consent') {
            set.status = 202
            return { status: 'awaiting_consent' as const }
          }
          set.status = 201
          return toDto(request)(started)
        },
        {
          auth: true,
          params: SubjectIdParams,
          response: { 201: Recording, 202: AwaitingConsent, ...errorResponses },
          detail: { summary: `Start recording (${who}); 409 while a recording runs, 503 without ffmpeg` },
        },
      )
      .post(
        `/${path}/:id/recording/stop`,
        async ({ user, params }) => {
          const stopped = await recordings.requestStop(user, subject, params.id)
          return { id: stopped.id, status: stopped.status === 'ready' ? ('ready' as const) : ('processing' as const) }
        },
        {
          auth: true,
          params: SubjectIdParams,
          response: { 200: StoppedRecording, ...errorResponses },
          detail: {
            summary: `Stop the running recording (${who.split(';')[0]}); the file is assembled in the background (409 when none runs)`,
          },
        },
      )
  }
  return routes
    .get(
      '/recordings/:id',
      async ({ user, params, request }) => toDto(request)(await recordings.get(user, params.id)),
      {
        auth: true,
        params: RecordingIdParams,
        response: { 200: Recording, ...errorResponses },
        detail: {
          summary:
            "A recording: the class's teacher and students, the stream's audience, the call's participants, staff",
        },
      },
    )
    .get(
      '/recordings/:id/file',
      async ({ viewer, params, query, request }) => {
        const recording = await readable(params.id, query, viewer)
        if (!recording.fileName) throw notFound('Recording file')
        return rangeResponse(Bun.file(recordings.filePath(recording, recording.fileName)), request, {
          'content-type': recording.mimeType ?? 'application/octet-stream',
          'cache-control': 'private, max-age=3600',
        })
      },
      {
        viewer: true,
        params: RecordingIdParams,
        query: SignedQuery,
        response: errorResponses,
        detail: {
          summary:
            'The recorded file with range requests (206/416): bearer token, or the signed fileUrl; neither → 401, a recording you may not see → 404',
          security: [{ bearerAuth: [] }, {}],
          responses: {
            ...fileResponse(['video/webm', 'video/mp4']),
            206: { ...fileResponse(['video/webm', 'video/mp4'])[200], description: 'the requested byte range' },
            416: { description: 'range not satisfiable' },
          },
        },
      },
    )
    .get(
      '/recordings/:id/thumbnail',
      async ({ viewer, params, query }) => {
        const recording = await readable(params.id, query, viewer)
        if (!recording.thumbnailName) throw notFound('Thumbnail')
        return new Response(Bun.file(recordings.filePath(recording, recording.thumbnailName)), {
          headers: { 'content-type': 'image/jpeg', 'cache-control': 'private, max-age=3600' },
        })
      },
      {
        viewer: true,
        params: RecordingIdParams,
        query: SignedQuery,
        response: errorResponses,
        detail: {
          summary: 'A still from the recording (JPEG): bearer token, or the signed thumbnailUrl',
          security: [{ bearerAuth: [] }, {}],
          responses: fileResponse(['image/jpeg']),
        },
      },
    )
}
