import { DomainError } from '../errors/domain.ts'

/**
 * Whether a failed statement's SQLite message mentions `text` (a constraint's name, or the
 * `table.column` of a UNIQUE violation). Drizzle wraps driver errors: the message is on `cause`.
 */
export const dbErrorMentions = (error: unknown, text: string): boolean =>
  String((error as { cause?: unknown })?.cause ?? error).includes(text)

/**
 * A write the server could not take right now, as the 503 the client is told: the database stayed
 * locked past busy_timeout, or the disk (database or upload folder) is full. SQLite rolls the
 * failed statement or batch back, so nothing of it is half-written. Null for any other error.
 */
export function storageUnavailable(error: unknown): DomainError | null {
  // Drizzle wraps the driver's error, and a stream's error may be wrapped again: look a few causes deep.
  let cause = error
  for (let depth = 0; depth < 4 && cause instanceof Error; depth++) {
    const code = String((cause as { code?: unknown }).code ?? '')
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
      return new DomainError('DATABASE_BUSY', 'The database is busy; nothing was saved, try again in a moment', {
        retryAfterSec: 2,
      })
    if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === 'EDQUOT')
      return new DomainError('STORAGE_FULL', 'The server’s disk is full; nothing was saved, try again later', {
        retryAfterSec: 60,
      })
    cause = cause.cause
  }
  return null
}
