import { and, asc, count, eq, inArray } from 'drizzle-orm'
import type { Clock } from '../../../clock.ts'
import type { Database } from '../../../db/client.ts'
import { users } from '../../../db/schema/auth.ts'
import { livePolls, livePollVotes, type PollStatus } from '../../../db/schema/courses.ts'
import type { AuthUser } from '../../../access/policy.ts'
import { conflict, forbidden, notFound, invalid } from '../../../errors/domain.ts'
import { newId } from '../../../ids.ts'
import type { CoalescedEvents } from '../../../realtime/coalesced-events.ts'
import type { Hub } from '../../../realtime/hub.ts'
import { liveRoomName } from '../sessions.ts'
import { removedFromSession, requireLive, type ClassroomAccess, type ClassRole } from './access.ts'
import type { ParticipantStore } from './participants.ts'

type PollRow = typeof livePolls.$inferSelect

export interface PollInput {
  question: string
  options: string[]
  multiple?: boolean
  anonymous?: boolean
}

export interface PollResults {
  totalVoters: number
  results: Array<{ optionId: string; votes: number }>
}

/**
 * Polls: a teacher's draft opens to the class and closes with results for everyone. While votes
 * arrive the teacher gets the tally at most twice a second, read from the database so votes taken
 * by every instance count.
 */
