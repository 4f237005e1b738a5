import { or, sql, type Column, type SQL } from 'drizzle-orm'

/** Whether any of the columns contains `text` as typed (LIKE with %, _ and \ taken literally; ASCII case-insensitive). */
export function containsText(text: string, ...columns: Column[]): SQL {
  const pattern = `%${text.replace(/[%_\\]/g, (character) => `\\${character}`)}%`
  return or(...columns.map((column) => sql`${column} like ${pattern} escape '\\'`))!
}
