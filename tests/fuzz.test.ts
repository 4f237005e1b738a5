import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { DEEP, hostile, hostileParameters, plausible, toJson } from './helpers/fuzz-values.ts'
import { admin, startServer, tempDir } from './helpers/server-process.ts'
import { connectWs } from './helpers/ws-client.ts'

/**
 * Walks the OpenAPI document and every /ws message type of the real server (bun src/index.ts,
 * a file database, the real clock) with malformed, oversized, deeply nested and out-of-range
 * input, anonymously and signed in. Fails on any 5xx, any error outside the envelope, any
 * internal error over /ws, and any error line in the server's log.
 */
const dir = tempDir('majlis-fuzz-')
const env = { DATABASE_URL: `file:${join(dir, 'fuzz.db')}`, RATE_LIMIT_FACTOR: '1000', LOG_LEVEL: 'warn' }
let server: ReturnType<typeof startServer>
let spec: any
const tokens: Record<string, string | undefined> = { anonymous: undefined }
const known: Record<string, string> = {}
const failures: string[] = []

async function api(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${server.baseUrl}/api/v1${path}`, {
    method,
    headers: { ...(options.token ? { authorization: `Bearer ${options.token}` } : {}), 'content-type': 'application/json' },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
  return (await response.json()) as any
}

/** Sets up one of everything, so fuzzed requests reach real rows and go deep into the handlers. */
async function seed() {
  const register = (role: string) => api('POST', '/auth/register', { body: { email: `${role}.${crypto.randomUUID()}@example.com`, password: 'fuzz password', name: `Fuzz ${role}`, role } })
  admin(['create-staff', '--email', 'fuzz.staff@example.com', '--name', 'Staff', '--profile', 'admin'], { ...env, STAFF_PASSWORD: 'staff password' })
  const staff = await api('POST', '/auth/login', { body: { email: 'fuzz.staff@example.com', password: 'staff password' } })
  const customer = await register('customer')
  const teacher = await register('teacher')
  const supporter = await register('supporter')
  await api('POST', `/backoffice/users/${supporter.user.id}/approve-supporter`, { token: staff.accessToken })
  const applicant = await register('supporter')
  Object.assign(tokens, { customer: customer.accessToken, supporter: supporter.accessToken, teacher: teacher.accessToken, staff: staff.accessToken })

  const ticket = await api('POST', '/tickets', { token: customer.accessToken, body: { subject: 'Fuzzed' } })
  const request = await api('POST', '/support-requests', { token: customer.accessToken, body: { subject: 'Fuzz', description: 'Fuzz' } })
  const accepted = await api('POST', `/support-requests/${request.id}/accept`, { token: supporter.accessToken })
  const course = await api('POST', '/courses', { token: teacher.accessToken, body: { title: 'Fuzzing 101' } })
  await api('POST', `/courses/${course.id}/enroll`, { token: customer.accessToken })
  const session = await api('POST', '/live-sessions', { token: teacher.accessToken, body: { title: 'Week 1', courseId: course.id, scheduledAt: new Date(Date.now() + 86_400_000).toISOString() } })
  const notification = (await api('GET', '/notifications', { token: customer.accessToken })).items[0]
  Object.assign(known, {
    ticketId: ticket.id,
    requestId: request.id,
    callId: accepted.videoCall.id,
    roomId: accepted.videoCall.roomId,
    courseId: course.id,
    sessionId: session.id,
    notificationId: notification?.id ?? 'ntf_none',
    applicantId: applicant.user.id,
    userId: teacher.user.id,
    refreshToken: customer.refreshToken,
    agentId: supporter.user.id,
  })
}

/** The real id for a path parameter, by the resource the path names. */
function pathId(path: string, name: string): string {
  if (name === 'roomId') return known.roomId!
  const resource = path.split('/')[3]
  const byResource: Record<string, string> = {
    tickets: known.ticketId!,
    'support-requests': known.requestId!,
    'video-calls': known.callId!,
    courses: known.courseId!,
    'live-sessions': known.sessionId!,
    notifications: known.notificationId!,
    users: known.userId!,
    backoffice: known.applicantId!,
  }
  return byResource[resource!] ?? 'unknown'
}

function check(what: string, status: number, text: string) {
  if (status >= 500) return failures.push(`${what} → ${status} ${text.slice(0, 200)}`)
  if (status < 400) return
  try {
    const body = JSON.parse(text)
    if (typeof body?.error?.code !== 'string' || typeof body?.error?.message !== 'string') failures.push(`${what} → ${status} outside the envelope: ${text.slice(0, 200)}`)
  } catch {
    failures.push(`${what} → ${status} not JSON: ${text.slice(0, 200)}`)
  }
}

async function send(method: string, url: string, token: string | undefined, body?: string, contentType = 'application/json') {
  const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {}
  if (body !== undefined) headers['content-type'] = contentType
  const what = `${token ? 'signed-in' : 'anonymous'} ${method} ${url.slice(0, 160)} ${body?.slice(0, 80) ?? ''}`
  try {
    const response = await fetch(`${server.baseUrl}${url}`, { method, headers, body })
    check(what, response.status, await response.text())
  } catch (error) {
    failures.push(`${what} → no answer: ${(error as Error).message}`)
  }
}

/** Runs the jobs with a few in flight at once. */
async function inPool(jobs: Array<() => Promise<unknown>>, width = 12) {
  let next = 0
  await Promise.all(Array.from({ length: width }, async () => {
    while (next < jobs.length) await jobs[next++]!()
  }))
}

function restJobs(): Array<() => Promise<unknown>> {
  const jobs: Array<() => Promise<unknown>> = []
  const identities = [tokens.anonymous, tokens.customer, tokens.staff]
  for (const [path, operations] of Object.entries<Record<string, any>>(spec.paths)) {
    for (const [method, operation] of Object.entries<any>(operations)) {
      // Closing the fuzzing accounts would only turn the rest of the run into 401s.
      if (method === 'delete' && path === '/api/v1/me') continue
      const upper = method.toUpperCase()
      const parameters: any[] = operation.parameters ?? []
      const pathParameters = parameters.filter((p) => p.in === 'path')
      const queryParameters = parameters.filter((p) => p.in === 'query')
      const url = (override: Record<string, string> = {}, query = '') =>
        path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(override[name] ?? pathId(path, name))) + query
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema
      const plausibleBody = bodySchema ? (plausible(bodySchema, known) as Record<string, unknown>) : undefined
      const body = (value: unknown) => (value === undefined ? undefined : toJson(value))

      for (const token of identities) {
        jobs.push(() => send(upper, url(), token, body(plausibleBody)))
        if (!bodySchema) continue
        for (const whole of ['[]', '"x"', '1', 'null', '{', '{"a":1,}', toJson(DEEP), `{"x":"${'a'.repeat(300 * 1024)}"}`]) jobs.push(() => send(upper, url(), token, whole))
        jobs.push(() => send(upper, url(), token, '<x/>', 'application/xml'))
        jobs.push(() => send(upper, url(), token, 'a=1&b=2', 'application/x-www-form-urlencoded'))
      }
      for (const token of [tokens.customer, tokens.staff]) {
        for (const [field, schema] of Object.entries<any>(bodySchema?.properties ?? {})) {
          for (const value of hostile(schema)) jobs.push(() => send(upper, url(), token, body({ ...plausibleBody, [field]: value })))
        }
        for (const parameter of pathParameters) {
          for (const value of hostileParameters(parameter.schema)) jobs.push(() => send(upper, url({ [parameter.name]: value }), token, body(plausibleBody)))
        }
        for (const parameter of queryParameters) {
          for (const value of hostileParameters(parameter.schema)) {
            jobs.push(() => send(upper, url({}, `?${parameter.name}=${encodeURIComponent(value)}`), token, body(plausibleBody)))
          }
          jobs.push(() => send(upper, url({}, `?${parameter.name}=1&${parameter.name}=2`), token, body(plausibleBody)))
        }
      }
    }
  }
  return jobs
}

beforeAll(async () => {
  server = startServer(env)
  await server.waitUntilUp()
  spec = await (await fetch(`${server.baseUrl}/swagger/json`)).json()
  await seed()
})

afterAll(() => {
  if (server.child.exitCode === null) server.child.kill('SIGKILL')
})

describe('fuzzing the real server', () => {
  test('every REST operation of the OpenAPI document', async () => {
    const jobs = restJobs()
    expect(jobs.length).toBeGreaterThan(3000)
    await inPool(jobs)
    expect(failures).toEqual([])
  })

  test('every /ws message type, signed in and not', async () => {
    const messages = Object.entries<any>(spec['x-websocket'].messages)
    expect(messages.map(([type]) => type)).toEqual(expect.arrayContaining(['media:join', 'media:connectTransport', 'send_message', 'join-room', 'live:join']))
    const wsUrl = `${server.baseUrl.replace('http', 'ws')}/ws`
    const wsKnown = { ...known, room: 'demo:fuzz', status: 'closed' }

    for (const token of [undefined, tokens.customer, tokens.staff]) {
      const ws = await connectWs(wsUrl, token)
      if (token) {
        // Deep into the media handlers: in a room, with a transport of our own to aim at.
        expect((await ws.request('media:join', { room: 'demo:fuzz' })).ok).toBe(true)
        const transport = await ws.request('media:createTransport', { direction: 'recv' })
        Object.assign(wsKnown, { transportId: transport.data.transportId })
      }
      const variants: Array<[string, string]> = []
      let nextId = 0
      const envelope = (type: string, data: string) => {
        const id = `f${++nextId}`
        variants.push([id, `{"id":"${id}","type":${JSON.stringify(type)},"data":${data}}`])
      }
      for (const [type, schema] of messages) {
        const base = plausible(schema, wsKnown) as Record<string, unknown>
        envelope(type, toJson(base))
        for (const whole of ['null', '[]', '"x"', '1', toJson(DEEP)]) envelope(type, whole)
        for (const [field, property] of Object.entries<any>(schema.properties ?? {})) {
          for (const value of hostile(property)) if (!(typeof value === 'string' && value.length > 50_000)) envelope(type, toJson({ ...base, [field]: value }))
        }
      }
      envelope('no-such-type', '{}')
      for (const [id, frame] of variants) {
        ws.sendRaw(frame)
        const reply = await ws.next((m) => m.id === id, 5000).catch(() => null)
        if (!reply) failures.push(`ws ${frame.slice(0, 120)} → no reply`)
        else if (!reply.ok && (typeof reply.error?.code !== 'string' || reply.error.code === 'INTERNAL_ERROR')) failures.push(`ws ${frame.slice(0, 120)} → ${JSON.stringify(reply.error)}`)
      }
      for (const garbage of ['not json', '[]', '42', '{"type":5}', '{"id":{"x":1},"type":"ping"}', `{"type":"${'t'.repeat(100)}","data":{}}`]) ws.sendRaw(garbage)
      expect((await ws.request('ping')).type).toBe('pong')
      ws.close()
    }
    expect(failures).toEqual([])
  })

  test('the server is still up and logged no error', async () => {
    expect((await fetch(`${server.baseUrl}/health/ready`)).status).toBe(200)
    server.child.kill('SIGTERM')
    expect(await server.child.exited).toBe(0)
    const { stdout } = await server.output()
    const errors = stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line))
      .filter((line) => line.level === 'error')
    expect(errors).toEqual([])
  })
})
