import { and, desc, eq, inArray, ne, or, sql } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { supportRequests, videoCalls, type Priority, type SupportRequestStatus } from '../../db/schema/support.ts'
import { staffMay, type AuthUser } from '../../access/policy.ts'
import { conflict, forbidden, notFound } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { newId } from '../../ids.ts'
import type { Localized, NotificationService } from '../notifications/public.ts'
import { callRoomId, type VideoCallService } from './calls.ts'

export type SupportRequestRow = typeof supportRequests.$inferSelect

const statusNotes: Record<SupportRequestStatus, Localized> = {
  pending: { ar: 'طلب دعم جديد', en: 'New support request' },
  accepted: { ar: 'قبل موظف دعم طلبك', en: 'A supporter accepted your request' },
  rejected: { ar: 'رُفض طلب الدعم', en: 'Your support request was rejected' },
  completed: { ar: 'اكتمل طلب الدعم', en: 'Your support request is complete' },
  cancelled: { ar: 'ألغى العميل طلب الدعم', en: 'The customer cancelled the support request' },
}

/**
 * Support requests: pending → accepted → completed, pending → rejected, pending|accepted →
 * cancelled. Every transition is one guarded UPDATE, so concurrent actions have one winner.
 */
export class SupportService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly notifications: NotificationService,
    private readonly calls: VideoCallService,
  ) {}

  async create(customer: AuthUser, input: { subject: string; description: string; priority?: Priority }) {
    const now = new Date(this.clock.now())
    const [request] = await this.db
      .insert(supportRequests)
      .values({
        id: newId('sr'),
        customerId: customer.id,
        priority: 'normal',
        ...input,
        status: 'pending',
        createdAt: now,
        updatedAt: now,
      })
      .returning()
    return request!
  }

  /** Customers see their own, supporters the pending ones and theirs, staff everything. */
  async list(user: AuthUser, filter: { status?: SupportRequestStatus; cursor?: string; limit: number }) {
    const rows = await this.db
      .select()
      .from(supportRequests)
      .where(
        and(
          this.visibleTo(user),
          filter.status ? eq(supportRequests.status, filter.status) : undefined,
          afterCursor(supportRequests.createdAt, supportRequests.id, decodeCursor(filter.cursor)),
        ),
      )
      .orderBy(desc(supportRequests.createdAt), desc(supportRequests.id))
      .limit(filter.limit + 1)
    return toPage(rows, filter.limit)
  }

  async get(user: AuthUser, id: string): Promise<SupportRequestRow> {
    const request = await this.db.query.supportRequests.findFirst({
      where: and(eq(supportRequests.id, id), this.visibleTo(user)),
    })
    if (!request) throw notFound('Support request')
    return request
  }

  /** Exactly one supporter wins a pending request; the video call is created in the same batch. */
  async accept(supporter: AuthUser, id: string) {
    const now = new Date(this.clock.now())
    const callId = newId('vc')
    const [claimed] = await this.db.batch([
      this.db
        .update(supportRequests)
        .set({ status: 'accepted', supporterId: supporter.id, updatedAt: now })
        .where(
          and(
            eq(supportRequests.id, id),
            eq(supportRequests.status, 'pending'),
            ne(supportRequests.customerId, supporter.id),
          ),
        ),
      this.db.run(sql`
        INSERT INTO ${videoCalls} (id, request_id, customer_id, supporter_id, room_id, status, created_at)
        SELECT ${callId}, id, customer_id, supporter_id, ${callRoomId(callId)}, 'created', ${now.getTime()}
        FROM ${supportRequests}
        WHERE id = ${id} AND status = 'accepted' AND supporter_id = ${supporter.id}
          AND NOT EXISTS (SELECT 1 FROM ${videoCalls} WHERE request_id = ${id})`),
    ])
    if (claimed.rowsAffected !== 1) throw await this.whyNot(supporter, id, 'accepted')
    const request = await this.get(supporter, id)
    const videoCall = await this.calls.get(supporter, callId)
    await this.tell(request.customerId, request, { videoCallId: callId, roomId: videoCall.roomId })
    return { request, videoCall }
  }

  async reject(supporter: AuthUser, id: string, reason?: string) {
    const request = await this.transition(supporter, id, 'rejected', ['pending'], { rejectReason: reason ?? null })
    await this.tell(request.customerId, request, reason ? { reason } : {})
    return request
  }

  async complete(supporter: AuthUser, id: string) {
    const request = await this.transition(
      supporter,
      id,
      'completed',
      ['accepted'],
      {},
      eq(supportRequests.supporterId, supporter.id),
    )
    await this.calls.endForRequest(id)
    await this.tell(request.customerId, request)
    return request
  }

  async cancel(customer: AuthUser, id: string) {
    const request = await this.transition(
      customer,
      id,
      'cancelled',
      ['pending', 'accepted'],
      {},
      eq(supportRequests.customerId, customer.id),
    )
    await this.calls.endForRequest(id)
    if (request.supporterId) await this.tell(request.supporterId, request)
    return request
  }

  private async transition(
    user: AuthUser,
    id: string,
    to: SupportRequestStatus,
    from: SupportRequestStatus[],
    extra: Partial<typeof supportRequests.$inferInsert>,
    actorGuard?: ReturnType<typeof eq>,
  ): Promise<SupportRequestRow> {
    const [updated] = await this.db
      .update(supportRequests)
      .set({ ...extra, status: to, updatedAt: new Date(this.clock.now()) })
      .where(and(eq(supportRequests.id, id), inArray(supportRequests.status, from), actorGuard))
      .returning()
    if (!updated) throw await this.whyNot(user, id, to)
    return updated
  }

  /**
   * After a guarded update changed nothing: 404 if the user could never see the request, 403 if
   * it is not theirs to act on, else 409. Supporters saw it while it was pending, so a request
   * another supporter took is a conflict for them, not a secret.
   */
  private async whyNot(user: AuthUser, id: string, to: SupportRequestStatus) {
    const request = await this.db.query.supportRequests.findFirst({ where: eq(supportRequests.id, id) })
    const isAgent = user.role === 'supporter' || staffMay(user, ['support', 'read'])
    if (!request || (!isAgent && request.customerId !== user.id)) return notFound('Support request')
    if (to === 'accepted' && request.customerId === user.id)
      return forbidden('You cannot accept your own support request')
    if (to === 'completed' && request.supporterId !== user.id)
      return forbidden('Only the assigned supporter can complete this request')
    if (to === 'cancelled' && request.customerId !== user.id)
      return forbidden('Only the customer who asked can cancel this request')
    return conflict('INVALID_STATE', `The request is ${request.status}; it cannot become ${to}`)
  }

  private async tell(userId: string, request: SupportRequestRow, data: Record<string, unknown> = {}) {
    await this.notifications.notify(userId, {
      type: `support_request.${request.status}`,
      title: statusNotes[request.status],
      body: request.subject,
      data: { requestId: request.id, ...data },
    })
  }

  private visibleTo(user: AuthUser) {
    if (staffMay(user, ['support', 'read'])) return undefined
    if (user.role === 'supporter')
      return or(
        eq(supportRequests.status, 'pending'),
        eq(supportRequests.supporterId, user.id),
        eq(supportRequests.customerId, user.id),
      )
    return eq(supportRequests.customerId, user.id)
  }
}
