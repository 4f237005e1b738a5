import { and, asc, count, desc, eq, inArray } from 'drizzle-orm'
import type { Clock } from '../../../clock.ts'
import type { Database } from '../../../db/client.ts'
import { users } from '../../../db/schema/auth.ts'
import { liveQuestions, liveQuestionVotes, type QuestionStatus } from '../../../db/schema/courses.ts'
import type { AuthUser } from '../../../access/policy.ts'
import { DomainError, conflict, forbidden, notFound } from '../../../errors/domain.ts'
import { newId } from '../../../ids.ts'
import type { CoalescedEvents } from '../../../realtime/coalesced-events.ts'
import { liveRoomName } from '../sessions.ts'
import { removedFromSession, requireLive, type ClassroomAccess, type ClassRole } from './access.ts'
import type { ParticipantStore } from './participants.ts'

type QuestionRow = typeof liveQuestions.$inferSelect & { name: string }

const columns = {
  id: liveQuestions.id,
  sessionId: liveQuestions.sessionId,
  userId: liveQuestions.userId,
  name: users.name,
  content: liveQuestions.content,
  anonymous: liveQuestions.anonymous,
  status: liveQuestions.status,
  votes: liveQuestions.votes,
  createdAt: liveQuestions.createdAt,
  updatedAt: liveQuestions.updatedAt,
}

/** One page of questions: an offset, because a list sorted by votes reorders as votes arrive. */
const MAX_QUESTIONS_PAGE = 200

/**
 * Moderated Q&A: students ask, participants vote, the teacher answers or dismisses. Every change
 * reaches the class as `live:question`, at most twice a second per question (a vote wave on one
 * question sends its latest count, not one event per vote).
 */
