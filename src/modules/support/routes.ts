import { t, type Static } from 'elysia'
import type { Access } from '../../access/policy.ts'
import { errorResponses } from '../../http/errors.ts'
import { Page } from '../../http/pagination.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import type { VideoCallService } from './calls.ts'
import type { Recording } from '../recordings/public.ts'
import {
  CreateSupportRequest,
  IdParams,
  RejectBody,
  SupportListQuery,
  SupportRequest,
  VideoCall,
  VideoCallDetail,
} from './model.ts'
import type { SupportService } from './service.ts'

export interface SupportRouteDeps extends RoutePlugins {
  support: SupportService
  calls: VideoCallService
  /** The call's recordings as the API shows them. */
  recordingsOf(request: Request, callId: string): Promise<Array<Static<typeof Recording>>>
}

/** Everyone sees their own; staff see all with the support module. */
const supportReaders: Access = { roles: true, staff: ['support', 'read'] }

/** Video support: customers ask, supporters accept (one wins) and meet them in a video call. */
export const supportRoutes = ({ support, calls, recordingsOf, ...plugins }: SupportRouteDeps) =>
  moduleRoutes({ name: 'support-routes' }, plugins)
    .group('/support-requests', { detail: { tags: ['support'] } }, (requests) =>
      requests
        .post(
          '',
          async ({ user, body, set }) => {
            set.status = 201
            return support.create(user, body)
          },
          {
            auth: ['customer'],
            body: CreateSupportRequest,
            response: { 201: SupportRequest, ...errorResponses },
            detail: { summary: 'Ask for a video support call' },
          },
        )
        .get('', ({ user, query }) => support.list(user, { ...query, limit: query.limit ?? 20 }), {
          auth: supportReaders,
          query: SupportListQuery,
          response: { 200: Page(SupportRequest), ...errorResponses },
          detail: { summary: 'Support requests I may see: mine; for supporters also pending ones; staff all' },
        })
        .get('/:id', ({ user, params }) => support.get(user, params.id), {
          auth: supportReaders,
          params: IdParams,
          response: { 200: SupportRequest, ...errorResponses },
          detail: { summary: 'One support request' },
        })
        .post('/:id/accept', ({ user, params }) => support.accept(user, params.id), {
          auth: ['supporter'],
          params: IdParams,
          response: { 200: t.Object({ request: SupportRequest, videoCall: VideoCall }), ...errorResponses },
          detail: {
            summary: 'Accept a pending request (exactly one supporter wins; others get 409); creates the video call',
          },
        })
        .post('/:id/reject', ({ user, params, body }) => support.reject(user, params.id, body.reason), {
          auth: { roles: ['supporter'], staff: ['support', 'routine'] },
          params: IdParams,
          body: RejectBody,
          response: { 200: SupportRequest, ...errorResponses },
          detail: { summary: 'Reject a pending request' },
        })
        .post('/:id/complete', ({ user, params }) => support.complete(user, params.id), {
          auth: ['supporter'],
          params: IdParams,
          response: { 200: SupportRequest, ...errorResponses },
          detail: { summary: 'Complete an accepted request (its supporter); ends the call' },
        })
        .post('/:id/cancel', ({ user, params }) => support.cancel(user, params.id), {
          auth: ['customer'],
          params: IdParams,
          response: { 200: SupportRequest, ...errorResponses },
          detail: { summary: 'Cancel my request while pending or accepted; ends the call' },
        }),
    )
    .group('/video-calls', { detail: { tags: ['support'] } }, (videoCalls) =>
      videoCalls
        .get('/room/:roomId', ({ user, params }) => calls.getByRoom(user, params.roomId), {
          auth: supportReaders,
          params: t.Object({ roomId: t.String({ minLength: 1, maxLength: 80 }) }),
          response: { 200: VideoCall, ...errorResponses },
          detail: { summary: 'A video call by its media room id (call:<id>)' },
        })
        .get(
          '/:id',
          async ({ user, params, request }) => ({
            ...(await calls.get(user, params.id)),
            recordings: await recordingsOf(request, params.id),
          }),
          {
            auth: supportReaders,
            params: IdParams,
            response: { 200: VideoCallDetail, ...errorResponses },
            detail: { summary: 'A video call with its recordings (participants and staff)' },
          },
        )
        .post('/:id/start', ({ user, params }) => calls.start(user, params.id), {
          auth: true,
          params: IdParams,
          response: { 200: VideoCall, ...errorResponses },
          detail: { summary: 'Start the call (participants; records the start; idempotent)' },
        })
        .post('/:id/end', ({ user, params }) => calls.end(user, params.id), {
          auth: true,
          params: IdParams,
          response: { 200: VideoCall, ...errorResponses },
          detail: {
            summary: 'End the call (participants): records end and duration, closes the media room, tells both sides',
          },
        }),
    )
