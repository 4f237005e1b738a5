import { t } from 'elysia'
import { questionStatuses, pollStatuses } from '../../../db/schema/courses.ts'
import { oneOf, optionalEnum } from '../../../http/enums.ts'
import { PageQuery } from '../../../http/pagination.ts'

const Id = t.String({ minLength: 1, maxLength: 64 })
export const PollParams = t.Object({ id: Id })
export const QuestionParams = t.Object({ id: Id })

export const ChatMessage = t.Object(
  {
    id: t.String(),
    sessionId: t.String(),
    userId: t.String(),
    name: t.String(),
    content: t.String(),
    createdAt: t.Date(),
  },
  { title: 'LiveChatMessage' },
)

export const CreatePoll = t.Object({
  question: t.String({ minLength: 1, maxLength: 300 }),
  options: t.Array(t.String({ minLength: 1, maxLength: 200 }), { minItems: 2, maxItems: 10 }),
  multiple: t.Optional(t.Boolean({ description: 'voters may choose several options (default false)' })),
  anonymous: t.Optional(t.Boolean({ description: 'voters’ names are kept out of the results CSV (default false)' })),
})
export const Vote = t.Object({
  optionIds: t.Array(t.String({ minLength: 1, maxLength: 8 }), { minItems: 1, maxItems: 10 }),
})

const OptionResult = t.Object({ optionId: t.String(), votes: t.Integer() })
export const Poll = t.Object(
  {
    id: t.String(),
    sessionId: t.String(),
    question: t.String(),
    options: t.Array(t.Object({ id: t.String(), text: t.String() })),
    multiple: t.Boolean(),
    anonymous: t.Boolean(),
    status: oneOf(pollStatuses),
    totalVoters: t.Integer(),
    results: t.Union([t.Array(OptionResult), t.Null()], {
      description: 'the teacher and staff always; students once the poll is closed',
    }),
    myVote: t.Union([t.Array(t.String()), t.Null()], { description: 'the caller’s chosen option ids (students)' }),
    createdAt: t.Date(),
    openedAt: t.Union([t.Date(), t.Null()]),
    closedAt: t.Union([t.Date(), t.Null()]),
  },
  { title: 'Poll' },
)

export const AskQuestion = t.Object({
  content: t.String({ minLength: 1, maxLength: 500 }),
  anonymous: t.Optional(t.Boolean({ description: 'hide the author from everyone but staff (default false)' })),
})
export const Question = t.Object(
  {
    id: t.String(),
    sessionId: t.String(),
    userId: t.Union([t.String(), t.Null()], {
      description: 'null on an anonymous question, except for staff and its author',
    }),
    name: t.Union([t.String(), t.Null()]),
    content: t.String(),
    anonymous: t.Boolean(),
    votes: t.Integer(),
    myVote: t.Union([t.Boolean(), t.Null()], {
      description: 'whether the caller voted for it (null in class-wide events)',
    }),
    status: oneOf(questionStatuses),
    createdAt: t.Date(),
  },
  { title: 'Question' },
)
export const QuestionListQuery = t.Object({
  status: optionalEnum(questionStatuses),
  sort: t.Optional(
    oneOf(['votes', 'recent'], { description: 'votes: most voted first (default); recent: newest first' }),
  ),
  limit: t.Optional(t.Integer({ minimum: 1, maximum: 200, default: 50 })),
  cursor: t.Optional(t.String({ pattern: '^[0-9]{1,6}$', description: 'nextCursor of the previous page' })),
})

const PresenceFields = {
  firstJoinedAt: t.Union([t.Date(), t.Null()]),
  lastLeftAt: t.Union([t.Date(), t.Null()], { description: 'null while present or never joined' }),
  minutesPresent: t.Number({ description: 'overlapping connections (two tabs) count once; two decimals' }),
  secondsPresent: t.Integer(),
  joins: t.Integer({ description: 'separate stretches of presence (a move between instances without a gap is one)' }),
  present: t.Boolean(),
}
export const Attendance = t.Object(
  {
    sessionId: t.String(),
    title: t.String(),
    startedAt: t.Union([t.Date(), t.Null()]),
    endedAt: t.Union([t.Date(), t.Null()]),
    items: t.Array(t.Object({ userId: t.String(), name: t.String(), ...PresenceFields })),
  },
  { title: 'Attendance' },
)
export const MyAttendance = t.Object(
  {
    items: t.Array(
      t.Object({
        sessionId: t.String(),
        courseId: t.String(),
        title: t.String(),
        startedAt: t.Union([t.Date(), t.Null()]),
        endedAt: t.Union([t.Date(), t.Null()]),
        ...PresenceFields,
      }),
    ),
    nextCursor: t.Union([t.String(), t.Null()]),
  },
  { title: 'MyAttendance' },
)
export const MyAttendanceQuery = t.Object({ courseId: t.Optional(Id), ...PageQuery })
export const ChatQuery = t.Object(PageQuery)
