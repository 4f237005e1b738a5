import { afterEach, beforeEach } from 'bun:test'
import { createApp } from '../../src/app.ts'
import { systemClock, type Clock } from '../../src/clock.ts'
import { UserService } from '../../src/modules/auth/public.ts'
import { API_PREFIX } from '../../src/http/paths.ts'
import { loadConfig } from '../../src/config.ts'
import { openDatabase } from '../../src/db/client.ts'
import { applyMigrations } from '../../src/db/migrate.ts'
import type { RateLimitRules } from '../../src/http/rate-limit.ts'
import { createLogger, type Logger } from '../../src/logger.ts'
import type { AppMedia } from '../../src/core.ts'
import type Redis from 'ioredis'
import type { StaffModule, StaffProfile } from '../../src/db/schema/auth.ts'

/** A clock the test moves by hand. */
export class ManualClock implements Clock {
  constructor(private current = Date.UTC(2026, 0, 1, 9, 0, 0)) {}
  now = () => this.current
  advance(ms: number) {
    this.current += ms
  }
}

// Most suites make many calls from one "IP"; they get budgets large enough not to interfere.
// The rate-limit suite uses the real defaults.
const roomyLimits: RateLimitRules = {
  anonymous: { limit: 10_000, windowSec: 60 },
  user: { limit: 10_000, windowSec: 60 },
  otp: { limit: 10_000, windowSec: 60 },
  otpPhone: { limit: 10_000, windowSec: 60 },
  login: { limit: 10_000, windowSec: 60 },
  loginAccount: { limit: 10_000, windowSec: 60 },
  refresh: { limit: 10_000, windowSec: 60 },
}

export interface TestAppOptions {
  env?: Record<string, string>
  clock?: Clock
  rateLimits?: Partial<RateLimitRules> | 'defaults'
  isDraining?: () => boolean
  readinessChecks?: Parameters<typeof createApp>[0]['readinessChecks']
  media?: AppMedia
  wsAuthTimeoutMs?: number
  redis?: Redis
  /** Defaults to a silent one; pass one that collects lines to assert on what the server logs. */
  logger?: Logger
  hostGoneMs?: number
}

export interface ApiResponse<Body = any> {
  status: number
  body: Body
  headers: Headers
}

/** Who makes an API call: an account with its access token, or null for an anonymous one. */
export type Caller = { accessToken: string } | null

export interface RequestOptions {
  body?: unknown
  rawBody?: string
  token?: string
  headers?: Record<string, string>
}

/** A fresh in-memory database with migrations applied, and the app on top of it. */
export async function createTestApp(options: TestAppOptions = {}) {
  const config = loadConfig({ NODE_ENV: 'test', DATABASE_URL: ':memory:', LOG_LEVEL: 'silent', ...options.env })
  const database = await openDatabase(config.database)
  await applyMigrations(database.db)
  const app = createApp({
    config,
    database,
    logger: options.logger ?? createLogger('silent'),
    clock: options.clock,
    rateLimits: options.rateLimits === 'defaults' ? {} : { ...roomyLimits, ...options.rateLimits },
    isDraining: options.isDraining,
    readinessChecks: options.readinessChecks,
    media: options.media,
    wsAuthTimeoutMs: options.wsAuthTimeoutMs,
    redis: options.redis,
    hostGoneMs: options.hostGoneMs,
  })
  await app.decorator.hub.start()

  async function call<Body = any>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiResponse<Body>> {
    // Error messages are Arabic by default; the suite reads them in English unless a test asks otherwise.
    const headers: Record<string, string> = { 'accept-language': 'en', ...options.headers }
    if (options.token) headers.authorization = `Bearer ${options.token}`
    let body: string | undefined = options.rawBody
    if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['content-type'] ??= 'application/json'
    }
    // As a real client does; the real-port smoke test covers bodies sent over the wire.
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))
    const response = await app.handle(new Request(`http://localhost${path}`, { method, headers, body }))
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = text === '' ? null : JSON.parse(text)
    } catch {
      // keep text bodies (metrics, swagger HTML) as they are
    }
    return { status: response.status, body: parsed as Body, headers: response.headers }
  }

  /** `api(who, method, path, body)`: a JSON call under /api/v1 as that account (null: anonymous). */
  const api = <Body = any>(who: Caller, method: string, path: string, body?: unknown) =>
    call<Body>(method, `${API_PREFIX}${path}`, { token: who?.accessToken, body })

  let counter = 0
  /** Registers a fresh account and returns it with its tokens. */
  async function register(
    role: 'customer' | 'supporter' | 'teacher' | 'provider' = 'customer',
    extra: Record<string, string> = {},
  ) {
    counter += 1
    const email = `user${counter}.${crypto.randomUUID().slice(0, 8)}@example.com`
    const response = await call('POST', '/api/v1/auth/register', {
      body: { email, password: 'correct horse battery', name: `User ${counter}`, role, ...extra },
    })
    if (response.status !== 201) throw new Error(`register failed: ${response.status} ${JSON.stringify(response.body)}`)
    // Supporters are approved by staff in real life; here at once, before the account makes a request.
    if (role === 'supporter')
      response.body.user = await new UserService(database.db, systemClock).approveSupporter(response.body.user.id)
    return { ...response.body, email, password: 'correct horse battery' } as {
      user: { id: string; role: string; email: string; name: string }
      accessToken: string
      refreshToken: string
      email: string
      password: string
    }
  }

  /** Staff are made by the CLI in real life; here through the same service call. */
  async function registerStaff(profile: StaffProfile = 'admin', modules: StaffModule[] = []) {
    counter += 1
    const email = `staff${counter}.${crypto.randomUUID().slice(0, 8)}@example.com`
    await new UserService(database.db, systemClock).createStaff({
      email,
      password: 'staff password',
      name: `Staff ${counter}`,
      profile,
      modules,
    })
    const response = await call('POST', '/api/v1/auth/login', { body: { email, password: 'staff password' } })
    return response.body as { user: { id: string; role: string; name: string }; accessToken: string }
  }

  /** Leaves the cluster (with Redis) before the database closes; awaiting it is only needed before Redis stops. */
  const close = async () => {
    const leaving = app.decorator.hub.close()
    database.close()
    await leaving
  }
  return { app, config, database, db: database.db, call, api, register, registerStaff, close }
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>

/**
 * A fresh app (in-memory database) and manual clock for every test of the file:
 * `const ctx = freshAppPerTest()`, then `ctx.t.call(…)`, `ctx.clock.advance(…)`.
 */
export function freshAppPerTest(options: Omit<TestAppOptions, 'clock'> = {}) {
  const ctx = {} as { t: TestApp; clock: ManualClock }
  beforeEach(async () => {
    ctx.clock = new ManualClock()
    ctx.t = await createTestApp({ ...options, clock: ctx.clock })
  })
  afterEach(() => ctx.t.close())
  return ctx
}
