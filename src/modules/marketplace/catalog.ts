import { and, asc, eq, inArray } from 'drizzle-orm'
import type { Database } from '../../db/client.ts'
import { categories, subcategories } from '../../db/schema/marketplace.ts'
import { notFound, invalid } from '../../errors/domain.ts'
import { newId } from '../../ids.ts'

type CategoryRow = typeof categories.$inferSelect
export type SubcategoryRow = typeof subcategories.$inferSelect
interface Naming {
  name?: string
  nameEn?: string
  isActive?: boolean
}

/** Categories and their subcategories: the public tree shows active ones; staff see and manage all. */
export class CatalogService {
  constructor(private readonly db: Database) {}

  async tree(includeInactive: boolean) {
    const [allCategories, allSubcategories] = await this.db.batch([
      this.db.select().from(categories).orderBy(asc(categories.createdAt), asc(categories.id)),
      this.db.select().from(subcategories).orderBy(asc(subcategories.createdAt), asc(subcategories.id)),
    ])
    const shown = <Row extends { isActive: boolean }>(rows: Row[]) =>
      includeInactive ? rows : rows.filter((row) => row.isActive)
    return shown(allCategories).map((category) => ({
      ...toCategory(category),
      subcategories: shown(allSubcategories.filter((sub) => sub.categoryId === category.id)).map(toSubcategory),
    }))
  }

  async createCategory(input: Naming & { name: string }) {
    const [category] = await this.db
      .insert(categories)
      .values({ id: newId('cat'), name: input.name, nameEn: input.nameEn ?? null, isActive: input.isActive ?? true })
      .returning()
    return { ...toCategory(category!), subcategories: [] }
  }

  async updateCategory(id: string, changes: Naming) {
    const [category] = await this.db.update(categories).set(changes).where(eq(categories.id, id)).returning()
    if (!category) throw notFound('Category')
    const subs = await this.db
      .select()
      .from(subcategories)
      .where(eq(subcategories.categoryId, id))
      .orderBy(asc(subcategories.createdAt))
    return { ...toCategory(category), subcategories: subs.map(toSubcategory) }
  }

  async createSubcategory(categoryId: string, input: Naming & { name: string }) {
    if (!(await this.db.query.categories.findFirst({ columns: { id: true }, where: eq(categories.id, categoryId) })))
      throw notFound('Category')
    const [subcategory] = await this.db
      .insert(subcategories)
      .values({
        id: newId('sub'),
        categoryId,
        name: input.name,
        nameEn: input.nameEn ?? null,
        isActive: input.isActive ?? true,
      })
      .returning()
    return toSubcategory(subcategory!)
  }

  async updateSubcategory(id: string, changes: Naming) {
    const [subcategory] = await this.db.update(subcategories).set(changes).where(eq(subcategories.id, id)).returning()
    if (!subcategory) throw notFound('Subcategory')
    return toSubcategory(subcategory)
  }

  /**
   * The subcategories, if every one exists and is active with an active category; else 422, so
   * nothing new is filed under a retired part of the catalogue.
   */
  async requireActive(ids: string[]): Promise<SubcategoryRow[]> {
    if (ids.length === 0) return []
    const rows = await this.db
      .select({ subcategory: subcategories })
      .from(subcategories)
      .innerJoin(categories, eq(categories.id, subcategories.categoryId))
      .where(and(inArray(subcategories.id, ids), eq(subcategories.isActive, true), eq(categories.isActive, true)))
    const missing = ids.filter((id) => !rows.some((row) => row.subcategory.id === id))
    if (missing.length > 0)
      throw invalid(
        'INVALID_SUBCATEGORY',
        `Unknown or inactive subcategory: ${missing.join(', ')}`,
        missing.map((id) => ({ in: 'body', path: '/subcategoryId', message: id })),
      )
    return rows.map((row) => row.subcategory)
  }
}

const toCategory = ({ createdAt: _createdAt, ...category }: CategoryRow) => category
export const toSubcategory = ({ createdAt: _createdAt, ...subcategory }: SubcategoryRow) => subcategory
