import { and, count, desc, eq, exists, like, lte, sql, type SQL } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { dbErrorMentions } from '../../db/errors.ts'
import {
  providerFollows,
  providerLikes,
  providers,
  providerSubcategories,
  services,
  subcategories,
} from '../../db/schema/marketplace.ts'
import { DomainError, conflict, notFound } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { newId } from '../../ids.ts'
import type { UserService } from '../auth/public.ts'
import { toSubcategory, type CatalogService } from './catalog.ts'
import { toServiceDto } from './offerings.ts'
import { cityKey, cityNames } from './cities.ts'
import { ftsQuery, searchableText, searchTerms } from './search-text.ts'

export type ProviderRow = typeof providers.$inferSelect

export interface ProviderFilter {
  q?: string
  city?: string
  categoryId?: string
  subcategoryId?: string
  isActive?: boolean
  cursor?: string
  limit: number
}

export const ratingOf = (provider: Pick<ProviderRow, 'ratingCount' | 'ratingSum'>) => ({
  average: provider.ratingCount === 0 ? 0 : Math.round((provider.ratingSum / provider.ratingCount) * 100) / 100,
  count: provider.ratingCount,
})

const MAX_CITIES = 500

export const toProviderSummary = ({
  searchText: _searchText,
  cityKey: _cityKey,
  ratingCount,
  ratingSum,
  updatedAt: _updatedAt,
  ...provider
}: ProviderRow) => ({
  ...provider,
  rating: ratingOf({ ratingCount, ratingSum }),
})

/**
 * The provider's verified mark, for the verification module: granted until a date (in the batch
 * that settles the verification invoice, under its guard) and withdrawn once that date passed.
 */
export const providerVerification = (db: Database) => ({
  grant: (userId: string, { at, until }: { at: Date; until: Date }, onlyIf: SQL) =>
    db
      .update(providers)
      .set({ verified: true, verifiedUntil: until, updatedAt: at })
      .where(and(eq(providers.userId, userId), onlyIf)),
  expire: (userId: string, now: Date) =>
    db
      .update(providers)
      .set({ verified: false, updatedAt: now })
      .where(and(eq(providers.userId, userId), eq(providers.verified, true), lte(providers.verifiedUntil, now))),
})

/** From this many FTS matches on, scanning newest first beats fetching every match to sort it. */
const MANY_MATCHES = 1000

const searchTextOf = (displayName: string, bio: string | null) => searchableText(`${displayName} ${bio ?? ''}`.trim())

