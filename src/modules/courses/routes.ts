import { t } from 'elysia'
import type { Access } from '../../access/policy.ts'
import { errorResponses } from '../../http/errors.ts'
import { Page, PageQuery } from '../../http/pagination.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import {
  Course,
  CourseListQuery,
  CreateCourse,
  CreateSession,
  IceServers,
  IdParams,
  LiveSession,
  RoomCodeParams,
  SessionListQuery,
  Student,
  UpdateSession,
} from './model.ts'
import type { CourseService } from './service.ts'
import { recordingIdInPath, signedRecordingUrl, type RecordingLinkDeps } from '../recordings/public.ts'
import type { LiveSessionRow, LiveSessionService } from './sessions.ts'

export interface CourseRouteDeps extends RoutePlugins, RecordingLinkDeps {
  courses: CourseService
  sessions: LiveSessionService
}

/** A session as participants see it: its recording as a signed, absolute link a `<video>` plays. */
const sessionView = (links: RecordingLinkDeps, request: Request) => (session: LiveSessionRow) => {
  const recordingId = session.recordingUrl ? recordingIdInPath(session.recordingUrl) : null
  return { ...session, recordingUrl: recordingId ? signedRecordingUrl(links, request, recordingId, 'file') : null }
}

/** Teachers and students reach their own courses' sessions and rosters; staff need the courses module. */
const courseReaders: Access = { roles: true, staff: ['courses', 'read'] }

/** Courses, enrolment and the live sessions a teacher broadcasts to the class. */
export const courseRoutes = ({ courses, sessions, config, signer, clock, ...plugins }: CourseRouteDeps) => {
  const links = { config, signer, clock }
  return moduleRoutes({ name: 'course-routes' }, plugins)
    .group('/courses', { detail: { tags: ['courses'] } }, (group) =>
      group
        .post(
          '',
          async ({ user, body, set }) => {
            set.status = 201
            return courses.create(user, body)
          },
          {
            auth: ['teacher'],
            body: CreateCourse,
            response: { 201: Course, ...errorResponses },
            detail: { summary: 'Create a course (teachers)' },
          },
        )
        .get('', ({ user, query }) => courses.list(user, { ...query, limit: query.limit ?? 20 }), {
          auth: true,
          query: CourseListQuery,
          response: { 200: Page(Course), ...errorResponses },
          detail: { summary: 'The course catalogue, newest first' },
        })
        .get('/:id', ({ user, params }) => courses.get(user, params.id), {
          auth: true,
          params: IdParams,
          response: { 200: Course, ...errorResponses },
          detail: { summary: 'One course' },
        })
        .post('/:id/enroll', ({ user, params }) => courses.enroll(user, params.id), {
          auth: true,
          params: IdParams,
          response: { 200: Course, ...errorResponses },
          detail: { summary: 'Enrol in a course (idempotent)' },
        })
        .get(
          '/:id/students',
          ({ user, params, query }) =>
            courses.students(user, params.id, { cursor: query.cursor, limit: query.limit ?? 50 }),
          {
            auth: courseReaders,
            params: IdParams,
            query: t.Object(PageQuery),
            response: { 200: Page(Student), ...errorResponses },
            detail: { summary: 'The students of a course (its teacher)' },
          },
        ),
    )
    .group('/live-sessions', { detail: { tags: ['courses'] } }, (group) =>
      group
        .post(
          '',
          async ({ user, body, set, request }) => {
            set.status = 201
            return sessionView(links, request)(await sessions.create(user, body))
          },
          {
            auth: ['teacher'],
            body: CreateSession,
            response: { 201: LiveSession, ...errorResponses },
            detail: {
              summary:
                'Schedule a session (the course’s teacher): students are told now, 10 minutes before, and at the start',
            },
          },
        )
        .get(
          '',
          async ({ user, query, request }) => {
            const page = await sessions.list(user, { ...query, limit: query.limit ?? 20 })
            return { items: page.items.map(sessionView(links, request)), nextCursor: page.nextCursor }
          },
          {
            auth: courseReaders,
            query: SessionListQuery,
            response: { 200: Page(LiveSession), ...errorResponses },
            detail: {
              summary: 'Sessions of courses I teach or attend, by schedule time (filters: courseId, status, from, to)',
            },
          },
        )
        .get(
          '/by-code/:roomCode',
          async ({ user, params, request }) =>
            sessionView(links, request)(await sessions.byCode(user, params.roomCode)),
          {
            auth: courseReaders,
            params: RoomCodeParams,
            response: { 200: LiveSession, ...errorResponses },
            detail: {
              summary:
                'The session a room code opens (its teacher and enrolled students): the class link /classroom/<roomCode>',
            },
          },
        )
        .get(
          '/:id',
          async ({ user, params, request }) => sessionView(links, request)(await sessions.get(user, params.id)),
          {
            auth: courseReaders,
            params: IdParams,
            response: { 200: LiveSession, ...errorResponses },
            detail: { summary: 'One session (its teacher and enrolled students)' },
          },
        )
        .patch(
          '/:id',
          async ({ user, params, body, request }) =>
            sessionView(links, request)(await sessions.update(user, params.id, body)),
          {
            auth: ['teacher'],
            params: IdParams,
            body: UpdateSession,
            response: { 200: LiveSession, ...errorResponses },
            detail: { summary: 'Change a scheduled session; a new time moves the reminders' },
          },
        )
        .post(
          '/:id/cancel',
          async ({ user, params, request }) => sessionView(links, request)(await sessions.cancel(user, params.id)),
          {
            auth: ['teacher'],
            params: IdParams,
            response: { 200: LiveSession, ...errorResponses },
            detail: { summary: 'Cancel a scheduled session (students are told; reminders removed)' },
          },
        )
        .post(
          '/:id/start',
          async ({ user, params, request }) => sessionView(links, request)(await sessions.start(user, params.id)),
          {
            auth: ['teacher'],
            params: IdParams,
            response: { 200: LiveSession, ...errorResponses },
            detail: { summary: 'Go live (students are told); the media room live:<id> opens' },
          },
        )
        .post(
          '/:id/end',
          async ({ user, params, request }) => sessionView(links, request)(await sessions.end(user, params.id)),
          {
            auth: ['teacher'],
            params: IdParams,
            response: { 200: LiveSession, ...errorResponses },
            detail: { summary: 'End a live session: closes its media room and tells everyone in it' },
          },
        )
        .get('/:id/ice', async ({ user, params }) => ({ iceServers: await sessions.iceServers(user, params.id) }), {
          auth: courseReaders,
          params: IdParams,
          response: { 200: IceServers, ...errorResponses },
          detail: {
            summary: 'STUN/TURN servers for the class, with time-limited TURN credentials when TURN_SECRET is set',
          },
        }),
    )
}
