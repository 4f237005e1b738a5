import { and, desc, eq, sql } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { offers, serviceRequests } from '../../db/schema/marketplace.ts'
import { staffMay, type AuthUser } from '../../access/policy.ts'
import { conflict, notFound } from '../../errors/domain.ts'
import { dbErrorMentions } from '../../db/errors.ts'
import { newId } from '../../ids.ts'
import type { ProviderService } from './providers.ts'
import { toRequestDto, type Notice, type RequestService } from './requests.ts'

type OfferRow = typeof offers.$inferSelect
const toOfferDto = (offer: OfferRow) => ({ ...offer, currency: 'SAR' as const })

const offerNotices: Record<'offer' | 'accepted' | 'rejected', Notice> = {
  offer: { type: 'request.offer', title: { ar: 'عرض جديد على طلبك', en: 'A new offer on your request' } },
  accepted: { type: 'request.offer_accepted', title: { ar: 'قُبل عرضك', en: 'Your offer was accepted' } },
  rejected: {
    type: 'request.offer_rejected',
    title: { ar: 'اختار العميل عرضًا آخر', en: 'The client chose another offer' },
  },
}

/** Offers on competitive requests: one per provider; the client accepts exactly one. */
export class OfferService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly providers: ProviderService,
    private readonly requests: RequestService,
  ) {}

  async create(user: AuthUser, requestId: string, input: { price: number; etaDays?: number; note?: string }) {
    const provider = await this.providers.mine(user.id)
    const request = await this.requests.get(user, requestId)
    if (request.type !== 'competitive') throw conflict('INVALID_STATE', 'Only competitive requests take offers')
    await this.requests.requireEligible(user, provider, request)
    const id = newId('ofr')
    try {
      // Stored only while the request still takes offers.
      await this.db.run(sql`
        INSERT INTO ${offers} (id, request_id, provider_id, price, eta_days, note, status, created_at)
        SELECT ${id}, ${requestId}, ${provider.id}, ${input.price}, ${input.etaDays ?? null}, ${input.note ?? null}, 'pending', ${this.clock.now()}
        FROM ${serviceRequests} WHERE ${serviceRequests.id} = ${requestId} AND ${serviceRequests.status} = 'sent'`)
    } catch (error) {
      if (dbErrorMentions(error, 'UNIQUE constraint failed: offers.request_id, offers.provider_id'))
        throw conflict('ALREADY_OFFERED', 'You already made an offer on this request')
      throw error
    }
    const offer = await this.db.query.offers.findFirst({ where: eq(offers.id, id) })
    if (!offer) throw conflict('INVALID_STATE', 'This request no longer takes offers')
    await this.requests.tell([request.clientId], offerNotices.offer, request)
    return toOfferDto(offer)
  }

  /** The client and staff see every offer; a provider only its own. */
  async list(user: AuthUser, requestId: string) {
    const request = await this.requests.get(user, requestId)
    const seesAll = request.clientId === user.id || staffMay(user, ['marketplace', 'read'])
    const own = seesAll ? undefined : (await this.providers.mine(user.id)).id
    const rows = await this.db
      .select()
      .from(offers)
      .where(and(eq(offers.requestId, requestId), own ? eq(offers.providerId, own) : undefined))
      .orderBy(desc(offers.createdAt), desc(offers.id))
    return rows.map(toOfferDto)
  }

  /**
   * The client accepts one offer: in one batch the request becomes accepted with that provider
   * (only from `sent`, so of two racing accepts one wins), then the winner is marked accepted and
   * every other pending offer rejected, only if this offer is the one the request took.
   */
  async accept(user: AuthUser, offerId: string) {
    const offer = await this.db.query.offers.findFirst({ where: eq(offers.id, offerId) })
    if (!offer) throw notFound('Offer')
    const settleOffers = sql`
      UPDATE ${offers} SET status = CASE WHEN id = ${offerId} THEN 'accepted' ELSE 'rejected' END
      WHERE request_id = ${offer.requestId} AND status = 'pending'
        AND EXISTS (SELECT 1 FROM ${serviceRequests} WHERE ${serviceRequests.id} = ${offer.requestId} AND ${serviceRequests.acceptedOfferId} = ${offerId})`
    const losers = await this.db
      .select({ providerId: offers.providerId })
      .from(offers)
      .where(and(eq(offers.requestId, offer.requestId), eq(offers.status, 'pending')))
    const accepted = await this.requests.change(
      user,
      offer.requestId,
      {
        to: 'accepted',
        actorId: user.id,
        guard: and(
          eq(serviceRequests.type, 'competitive'),
          eq(serviceRequests.clientId, user.id),
          sql`exists (select 1 from ${offers} where ${offers.id} = ${offerId} and ${offers.status} = 'pending')`,
        ),
        set: { providerId: offer.providerId, acceptedOfferId: offerId },
      },
      [settleOffers],
    )
    const winner = await this.providers.find(offer.providerId)
    await this.requests.tell(winner ? [winner.userId] : [], offerNotices.accepted, accepted)
    const others = await Promise.all(
      losers.filter((row) => row.providerId !== offer.providerId).map((row) => this.providers.find(row.providerId)),
    )
    await this.requests.tell(
      others.flatMap((provider) => (provider ? [provider.userId] : [])),
      offerNotices.rejected,
      accepted,
    )
    return { request: toRequestDto(accepted), offer: toOfferDto({ ...offer, status: 'accepted' }) }
  }
}
