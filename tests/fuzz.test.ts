import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { readdirSync } from 'node:fs'
import { connect, type Socket } from 'node:net'
import { join, relative } from 'node:path'
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
const uploadDir = tempDir('majlis-fuzz-uploads-')
const env = {
  DATABASE_URL: `file:${join(dir, 'fuzz.db')}`,
  UPLOAD_DIR: uploadDir,
  RATE_LIMIT_FACTOR: '1000',
  LOG_LEVEL: 'warn',
}
let server: ReturnType<typeof startServer>
let spec: any
const tokens: Record<string, string | undefined> = { anonymous: undefined }
const known: Record<string, string> = {}
const failures: string[] = []

async function api(method: string, path: string, options: { token?: string; body?: unknown } = {}) {
  const response = await fetch(`${server.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      'content-type': 'application/json',
    },
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  })
  return (await response.json()) as any
}

/** Sets up one of everything, so fuzzed requests reach real rows and go deep into the handlers. */
async function seed() {
  const register = (role: string) =>
    api('POST', '/auth/register', {
      body: {
        email: `${role}.${crypto.randomUUID()}@example.com`,
        password: 'fuzz password',
        name: `Fuzz ${role}`,
        role,
      },
    })
  admin(['create-staff', '--email', 'fuzz.staff@example.com', '--name', 'Staff', '--profile', 'admin'], {
    ...env,
    STAFF_PASSWORD: 'staff password',
  })
  const staff = await api('POST', '/auth/login', {
    body: { email: 'fuzz.staff@example.com', password: 'staff password' },
  })
  const customer = await register('customer')
  const teacher = await register('teacher')
  const supporter = await register('supporter')
  await api('POST', `/backoffice/users/${supporter.user.id}/approve-supporter`, { token: staff.accessToken })
  const applicant = await register('supporter')
  const provider = await register('customer')
  await api('POST', '/providers/register', {
    token: provider.accessToken,
    body: { displayName: 'Fuzz Provider', city: 'Riyadh' },
  })
  Object.assign(tokens, {
    customer: customer.accessToken,
    supporter: supporter.accessToken,
    teacher: teacher.accessToken,
    staff: staff.accessToken,
    provider: provider.accessToken,
  })
  const verification = await api('POST', '/verification/requests', {
    token: provider.accessToken,
    body: { badge: 'blue' },
  })
  const promo = await api('POST', '/promo/requests', {
    token: customer.accessToken,
    body: {
      adType: 'banner',
      title: 'Fuzz',
      startAt: new Date(Date.now() + 86_400_000),
      endAt: new Date(Date.now() + 2 * 86_400_000),
    },
  })

  const ticket = await api('POST', '/tickets', { token: customer.accessToken, body: { subject: 'Fuzzed' } })
  const request = await api('POST', '/support-requests', {
    token: customer.accessToken,
    body: { subject: 'Fuzz', description: 'Fuzz' },
  })
  const accepted = await api('POST', `/support-requests/${request.id}/accept`, { token: supporter.accessToken })
  const course = await api('POST', '/courses', { token: teacher.accessToken, body: { title: 'Fuzzing 101' } })
  await api('POST', `/courses/${course.id}/enroll`, { token: customer.accessToken })
  const session = await api('POST', '/live-sessions', {
    token: teacher.accessToken,
    body: { title: 'Week 1', courseId: course.id, scheduledAt: new Date(Date.now() + 86_400_000).toISOString() },
  })
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
    verificationId: verification.id,
    promoId: promo.id,
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
    verification: known.verificationId!,
    promo: known.promoId!,
  }
  return byResource[resource!] ?? 'unknown'
}

function check(what: string, status: number, text: string) {
  if (status >= 500) return failures.push(`${what} → ${status} ${text.slice(0, 200)}`)
  if (status < 400) return
  try {
    const body = JSON.parse(text)
    if (typeof body?.error?.code !== 'string' || typeof body?.error?.message !== 'string')
      failures.push(`${what} → ${status} outside the envelope: ${text.slice(0, 200)}`)
  } catch {
    failures.push(`${what} → ${status} not JSON: ${text.slice(0, 200)}`)
  }
}

async function send(
  method: string,
  url: string,
  token: string | undefined,
  body?: string,
  contentType = 'application/json',
) {
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

/** A raw HTTP request that declares 100 kB more body than it sends, left open for the caller to end. */
function sendPartialUpload(baseUrl: string, method: string, url: string, token: string, partial: string): Socket {
  const socket = connect(Number(new URL(baseUrl).port), '127.0.0.1')
  socket.on('error', () => undefined)
  socket.write(
    `${method} ${url} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nContent-Type: multipart/form-data; boundary=XB\r\nContent-Length: ${partial.length + 100_000}\r\n\r\n${partial}`,
  )
  return socket
}

/** Runs the jobs with a few in flight at once. */
async function inPool(jobs: Array<() => Promise<unknown>>, width = 12) {
  let next = 0
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) await jobs[next++]!()
    }),
  )
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
        path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(override[name] ?? pathId(path, name))) +
        query
      const bodySchema = operation.requestBody?.content?.['application/json']?.schema
      const plausibleBody = bodySchema ? (plausible(bodySchema, known) as Record<string, unknown>) : undefined
      const body = (value: unknown) => (value === undefined ? undefined : toJson(value))

      if (operation.requestBody?.content?.['application/sdp']) {
        const offers = [
          '',
          'v=0',
          'v=0\r\no=- 0 0 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n',
          'm=audio\n'.repeat(5000),
          '\x00\xff'.repeat(100),
        ]
        for (const token of identities)
          for (const offer of offers) jobs.push(() => send(upper, url(), token, offer, 'application/sdp'))
      }
      for (const token of identities) {
        jobs.push(() => send(upper, url(), token, body(plausibleBody)))
        if (!bodySchema) continue
        for (const whole of [
          '[]',
          '"x"',
          '1',
          'null',
          '{',
          '{"a":1,}',
          toJson(DEEP),
          `{"x":"${'a'.repeat(300 * 1024)}"}`,
        ])
          jobs.push(() => send(upper, url(), token, whole))
        jobs.push(() => send(upper, url(), token, '<x/>', 'application/xml'))
        jobs.push(() => send(upper, url(), token, 'a=1&b=2', 'application/x-www-form-urlencoded'))
      }
      for (const token of [tokens.customer, tokens.staff]) {
        for (const [field, schema] of Object.entries<any>(bodySchema?.properties ?? {})) {
          for (const value of hostile(schema))
            jobs.push(() => send(upper, url(), token, body({ ...plausibleBody, [field]: value })))
        }
        for (const parameter of pathParameters) {
          for (const value of hostileParameters(parameter.schema))
            jobs.push(() => send(upper, url({ [parameter.name]: value }), token, body(plausibleBody)))
        }
        for (const parameter of queryParameters) {
          for (const value of hostileParameters(parameter.schema)) {
            jobs.push(() =>
              send(upper, url({}, `?${parameter.name}=${encodeURIComponent(value)}`), token, body(plausibleBody)),
            )
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
    expect(messages.map(([type]) => type)).toEqual(
      expect.arrayContaining(['media:join', 'media:connectTransport', 'send_message', 'join-room', 'live:join']),
    )
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
          for (const value of hostile(property))
            if (!(typeof value === 'string' && value.length > 50_000))
              envelope(type, toJson({ ...base, [field]: value }))
        }
      }
      envelope('no-such-type', '{}')
      for (const [id, frame] of variants) {
        ws.sendRaw(frame)
        const reply = await ws.next((m) => m.id === id, 5000).catch(() => null)
        if (!reply) failures.push(`ws ${frame.slice(0, 120)} → no reply`)
        else if (!reply.ok && (typeof reply.error?.code !== 'string' || reply.error.code === 'INTERNAL_ERROR'))
          failures.push(`ws ${frame.slice(0, 120)} → ${JSON.stringify(reply.error)}`)
      }
      for (const garbage of [
        'not json',
        '[]',
        '42',
        '{"type":5}',
        '{"id":{"x":1},"type":"ping"}',
        `{"type":"${'t'.repeat(100)}","data":{}}`,
      ])
        ws.sendRaw(garbage)
      expect((await ws.request('ping')).type).toBe('pong')
      ws.close()
    }
    expect(failures).toEqual([])
  })

  test('every upload route with broken multipart bodies, and clients that stop sending', async () => {
    const uploads = Object.entries<Record<string, any>>(spec.paths).flatMap(([path, operations]) =>
      Object.entries<any>(operations)
        .filter(([, operation]) => operation.requestBody?.content?.['multipart/form-data'])
        .map(([method]) => ({
          method: method.toUpperCase(),
          url: path.replace(/\{(\w+)\}/g, (_, name: string) => pathId(path, name)),
        })),
    )
    expect(uploads.map((upload) => upload.url).sort()).toEqual(
      [
        '/api/v1/providers/me/portfolio',
        `/api/v1/promo/requests/${known.promoId}/assets`,
        `/api/v1/verification/requests/${known.verificationId}/documents`,
        '/api/v1/videos',
      ].sort(),
    )
    const silent: Socket[] = []
    const token = (url: string) =>
      url.includes('/verification/') || url.includes('/providers/') ? tokens.provider : tokens.customer
    const fields =
      '--XB\r\nContent-Disposition: form-data; name="title"\r\n\r\nFuzzed\r\n--XB\r\nContent-Disposition: form-data; name="docType"\r\n\r\nlicense\r\n'
    const mp4Head = '\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom'
    const filePart = (type: string) =>
      `--XB\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: ${type}\r\n\r\n${mp4Head}`
    const bodies: Array<[string, string, string]> = [
      ['truncated in the file', 'multipart/form-data; boundary=XB', fields + filePart('video/mp4')],
      ['truncated after a field', 'multipart/form-data; boundary=XB', fields],
      [
        'cut in the part headers',
        'multipart/form-data; boundary=XB',
        `${fields}--XB\r\nContent-Disposition: form-data; name="file"; filena`,
      ],
      [
        'LF line ends only',
        'multipart/form-data; boundary=XB',
        `${fields.replaceAll('\r\n', '\n')}${filePart('video/mp4').replaceAll('\r\n', '\n')}\n--XB--\n`,
      ],
      [
        'closing boundary missing its dashes',
        'multipart/form-data; boundary=XB',
        `${fields}${filePart('video/mp4')}\r\n--XB`,
      ],
      ['another boundary', 'multipart/form-data; boundary=OTHER', `${fields + filePart('video/mp4')}\r\n--XB--\r\n`],
      ['no boundary', 'multipart/form-data', fields],
      ['empty', 'multipart/form-data; boundary=XB', ''],
      ['garbage', 'multipart/form-data; boundary=XB', '\x00\xff'.repeat(500)],
    ]
    for (const { method, url } of uploads) {
      for (const [name, contentType, body] of bodies)
        await send(method, url, token(url), body, contentType).then(
          () => undefined,
          (error) => failures.push(`${url} ${name}: ${error}`),
        )
      // A client that declares more than it sends: one hangs up mid-part, one stays silent while the other routes are tried.
      for (const hangUp of [true, false]) {
        const socket = sendPartialUpload(server.baseUrl, method, url, token(url)!, fields + filePart('video/mp4'))
        await Bun.sleep(300)
        if (hangUp) socket.destroy()
        else silent.push(socket)
      }
      expect((await fetch(`${server.baseUrl}/health/live`)).status).toBe(200)
    }
    for (const socket of silent) socket.destroy()
    await Bun.sleep(500)
    expect(failures).toEqual([])
    expect(server.child.exitCode).toBeNull()
    // Every broken upload was refused, and none left a file (empty or partial) behind.
    const leftovers = readdirSync(uploadDir, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())
    expect(leftovers.map((entry) => relative(uploadDir, join(entry.parentPath, entry.name)))).toEqual([])
  })

  test('an upload whose body stalls is cut off after HTTP_IDLE_TIMEOUT_SEC and its partial file removed', async () => {
    const uploads = tempDir('majlis-stall-uploads-')
    const stalling = startServer({
      DATABASE_URL: `file:${join(tempDir(), 'stall.db')}`,
      UPLOAD_DIR: uploads,
      HTTP_IDLE_TIMEOUT_SEC: '1',
      LOG_LEVEL: 'warn',
    })
    try {
      await stalling.waitUntilUp()
      const account = await (
        await fetch(`${stalling.baseUrl}/api/v1/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: 'stall@example.com', password: 'a long password', name: 'Stall' }),
        })
      ).json()
      const part =
        '--XB\r\nContent-Disposition: form-data; name="file"; filename="a.mp4"\r\nContent-Type: video/mp4\r\n\r\n\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom'
      const socket = sendPartialUpload(stalling.baseUrl, 'POST', '/api/v1/videos', account.accessToken, part)
      await new Promise((closed) => socket.on('close', closed))
      await Bun.sleep(300)
      expect(readdirSync(uploads, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile())).toEqual(
        [],
      )
      expect((await fetch(`${stalling.baseUrl}/health/live`)).status).toBe(200)
    } finally {
      stalling.child.kill('SIGKILL')
    }
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
