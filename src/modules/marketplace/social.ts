import { and, count, desc, eq, isNull } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { users } from '../../db/schema/auth.ts'
import {
  portfolioItems,
  portfolioLikes,
  providerFollows,
  providerLikes,
  providers,
} from '../../db/schema/marketplace.ts'
import { notFound } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { itemLikes, toItem } from './portfolio.ts'
import { toProviderSummary } from './providers.ts'

type MarkTable = typeof providerFollows | typeof providerLikes | typeof portfolioLikes
interface PageRequest {
  cursor?: string
  limit: number
}

/**
 * Following and liking providers, liking portfolio items. Each mark is one row per (user, target),
 * so repeating an action changes nothing, and counts are counted, never kept as counters.
 */
export class SocialService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async followProvider(userId: string, providerId: string, on: boolean) {
    await this.requireListedProvider(providerId)
    return { following: on, followers: await this.mark(providerFollows, userId, providerId, on) }
  }

  async likeProvider(userId: string, providerId: string, on: boolean) {
    await this.requireListedProvider(providerId)
    return { liked: on, likes: await this.mark(providerLikes, userId, providerId, on) }
  }

  async likePortfolioItem(userId: string, itemId: string, on: boolean) {
    const [item] = await this.db
      .select({ id: portfolioItems.id })
      .from(portfolioItems)
      .innerJoin(providers, eq(providers.id, portfolioItems.providerId))
      .where(and(eq(portfolioItems.id, itemId), eq(providers.isActive, true)))
    if (!item) throw notFound('Portfolio item')
    return { liked: on, likes: await this.mark(portfolioLikes, userId, itemId, on) }
  }

  /** Providers I follow (or like), most recent first. */
  async markedProviders(table: typeof providerFollows | typeof providerLikes, userId: string, page: PageRequest) {
    const rows = await this.db
      .select({ provider: providers, since: table.createdAt })
      .from(table)
      .innerJoin(providers, eq(providers.id, table.targetId))
      .where(and(eq(table.userId, userId), afterCursor(table.createdAt, table.targetId, decodeCursor(page.cursor))))
      .orderBy(desc(table.createdAt), desc(table.targetId))
      .limit(page.limit + 1)
    const { items, nextCursor } = toPage(
      rows.map((row) => ({ ...row, id: row.provider.id })),
      page.limit,
      (row) => row.since,
    )
    return { items: items.map((row) => toProviderSummary(row.provider)), nextCursor }
  }

  /** Who follows (or likes) a provider, most recent first. */
  async markers(table: typeof providerFollows | typeof providerLikes, providerId: string, page: PageRequest) {
    const rows = await this.db
      .select({ userId: table.userId, name: users.name, since: table.createdAt })
      .from(table)
      .innerJoin(users, eq(users.id, table.userId))
      .where(
        and(
          eq(table.targetId, providerId),
          isNull(users.deletedAt),
          afterCursor(table.createdAt, table.userId, decodeCursor(page.cursor)),
        ),
      )
      .orderBy(desc(table.createdAt), desc(table.userId))
      .limit(page.limit + 1)
    const { items, nextCursor } = toPage(
      rows.map((row) => ({ ...row, id: row.userId })),
      page.limit,
      (row) => row.since,
    )
    return { items: items.map(({ id: _id, ...fan }) => fan), nextCursor }
  }

  /** Portfolio items I liked, most recent first. */
  async favorites(userId: string, page: PageRequest) {
    const rows = await this.db
      .select({ item: portfolioItems, likes: itemLikes, since: portfolioLikes.createdAt })
      .from(portfolioLikes)
      .innerJoin(portfolioItems, eq(portfolioItems.id, portfolioLikes.targetId))
      .where(
        and(
          eq(portfolioLikes.userId, userId),
          afterCursor(portfolioLikes.createdAt, portfolioLikes.targetId, decodeCursor(page.cursor)),
        ),
      )
      .orderBy(desc(portfolioLikes.createdAt), desc(portfolioLikes.targetId))
      .limit(page.limit + 1)
    const { items, nextCursor } = toPage(
      rows.map((row) => ({ ...row, id: row.item.id })),
      page.limit,
      (row) => row.since,
    )
    return { items: items.map(({ item, likes }) => toItem(item, likes)), nextCursor }
  }

  private async mark(table: MarkTable, userId: string, targetId: string, on: boolean): Promise<number> {
    if (on)
      await this.db
        .insert(table)
        .values({ userId, targetId, createdAt: new Date(this.clock.now()) })
        .onConflictDoNothing()
    else await this.db.delete(table).where(and(eq(table.userId, userId), eq(table.targetId, targetId)))
    return this.count(table, targetId)
  }

  private async count(table: MarkTable, targetId: string): Promise<number> {
    const [row] = await this.db.select({ n: count() }).from(table).where(eq(table.targetId, targetId))
    return row?.n ?? 0
  }

  private async requireListedProvider(id: string) {
    const provider = await this.db.query.providers.findFirst({
      columns: { id: true, isActive: true },
      where: eq(providers.id, id),
    })
    if (!provider?.isActive) throw notFound('Provider')
  }
}
