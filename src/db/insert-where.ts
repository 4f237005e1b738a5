import { getTableColumns, is, sql, SQL } from 'drizzle-orm'
import type { SQLiteTable } from 'drizzle-orm/sqlite-core'
import type { Database } from './client.ts'

/**
 * `INSERT INTO table (…) SELECT <values> WHERE <condition>`: a row that is only written when the
 * condition holds at that moment of the batch (say, "this delivery is the one that paid the
 * invoice"). Values go through the columns' own encoders (JSON, timestamps); pass every column
 * the table needs, since column defaults set in code do not apply here. `onConflict` is appended
 * as written (`on conflict (…) do …`).
 */
export function insertWhere<Table extends SQLiteTable>(
  db: Database,
  table: Table,
  values: { [Key in keyof Table['$inferInsert']]: Table['$inferInsert'][Key] | SQL },
  condition: SQL,
  onConflict?: SQL,
) {
  const columns = getTableColumns(table) as Record<string, { name: string }>
  const entries = Object.entries(values).filter(([, value]) => value !== undefined)
  const names = sql.join(
    entries.map(([key]) => sql.identifier(columns[key]!.name)),
    sql`, `,
  )
  const selected = sql.join(
    entries.map(([key, value]) => (is(value, SQL) ? value : sql.param(value, columns[key] as never))),
    sql`, `,
  )
  return db.run(sql`insert into ${table} (${names}) select ${selected} where ${condition} ${onConflict ?? sql``}`)
}
