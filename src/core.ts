import { sql } from 'drizzle-orm'
import type Redis from 'ioredis'
import type { Media } from '../media/index.ts'
import { systemClock, type Clock } from './clock.ts'
import type { Config } from './config.ts'
import type { Database, DatabaseHandle } from './db/client.ts'
import { accessTokens, authGuard, cachedAccessTokenVerifier, type UserLoader } from './http/auth.ts'
import type { AuthUser } from './access/policy.ts'
import type { ReadinessCheck } from './http/health.ts'
import { MediaWorkerMetrics } from './metrics/media.ts'
import { CollectedGauge, MetricsRegistry } from './metrics/registry.ts'
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
import { UrlSigner } from './access/signed-urls.ts'
import { Cluster, describeInstance, type InstanceInfo } from './cluster/index.ts'
import { ClusterMetrics } from './metrics/cluster.ts'
import { Hub, type WsSession } from './realtime/hub.ts'

/** The embedded SFU with this application's users in its access resolvers and signalling. */
export type AppMedia = Media<AuthUser>

export interface AppDeps {
  config: Config
  database: DatabaseHandle
  logger: Logger
  clock?: Clock
  /** Shared counters when scaled out (Redis); one process keeps them in memory. */
  rateLimitStore?: RateLimitStore
  rateLimits?: Partial<RateLimitRules>
  /** Sends a sign-in code to a phone (an SMS gateway); without it nothing is sent. */
  otpDelivery?: (phone: string, code: string) => Promise<void>
  /** More readiness checks (Redis, media workers) beside the database's. */
  readinessChecks?: Record<string, ReadinessCheck>
  isDraining?: () => boolean
  /** The embedded SFU; without it the server runs REST and WS only (media:* messages are unknown). */
  media?: AppMedia
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
 * The kernel every domain module installs itself into: the database and clock, the auth guard and
 * rate limits for its routes, the WS hub for its handlers and channel kinds, the job scheduler and
 * the SFU's access registry. Infrastructure only: the domain services several modules share are
 * composed above it (src/modules/shared-services.ts).
 */
export interface Core {
  config: Config
  db: Database
  clock: Clock
  logger: Logger
  plugins: RoutePlugins
  limiter: RateLimiter
  hub: Hub
  scheduler: JobScheduler
  media: AppMedia | undefined
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
  /** Settings of single modules that tests shorten (see AppDeps). */
  tuning: Pick<AppDeps, 'otpDelivery' | 'reminderLeadMs' | 'hostGoneMs'>
}

/** Builds the kernel; `accounts` is where the auth guard and the WS hub load the signed-in user from. */
export function createCore(deps: AppDeps, accounts: UserLoader): Core {
  const { config, database, logger, redis } = deps
  const clock = deps.clock ?? systemClock
  const { db } = database

  const limiter = new RateLimiter(
    deps.rateLimitStore ?? (redis ? new RedisRateLimitStore(redis, clock.now) : new MemoryRateLimitStore(clock.now)),
    { ...scaledRateLimits(config.rateLimitFactor), ...deps.rateLimits },
    clock.now,
  )
  const tokens = accessTokens(config.jwt.secret, config.jwt.accessMinutes)
  const verifyToken = cachedAccessTokenVerifier(tokens)
  const guard = authGuard({ tokens, verifyToken, loadUser: (id) => accounts.loadAuthUser(id) })
  const verifyAccessToken = async (token: string) => {
    const claims = await verifyToken(token)
    if (claims === false || claims.exp === undefined) return null
    const user = await accounts.loadAuthUser(claims.sub)
    return user ? { user, expiresAt: claims.exp * 1000 } : null
  }
  const instance = describeInstance(config, () => deps.media?.pool.occupancy() ?? { peers: 0, capacity: 0 })
  const cluster = redis ? new Cluster(redis, config, instance, logger) : undefined
  const hub = new Hub(logger, verifyAccessToken, config.rateLimitFactor, cluster)

  const metrics = new MetricsRegistry()
  const readinessChecks: Record<string, ReadinessCheck> = {
    database: () => db.run(sql`select 1`),
    ...deps.readinessChecks,
  }
  // Down is degraded, not failed: every instance goes on alone, and a balancer must not drop them all.
  if (redis)
    readinessChecks.redis = () =>
      redis.ping().catch(() => 'degraded: redis unreachable; this instance serves on its own until it returns')
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
    config,
    db,
    clock,
    logger,
    plugins: { guard, throttle: throttle(limiter, config.trustProxy, guard) },
    limiter,
    hub,
    scheduler,
    media: deps.media,
    signer: new UrlSigner(config.jwt.secret),
    metrics,
    cluster,
    instance,
    readinessChecks,
    rawBodyRoutes: new Set(),
    startTasks: [],
    verifyAccessToken,
    tuning: { otpDelivery: deps.otpDelivery, reminderLeadMs: deps.reminderLeadMs, hostGoneMs: deps.hostGoneMs },
  }
}
