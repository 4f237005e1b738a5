import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { createTestApp, type TestApp } from './helpers/app.ts'

let t: TestApp
let draining = false
beforeEach(async () => {
  draining = false
  t = await createTestApp({ isDraining: () => draining })
})
afterEach(() => t.close())

describe('health', () => {
  test('/health and /health/live answer without auth', async () => {
    const summary = await t.call('GET', '/health')
    expect(summary.status).toBe(200)
    expect(summary.body).toMatchObject({ status: 'ok', version: '0.1.0' })
    expect((await t.call('GET', '/health/live')).body).toEqual({ status: 'ok' })
  })

  test('/health/ready checks the database', async () => {
    const ready = await t.call('GET', '/health/ready')
    expect(ready.status).toBe(200)
    expect(ready.body).toMatchObject({ status: 'ready', checks: { database: 'ok', ffmpeg: 'ok' } })
    // Which instance answered, where it is reached and how loaded (no media server here: no capacity).
    expect(ready.body.instance).toEqual({
      id: t.config.cluster.instanceId,
      url: 'http://127.0.0.1:3001',
      mediaAddress: '127.0.0.1',
      peers: 0,
      capacity: 0,
    })
    expect(Object.keys(ready.body.checks).sort()).toEqual(['database', 'ffmpeg'])
    t.database.close()
    const down = await t.call('GET', '/health/ready')
    expect(down.status).toBe(503)
    expect(down.body.status).toBe('not_ready')
    expect(down.body.checks.database).toStartWith('failed: ')
  })

  test('/health/ready notes a missing ffmpeg without failing, and recording then answers 503', async () => {
    const withoutFfmpeg = await createTestApp({ env: { FFMPEG_PATH: '/nonexistent/ffmpeg' } })
    const response = await withoutFfmpeg.call('GET', '/health/ready')
    expect(response.status).toBe(200)
    expect(response.body.checks.ffmpeg).toStartWith('degraded: ffmpeg not found at "/nonexistent/ffmpeg"')
    withoutFfmpeg.close()
  })

  test('/health/ready reports extra checks and a draining server', async () => {
    const withChecks = await createTestApp({
      readinessChecks: { redis: async () => Promise.reject(new Error('connection refused')) },
    })
    const response = await withChecks.call('GET', '/health/ready')
    expect(response.status).toBe(503)
    expect(response.body.checks).toEqual({ database: 'ok', ffmpeg: 'ok', redis: 'failed: connection refused' })
    withChecks.close()

    draining = true
    const drainingResponse = await t.call('GET', '/health/ready')
    expect(drainingResponse.status).toBe(503)
    expect(drainingResponse.body.checks.shutdown).toContain('shutting down')
  })
})

describe('metrics', () => {
  test('counts requests by route template and status, with a latency histogram', async () => {
    const account = await t.register()
    await t.call('GET', `/api/v1/users/${account.user.id}`, { token: account.accessToken })
    await t.call('GET', '/api/v1/users/usr_nope', { token: account.accessToken })
    await Bun.sleep(20) // metrics are recorded after the response has gone out
    const metrics = await t.call('GET', '/metrics')
    expect(metrics.status).toBe(200)
    expect(metrics.headers.get('content-type')).toStartWith('text/plain; version=0.0.4')
    const text = metrics.body as string
    expect(text).toContain('http_requests_total{method="POST",route="/api/v1/auth/register",status="201"} 1')
    expect(text).toContain('http_requests_total{method="GET",route="/api/v1/users/:id",status="200"} 1')
    expect(text).toContain('http_requests_total{method="GET",route="/api/v1/users/:id",status="404"} 1')
    expect(text).not.toContain(account.user.id)
    expect(text).toMatch(
      /http_request_duration_seconds_bucket\{method="GET",route="\/api\/v1\/users\/:id",le="\+Inf"\} 2/,
    )
    expect(text).toContain('# TYPE http_request_duration_seconds histogram')
    expect(text).toMatch(/process_resident_memory_bytes \d+/)
  })
})

