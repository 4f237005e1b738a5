import { and, eq } from 'drizzle-orm'
import type { Database } from '../../db/client.ts'
import { providers, serviceRequests } from '../../db/schema/marketplace.ts'
import { cityKey } from './cities.ts'

/** Providers and requests stored before city keys existed get theirs, one update per distinct city (both indexed by city_key, so a start with nothing to fill reads nothing). */
export async function fillMissingCityKeys(db: Database): Promise<void> {
  for (const table of [providers, serviceRequests] as const) {
    const cities = await db.selectDistinct({ city: table.city }).from(table).where(eq(table.cityKey, ''))
    for (const { city } of cities)
      await db
        .update(table)
        .set({ cityKey: cityKey(city) })
        .where(and(eq(table.city, city), eq(table.cityKey, '')))
  }
}
