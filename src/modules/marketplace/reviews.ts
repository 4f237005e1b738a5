import { and, count, desc, eq, sql, type SQL } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { users } from '../../db/schema/auth.ts'
import { providers, reviews } from '../../db/schema/marketplace.ts'
import type { AuthUser } from '../../access/policy.ts'
import { DomainError, conflict } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { dbErrorMentions } from '../../db/errors.ts'
import { newId } from '../../ids.ts'
import { ratingOf, type ProviderService } from './providers.ts'
import type { RequestService } from './requests.ts'

const reviewNotice = { type: 'request.reviewed', title: { ar: 'وصلك تقييم جديد', en: 'You received a new review' } }

/** One review per completed request, by its client; the provider's rating is recomputed in the same batch. */
export class ReviewService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly requests: RequestService,
    private readonly providers: ProviderService,
  ) {}

  async create(user: AuthUser, requestId: string, input: { rating: number; comment?: string }) {
    const request = await this.requests.get(user, requestId)
    if (request.clientId !== user.id) throw new DomainError('FORBIDDEN', 'Only the client reviews a request')
    if (request.status !== 'completed' || !request.providerId)
      throw conflict('INVALID_STATE', 'Only a completed request can be reviewed')
    const providerId = request.providerId
    const id = newId('rev')
    try {
      await this.db.batch([
        this.db.insert(reviews).values({
          id,
          requestId,
          providerId,
          clientId: user.id,
          rating: input.rating,
          comment: input.comment ?? null,
          createdAt: new Date(this.clock.now()),
        }),
        this.db
          .update(providers)
          .set({
            ratingCount: sql`(select count(*) from ${reviews} where ${reviews.providerId} = ${providerId})`,
            ratingSum: sql`(select coalesce(sum(${reviews.rating}), 0) from ${reviews} where ${reviews.providerId} = ${providerId})`,
          })
          .where(eq(providers.id, providerId)),
      ])
    } catch (error) {
      if (dbErrorMentions(error, 'UNIQUE constraint failed: reviews.request_id'))
        throw conflict('ALREADY_REVIEWED', 'You already reviewed this request')
      throw error
    }
    await this.requests.tell(
      await this.requests.providerUsers(request),
      reviewNotice,
      request,
      input.comment ?? `${input.rating}/5`,
    )
    const [review] = await this.list(providerId, { limit: 1 }, eq(reviews.id, id))
    return review!
  }

  async page(providerId: string, page: { cursor?: string; limit: number }) {
    await this.providers.requireListed(providerId)
    return toPage(
      await this.list(
        providerId,
        { limit: page.limit + 1 },
        afterCursor(reviews.createdAt, reviews.id, decodeCursor(page.cursor)),
      ),
      page.limit,
    )
  }

  /** `{ average, count, distribution }`: the stored totals (kept exact by create) and a count per star. */
  async rating(providerId: string) {
    const provider = await this.providers.requireListed(providerId)
    const rows = await this.db
      .select({ rating: reviews.rating, n: count() })
      .from(reviews)
      .where(eq(reviews.providerId, providerId))
      .groupBy(reviews.rating)
    const distribution = { 1: 0, 2: 0, 3: 0, 4: 0, 5: 0 }
    for (const row of rows) distribution[row.rating as keyof typeof distribution] = row.n
    return { ...ratingOf(provider), distribution }
  }

  private list(providerId: string, { limit }: { limit: number }, where: SQL | undefined) {
    return this.db
      .select({
        id: reviews.id,
        requestId: reviews.requestId,
        providerId: reviews.providerId,
        clientId: reviews.clientId,
        clientName: users.name,
        rating: reviews.rating,
        comment: reviews.comment,
        createdAt: reviews.createdAt,
      })
      .from(reviews)
      .innerJoin(users, eq(users.id, reviews.clientId))
      .where(and(eq(reviews.providerId, providerId), where))
      .orderBy(desc(reviews.createdAt), desc(reviews.id))
      .limit(limit)
  }
}