export class PollService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly access: ClassroomAccess,
    private readonly participants: ParticipantStore,
    private readonly hub: Hub,
    /** Renders with `resultsEvent`. */
    private readonly resultsToTeacher: CoalescedEvents,
  ) {}

  async create(teacher: AuthUser, sessionId: string, input: PollInput) {
    const { session } = await this.access.teacher(teacher, sessionId, 'creates polls')
    if (session.status === 'ended' || session.status === 'canceled')
      throw conflict('INVALID_STATE', `The session is ${session.status}`)
    const texts = input.options.map((text) => text.trim())
    if (new Set(texts).size !== texts.length)
      throw invalid('VALIDATION_FAILED', 'Options must differ', [
        { in: 'body', path: '/options', message: 'must not repeat an option' },
      ])
    const [poll] = await this.db
      .insert(livePolls)
      .values({
        id: newId('poll'),
        sessionId,
        question: input.question,
        options: texts.map((text, index) => ({ id: `o${index + 1}`, text })),
        multiple: input.multiple ?? false,
        anonymous: input.anonymous ?? false,
        status: 'draft',
        createdAt: new Date(this.clock.now()),
      })
      .returning()
    return this.view(poll!, 'teacher', teacher.id)
  }

  async open(teacher: AuthUser, pollId: string) {
    const { poll, membership } = await this.find(teacher, pollId)
    if (membership.role !== 'teacher') throw forbidden('Only the teacher opens polls')
    requireLive(membership.session)
    const opened = await this.move(poll, 'draft', { status: 'open', openedAt: new Date(this.clock.now()) })
    this.hub.publish(liveRoomName(poll.sessionId), 'live:poll-opened', {
      poll: await this.view(opened, 'student', null),
    })
    return this.view(opened, 'teacher', teacher.id)
  }

  async close(teacher: AuthUser, pollId: string) {
    const { poll, membership } = await this.find(teacher, pollId)
    if (membership.role !== 'teacher') throw forbidden('Only the teacher closes polls')
    const closed = await this.move(poll, 'open', { status: 'closed', closedAt: new Date(this.clock.now()) })
    this.resultsToTeacher.forget(pollId)
    this.hub.publish(liveRoomName(poll.sessionId), 'live:poll-closed', {
      poll: await this.view(closed, 'student', null),
    })
    return this.view(closed, 'teacher', teacher.id)
  }

  /** A student's vote; a second one replaces the first. */
  async vote(student: AuthUser, pollId: string, optionIds: string[]) {
    const { poll, membership } = await this.find(student, pollId)
    if (membership.role !== 'student') throw forbidden('Only students vote')
    if (poll.status === 'closed') throw conflict('POLL_CLOSED', 'The poll is closed')
    if (poll.status !== 'open') throw conflict('INVALID_STATE', 'The poll is not open yet')
    if (await this.participants.isRemoved(poll.sessionId, student.id)) throw removedFromSession()
    this.assertChoice(poll, optionIds)
    const vote = { pollId, userId: student.id, optionIds: [...new Set(optionIds)], votedAt: new Date(this.clock.now()) }
    await this.db
      .insert(livePollVotes)
      .values(vote)
      .onConflictDoUpdate({
        target: [livePollVotes.pollId, livePollVotes.userId],
        set: { optionIds: vote.optionIds, votedAt: vote.votedAt },
      })
    this.resultsToTeacher.changed(pollId, { userId: membership.teacherId })
    return this.view(poll, 'student', student.id)
  }

  async get(user: AuthUser, pollId: string) {
    const { poll, membership } = await this.find(user, pollId)
    return this.view(poll, membership.role, user.id)
  }

  /** A session's polls, oldest first; students do not see drafts. */
  async list(user: AuthUser, sessionId: string) {
    const { role } = await this.access.member(user, sessionId)
    const rows = await this.db
      .select()
      .from(livePolls)
      .where(
        and(
          eq(livePolls.sessionId, sessionId),
          role === 'student' ? inArray(livePolls.status, ['open', 'closed']) : undefined,
        ),
      )
      .orderBy(asc(livePolls.createdAt), asc(livePolls.id))
    return Promise.all(rows.map((poll) => this.view(poll, role, user.id)))
  }

  /** What a (re)joining participant needs: the polls open now. */
  async openPolls(sessionId: string, role: ClassRole, userId: string) {
    const rows = await this.db
      .select()
      .from(livePolls)
      .where(and(eq(livePolls.sessionId, sessionId), eq(livePolls.status, 'open')))
      .orderBy(asc(livePolls.createdAt))
    return Promise.all(rows.map((poll) => this.view(poll, role, userId)))
  }

  /** One row per voter (the teacher and staff): their name unless the poll is anonymous, the options chosen, when. */
  async voters(user: AuthUser, pollId: string) {
    const { poll, membership } = await this.find(user, pollId)
    if (membership.role === 'student') throw forbidden('Only the teacher sees who voted for what')
    const rows = await this.db
      .select({ name: users.name, optionIds: livePollVotes.optionIds, votedAt: livePollVotes.votedAt })
      .from(livePollVotes)
      .innerJoin(users, eq(users.id, livePollVotes.userId))
      .where(eq(livePollVotes.pollId, pollId))
      .orderBy(asc(livePollVotes.votedAt), asc(livePollVotes.userId))
    const textOf = new Map(poll.options.map((option) => [option.id, option.text]))
    return {
      poll,
      rows: rows.map((row) => ({
        voter: poll.anonymous ? null : row.name,
        choices: row.optionIds.map((id) => textOf.get(id) ?? id).join(' | '),
        votedAt: row.votedAt,
      })),
    }
  }

  /** At the end of a session its open polls close (results are final). */
  async closeAll(sessionId: string): Promise<void> {
    await this.db
      .update(livePolls)
      .set({ status: 'closed', closedAt: new Date(this.clock.now()) })
      .where(and(eq(livePolls.sessionId, sessionId), eq(livePolls.status, 'open')))
  }

  /** The teacher's `live:poll-results` for a poll as it stands. */
  async resultsEvent(pollId: string) {
    const [poll] = await this.db
      .select({ sessionId: livePolls.sessionId })
      .from(livePolls)
      .where(eq(livePolls.id, pollId))
    return poll
      ? { type: 'live:poll-results', data: { sessionId: poll.sessionId, pollId, ...(await this.results(pollId)) } }
      : null
  }

  async results(pollId: string): Promise<PollResults> {
    const [poll] = await this.db.select({ options: livePolls.options }).from(livePolls).where(eq(livePolls.id, pollId))
    const votes = await this.db
      .select({ optionIds: livePollVotes.optionIds })
      .from(livePollVotes)
      .where(eq(livePollVotes.pollId, pollId))
    const tally = new Map((poll?.options ?? []).map((option) => [option.id, 0]))
    for (const vote of votes) for (const optionId of vote.optionIds) tally.set(optionId, (tally.get(optionId) ?? 0) + 1)
    return { totalVoters: votes.length, results: [...tally].map(([optionId, count]) => ({ optionId, votes: count })) }
  }

  private async voterCount(pollId: string): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(livePollVotes).where(eq(livePollVotes.pollId, pollId))
    return row?.n ?? 0
  }

  /** Results for the teacher and staff always, for students once closed; the viewer's own vote. */
  private async view(poll: PollRow, role: ClassRole, viewerId: string | null) {
    const showResults = role !== 'student' || poll.status === 'closed'
    const { totalVoters, results } = showResults
      ? await this.results(poll.id)
      : { totalVoters: await this.voterCount(poll.id), results: null }
    const mine =
      viewerId && role === 'student'
        ? await this.db
            .select({ optionIds: livePollVotes.optionIds })
            .from(livePollVotes)
            .where(and(eq(livePollVotes.pollId, poll.id), eq(livePollVotes.userId, viewerId)))
        : []
    return {
      id: poll.id,
      sessionId: poll.sessionId,
      question: poll.question,
      options: poll.options,
      multiple: poll.multiple,
      anonymous: poll.anonymous,
      status: poll.status,
      totalVoters,
      results,
      myVote: mine[0]?.optionIds ?? null,
      createdAt: poll.createdAt,
      openedAt: poll.openedAt,
      closedAt: poll.closedAt,
    }
  }

  private async find(user: AuthUser, pollId: string) {
    const [poll] = await this.db.select().from(livePolls).where(eq(livePolls.id, pollId))
    if (!poll) throw notFound('Poll')
    const membership = await this.access.member(user, poll.sessionId).catch(() => null)
    if (!membership || (membership.role === 'student' && poll.status === 'draft')) throw notFound('Poll')
    return { poll, membership }
  }

  private async move(poll: PollRow, from: PollStatus, changes: Partial<PollRow>): Promise<PollRow> {
    const [moved] = await this.db
      .update(livePolls)
      .set(changes)
      .where(and(eq(livePolls.id, poll.id), eq(livePolls.status, from)))
      .returning()
    if (!moved) throw conflict('INVALID_STATE', `The poll is ${poll.status}; it must be ${from}`)
    return moved
  }

  private assertChoice(poll: PollRow, optionIds: string[]): void {
    const known = new Set(poll.options.map((option) => option.id))
    const chosen = new Set(optionIds)
    const unknown = [...chosen].filter((id) => !known.has(id))
    if (unknown.length > 0)
      throw invalid('VALIDATION_FAILED', `Unknown option ${unknown[0]}`, [
        { in: 'body', path: '/optionIds', message: `unknown option ${unknown[0]}` },
      ])
    if (chosen.size > 1 && !poll.multiple)
      throw invalid('VALIDATION_FAILED', 'This poll takes one option', [
        { in: 'body', path: '/optionIds', message: 'choose one option' },
      ])
  }
}
