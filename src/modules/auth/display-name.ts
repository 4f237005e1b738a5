import { sql } from 'drizzle-orm'
import { users } from '../../db/schema/auth.ts'

/**
 * How staff see an account in lists: its name, or, for one made by OTP that has not completed its
 * profile (no name yet), its phone number, else its email.
 */
export const userDisplayName = sql<string>`coalesce(nullif(${users.name}, ''), ${users.phone}, ${users.email}, ${users.id})`
