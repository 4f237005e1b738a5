import { integer } from 'drizzle-orm/sqlite-core'

/** Millisecond timestamps, read back as Date and serialised as ISO-8601 UTC in JSON. */
export const timestamp = (name: string) => integer(name, { mode: 'timestamp_ms' })

export const createdAt = () =>
  timestamp('created_at')
    .notNull()
    .$defaultFn(() => new Date())