describe('OpenAPI', () => {
  test('/swagger serves the UI and /swagger/json the spec', async () => {
    const ui = await t.call('GET', '/swagger')
    expect(ui.status).toBe(200)
    expect(ui.headers.get('content-type')).toContain('text/html')
    const spec = await t.call('GET', '/swagger/json')
    expect(spec.status).toBe(200)
    expect(spec.body.info.title).toBe('Majlis API')
  })

  test('every API route is documented with its schemas', async () => {
    const spec = (await t.call('GET', '/swagger/json')).body
    const expected = [
      ['post', '/api/v1/auth/register'],
      ['post', '/api/v1/auth/login'],
      ['post', '/api/v1/auth/otp/send'],
      ['post', '/api/v1/auth/otp/verify'],
      ['post', '/api/v1/auth/refresh'],
      ['post', '/api/v1/auth/logout'],
      ['get', '/api/v1/me'],
      ['patch', '/api/v1/me'],
      ['delete', '/api/v1/me'],
      ['post', '/api/v1/me/complete'],
      ['patch', '/api/v1/me/availability'],
      ['get', '/api/v1/me/wallet'],
      ['get', '/api/v1/users/{id}'],
      ['post', '/api/v1/users/{id}/follow'],
      ['post', '/api/v1/users/{id}/unfollow'],
      ['get', '/api/v1/notifications'],
      ['get', '/api/v1/notifications/unread-count'],
      ['post', '/api/v1/notifications/{id}/read'],
      ['post', '/api/v1/notifications/read-all'],
      ['post', '/api/v1/notifications/delete-old'],
      ['post', '/api/v1/notifications/device-tokens'],
      ['post', '/api/v1/support-requests'],
      ['get', '/api/v1/support-requests'],
      ['get', '/api/v1/support-requests/{id}'],
      ['post', '/api/v1/support-requests/{id}/accept'],
      ['post', '/api/v1/support-requests/{id}/reject'],
      ['post', '/api/v1/support-requests/{id}/complete'],
      ['post', '/api/v1/support-requests/{id}/cancel'],
      ['get', '/api/v1/video-calls/{id}'],
      ['get', '/api/v1/video-calls/room/{roomId}'],
      ['post', '/api/v1/video-calls/{id}/start'],
      ['post', '/api/v1/video-calls/{id}/end'],
      ['post', '/api/v1/tickets'],
      ['get', '/api/v1/tickets'],
      ['get', '/api/v1/tickets/{id}'],
      ['patch', '/api/v1/tickets/{id}'],
      ['post', '/api/v1/tickets/{id}/assign'],
      ['get', '/api/v1/tickets/{id}/messages'],
      ['post', '/api/v1/tickets/{id}/messages'],
      ['get', '/api/v1/tickets/stats/counts'],
      ['post', '/api/v1/courses'],
      ['get', '/api/v1/courses'],
      ['get', '/api/v1/courses/{id}'],
      ['post', '/api/v1/courses/{id}/enroll'],
      ['get', '/api/v1/courses/{id}/students'],
      ['post', '/api/v1/live-sessions'],
      ['get', '/api/v1/live-sessions'],
      ['get', '/api/v1/live-sessions/{id}'],
      ['patch', '/api/v1/live-sessions/{id}'],
      ['post', '/api/v1/live-sessions/{id}/cancel'],
      ['post', '/api/v1/live-sessions/{id}/start'],
      ['post', '/api/v1/live-sessions/{id}/end'],
      ['get', '/api/v1/live-sessions/{id}/ice'],
      ['get', '/health'],
      ['get', '/health/live'],
      ['get', '/health/ready'],
      ['get', '/metrics'],
    ]
    for (const [method, path] of expected) {
      const operation = spec.paths[path!]?.[method!]
      expect(operation, `${method} ${path}`).toBeDefined()
      expect(operation.summary, `${method} ${path} summary`).toBeString()
    }
    for (const [path, operations] of Object.entries<Record<string, any>>(spec.paths)) {
      if (!path.startsWith('/api/')) continue
      for (const [method, operation] of Object.entries(operations)) {
        // Action verbs (POST …/accept) carry no body; every other write documents its body.
        const bodyless =
          /\/(follow|unfollow|read|read-all|delete-old|accept|complete|cancel|start|end|enroll|approve-supporter|leave|like|unlike|claim|subscribe|buy|finalize|stop|open|close|vote|answer|dismiss)$/.test(
            path,
          )
        if (['post', 'patch'].includes(method) && !bodyless) {
          expect(operation.requestBody, `${method} ${path} body`).toBeDefined()
        }
        if (method !== 'delete' && !path.endsWith('/logout')) {
          expect(operation.responses['200'] ?? operation.responses['201'], `${method} ${path} response`).toBeDefined()
        }
      }
    }
    expect(spec.paths['/api/v1/me/wallet'].get.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['limit', 'cursor']),
    )
    expect(spec.paths['/api/v1/auth/register'].post.responses['409']).toBeDefined()
  })
})

