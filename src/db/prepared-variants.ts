/**
 * A query whose optional filters vary, prepared once per combination of the filters present:
 * drizzle builds the SQL the first time a combination is used, later calls only bind and run it
 * (building a page query cost more than SQLite running it). Filter values go in as placeholders
 * named like the filters.
 */
export class PreparedVariants<Filter extends string, Statement> {
  private readonly statements = new Map<string, Statement>()

  constructor(private readonly prepare: (has: (filter: Filter) => boolean) => Statement) {}

  /** The statement for the filters that have a value. */
  for(values: Partial<Record<Filter, unknown>>): Statement {
    const present = (Object.keys(values) as Filter[]).filter((filter) => values[filter] !== undefined)
    const key = present.sort().join(',')
    let statement = this.statements.get(key)
    if (!statement) {
      statement = this.prepare((filter) => present.includes(filter))
      this.statements.set(key, statement)
    }
    return statement
  }
}
