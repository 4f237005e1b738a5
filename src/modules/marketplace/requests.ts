import { and, asc, desc, eq, exists, gt, inArray, isNotNull, isNull, ne, or, sql, type SQL } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { containsText } from '../../db/contains.ts'
import {
  providers,
  providerSubcategories,
  requestHistory,
  serviceRequests,
  type RequestStatus,
  type RequestType,
} from '../../db/schema/marketplace.ts'
import { staffMay, type AuthUser, type StaffLevel } from '../../access/policy.ts'
import { DomainError, conflict, notFound, invalid } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { newId } from '../../ids.ts'
import type { JobScheduler } from '../../jobs/scheduler.ts'
import type { NotificationService } from '../notifications/public.ts'
import type { CatalogService } from './catalog.ts'
import type { ProviderRow, ProviderService } from './providers.ts'
import { cityKey } from './cities.ts'

export type RequestRow = typeof serviceRequests.$inferSelect
export const toRequestDto = ({ cityKey: _cityKey, ...request }: RequestRow) => ({
  ...request,
  currency: 'SAR' as const,
})

const URGENT_TTL_MS = 30 * 60 * 1000
const EXPIRE_JOB = 'service-request.expire'
const expireJobKey = (id: string) => `service-request-expire:${id}`

/** The state machine: which statuses each status may be reached from. */
const reachableFrom: Record<RequestStatus, readonly RequestStatus[]> = {
  sent: [],
  accepted: ['sent'],
  rejected: ['sent'],
  in_progress: ['accepted'],
  completed: ['in_progress'],
  cancelled: ['sent', 'accepted'],
  expired: ['sent'],
}

/** What the realtime side does once a request changed. */
export interface RequestEvents {
  updated(request: RequestRow): void
}

interface Transition {
  to: RequestStatus
  actorId: string | null
  note?: string
  /** Who may make it, beyond the state machine, as SQL over service_requests. */
  guard?: SQL
  set?: { providerId?: string | SQL; acceptedOfferId?: string }
}

export interface Notice {
  type: string
  title: { ar: string; en: string }
}

const notices = {
  new: { type: 'request.new', title: { ar: 'طلب خدمة جديد لك', en: 'A new service request for you' } },
  available: {
    type: 'request.available',
    title: { ar: 'طلب خدمة جديد في تخصصك', en: 'A new service request in your field' },
  },
  accepted: { type: 'request.accepted', title: { ar: 'قُبل طلبك', en: 'Your request was accepted' } },
  claimed: {
    type: 'request.claimed',
    title: { ar: 'تولّى مقدّم خدمة طلبك العاجل', en: 'A provider took your urgent request' },
  },
  rejected: { type: 'request.rejected', title: { ar: 'اعتذر مقدّم الخدمة عن طلبك', en: 'Your request was declined' } },
  in_progress: { type: 'request.started', title: { ar: 'بدأ العمل على طلبك', en: 'Work on your request has started' } },
  completed: {
    type: 'request.completed',
    title: { ar: 'اكتمل طلبك؛ قيّم الخدمة', en: 'Your request is complete: rate the service' },
  },
  cancelled: { type: 'request.cancelled', title: { ar: 'أُلغي الطلب', en: 'The request was cancelled' } },
  expired: {
    type: 'request.expired',
    title: { ar: 'انتهت مهلة طلبك العاجل دون أن يتولاه أحد', en: 'Your urgent request expired without a taker' },
  },
} satisfies Record<string, Notice>

const isStaffReader = (user: AuthUser, level: StaffLevel = 'read') => staffMay(user, ['marketplace', level])

/**
 * Service requests of the three types and their state machine. Every transition is one batch: a
 * history row inserted only if the guarded state holds, then the update tied to that row, so a
 * race has exactly one winner and every change has its history entry.
 */
