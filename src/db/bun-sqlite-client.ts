import type { Client, InArgs, InStatement, InValue, ResultSet, Row, Transaction, TransactionMode } from '@libsql/client'
import { Database as SQLite, type SQLQueryBindings, type Statement } from 'bun:sqlite'

/**
 * The `@libsql/client` interface over Bun's built-in SQLite, for local files and `:memory:`:
 * drizzle's libSQL driver, the migrator and every query keep working unchanged, while a query
 * costs about a quarter of what the libSQL binding costs (compiled statements are cached by
 * Bun; there is no promise hop per row). Remote `libsql://` and `http(s)://` URLs keep using
 * `@libsql/client` itself (see openDatabase).
 *
 * Like the libSQL local binding, statements run synchronously on one connection. Interactive
 * transactions are refused: the code uses guarded statements and `batch()`, which runs its
 * statements in one transaction.
 */
export class BunSqliteClient implements Client {
  readonly protocol = 'file'
  closed = false
  private readonly db: SQLite

  constructor(path: string) {
    this.db = new SQLite(path, { create: true, strict: false })
  }

  async execute(statement: InStatement, args?: InArgs): Promise<ResultSet> {
    return typeof statement === 'string' ? this.run(statement, args) : this.runStatement(statement)
  }

  async batch(
    statements: Array<InStatement | [string, InArgs?]>,
    mode: TransactionMode = 'deferred',
  ): Promise<ResultSet[]> {
    return this.inTransaction(mode, () => statements.map((statement) => this.runStatement(statement)))
  }

  /** As libSQL does: the batch runs with foreign keys off, so a migration may rebuild a table. */
  async migrate(statements: InStatement[]): Promise<ResultSet[]> {
    this.db.run('PRAGMA foreign_keys = OFF')
    try {
      return this.inTransaction('deferred', () => statements.map((statement) => this.runStatement(statement)))
    } finally {
      this.db.run('PRAGMA foreign_keys = ON')
    }
  }

  async transaction(): Promise<Transaction> {
    throw new Error('interactive transactions are not supported: use guarded statements or batch()')
  }

  async executeMultiple(sql: string): Promise<void> {
    this.db.run(sql)
  }

  async sync(): Promise<undefined> {
    return undefined
  }

  close(): void {
    this.closed = true
    this.db.close()
  }

  reconnect(): void {
    throw new Error('a closed database is not reopened: open a new one')
  }

  private inTransaction<T>(mode: TransactionMode, work: () => T): T {
    this.db.run(mode === 'write' ? 'BEGIN IMMEDIATE' : 'BEGIN DEFERRED')
    try {
      const result = work()
      this.db.run('COMMIT')
      return result
    } catch (error) {
      // SQLite has already rolled back after some errors (a full disk, some busy cases).
      if (this.db.inTransaction) this.db.run('ROLLBACK')
      throw error
    }
  }

  private runStatement(statement: InStatement | [string, InArgs?]): ResultSet {
    if (typeof statement === 'string') return this.run(statement, undefined)
    return Array.isArray(statement) ? this.run(statement[0], statement[1]) : this.run(statement.sql, statement.args)
  }

  private run(sql: string, args: InArgs | undefined): ResultSet {
    const statement = this.db.query(sql)
    const bindings = toBindings(args)
    const columns = statement.columnNames
    if (columns.length === 0) {
      const { changes, lastInsertRowid } = statement.run(...bindings)
      return resultSet([], [], changes, BigInt(lastInsertRowid))
    }
    const rows = rowsOf(statement, columns, statement.values(...bindings) as InValue[][])
    // A statement that returns rows is a SELECT or a write with RETURNING, which returns a row per change.
    return resultSet(columns, rows, rows.length, undefined)
  }
}

function toBindings(args: InArgs | undefined): SQLQueryBindings[] {
  if (!args) return []
  if (!Array.isArray(args))
    return [
      Object.fromEntries(
        Object.entries(args).map(([name, value]) => [`$${name}`, toBinding(value)]),
      ) as SQLQueryBindings,
    ]
  return args.map(toBinding)
}

/** libSQL's conversions: a Date is stored as its milliseconds, a boolean as 0/1. */
function toBinding(value: InValue): SQLQueryBindings {
  if (value instanceof Date) return value.getTime()
  if (typeof value === 'boolean') return value ? 1 : 0
  return value as SQLQueryBindings
}

const valuesOf = Symbol('values')
const rowPrototypes = new WeakMap<Statement, object>()

/**
 * Rows shaped like libSQL's: the column names are the enumerable own keys (what drizzle reads for
 * raw queries) and the values are also reachable by position (what it reads for selected fields,
 * where two joined tables may both have an `id`).
 */
function rowsOf(statement: Statement, columns: string[], values: InValue[][]): Row[] {
  let prototype = rowPrototypes.get(statement)
  if (!prototype) {
    prototype = positionalPrototype(columns.length)
    rowPrototypes.set(statement, prototype)
  }
  return values.map((rowValues) => {
    const row = Object.create(prototype) as Record<string | symbol, unknown>
    row[valuesOf] = rowValues
    for (let i = 0; i < columns.length; i++) row[columns[i]!] = rowValues[i]
    return row as unknown as Row
  })
}

function positionalPrototype(width: number): object {
  const prototype: PropertyDescriptorMap = { length: { value: width } }
  for (let i = 0; i < width; i++)
    prototype[i] = {
      get(this: { [valuesOf]: InValue[] }) {
        return this[valuesOf][i]
      },
    }
  return Object.create(null, prototype)
}

function resultSet(
  columns: string[],
  rows: Row[],
  rowsAffected: number,
  lastInsertRowid: bigint | undefined,
): ResultSet {
  return {
    columns,
    columnTypes: columns.map(() => ''),
    rows,
    rowsAffected,
    lastInsertRowid,
    toJSON: () => ({
      columns,
      rows: rows.map((row) => Array.prototype.slice.call(row)),
      rowsAffected,
      lastInsertRowid: lastInsertRowid?.toString(),
    }),
  }
}
