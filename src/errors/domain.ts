import type { ErrorCode } from './messages.ts'

/**
 * A failure the caller can act on, named by its code. Services throw these and know nothing of
 * transports: src/http/error-status.ts gives each code its HTTP status, and the WS hub sends the
 * code in an error reply. The English message may name what failed; `details` are for the client.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

export const notFound = (what: string) => new DomainError('NOT_FOUND', `${what} not found`)
export const forbidden = (message = 'You are not allowed to do this') => new DomainError('FORBIDDEN', message)
/** The resource is not in a state that allows this (a wrong state, a duplicate, a lost race). */
export const conflict = (code: ErrorCode, message: string) => new DomainError(code, message)
/** The request is well-formed but its content cannot be used. */
export const invalid = (code: ErrorCode, message: string, details?: unknown) => new DomainError(code, message, details)
