import { describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { conflict, DomainError, forbidden, invalid, notFound } from '../src/errors/domain.ts'
import { arabicMessages } from '../src/errors/messages.ts'
import { httpStatusOf } from '../src/http/error-status.ts'
import { ApiError, errorHandler } from '../src/http/errors.ts'
import { createLogger } from '../src/logger.ts'

// Services throw DomainErrors with a code; the HTTP layer alone decides the status.
const app = new Elysia()
  .use(errorHandler(createLogger('silent'), 'en'))
  .get('/own-request', () => {
    throw new DomainError('OWN_REQUEST', 'You cannot answer your own request')
  })
  .get('/slow', () => {
    throw new DomainError('SLOW_MODE', 'Slow mode: wait 7 s', { retryAfterSec: 7 })
  })
  .get('/missing', () => {
    throw notFound('Ticket')
  })
  .get('/taken', () => {
    throw conflict('ALREADY_TAKEN', 'Someone else claimed it first')
  })
  .get('/invalid', () => {
    throw invalid('INVALID_DATES', 'The end is before the start', [{ in: 'body', path: '/endsAt' }])
  })
  .get('/forbidden', () => {
    throw forbidden()
  })
  .get('/media-type', () => {
    throw new ApiError(415, 'INVALID_SDP', 'Send the SDP offer as Content-Type: application/sdp')
  })

const get = async (path: string, language = 'en') => {
  const response = await app.handle(new Request(`http://local${path}`, { headers: { 'accept-language': language } }))
  return { status: response.status, headers: response.headers, body: (await response.json()) as any }
}

describe('domain errors on the wire', () => {
  test('each code answers with the status of the table, in the envelope', async () => {
    const cases: Array<[string, number, string]> = [
      ['/own-request', 403, 'OWN_REQUEST'],
      ['/missing', 404, 'NOT_FOUND'],
      ['/taken', 409, 'ALREADY_TAKEN'],
      ['/invalid', 422, 'INVALID_DATES'],
      ['/forbidden', 403, 'FORBIDDEN'],
    ]
    for (const [path, status, code] of cases) {
      const answer = await get(path)
      expect(answer.status).toBe(status)
      expect(answer.body.error.code).toBe(code)
    }
    expect((await get('/invalid')).body.error.details).toEqual([{ in: 'body', path: '/endsAt' }])
    expect((await get('/missing')).body.error.message).toBe('Ticket not found')
  })

  test('a domain error that says when to try again gets Retry-After', async () => {
    const answer = await get('/slow')
    expect(answer.status).toBe(429)
    expect(answer.headers.get('retry-after')).toBe('7')
    expect(answer.body.error.details).toEqual({ retryAfterSec: 7 })
  })

  test('an HTTP-layer ApiError keeps the status it names', async () => {
    const answer = await get('/media-type')
    expect(answer.status).toBe(415)
    expect(answer.body.error.code).toBe('INVALID_SDP')
  })

  test('the message follows Accept-Language: Arabic from the catalogue', async () => {
    const answer = await get('/own-request', 'ar')
    expect(answer.body.error.message).toBe(arabicMessages.OWN_REQUEST)
  })

  test('every code of the catalogue has an error status', () => {
    for (const code of Object.keys(arabicMessages) as Array<keyof typeof arabicMessages>) {
      expect(httpStatusOf[code]).toBeGreaterThanOrEqual(400)
      expect(httpStatusOf[code]).toBeLessThan(600)
    }
  })
})
