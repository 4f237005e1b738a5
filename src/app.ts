import { sql } from 'drizzle-orm'
import { Elysia } from 'elysia'
import packageJson from '../package.json' with { type: 'json' }
import { systemClock, type Clock } from './clock.ts'
import type { Config } from './config.ts'
import type { DatabaseHandle } from './db/client.ts'
import { accessTokens, authGuard, cachedAccessTokenVerifier } from './http/auth.ts'
import { apiDocs } from './http/docs.ts'
import { errorHandler } from './http/errors.ts'
import { jsonBody } from './http/json-body.ts'
import { jsonResponses } from './http/json-response.ts'
import { health, type ReadinessCheck } from './http/health.ts'
import { MetricsRegistry } from './http/metrics-registry.ts'
import { createHttpMetrics, observability } from './http/observability.ts'
import { MemoryRateLimitStore, RateLimiter, scaledRateLimits, type RateLimitRules, type RateLimitStore } from './http/rate-limit.ts'
import { mediaClient } from './http/media-client.ts'
import { MediaWorkerMetrics } from './http/media-metrics.ts'
import { RedisRateLimitStore } from './http/rate-limit-redis.ts'
import { security } from './http/security.ts'
import { throttle } from './http/throttle.ts'
import type { Logger } from './logger.ts'
import { OtpService, type OtpDelivery } from './modules/auth/otp.ts'
import { profileRoutes } from './modules/auth/profile-routes.ts'
import { authRoutes } from './modules/auth/routes.ts'
import { staffUserRoutes } from './modules/auth/staff-routes.ts'
import { UserService } from './modules/auth/service.ts'
import { RefreshTokens } from './modules/auth/tokens.ts'
import { notificationRoutes } from './modules/notifications/routes.ts'
import { NotificationService } from './modules/notifications/service.ts'
import { VideoCallService } from './modules/support/calls.ts'
import { callEvents, callRealtime } from './modules/support/realtime.ts'
import { supportRoutes } from './modules/support/routes.ts'
import { SupportService } from './modules/support/service.ts'
import { ticketEvents, ticketRealtime } from './modules/tickets/realtime.ts'
import { ticketRoutes } from './modules/tickets/routes.ts'
import { TicketService } from './modules/tickets/service.ts'
import { RedisFanout } from './realtime/fanout.ts'
import { Hub } from './realtime/hub.ts'
import { courseRoutes } from './modules/courses/routes.ts'
import { CourseService } from './modules/courses/service.ts'
import { LiveSessionService } from './modules/courses/sessions.ts'
import { liveEvents, liveRealtime, SpeakerRegistry } from './modules/courses/realtime.ts'
import { RedisJobLock, singleInstanceLock } from './jobs/lock.ts'
import { JobScheduler } from './jobs/scheduler.ts'
import type Redis from 'ioredis'
import { wsRoute, wsServerOptions } from './realtime/ws-route.ts'
import type { Media } from '../media/index.ts'

export interface AppDeps {
  config: Config
  database: DatabaseHandle
  logger: Logger
  clock?: Clock
  /** Shared counters when scaled out (Redis); one process keeps them in memory. */
  rateLimitStore?: RateLimitStore
  rateLimits?: Partial<RateLimitRules>
  otpDelivery?: OtpDelivery
  /** More readiness checks (Redis, media workers) beside the database's. */
  readinessChecks?: Record<string, ReadinessCheck>
  isDraining?: () => boolean
  /** The embedded SFU; without it the server runs REST and WS only (media:* messages are unknown). */
  media?: Media
  /** How long a WS connection without a token may take to send `auth` (10 s). */
  wsAuthTimeoutMs?: number
  /** With REDIS_URL: job locks and shared rate-limit counters across instances. */
  redis?: Redis
  /** How long before a live session its reminder goes out (10 minutes). */
  reminderLeadMs?: number
}

export const API_PREFIX = '/api/v1'

