import { sql, type Column, type SQL } from 'drizzle-orm'

/** The UTC calendar day (YYYY-MM-DD) of a millisecond timestamp column, as SQL. */
export const dayOf = (column: Column) => sql<string>`date(${column} / 1000, 'unixepoch')`
/** The UTC month (YYYY-MM) of a millisecond timestamp column, as SQL. */
export const monthOf = (column: Column) => sql<string>`strftime('%Y-%m', ${column} / 1000, 'unixepoch')`
/** An aggregate as a whole number, 0 over no rows. */
export const int = (expression: SQL) => sql<number>`cast(coalesce(${expression}, 0) as integer)`
