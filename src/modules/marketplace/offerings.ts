import { and, desc, eq } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { services } from '../../db/schema/marketplace.ts'
import { notFound, invalid } from '../../errors/domain.ts'
import { newId } from '../../ids.ts'
import type { CatalogService } from './catalog.ts'

type ServiceRow = typeof services.$inferSelect
export const toServiceDto = (service: ServiceRow) => ({ ...service, currency: 'SAR' as const })

interface ServiceFields {
  title?: string
  description?: string | null
  subcategoryId?: string
  priceFrom?: number | null
  priceTo?: number | null
  isActive?: boolean
}

function checkPriceRange({ priceFrom, priceTo }: Pick<ServiceFields, 'priceFrom' | 'priceTo'>) {
  if (priceFrom != null && priceTo != null && priceFrom > priceTo) {
    throw invalid('INVALID_PRICE_RANGE', 'priceFrom must not be above priceTo', [
      { in: 'body', path: '/priceFrom', message: 'above priceTo' },
    ])
  }
}

/** The services a provider offers (what clients see on the provider's page while active). */
export class OfferingService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly catalog: CatalogService,
  ) {}

  async list(providerId: string, { activeOnly }: { activeOnly: boolean }) {
    const rows = await this.db
      .select()
      .from(services)
      .where(and(eq(services.providerId, providerId), activeOnly ? eq(services.isActive, true) : undefined))
      .orderBy(desc(services.createdAt), desc(services.id))
    return rows.map(toServiceDto)
  }

  async create(providerId: string, input: ServiceFields & { title: string; subcategoryId: string }) {
    checkPriceRange(input)
    await this.catalog.requireActive([input.subcategoryId])
    const now = new Date(this.clock.now())
    const [service] = await this.db
      .insert(services)
      .values({
        ...input,
        id: newId('svc'),
        providerId,
        isActive: input.isActive ?? true,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
    return toServiceDto(service!)
  }

  /** The provider's own service (404 for anyone else's), or any service for staff (providerId undefined). */
  async update(providerId: string | undefined, id: string, changes: ServiceFields) {
    const current = await this.owned(providerId, id)
    checkPriceRange({
      priceFrom: changes.priceFrom === undefined ? current.priceFrom : changes.priceFrom,
      priceTo: changes.priceTo === undefined ? current.priceTo : changes.priceTo,
    })
    if (changes.subcategoryId !== undefined) await this.catalog.requireActive([changes.subcategoryId])
    const [service] = await this.db
      .update(services)
      .set({ ...changes, updatedAt: new Date(this.clock.now()) })
      .where(eq(services.id, id))
      .returning()
    return toServiceDto(service!)
  }

  async remove(providerId: string, id: string) {
    await this.owned(providerId, id)
    await this.db.delete(services).where(eq(services.id, id))
  }

  private async owned(providerId: string | undefined, id: string): Promise<ServiceRow> {
    const service = await this.db.query.services.findFirst({
      where: and(eq(services.id, id), providerId === undefined ? undefined : eq(services.providerId, providerId)),
    })
    if (!service) throw notFound('Service')
    return service
  }
}