/** Provider profiles: registration, self-service, the public page and search. */
export class ProviderService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly catalog: CatalogService,
    private readonly users: UserService,
    private readonly searchMode: 'fts' | 'like',
  ) {}

  /** Any account, even phone_only, may become a provider; its role becomes `provider` at once. */
  async register(
    userId: string,
    input: { displayName: string; bio?: string; city: string; subcategoryIds?: string[] },
  ) {
    await this.catalog.requireActive(input.subcategoryIds ?? [])
    const now = new Date(this.clock.now())
    const id = newId('prv')
    try {
      await this.db.batch([
        this.db.insert(providers).values({
          id,
          userId,
          displayName: input.displayName,
          bio: input.bio ?? null,
          city: input.city.trim(),
          cityKey: cityKey(input.city),
          searchText: searchTextOf(input.displayName, input.bio ?? null),
          createdAt: now,
          updatedAt: now,
        }),
        ...(input.subcategoryIds ?? []).map((subcategoryId) =>
          this.db.insert(providerSubcategories).values({ providerId: id, subcategoryId }),
        ),
      ])
    } catch (error) {
      if (dbErrorMentions(error, 'UNIQUE constraint failed: providers.user_id'))
        throw conflict('ALREADY_PROVIDER', 'You already have a provider profile')
      throw error
    }
    await this.users.becomeProvider(userId)
    return this.page(id)
  }

  /** The caller's own provider profile (403 NOT_A_PROVIDER without one). */
  async mine(userId: string): Promise<ProviderRow> {
    const provider = await this.db.query.providers.findFirst({ where: eq(providers.userId, userId) })
    if (!provider)
      throw new DomainError('NOT_A_PROVIDER', 'Register as a provider first (POST /api/v1/providers/register)')
    return provider
  }

  async find(id: string): Promise<ProviderRow | undefined> {
    return this.db.query.providers.findFirst({ where: eq(providers.id, id) })
  }

  /** A listed provider (active); 404 otherwise. */
  async requireListed(id: string): Promise<ProviderRow> {
    const provider = await this.find(id)
    if (!provider?.isActive) throw notFound('Provider')
    return provider
  }

  /** The public page: profile, subcategories, followers, likes, rating and active services. */
  async page(id: string, { includeInactive = false } = {}) {
    const provider = await this.find(id)
    if (!provider || (!provider.isActive && !includeInactive)) throw notFound('Provider')
    const [subs, [followers], [likes], active] = await this.db.batch([
      this.db
        .select({ subcategory: subcategories })
        .from(providerSubcategories)
        .innerJoin(subcategories, eq(subcategories.id, providerSubcategories.subcategoryId))
        .where(eq(providerSubcategories.providerId, id)),
      this.db.select({ n: count() }).from(providerFollows).where(eq(providerFollows.targetId, id)),
      this.db.select({ n: count() }).from(providerLikes).where(eq(providerLikes.targetId, id)),
      this.db
        .select()
        .from(services)
        .where(and(eq(services.providerId, id), eq(services.isActive, true)))
        .orderBy(desc(services.createdAt)),
    ])
    return {
      ...toProviderSummary(provider),
      subcategories: subs.map((row) => toSubcategory(row.subcategory)),
      followers: followers?.n ?? 0,
      likes: likes?.n ?? 0,
      services: active.map(toServiceDto),
    }
  }

  async update(userId: string, changes: { displayName?: string; bio?: string | null; city?: string }) {
    const provider = await this.mine(userId)
    const displayName = changes.displayName ?? provider.displayName
    const bio = changes.bio === undefined ? provider.bio : changes.bio
    await this.db
      .update(providers)
      .set({
        ...changes,
        city: changes.city?.trim(),
        cityKey: changes.city === undefined ? undefined : cityKey(changes.city),
        searchText: searchTextOf(displayName, bio),
        updatedAt: new Date(this.clock.now()),
      })
      .where(eq(providers.id, provider.id))
    return this.page(provider.id, { includeInactive: true })
  }

  async subcategoriesOf(providerId: string) {
    const rows = await this.db
      .select({ subcategory: subcategories })
      .from(providerSubcategories)
      .innerJoin(subcategories, eq(subcategories.id, providerSubcategories.subcategoryId))
      .where(eq(providerSubcategories.providerId, providerId))
    return rows.map((row) => toSubcategory(row.subcategory))
  }

  /** Replaces the provider's subcategories in one transaction. */
  async setSubcategories(userId: string, subcategoryIds: string[]) {
    const provider = await this.mine(userId)
    await this.catalog.requireActive(subcategoryIds)
    await this.db.batch([
      this.db.delete(providerSubcategories).where(eq(providerSubcategories.providerId, provider.id)),
      ...subcategoryIds.map((subcategoryId) =>
        this.db.insert(providerSubcategories).values({ providerId: provider.id, subcategoryId }),
      ),
    ])
    return this.subcategoriesOf(provider.id)
  }

  async setActive(id: string, isActive: boolean) {
    const [provider] = await this.db
      .update(providers)
      .set({ isActive, updatedAt: new Date(this.clock.now()) })
      .where(eq(providers.id, id))
      .returning()
    if (!provider) throw notFound('Provider')
    return toProviderSummary(provider)
  }

  /** The cities listed providers are in, most providers first, each once however it was spelled. */
  async cities() {
    const rows = await this.db
      .select({ key: providers.cityKey, asWritten: sql<string>`min(${providers.city})`, providers: count() })
      .from(providers)
      .where(eq(providers.isActive, true))
      .groupBy(providers.cityKey)
      .orderBy(desc(count()), providers.cityKey)
      .limit(MAX_CITIES)
    return rows.map(({ key, asWritten, providers }) => ({ key, ...cityNames(key, asWritten), providers }))
  }

  /** Newest first; `q` matches words of the name and bio (prefixes), through FTS5 or a LIKE scan. */
  async search(filter: ProviderFilter) {
    const matches = filter.q === undefined ? undefined : await this.matches(filter.q)
    const rows = await this.db
      .select()
      .from(providers)
      .where(
        and(
          filter.isActive === undefined ? undefined : eq(providers.isActive, filter.isActive),
          matches,
          filter.city === undefined ? undefined : eq(providers.cityKey, cityKey(filter.city)),
          // Correlated EXISTS: checked per row of the newest-first scan, which stops after a page,
          // where IN (…) would first gather every provider of a large category.
          filter.subcategoryId === undefined
            ? undefined
            : exists(
                this.db
                  .select({ one: sql`1` })
                  .from(providerSubcategories)
                  .where(
                    and(
                      eq(providerSubcategories.providerId, providers.id),
                      eq(providerSubcategories.subcategoryId, filter.subcategoryId),
                    ),
                  ),
              ),
          filter.categoryId === undefined
            ? undefined
            : exists(
                this.db
                  .select({ one: sql`1` })
                  .from(providerSubcategories)
                  .innerJoin(subcategories, eq(subcategories.id, providerSubcategories.subcategoryId))
                  .where(
                    and(
                      eq(providerSubcategories.providerId, providers.id),
                      eq(subcategories.categoryId, filter.categoryId),
                    ),
                  ),
              ),
          afterCursor(providers.createdAt, providers.id, decodeCursor(filter.cursor)),
        ),
      )
      .orderBy(desc(providers.createdAt), desc(providers.id))
      .limit(filter.limit + 1)
    const { items, nextCursor } = toPage(rows, filter.limit)
    return { items: items.map(toProviderSummary), nextCursor }
  }

  /**
   * The condition for `q`. With FTS5 the plan depends on how many providers match: a few are
   * fetched by rowid and sorted; many (a common word) would mean fetching and sorting thousands
   * for one page, so then the newest-first scan runs instead and stops after a page, checking
   * each row against the matches (`+rowid` keeps SQLite from driving the query by rowid).
   * A bounded count decides; see the search benchmark for both cases.
   */
  private async matches(query: string): Promise<SQL> {
    const terms = searchTerms(query)
    if (terms.length === 0) return sql`0`
    // Terms are letters and digits only, so they carry no LIKE wildcards.
    if (this.searchMode === 'like') return and(...terms.map((term) => like(providers.searchText, `%${term}%`)))!
    const match = ftsQuery(terms)
    const [counted] = await this.db.all<{ n: number }>(
      sql`select count(*) as n from (select rowid from providers_fts where providers_fts match ${match} limit ${MANY_MATCHES})`,
    )
    const rowid = (counted?.n ?? 0) >= MANY_MATCHES ? sql`+${providers}.rowid` : sql`${providers}.rowid`
    return sql`${rowid} in (select rowid from providers_fts where providers_fts match ${match})`
  }
}
