import { sql } from 'drizzle-orm'
import type Redis from 'ioredis'
import type { Media } from '../media/index.ts'
import { systemClock, type Clock } from './clock.ts'
import type { Config } from './config.ts'
import type { Database, DatabaseHandle } from './db/client.ts'
import { accessTokens, authGuard, cachedAccessTokenVerifier } from './http/auth.ts'
import type { ReadinessCheck } from './http/health.ts'
import { MediaWorkerMetrics } from './http/media-metrics.ts'
import { CollectedGauge, MetricsRegistry } from './http/metrics-registry.ts'
import type { RoutePlugins } from './http/module-routes.ts'
import {
  MemoryRateLimitStore,
  RateLimiter,
  scaledRateLimits,
  type RateLimitRules,
  type RateLimitStore,
} from './http/rate-limit.ts'
import { RedisRateLimitStore } from './http/rate-limit-redis.ts'
import { throttle } from './http/throttle.ts'
import { RedisJobLock, singleInstanceLock } from './jobs/lock.ts'
import { JobScheduler } from './jobs/scheduler.ts'
import type { Logger } from './logger.ts'
import type { OtpDelivery } from './modules/auth/otp.ts'
import { UserService } from './modules/auth/service.ts'
import { Wallet } from './modules/auth/wallet.ts'
import { FeatureService } from './modules/billing/features.ts'
import { InvoiceService } from './modules/billing/invoices.ts'
import { NotificationService } from './modules/notifications/service.ts'
import { RecordingService } from './modules/recordings/service.ts'
import { UrlSigner } from './http/signed-urls.ts'
import { Cluster, describeInstance, type InstanceInfo } from './cluster/index.ts'
import { ClusterMetrics } from './http/cluster-metrics.ts'
import { Hub, type WsSession } from './realtime/hub.ts'

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
  /** With REDIS_URL: job locks, shared rate-limit counters and WS events across instances. */
  redis?: Redis
  /** How long before a live session its reminder goes out (10 minutes). */
  reminderLeadMs?: number
  /** How long a stream's host may be without a connection before it ends by itself (60 s). */
  hostGoneMs?: number
}

/**
 * What every domain module installs itself into: the database and clock, the auth guard and rate
 * limits for its routes, the WS hub for its handlers and channel kinds, the job scheduler, the
 * SFU's access registry, and the services several modules share (users, wallet, notifications).
 */
export interface Core {
  deps: AppDeps
  config: Config
  db: Database
  clock: Clock
  logger: Logger
  plugins: RoutePlugins
  limiter: RateLimiter
  hub: Hub
  scheduler: JobScheduler
  media: Media | undefined
  users: UserService
  wallet: Wallet
  notifications: NotificationService
  /** Invoices for every flow that sells something; each flow registers what paying does. */
  invoices: InvoiceService
  /** What an account's plan and extras let it use (upload size, portfolio items…). */
  features: FeatureService
  /** Recordings of calls, streams and classes; each of those modules registers what its recordings are. */
  recordings: RecordingService
  /** Expiring links to private media for players that send no Authorization header. */
  signer: UrlSigner
  metrics: MetricsRegistry
  /** With REDIS_URL: the other instances, their messages and shared state. */
  cluster: Cluster | undefined
  /** Who this instance is, where it is reached and how loaded it is. */
  instance: () => InstanceInfo
  readinessChecks: Record<string, ReadinessCheck>
  /** Route patterns whose body reaches the handler as the exact text that arrived (signed webhooks). */
  rawBodyRoutes: Set<string>
  /** What modules do once at start, before the server listens (seeding an empty catalogue, filling new columns). */
  startTasks: Array<() => Promise<unknown>>
  verifyAccessToken(token: string): Promise<WsSession | null>
}

export function createCore(deps: AppDeps): Core {
  const { config, database, logger, redis } = deps
  const clock = deps.clock ?? systemClock
  const { db } = database

  const limiter = new RateLimiter(
    deps.rateLimitStore ?? (redis ? new RedisRateLimitStore(redis, clock.now) : new MemoryRateLimitStore(clock.now)),
    { ...scaledRateLimits(config.rateLimitFactor), ...deps.rateLimits },
    clock.now,
  )
  const users = new UserService(db, clock)
  const tokens = accessTokens(config.jwt.secret, config.jwt.accessMinutes)
  const verifyToken = cachedAccessTokenVerifier(tokens)
  const guard = authGuard({ tokens, verifyToken, loadUser: (id) => users.loadAuthUser(id) })
  const verifyAccessToken = async (token: string) => {
    const claims = await verifyToken(token)
    if (claims === false || claims.exp === undefined) return null
    const user = await users.loadAuthUser(claims.sub)
    return user ? { user, expiresAt: claims.exp * 1000 } : null
  }
  const instance = describeInstance(config, () => deps.media?.pool.occupancy() ?? { peers: 0, capacity: 0 })
  const cluster = redis ? new Cluster(redis, config, instance, logger) : undefined
  const hub = new Hub(logger, verifyAccessToken, config.rateLimitFactor, cluster)

  const notifications = new NotificationService(
    db,
    clock,
    (userId, notification) => hub.sendToUser(userId, 'notification', notification),
    config.notificationRetentionDays,
  )
  const metrics = new MetricsRegistry()
  const readinessChecks: Record<string, ReadinessCheck> = {
    database: () => db.run(sql`select 1`),
    ...deps.readinessChecks,
  }
  if (redis) readinessChecks.redis = () => redis.ping()
  if (cluster) readinessChecks.cluster = () => cluster.members.list()
  metrics.register(new ClusterMetrics(instance, cluster, () => deps.media?.cascade?.feedCount ?? 0))
  metrics.register(
    new CollectedGauge('majlis_ws_connections', 'Open WebSocket connections on this instance', () => [
      [{ instance: config.cluster.instanceId }, hub.connectionCount],
    ]),
  )
  if (deps.media) {
    const { pool, signaling } = deps.media
    hub.register(...signaling.handlers())
    hub.onDisconnect((connection) => signaling.disconnect(connection.id))
    readinessChecks.media = () => pool.checkAlive()
    metrics.register(new MediaWorkerMetrics(pool))
    if (cluster) deps.media.joinCluster(cluster)
  }

  const scheduler = new JobScheduler(db, clock, logger, redis ? new RedisJobLock(redis) : singleInstanceLock)

  return {
    deps,
    config,
    db,
    clock,
    logger,
    plugins: { guard, throttle: throttle(limiter, config.trustProxy, guard) },
    limiter,
    hub,
    scheduler,
    media: deps.media,
    users,
    wallet: new Wallet(db, clock),
    notifications,
    invoices: new InvoiceService(db, clock, notifications, logger),
    features: new FeatureService(db, clock, config.uploads.maxBytes),
    recordings: new RecordingService(db, clock, config, scheduler, logger, deps.media, cluster),
    signer: new UrlSigner(config.jwt.secret),
    metrics,
    cluster,
    instance,
    readinessChecks,
    rawBodyRoutes: new Set(),
    startTasks: [],
    verifyAccessToken,
  }
}