describe('errors and request handling', () => {
  test('an unknown route is 404 in the error envelope', async () => {
    const response = await t.call('GET', '/api/v1/nothing-here')
    expect(response.status).toBe(404)
    expect(response.body).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /api/v1/nothing-here' } })
  })

  test('an oversized body is 413 and nothing is stored', async () => {
    const response = await t.call('POST', '/api/v1/auth/register', {
      body: { email: 'big@example.com', password: 'long enough', name: 'x'.repeat(300 * 1024) },
    })
    expect(response.status).toBe(413)
    expect(response.body.error.code).toBe('PAYLOAD_TOO_LARGE')
    expect(
      (await t.call('POST', '/api/v1/auth/login', { body: { email: 'big@example.com', password: 'long enough' } }))
        .status,
    ).toBe(401)
  })

  test('every response carries a request id; a sane incoming one is kept', async () => {
    const generated = await t.call('GET', '/health')
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    const kept = await t.call('GET', '/health', { headers: { 'x-request-id': 'trace-abc.123' } })
    expect(kept.headers.get('x-request-id')).toBe('trace-abc.123')
    const replaced = await t.call('GET', '/health', { headers: { 'x-request-id': 'bad id with spaces' } })
    expect(replaced.headers.get('x-request-id')).not.toBe('bad id with spaces')
    const onError = await t.call('POST', '/api/v1/auth/login', {
      rawBody: '{',
      headers: { 'content-type': 'application/json' },
    })
    expect(onError.headers.get('x-request-id')).toBeString()
  })

  test('security headers on API answers, also on errors', async () => {
    for (const response of [await t.call('GET', '/health'), await t.call('GET', '/api/v1/me')]) {
      expect(response.headers.get('x-content-type-options')).toBe('nosniff')
      expect(response.headers.get('x-frame-options')).toBe('DENY')
      expect(response.headers.get('referrer-policy')).toBe('no-referrer')
      expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
    }
    expect((await t.call('GET', '/swagger')).headers.get('content-security-policy')).toStartWith("default-src 'self'")
  })

  test('CORS: preflight allowed for configured origins only', async () => {
    const open = await t.call('OPTIONS', '/api/v1/me', {
      headers: { origin: 'https://anywhere.example', 'access-control-request-method': 'PATCH' },
    })
    expect(open.status).toBe(204)
    expect(open.headers.get('access-control-allow-origin')).toBe('*')
    expect(open.headers.get('access-control-allow-methods')).toContain('PATCH')

    const strict = await createTestApp({ env: { CORS_ORIGINS: 'https://app.example.com' } })
    const allowed = await strict.call('GET', '/health', { headers: { origin: 'https://app.example.com' } })
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com')
    const refused = await strict.call('GET', '/health', { headers: { origin: 'https://evil.example' } })
    expect(refused.headers.get('access-control-allow-origin')).toBeNull()
    strict.close()
  })
})