export class RequestService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly catalog: CatalogService,
    private readonly providers: ProviderService,
    private readonly notifications: NotificationService,
    private readonly scheduler: JobScheduler,
    private readonly events: RequestEvents,
  ) {
    scheduler.register(EXPIRE_JOB, async ({ requestId }) => {
      const expired = await this.transition(String(requestId), {
        to: 'expired',
        actorId: null,
        guard: eq(serviceRequests.type, 'urgent'),
      })
      if (!expired) return
      this.events.updated(expired)
      await this.tell([expired.clientId], notices.expired, expired)
    })
  }

  async create(
    client: AuthUser,
    input: {
      type: RequestType
      title: string
      description: string
      subcategoryId: string
      city: string
      providerId?: string
      budget?: number
    },
  ) {
    await this.catalog.requireActive([input.subcategoryId])
    const provider = await this.chosenProvider(client, input)
    const now = this.clock.now()
    const id = newId('req')
    const [[request]] = await this.db.batch([
      this.db
        .insert(serviceRequests)
        .values({
          ...input,
          id,
          city: input.city.trim(),
          cityKey: cityKey(input.city),
          clientId: client.id,
          status: 'sent',
          providerId: provider?.id ?? null,
          budget: input.budget ?? null,
          expiresAt: input.type === 'urgent' ? new Date(now + URGENT_TTL_MS) : null,
          createdAt: new Date(now),
          updatedAt: new Date(now),
        })
        .returning(),
      this.db
        .insert(requestHistory)
        .values({ id: newId('rqh'), requestId: id, status: 'sent', actorId: client.id, note: null, at: new Date(now) }),
    ])
    if (request!.expiresAt)
      await this.scheduler.schedule({
        kind: EXPIRE_JOB,
        key: expireJobKey(id),
        runAt: request!.expiresAt,
        payload: { requestId: id },
      })
    if (provider) await this.tell([provider.userId], notices.new, request!)
    else await this.tell(await this.matchingProviderUsers(request!), notices.available, request!)
    return request!
  }

  /** The client, the assigned provider, staff with the marketplace module, and providers who may offer or claim see it. */
  async get(user: AuthUser, id: string): Promise<RequestRow> {
    const request = await this.find(id)
    if (!request || !(await this.maySee(user, request))) throw notFound('Service request')
    return request
  }

  async list(
    client: AuthUser,
    filter: { status?: RequestStatus; type?: RequestType; q?: string; cursor?: string; limit: number },
  ) {
    return this.page(
      and(
        eq(serviceRequests.clientId, client.id),
        filter.type && eq(serviceRequests.type, filter.type),
        filter.q ? this.textMatches(filter.q) : undefined,
      ),
      filter,
    )
  }

  async staffList(filter: { status?: RequestStatus; type?: RequestType; q?: string; cursor?: string; limit: number }) {
    return this.page(
      and(filter.type && eq(serviceRequests.type, filter.type), filter.q ? this.textMatches(filter.q) : undefined),
      filter,
    )
  }

  /** Requests assigned to the caller's provider profile. */
  async assigned(user: AuthUser, filter: { status?: RequestStatus; cursor?: string; limit: number }) {
    const provider = await this.providers.mine(user.id)
    return this.page(eq(serviceRequests.providerId, provider.id), filter)
  }

  /** Open competitive and urgent requests in the caller's subcategories and city. */
  async available(user: AuthUser, filter: { type?: 'urgent' | 'competitive'; cursor?: string; limit: number }) {
    const provider = await this.providers.mine(user.id)
    return this.page(
      and(
        this.openTo(provider),
        ne(serviceRequests.clientId, user.id),
        filter.type ? eq(serviceRequests.type, filter.type) : inArray(serviceRequests.type, ['urgent', 'competitive']),
      ),
      filter,
    )
  }

  async history(user: AuthUser, id: string) {
    await this.get(user, id)
    const rows = await this.db
      .select()
      .from(requestHistory)
      .where(eq(requestHistory.requestId, id))
      .orderBy(asc(requestHistory.at), asc(requestHistory.id))
    return rows.map(({ status, actorId, note, at }) => ({ status, actorId, note, at }))
  }

  /** A normal request's provider accepts or rejects it. */
  async decide(user: AuthUser, id: string, to: 'accepted' | 'rejected', note?: string) {
    const provider = await this.providers.mine(user.id)
    const request = await this.change(user, id, {
      to,
      actorId: user.id,
      note,
      guard: and(eq(serviceRequests.type, 'normal'), eq(serviceRequests.providerId, provider.id)),
    })
    await this.tell([request.clientId], notices[to], request, note)
    return request
  }

  /** An urgent request goes to the first eligible provider who claims it before it expires. */
  async claim(user: AuthUser, id: string) {
    const provider = await this.providers.mine(user.id)
    // Every provider in the field may see an urgent request while it is open; the losers of a race must hear 409, not 404.
    const open = await this.find(id)
    if (!open || (open.type !== 'urgent' && !(await this.maySee(user, open)))) throw notFound('Service request')
    if (open.type !== 'urgent')
      throw conflict('INVALID_TRANSITION', 'Only urgent requests are claimed; competitive ones take offers')
    await this.requireEligible(user, provider, open)
    const request = await this.apply(id, {
      to: 'accepted',
      actorId: user.id,
      guard: and(
        eq(serviceRequests.type, 'urgent'),
        isNull(serviceRequests.providerId),
        gt(serviceRequests.expiresAt, new Date(this.clock.now())),
      ),
      set: { providerId: provider.id },
    })
    if (!request) throw await this.whyUnclaimable(id)
    await this.scheduler.cancel([expireJobKey(id)])
    await this.tell([request.clientId], notices.claimed, request)
    return request
  }

  /** Why a claim found the request no longer open: another provider took it first, it expired, or it was closed. */
  private async whyUnclaimable(id: string) {
    const now = await this.find(id)
    if (now?.providerId) return conflict('ALREADY_TAKEN', 'Another provider took this request first')
    if (now?.status === 'sent') return conflict('INVALID_TRANSITION', 'This urgent request has expired')
    return conflict('INVALID_TRANSITION', `The request is ${now?.status ?? 'gone'}; it can no longer be claimed`)
  }

  /** The assigned provider starts, then completes the work. */
  async progress(user: AuthUser, id: string, to: 'in_progress' | 'completed', note?: string) {
    const provider = await this.providers.mine(user.id)
    const request = await this.change(user, id, {
      to,
      actorId: user.id,
      note,
      guard: eq(serviceRequests.providerId, provider.id),
    })
    await this.tell([request.clientId], notices[to], request, note)
    return request
  }

  async cancel(user: AuthUser, id: string, note?: string) {
    const request = await this.change(user, id, {
      to: 'cancelled',
      actorId: user.id,
      note,
      guard: eq(serviceRequests.clientId, user.id),
    })
    await this.scheduler.cancel([expireJobKey(id)])
    await this.tell(await this.providerUsers(request), notices.cancelled, request, note)
    return request
  }

  /** Staff move a request along the same state machine; both sides hear of it. */
  async staffTransition(user: AuthUser, id: string, to: Exclude<RequestStatus, 'sent'>, note?: string) {
    const guard =
      to === 'accepted' || to === 'in_progress' || to === 'completed'
        ? isNotNull(serviceRequests.providerId)
        : undefined
    const request = await this.change(user, id, { to, actorId: user.id, note, guard })
    if (to === 'cancelled' || to === 'expired' || to === 'rejected') await this.scheduler.cancel([expireJobKey(id)])
    await this.tell([request.clientId, ...(await this.providerUsers(request))], notices[to], request, note)
    return request
  }

  /** Whether the user may read and write the request's chat (staff only read it here). */
  async isParticipant(user: AuthUser, request: RequestRow): Promise<boolean> {
    if (request.clientId === user.id) return true
    if (!request.providerId) return false
    const provider = await this.providers.find(request.providerId)
    return provider?.userId === user.id
  }

  async providerUsers(request: RequestRow): Promise<string[]> {
    const provider = request.providerId ? await this.providers.find(request.providerId) : undefined
    return provider ? [provider.userId] : []
  }

  async requireEligible(user: AuthUser, provider: ProviderRow, request: RequestRow) {
    if (request.clientId === user.id) throw new DomainError('OWN_REQUEST', 'You cannot answer your own request')
    const [match] = await this.db
      .select({ id: serviceRequests.id })
      .from(serviceRequests)
      .where(and(eq(serviceRequests.id, request.id), this.inFieldOf(provider)))
    if (!match) throw new DomainError('NOT_ELIGIBLE', 'This request is outside your subcategories or city')
  }

  /** Applies a guarded transition, or explains with 404 (not visible), 409 (wrong state) or 403 (not yours). */
  async change(user: AuthUser, id: string, transition: Transition, alsoRun: SQL[] = []): Promise<RequestRow> {
    const changed = await this.apply(id, transition, alsoRun)
    if (changed) return changed
    const request = await this.get(user, id)
    if (!reachableFrom[transition.to].includes(request.status)) {
      throw conflict('INVALID_TRANSITION', `A ${request.status} request cannot become ${transition.to}`)
    }
    if (isStaffReader(user) && !request.providerId)
      throw conflict('NOT_ASSIGNED', 'No provider is assigned to this request yet')
    throw new DomainError('FORBIDDEN', 'This step belongs to the other side of the request')
  }

  /** Applies the transition if it holds, and tells the request's channel. */
  private async apply(id: string, transition: Transition, alsoRun: SQL[] = []): Promise<RequestRow | null> {
    const changed = await this.transition(id, transition, alsoRun)
    if (changed) this.events.updated(changed)
    return changed
  }

  /**
   * One batch: the history row if the request is in a state the target is reachable from (and the
   * guard holds), then the update tied to it, then `alsoRun` (statements that check the outcome themselves).
   */
  private async transition(
    id: string,
    { to, actorId, note, guard, set }: Transition,
    alsoRun: SQL[] = [],
  ): Promise<RequestRow | null> {
    const now = this.clock.now()
    const historyId = newId('rqh')
    const allowed = and(eq(serviceRequests.id, id), inArray(serviceRequests.status, reachableFrom[to]), guard)
    const [, updated] = await this.db.batch([
      this.db.run(sql`
        INSERT INTO ${requestHistory} (id, request_id, status, actor_id, note, at)
        SELECT ${historyId}, ${serviceRequests.id}, ${to}, ${actorId}, ${note ?? null}, ${now} FROM ${serviceRequests} WHERE ${allowed}`),
      this.db
        .update(serviceRequests)
        .set({ ...set, status: to, updatedAt: new Date(now) })
        .where(
          and(
            eq(serviceRequests.id, id),
            exists(
              this.db.select({ id: requestHistory.id }).from(requestHistory).where(eq(requestHistory.id, historyId)),
            ),
          ),
        )
        .returning(),
      ...alsoRun.map((statement) => this.db.run(statement)),
    ])
    return updated[0] ?? null
  }

  async tell(userIds: string[], notice: Notice, request: RequestRow, note?: string) {
    await this.notifications.notifyAll(userIds, {
      type: notice.type,
      title: notice.title,
      body: note ?? request.title,
      data: { requestId: request.id },
    })
  }

  private async chosenProvider(
    client: AuthUser,
    input: { type: RequestType; providerId?: string },
  ): Promise<ProviderRow | null> {
    if (input.type !== 'normal') {
      if (input.providerId)
        throw invalid(
          'VALIDATION_FAILED',
          `A ${input.type} request goes to every matching provider; leave providerId out`,
          [{ in: 'body', path: '/providerId', message: 'only for normal requests' }],
        )
      return null
    }
    if (!input.providerId)
      throw invalid('VALIDATION_FAILED', 'A normal request names its provider', [
        { in: 'body', path: '/providerId', message: 'required for normal requests' },
      ])
    const provider = await this.providers.find(input.providerId)
    if (!provider?.isActive)
      throw invalid('INVALID_PROVIDER', 'That provider does not exist or is not listed', [
        { in: 'body', path: '/providerId', message: 'unknown provider' },
      ])
    if (provider.userId === client.id) throw new DomainError('OWN_REQUEST', 'You cannot send a request to yourself')
    return provider
  }

  private find(id: string): Promise<RequestRow | undefined> {
    return this.db.query.serviceRequests.findFirst({ where: eq(serviceRequests.id, id) })
  }

  private async matchingProviderUsers(request: RequestRow): Promise<string[]> {
    const rows = await this.db
      .select({ userId: providers.userId })
      .from(providers)
      .innerJoin(providerSubcategories, eq(providerSubcategories.providerId, providers.id))
      .where(
        and(
          eq(providerSubcategories.subcategoryId, request.subcategoryId),
          eq(providers.cityKey, request.cityKey),
          eq(providers.isActive, true),
          ne(providers.userId, request.clientId),
        ),
      )
    return rows.map((row) => row.userId)
  }

  private async maySee(user: AuthUser, request: RequestRow): Promise<boolean> {
    if (request.clientId === user.id || isStaffReader(user)) return true
    const provider = await this.db.query.providers.findFirst({ where: eq(providers.userId, user.id) })
    if (!provider) return false
    if (request.providerId === provider.id) return true
    if (request.type === 'normal' || request.status !== 'sent') return false
    const [open] = await this.db
      .select({ id: serviceRequests.id })
      .from(serviceRequests)
      .where(and(eq(serviceRequests.id, request.id), this.openTo(provider)))
    return open !== undefined
  }

  /** In the provider's subcategories and city. */
  private inFieldOf(provider: ProviderRow): SQL {
    return and(
      eq(serviceRequests.cityKey, provider.cityKey),
      inArray(
        serviceRequests.subcategoryId,
        this.db
          .select({ id: providerSubcategories.subcategoryId })
          .from(providerSubcategories)
          .where(eq(providerSubcategories.providerId, provider.id)),
      ),
    )!
  }

  /** Still taking offers or a claim, and in the provider's field. */
  private openTo(provider: ProviderRow): SQL {
    return and(
      eq(serviceRequests.status, 'sent'),
      or(isNull(serviceRequests.expiresAt), gt(serviceRequests.expiresAt, new Date(this.clock.now()))),
      this.inFieldOf(provider),
    )!
  }

  private textMatches(q: string): SQL {
    return containsText(q, serviceRequests.title, serviceRequests.description)
  }

  private async page(where: SQL | undefined, filter: { status?: RequestStatus; cursor?: string; limit: number }) {
    const rows = await this.db
      .select()
      .from(serviceRequests)
      .where(
        and(
          where,
          filter.status && eq(serviceRequests.status, filter.status),
          afterCursor(serviceRequests.createdAt, serviceRequests.id, decodeCursor(filter.cursor)),
        ),
      )
      .orderBy(desc(serviceRequests.createdAt), desc(serviceRequests.id))
      .limit(filter.limit + 1)
    const { items, nextCursor } = toPage(rows, filter.limit)
    return { items: items.map(toRequestDto), nextCursor }
  }
}
