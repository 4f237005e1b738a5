import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { sql } from 'drizzle-orm'
import { createLogger } from '../src/logger.ts'
import { createTestApp, type TestApp } from './helpers/app.ts'

let t: TestApp
let logLines: string[]
beforeEach(async () => {
  logLines = []
  t = await createTestApp({ logger: createLogger('warn', (line) => logLines.push(line)) })
})
afterEach(() => t.close())

const cursorOf = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')
const nested = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`

/** A body streamed without Content-Length, as a chunked upload arrives. */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new TextEncoder().encode(' '.repeat(64 * 1024))
  let sent = 0
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close()
      controller.enqueue(chunk)
      sent += chunk.byteLength
    },
  })
}

async function handle(request: Request) {
  const response = await t.app.handle(request)
  return { status: response.status, body: (await response.json()) as any }
}

describe('responses that fail their own schema', () => {
  test('are a logged 500 INTERNAL_ERROR naming the route, never a 422 that blames the caller', async () => {
    const customer = await t.register()
    const supporter = await t.register('supporter')
    const request = (
      await t.call('POST', '/api/v1/support-requests', {
        token: customer.accessToken,
        body: { subject: 's', description: 'd' },
      })
    ).body
    const { videoCall } = (
      await t.call('POST', `/api/v1/support-requests/${request.id}/accept`, { token: supporter.accessToken })
    ).body
    // What the old duration bug stored: a fraction where the schema promises an integer.
    await t.db.run(sql`UPDATE video_calls SET duration_sec = 1.704 WHERE id = ${videoCall.id}`)

    const response = await t.call('GET', `/api/v1/video-calls/${videoCall.id}`, { token: customer.accessToken })
    expect(response.status).toBe(500)
    expect(response.body).toEqual({ error: { code: 'INTERNAL_ERROR', message: 'Something went wrong on our side' } })
    const logged = logLines.map((line) => JSON.parse(line)).find((line) => line.msg === 'response failed its schema')
    expect(logged).toMatchObject({ level: 'error', route: '/api/v1/video-calls/:id', method: 'GET' })
  })
})

describe('cursors', () => {
  test('a malformed or out-of-range cursor is 422 naming cursor on every list', async () => {
    const teacher = await t.register('teacher')
    const course = (await t.call('POST', '/api/v1/courses', { token: teacher.accessToken, body: { title: 'Algebra' } }))
      .body
    const ticket = (await t.call('POST', '/api/v1/tickets', { token: teacher.accessToken, body: { subject: 'Help' } }))
      .body
    const lists = [
      '/api/v1/me/wallet',
      '/api/v1/notifications',
      '/api/v1/tickets',
      `/api/v1/tickets/${ticket.id}/messages`,
      '/api/v1/support-requests',
      '/api/v1/courses',
      `/api/v1/courses/${course.id}/students`,
      '/api/v1/live-sessions',
    ]
    const cursors = [
      cursorOf([1e308, 'x']),
      cursorOf([-1e20, 'x']),
      cursorOf([1.5, 'x']),
      cursorOf([1, 'x'.repeat(65)]),
      cursorOf({ at: 1 }),
      'garbage',
      '%%%',
    ]
    for (const path of lists) {
      for (const cursor of cursors) {
        const response = await t.call('GET', `${path}?cursor=${encodeURIComponent(cursor)}`, {
          token: teacher.accessToken,
        })
        expect(response.status, `${path} ${cursor}`).toBe(422)
        expect(response.body.error).toMatchObject({
          code: 'VALIDATION_FAILED',
          details: [{ in: 'query', path: '/cursor' }],
        })
      }
    }
  })
})

describe('request bodies', () => {
  test('deep nesting is refused before validation with 422, anonymously too', async () => {
    const anonymous = await t.call('POST', '/api/v1/auth/register', {
      rawBody: nested(5000),
      headers: { 'content-type': 'application/json' },
    })
    expect(anonymous.status).toBe(422)
    expect(anonymous.body.error.message).toContain('nested deeper than')

    const user = await t.register()
    const inField = `{"name":"Nested","bio":${nested(5000)}}`
    const signedIn = await t.call('PATCH', '/api/v1/me', {
      token: user.accessToken,
      rawBody: inField,
      headers: { 'content-type': 'application/json' },
    })
    expect(signedIn.status).toBe(422)
    expect((await t.call('GET', '/api/v1/me', { token: user.accessToken })).body.name).toBe(user.user.name)
    // Brackets inside strings are text, not nesting.
    const bracketsInText = await t.call('PATCH', '/api/v1/me', {
      token: user.accessToken,
      body: { bio: '['.repeat(100) },
    })
    expect(bracketsInText.status).toBe(200)
  })

  test('the JSON limit holds for chunked bodies without Content-Length: 413 in the envelope', async () => {
    for (const bytes of [300 * 1024, 5 * 1024 * 1024]) {
      const request = new Request('http://localhost/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chunked(bytes),
      })
      const response = await handle(request)
      expect(response.status).toBe(413)
      expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE')
    }
    const small = await handle(
      new Request('http://localhost/api/v1/auth/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: chunked(64 * 1024),
      }),
    )
    expect(small.status).toBe(422) // empty after trimming: {} reaches validation
  })

  test('a body that is not a JSON object is 422, also on routes whose fields are all optional', async () => {
    const supporter = await t.register('supporter')
    const other = await t.register('supporter')
    const ticket = (
      await t.call('POST', '/api/v1/tickets', { token: supporter.accessToken, body: { subject: 'Printer' } })
    ).body
    const notObjects: Array<[string, string]> = [
      ['"x"', 'application/json'],
      ['1', 'application/json'],
      ['true', 'application/json'],
      ['null', 'application/json'],
      [JSON.stringify([{ agentId: other.user.id }]), 'application/json'],
      ['<agent>x</agent>', 'application/xml'],
      ['agentId=x', 'application/x-www-form-urlencoded'],
    ]
    for (const [rawBody, contentType] of notObjects) {
      for (const [method, path] of [
        ['PATCH', '/api/v1/me'],
        ['POST', `/api/v1/tickets/${ticket.id}/assign`],
      ] as const) {
        const response = await t.call(method, path, {
          token: supporter.accessToken,
          rawBody,
          headers: { 'content-type': contentType },
        })
        expect(response.status, `${method} ${path} ${rawBody}`).toBe(422)
        expect(response.body.error.code).toBe('VALIDATION_FAILED')
      }
    }
    expect(
      (await t.call('GET', `/api/v1/tickets/${ticket.id}`, { token: supporter.accessToken })).body.assigneeId,
    ).toBeNull()
  })

  test('no body at all on a route whose fields are all optional is {}', async () => {
    const customer = await t.register()
    const supporter = await t.register('supporter')
    const request = (
      await t.call('POST', '/api/v1/support-requests', {
        token: customer.accessToken,
        body: { subject: 's', description: 'd' },
      })
    ).body
    const rejected = await t.call('POST', `/api/v1/support-requests/${request.id}/reject`, {
      token: supporter.accessToken,
    })
    expect(rejected.status).toBe(200)
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectReason: null })

    const ticket = (
      await t.call('POST', '/api/v1/tickets', { token: customer.accessToken, body: { subject: 'Printer' } })
    ).body
    const assigned = await t.call('POST', `/api/v1/tickets/${ticket.id}/assign`, { token: supporter.accessToken })
    expect(assigned.status).toBe(200)
    expect(assigned.body.assigneeId).toBe(supporter.user.id)
    expect((await t.call('PATCH', '/api/v1/me', { token: customer.accessToken })).status).toBe(200)
  })
})

describe('smaller defects', () => {
  test('a supporter cannot accept the support request they opened themselves', async () => {
    const supporter = await t.register('supporter')
    const own = (
      await t.call('POST', '/api/v1/support-requests', {
        token: supporter.accessToken,
        body: { subject: 's', description: 'd' },
      })
    ).body
    const accepted = await t.call('POST', `/api/v1/support-requests/${own.id}/accept`, { token: supporter.accessToken })
    expect(accepted.status).toBe(403)
    expect(
      (await t.call('GET', `/api/v1/support-requests/${own.id}`, { token: supporter.accessToken })).body.status,
    ).toBe('pending')
  })

  test('avatarUrl takes http(s) URLs and our uploads only', async () => {
    const user = await t.register()
    for (const avatarUrl of [
      'javascript:alert(1)',
      'data:text/html,x',
      'ftp://example.com/a.png',
      '//example.com/a.png',
    ]) {
      const response = await t.call('PATCH', '/api/v1/me', { token: user.accessToken, body: { avatarUrl } })
      expect(response.status, avatarUrl).toBe(422)
    }
    for (const avatarUrl of ['https://cdn.example.com/a.png', 'http://example.com/a.png', '/uploads/usr_1/a.png']) {
      expect(
        (await t.call('PATCH', '/api/v1/me', { token: user.accessToken, body: { avatarUrl } })).body.avatarUrl,
      ).toBe(avatarUrl)
    }
  })

  test('a device token needs its platform; nothing is stored without one', async () => {
    const user = await t.register()
    const missing = await t.call('POST', '/api/v1/notifications/device-tokens', {
      token: user.accessToken,
      body: { token: 'device-token-1' },
    })
    expect(missing.status).toBe(422)
    expect(missing.body.error.details).toEqual([expect.objectContaining({ path: '/platform' })])
    const wrong = await t.call('POST', '/api/v1/notifications/device-tokens', {
      token: user.accessToken,
      body: { token: 'device-token-1', platform: 'symbian' },
    })
    expect(wrong.body.error.details[0].message).toBe('must be one of ios, android, web')
    expect(await t.db.all(sql`SELECT id FROM device_tokens`)).toEqual([])
  })

  test('an over-long URL is 414 in the envelope', async () => {
    const response = await t.call('GET', `/api/v1/${'a'.repeat(9000)}`)
    expect(response.status).toBe(414)
    expect(response.body.error.code).toBe('URI_TOO_LONG')
  })

  test('notifications filter by full type, by area, or all', async () => {
    const customer = await t.register()
    const supporter = await t.register('supporter')
    const request = (
      await t.call('POST', '/api/v1/support-requests', {
        token: customer.accessToken,
        body: { subject: 's', description: 'd' },
      })
    ).body
    await t.call('POST', `/api/v1/support-requests/${request.id}/reject`, {
      token: supporter.accessToken,
      body: { reason: 'busy' },
    })
    const ticket = (
      await t.call('POST', '/api/v1/tickets', { token: customer.accessToken, body: { subject: 'Printer' } })
    ).body
    await t.call('POST', `/api/v1/tickets/${ticket.id}/messages`, {
      token: supporter.accessToken,
      body: { content: 'on it' },
    })

    const types = async (type: string) =>
      (await t.call('GET', `/api/v1/notifications?type=${type}`, { token: customer.accessToken })).body.items.map(
        (item: { type: string }) => item.type,
      )
    expect(await types('ticket.reply')).toEqual(['ticket.reply'])
    expect(await types('ticket')).toEqual(['ticket.reply'])
    expect(await types('support_request')).toEqual(['support_request.rejected'])
    expect((await types('all')).sort()).toEqual(['support_request.rejected', 'ticket.reply'])
    expect(await types('tick')).toEqual([])
    expect((await t.call('GET', '/api/v1/notifications?type=a%20b', { token: customer.accessToken })).status).toBe(422)
  })
})