/** The whole HTTP application, testable through app.handle() without opening a port. */
export function createApp(deps: AppDeps) {
  const { config, database, logger } = deps
  const clock = deps.clock ?? systemClock
  const { db } = database

  const metricsRegistry = new MetricsRegistry()
  const limiter = new RateLimiter(
    deps.rateLimitStore ?? (deps.redis ? new RedisRateLimitStore(deps.redis, clock.now) : new MemoryRateLimitStore(clock.now)),
    { ...scaledRateLimits(config.rateLimitFactor), ...deps.rateLimits },
    clock.now,
  )
  const users = new UserService(db, clock)
  const refreshTokens = new RefreshTokens(db, clock, config.jwt.refreshDays)
  const otp = new OtpService(db, clock, limiter, config.jwt.secret, deps.otpDelivery)

  const tokens = accessTokens(config.jwt.secret, config.jwt.accessMinutes)
  const verifyToken = cachedAccessTokenVerifier(tokens)
  const guard = authGuard({ tokens, verifyToken, loadUser: (id) => users.loadAuthUser(id) })
  const plugins = { guard, throttle: throttle(limiter, config.trustProxy, guard) }

  const verifyAccessToken = async (token: string) => {
    const claims = await verifyToken(token)
    const user = claims ? await users.loadAuthUser(claims.sub) : null
    return user && claims && claims.exp ? { user, expiresAt: claims.exp * 1000 } : null
  }
  const hub = new Hub(logger, verifyAccessToken, config.rateLimitFactor, deps.redis ? new RedisFanout(deps.redis) : undefined)
  const readinessChecks: Record<string, ReadinessCheck> = { database: () => db.run(sql`select 1`), ...deps.readinessChecks }
  if (deps.media) {
    const { pool, signaling } = deps.media
    hub.register(...signaling.handlers())
    hub.onDisconnect((connection) => signaling.disconnect(connection.id))
    readinessChecks.media = () => pool.checkAlive()
    metricsRegistry.register(new MediaWorkerMetrics(pool))
  }

  const notifications = new NotificationService(db, clock, (userId, notification) => hub.sendToUser(userId, 'notification', notification), config.notificationRetentionDays)
  const calls = new VideoCallService(db, clock, callEvents(hub, (roomId, reason) => deps.media?.rooms.close(roomId, reason)))
  const support = new SupportService(db, clock, notifications, calls)
  const tickets = new TicketService(db, clock, notifications, ticketEvents(hub))
  const scheduler = new JobScheduler(db, clock, logger, deps.redis ? new RedisJobLock(deps.redis) : singleInstanceLock)
  const courses = new CourseService(db, clock)
  const speakers = new SpeakerRegistry()
  const sessions = new LiveSessionService(db, clock, config, courses, scheduler, notifications, liveEvents(hub, speakers, deps.media?.rooms), deps.reminderLeadMs)
  hub.register(...callRealtime(hub, calls), ...ticketRealtime(hub, tickets), ...liveRealtime(hub, sessions, speakers, deps.media?.rooms))
  deps.media?.access.register('call', (user, callId) => calls.mediaGrant(user, callId))
  deps.media?.access.register('live', (user, sessionId) => sessions.mediaGrant(user.id, sessionId, speakers.has(sessionId, user.id)))
  if (deps.redis) readinessChecks.redis = () => deps.redis!.ping()

  const api = new Elysia({ prefix: API_PREFIX })
    .use(authRoutes({ config, users, refreshTokens, otp, ...plugins }))
    .use(profileRoutes({ users, refreshTokens, ...plugins }))
    .use(staffUserRoutes(users, plugins))
    .use(notificationRoutes(notifications, plugins))
    .use(supportRoutes({ support, calls, ...plugins }))
    .use(ticketRoutes(tickets, plugins))
    .use(courseRoutes({ courses, sessions, ...plugins }))

  // development: false — Bun's development error page would show source lines and paths to anyone.
  // encodeSchema: false — responses are still checked against their schema (compiled), but not
  // walked by TypeBox's generic Encode, which only turned Dates into the strings JSON.stringify makes
  // anyway and cost ~100 us per 20-item page.
  return new Elysia({
    serve: { maxRequestBodySize: Math.max(config.uploads.maxBytes, config.maxJsonBytes), development: false },
    websocket: wsServerOptions,
    encodeSchema: false,
  })
    .use(errorHandler(logger))
    .use(jsonBody(config.maxJsonBytes))
    .use(observability(logger, createHttpMetrics(metricsRegistry)))
    .use(jsonResponses())
    .use(security(config))
    .use(
      apiDocs({
        title: 'Majlis API',
        version: packageJson.version,
        description: 'Live classes, support calls, streams, tickets and marketplace on one server.',
        wsMessages: () => hub.messageSchemas(),
      }),
    )
    .use(
      health({
        version: packageJson.version,
        startedAt: clock.now(),
        checks: readinessChecks,
        isDraining: deps.isDraining ?? (() => false),
      }),
    )
    .get('/metrics', async ({ set }) => {
      set.headers['content-type'] = 'text/plain; version=0.0.4; charset=utf-8'
      return metricsRegistry.render()
    }, { detail: { tags: ['service'], summary: 'Prometheus metrics', security: [], responses: { 200: { description: 'Prometheus text format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } } } } })
    .use(wsRoute(hub, verifyAccessToken, deps.wsAuthTimeoutMs))
    .use(mediaClient())
    .use(api)
    .decorate('hub', hub)
    .decorate('scheduler', scheduler)
}

/** The app's type, for Eden treaty clients: `treaty<App>('localhost:3001')`. */
export type App = ReturnType<typeof createApp>
