import { t } from 'elysia'
import type { Access } from '../../../access/policy.ts'
import { csvDetail, csvDocument, csvResponse } from '../../../http/csv.ts'
import { errorResponses } from '../../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../../http/module-routes.ts'
import { Page } from '../../../http/pagination.ts'
import { IdParams } from '../model.ts'
import type { AttendanceService } from './attendance.ts'
import type { ClassChat } from './chat.ts'
import {
  AskQuestion,
  Attendance,
  ChatMessage,
  ChatQuery,
  CreatePoll,
  MyAttendance,
  MyAttendanceQuery,
  Poll,
  PollParams,
  Question,
  QuestionListQuery,
  QuestionParams,
  Vote,
} from './model.ts'
import type { PollService } from './polls.ts'
import type { QuestionService } from './questions.ts'

export interface ClassroomRouteDeps extends RoutePlugins {
  chat: ClassChat
  polls: PollService
  questions: QuestionService
  attendance: AttendanceService
}

/** Participants (checked per session by the services) and staff reading with the `courses` module. */
const participants: Access = { roles: true, staff: ['courses', 'read'] }
const csvOk = { 200: t.String({ description: csvDetail.description }), ...errorResponses }
const isoMinute = (at: Date | null) => (at ? at.toISOString().slice(0, 16).replace('T', ' ') : null)

/** Chat history, polls, questions and attendance of a live class (docs/api.md, "Live classroom"). */
export const classroomRoutes = ({ chat, polls, questions, attendance, ...plugins }: ClassroomRouteDeps) =>
  moduleRoutes({ name: 'classroom-routes' }, plugins)
    .group('/live-sessions/:id', { detail: { tags: ['classroom'] }, params: IdParams }, (group) =>
      group
        .get(
          '/messages',
          ({ user, params, query }) => chat.list(user, params.id, { cursor: query.cursor, limit: query.limit ?? 50 }),
          {
            auth: participants,
            query: ChatQuery,
            response: { 200: Page(ChatMessage), ...errorResponses },
            detail: { summary: 'The class chat, newest first (deleted messages left out)' },
          },
        )
        .post(
          '/polls',
          async ({ user, params, body, set }) => {
            set.status = 201
            return polls.create(user, params.id, body)
          },
          {
            auth: true,
            body: CreatePoll,
            response: { 201: Poll, ...errorResponses },
            detail: { summary: 'Draft a poll (the teacher); open it when the class is live' },
          },
        )
        .get('/polls', ({ user, params }) => polls.list(user, params.id), {
          auth: participants,
          response: { 200: t.Array(Poll), ...errorResponses },
          detail: { summary: 'The session’s polls, oldest first (students: open and closed ones)' },
        })
        .post(
          '/questions',
          async ({ user, params, body, set }) => {
            set.status = 201
            return questions.ask(user, params.id, body)
          },
          {
            auth: true,
            body: AskQuestion,
            response: { 201: Question, ...errorResponses },
            detail: { summary: 'Ask the teacher a question (students, while live)' },
          },
        )
        .get(
          '/questions',
          ({ user, params, query }) =>
            questions.list(user, params.id, {
              status: query.status,
              sort: query.sort ?? 'votes',
              cursor: query.cursor,
              limit: query.limit ?? 50,
            }),
          {
            auth: participants,
            query: QuestionListQuery,
            response: { 200: Page(Question), ...errorResponses },
            detail: { summary: 'Questions, most voted first or newest first' },
          },
        )
        .get('/attendance', ({ user, params }) => attendance.forSession(user, params.id), {
          auth: participants,
          response: { 200: Attendance, ...errorResponses },
          detail: { summary: 'Every enrolled student’s presence in the session (the teacher, staff)' },
        })
        .get(
          '/attendance.csv',
          async ({ user, params }) => {
            const sheet = await attendance.forSession(user, params.id)
            const rows = sheet.items.map((row) => [
              row.name,
              row.userId,
              isoMinute(row.firstJoinedAt),
              isoMinute(row.lastLeftAt),
              row.minutesPresent,
              row.joins,
              row.present ? 'yes' : 'no',
            ])
            return csvResponse(
              csvDocument(
                ['name', 'userId', 'firstJoinedAt (UTC)', 'lastLeftAt (UTC)', 'minutesPresent', 'joins', 'present'],
                rows,
              ),
              `attendance-${params.id}.csv`,
            )
          },
          {
            auth: participants,
            response: csvOk,
            detail: { summary: 'The attendance as CSV (the teacher, staff)', responses: csvDetail.responses },
          },
        ),
    )
    .group('/polls/:id', { detail: { tags: ['classroom'] }, params: PollParams }, (group) =>
      group
        .get('', ({ user, params }) => polls.get(user, params.id), {
          auth: participants,
          response: { 200: Poll, ...errorResponses },
          detail: { summary: 'One poll' },
        })
        .post('/open', ({ user, params }) => polls.open(user, params.id), {
          auth: true,
          response: { 200: Poll, ...errorResponses },
          detail: { summary: 'Open a draft poll to the class (the teacher, while live)' },
        })
        .post('/close', ({ user, params }) => polls.close(user, params.id), {
          auth: true,
          response: { 200: Poll, ...errorResponses },
          detail: { summary: 'Close an open poll: everyone gets the results' },
        })
        .post('/votes', ({ user, params, body }) => polls.vote(user, params.id, body.optionIds), {
          auth: true,
          body: Vote,
          response: { 200: Poll, ...errorResponses },
          detail: { summary: 'Vote (students, while open); a second vote replaces the first' },
        })
        .get(
          '/results.csv',
          async ({ user, params }) => {
            const { rows } = await polls.voters(user, params.id)
            return csvResponse(
              csvDocument(
                ['voter', 'choices', 'votedAt (UTC)'],
                rows.map((row) => [row.voter ?? 'anonymous', row.choices, row.votedAt.toISOString()]),
              ),
              `poll-${params.id}.csv`,
            )
          },
          {
            auth: participants,
            response: csvOk,
            detail: {
              summary: 'One row per voter, names unless anonymous (the teacher, staff)',
              responses: csvDetail.responses,
            },
          },
        ),
    )
    .group('/questions/:id', { detail: { tags: ['classroom'] }, params: QuestionParams }, (group) =>
      group
        .post('/vote', ({ user, params }) => questions.vote(user, params.id, true), {
          auth: true,
          response: { 200: Question, ...errorResponses },
          detail: { summary: 'Vote for a question (participants other than its author; idempotent)' },
        })
        .delete('/vote', ({ user, params }) => questions.vote(user, params.id, false), {
          auth: true,
          response: { 200: Question, ...errorResponses },
          detail: { summary: 'Take one’s vote back (idempotent)' },
        })
        .post('/answer', ({ user, params }) => questions.answer(user, params.id, 'answered'), {
          auth: true,
          response: { 200: Question, ...errorResponses },
          detail: { summary: 'Mark an open question answered (the teacher)' },
        })
        .post('/dismiss', ({ user, params }) => questions.answer(user, params.id, 'dismissed'), {
          auth: true,
          response: { 200: Question, ...errorResponses },
          detail: { summary: 'Dismiss an open question (the teacher)' },
        }),
    )
    .get(
      '/me/attendance',
      ({ user, query }) =>
        attendance.mine(user, { courseId: query.courseId, cursor: query.cursor, limit: query.limit ?? 20 }),
      {
        auth: true,
        query: MyAttendanceQuery,
        response: { 200: MyAttendance, ...errorResponses },
        detail: { tags: ['classroom'], summary: 'My presence in the live sessions of my courses, newest first' },
      },
    )
