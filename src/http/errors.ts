import { Elysia, t } from 'elysia'
import type { Logger } from '../logger.ts'
import { errorFields } from '../logger.ts'
import { DomainError } from '../errors/domain.ts'
import { localizedMessage, preferredLanguage, type ErrorCode, type Language } from '../errors/messages.ts'
import { httpStatusOf } from './error-status.ts'
import { storageUnavailable } from '../db/errors.ts'

/**
 * An error of the HTTP layer itself (a body it cannot read, a missing bearer token, an upgrade that
 * failed), with its status and headers spelled out. Domain services throw DomainErrors instead.
 */
export class ApiError extends DomainError {
  constructor(
    readonly status: number,
    code: ErrorCode,
    message: string,
    details?: unknown,
    readonly headers?: Record<string, string>,
  ) {
    super(code, message, details)
  }
}

const statusOf = (error: DomainError) => (error instanceof ApiError ? error.status : httpStatusOf[error.code])

/** An ApiError's own headers; a domain error that says when to try again (slow mode) gets Retry-After. */
function headersOf(error: DomainError): Record<string, string> {
  if (error instanceof ApiError) return error.headers ?? {}
  const retryAfterSec = (error.details as { retryAfterSec?: unknown } | undefined)?.retryAfterSec
  return typeof retryAfterSec === 'number' ? { 'retry-after': String(retryAfterSec) } : {}
}

export const payloadTooLarge = (limitBytes: number) =>
  new ApiError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limitBytes} bytes`)

/** The error envelope of every error (docs/api.md, "API basics"), also used to document error responses in OpenAPI. */
export const ErrorBody = t.Object(
  {
    error: t.Object({
      code: t.String({ examples: ['VALIDATION_FAILED'] }),
      message: t.String(),
      details: t.Optional(t.Unknown()),
    }),
  },
  { title: 'Error' },
)

/**
 * The error responses routes document in OpenAPI (every route may answer some of these; any may
 * answer 503 DATABASE_BUSY, STORAGE_FULL or SHUTTING_DOWN).
 */
export const errorResponses = {
  401: ErrorBody,
  403: ErrorBody,
  404: ErrorBody,
  409: ErrorBody,
  422: ErrorBody,
  429: ErrorBody,
  503: ErrorBody,
}

const envelopeIn = (language: Language) => (errorCode: ErrorCode, message: string, details?: unknown) => {
  const shown = localizedMessage(errorCode, message, language)
  return {
    error: details === undefined ? { code: errorCode, message: shown } : { code: errorCode, message: shown, details },
  }
}

interface ValidationIssue {
  path: string
  summary?: string
  message: string
  schema?: { [keyword: string]: unknown }
}

/** One field's problem in words a client can act on (an enum names its values). */
export function issueMessage(issue: ValidationIssue): string {
  if (Array.isArray(issue.schema?.enum)) return `must be one of ${issue.schema.enum.join(', ')}`
  return issue.summary ?? issue.message
}

/** The request's path for messages and logs; a request line without a usable URL must not make the handler throw. */
export function requestPath(request: Request): string {
  try {
    return new URL(request.url).pathname
  } catch {
    return request.url.split('?')[0] ?? ''
  }
}

/**
 * Maps every failure to the envelope: validation → 422, malformed body → 400, unknown route → 404.
 * A response that fails its own schema is our bug: a logged 500, never a 422 that blames the caller.
 * Messages are in the language Accept-Language asks for (ar or en), else the default language.
 */
export const errorHandler = (logger: Logger, defaultLanguage: Language) =>
  new Elysia({ name: 'errors' }).onError({ as: 'global' }, ({ code, error, set, request, route }) => {
    const envelope = envelopeIn(preferredLanguage(request.headers.get('accept-language'), defaultLanguage))
    // Elysia wraps whatever a body parser throws (our 413s and 422s too) in its ParseError.
    const storage = storageUnavailable(error)
    if (storage)
      logger.warn('a write failed: storage unavailable', { ...errorFields(error), path: requestPath(request) })
    const meant =
      error instanceof DomainError
        ? error
        : code === 'PARSE' && error.cause instanceof DomainError
          ? error.cause
          : storage
    if (meant) {
      set.status = statusOf(meant)
      Object.assign(set.headers, headersOf(meant))
      return envelope(meant.code, meant.message, meant.details)
    }
    switch (code) {
      case 'VALIDATION': {
        if (error.type === 'response') {
          set.status = 500
          logger.error('response failed its schema', {
            route,
            path: requestPath(request),
            method: request.method,
            issues: error.all.slice(0, 5),
          })
          return envelope('INTERNAL_ERROR', 'Something went wrong on our side')
        }
        set.status = 422
        const details = (error.all as ValidationIssue[]).map((issue) => ({
          in: error.type,
          path: issue.path || '/',
          message: issueMessage(issue),
        }))
        return envelope('VALIDATION_FAILED', `Invalid ${error.type}`, details)
      }
      case 'PARSE':
        set.status = 400
        return envelope(
          'MALFORMED_BODY',
          'The request body could not be parsed; send valid JSON with Content-Type: application/json',
        )
      case 'NOT_FOUND':
        set.status = 404
        return envelope('NOT_FOUND', `No route for ${request.method} ${requestPath(request)}`)
      default:
        set.status = 500
        logger.error('unhandled error', {
          ...errorFields(error),
          route,
          path: requestPath(request),
          method: request.method,
        })
        return envelope('INTERNAL_ERROR', 'Something went wrong on our side')
    }
  })
