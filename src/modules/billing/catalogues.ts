import { asc, eq } from 'drizzle-orm'
import type { SQLiteColumn, SQLiteTableWithColumns } from 'drizzle-orm/sqlite-core'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { dbErrorMentions } from '../../db/errors.ts'
import { coinPacks, extras, plans } from '../../db/schema/billing.ts'
import { conflict, notFound } from '../../errors/domain.ts'
import { newId } from '../../ids.ts'
import { CURRENCY } from './invoices.ts'

type CatalogueTable = SQLiteTableWithColumns<{
  name: string
  schema: undefined
  dialect: 'sqlite'
  columns: { isActive: SQLiteColumn; amount: SQLiteColumn; createdAt: SQLiteColumn } & Record<string, SQLiteColumn>
}>

/**
 * One priced catalogue (plans, extras or coin packs): the public sees the active entries, staff
 * with the billing module see and change all of them. Entries are never deleted (invoices name
 * them); deactivating one hides it from sale.
 */
class Catalogue<Row extends { isActive: boolean }, Create extends object> {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly table: CatalogueTable,
    private readonly key: SQLiteColumn,
    private readonly label: string,
    private readonly newKey: (values: Create) => Record<string, string>,
  ) {}

  async list(includeInactive = false): Promise<Row[]> {
    return (await this.db
      .select()
      .from(this.table)
      .where(includeInactive ? undefined : eq(this.table.isActive, true))
      .orderBy(asc(this.table.amount), asc(this.table.createdAt))) as unknown as Row[]
  }

  /** An entry on sale (404 for an unknown or inactive one). */
  async onSale(key: string): Promise<Row> {
    const row = await this.get(key)
    if (!row.isActive) throw notFound(this.label)
    return row
  }

  async get(key: string): Promise<Row> {
    const [row] = (await this.db.select().from(this.table).where(eq(this.key, key))) as unknown as Row[]
    if (!row) throw notFound(this.label)
    return row
  }

  async create(values: Create): Promise<Row> {
    try {
      const [row] = await this.db
        .insert(this.table)
        .values({
          ...values,
          ...this.newKey(values),
          currency: CURRENCY,
          createdAt: new Date(this.clock.now()),
        } as never)
        .returning()
      return row as unknown as Row
    } catch (error) {
      if (dbErrorMentions(error, 'UNIQUE'))
        throw conflict('SKU_TAKEN', `A ${this.label.toLowerCase()} with this key exists`)
      throw error
    }
  }

  async update(key: string, patch: Partial<Create>): Promise<Row> {
    const [row] = await this.db
      .update(this.table)
      .set(patch as never)
      .where(eq(this.key, key))
      .returning()
    if (!row) throw notFound(this.label)
    return row as unknown as Row
  }
}

export type PlanRow = typeof plans.$inferSelect
export type ExtraRow = typeof extras.$inferSelect
export type CoinPackRow = typeof coinPacks.$inferSelect
type Editable<Row> = Omit<Row, 'currency' | 'createdAt' | 'isActive'> & { isActive?: boolean }

export const billingCatalogues = (db: Database, clock: Clock) => ({
  plans: new Catalogue<PlanRow, Omit<Editable<PlanRow>, 'id'>>(db, clock, plans as never, plans.id, 'Plan', () => ({
    id: newId('plan'),
  })),
  extras: new Catalogue<ExtraRow, Editable<ExtraRow>>(db, clock, extras as never, extras.sku, 'Extra', () => ({})),
  coinPacks: new Catalogue<CoinPackRow, Omit<Editable<CoinPackRow>, 'id'>>(
    db,
    clock,
    coinPacks as never,
    coinPacks.id,
    'Coin pack',
    () => ({ id: newId('pack') }),
  ),
})
export type BillingCatalogues = ReturnType<typeof billingCatalogues>