export class QuestionService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly access: ClassroomAccess,
    private readonly participants: ParticipantStore,
    /** Renders with `questionEvent`. */
    private readonly updates: CoalescedEvents,
  ) {}

  async ask(student: AuthUser, sessionId: string, input: { content: string; anonymous?: boolean }) {
    const { session } = await this.access.student(student, sessionId, 'ask questions')
    requireLive(session)
    if (await this.participants.isRemoved(sessionId, student.id)) throw removedFromSession()
    const now = new Date(this.clock.now())
    const id = newId('lq')
    await this.db.insert(liveQuestions).values({
      id,
      sessionId,
      userId: student.id,
      content: input.content,
      anonymous: input.anonymous ?? false,
      status: 'open',
      createdAt: now,
      updatedAt: now,
    })
    this.changed(sessionId, id)
    return this.view((await this.row(id))!, 'student', student.id, false)
  }

  async vote(user: AuthUser, questionId: string, voting: boolean) {
    const { question, membership } = await this.find(user, questionId)
    if (membership.role === 'staff') throw forbidden('Only participants vote on questions')
    if (question.userId === user.id) throw new DomainError('OWN_QUESTION', 'You cannot vote on your own question')
    if (question.status !== 'open') throw conflict('INVALID_STATE', `The question is ${question.status}`)
    if (voting) await this.db.insert(liveQuestionVotes).values({ questionId, userId: user.id }).onConflictDoNothing()
    else
      await this.db
        .delete(liveQuestionVotes)
        .where(and(eq(liveQuestionVotes.questionId, questionId), eq(liveQuestionVotes.userId, user.id)))
    const [tally] = await this.db
      .select({ n: count() })
      .from(liveQuestionVotes)
      .where(eq(liveQuestionVotes.questionId, questionId))
    await this.db
      .update(liveQuestions)
      .set({ votes: tally?.n ?? 0 })
      .where(eq(liveQuestions.id, questionId))
    this.changed(question.sessionId, questionId)
    return this.view((await this.row(questionId))!, membership.role, user.id, voting)
  }

  async answer(teacher: AuthUser, questionId: string, status: Exclude<QuestionStatus, 'open'>) {
    const { question, membership } = await this.find(teacher, questionId)
    if (membership.role !== 'teacher') throw forbidden('Only the teacher answers or dismisses questions')
    const [moved] = await this.db
      .update(liveQuestions)
      .set({ status, updatedAt: new Date(this.clock.now()) })
      .where(and(eq(liveQuestions.id, questionId), eq(liveQuestions.status, 'open')))
      .returning({ id: liveQuestions.id })
    if (!moved)
      throw conflict(
        'INVALID_STATE',
        `The question is ${question.status}; only open questions are answered or dismissed`,
      )
    this.changed(question.sessionId, questionId)
    return this.view((await this.row(questionId))!, 'teacher', teacher.id, await this.hasVoted(questionId, teacher.id))
  }

  async list(
    user: AuthUser,
    sessionId: string,
    filter: { status?: QuestionStatus; sort: 'votes' | 'recent'; cursor?: string; limit: number },
  ) {
    const { role } = await this.access.member(user, sessionId)
    const offset = filter.cursor ? Number(filter.cursor) : 0
    const order =
      filter.sort === 'votes'
        ? [desc(liveQuestions.votes), asc(liveQuestions.createdAt), asc(liveQuestions.id)]
        : [desc(liveQuestions.createdAt), desc(liveQuestions.id)]
    const rows = await this.db
      .select(columns)
      .from(liveQuestions)
      .innerJoin(users, eq(users.id, liveQuestions.userId))
      .where(
        and(
          eq(liveQuestions.sessionId, sessionId),
          filter.status ? eq(liveQuestions.status, filter.status) : undefined,
        ),
      )
      .orderBy(...order)
      .limit(filter.limit + 1)
      .offset(offset)
    const page = rows.slice(0, filter.limit)
    const voted = await this.votedAmong(
      page.map((row) => row.id),
      user.id,
    )
    return {
      items: page.map((row) => this.view(row, role, user.id, voted.has(row.id))),
      nextCursor: rows.length > filter.limit ? String(offset + filter.limit) : null,
    }
  }

  /** Open questions, most voted first, for a (re)joining participant. */
  async open(sessionId: string, role: ClassRole, userId: string) {
    const rows = await this.db
      .select(columns)
      .from(liveQuestions)
      .innerJoin(users, eq(users.id, liveQuestions.userId))
      .where(and(eq(liveQuestions.sessionId, sessionId), eq(liveQuestions.status, 'open')))
      .orderBy(desc(liveQuestions.votes), asc(liveQuestions.createdAt))
      .limit(MAX_QUESTIONS_PAGE)
    const voted = await this.votedAmong(
      rows.map((row) => row.id),
      userId,
    )
    return rows.map((row) => this.view(row, role, userId, voted.has(row.id)))
  }

  /** The author is hidden on an anonymous question from everyone but staff and the author. `myVote` is null in class-wide events. */
  private view(row: QuestionRow, role: ClassRole, viewerId: string | null, myVote: boolean | null) {
    const named = !row.anonymous || role === 'staff' || row.userId === viewerId
    return {
      id: row.id,
      sessionId: row.sessionId,
      userId: named ? row.userId : null,
      name: named ? row.name : null,
      content: row.content,
      anonymous: row.anonymous,
      votes: row.votes,
      myVote,
      status: row.status,
      createdAt: row.createdAt,
    }
  }

  /** The class-wide `live:question` for a question as it stands (no one's vote, no hidden author). */
  async questionEvent(questionId: string) {
    const row = await this.row(questionId)
    return row ? { type: 'live:question', data: { question: this.view(row, 'student', null, null) } } : null
  }

  private changed(sessionId: string, questionId: string): void {
    this.updates.changed(questionId, { channel: liveRoomName(sessionId) })
  }

  private async row(questionId: string): Promise<QuestionRow | undefined> {
    const [row] = await this.db
      .select(columns)
      .from(liveQuestions)
      .innerJoin(users, eq(users.id, liveQuestions.userId))
      .where(eq(liveQuestions.id, questionId))
    return row
  }

  private async find(user: AuthUser, questionId: string) {
    const question = await this.row(questionId)
    if (!question) throw notFound('Question')
    const membership = await this.access.member(user, question.sessionId).catch(() => null)
    if (!membership) throw notFound('Question')
    return { question, membership }
  }

  private async hasVoted(questionId: string, userId: string): Promise<boolean> {
    return (await this.votedAmong([questionId], userId)).has(questionId)
  }

  private async votedAmong(questionIds: string[], userId: string): Promise<Set<string>> {
    if (questionIds.length === 0) return new Set()
    const rows = await this.db
      .select({ questionId: liveQuestionVotes.questionId })
      .from(liveQuestionVotes)
      .where(and(eq(liveQuestionVotes.userId, userId), inArray(liveQuestionVotes.questionId, questionIds)))
    return new Set(rows.map((row) => row.questionId))
  }
}
