import { availableParallelism, hostname } from 'node:os'
import { Type as T, type Static } from '@sinclair/typebox'
import { Value } from '@sinclair/typebox/value'
import type { MediaSettings } from '../media/index.ts'
import type { DatabaseOptions } from './db/client.ts'

/** Clearly dev-only secrets: used outside production so a fresh clone starts, refused in production. */
export const DEV_JWT_SECRET = 'dev-only-jwt-secret-never-use-in-production'
export const DEV_WEBHOOK_SECRET = 'dev-only-webhook-secret-never-use-in-production'
export const DEV_CLUSTER_SECRET = 'dev-only-cluster-secret-never-use-in-production'

/** The environment as Majlis reads it: docs/operations.md ("Configuration") lists every name and default. */
const EnvSchema = T.Object({
  NODE_ENV: T.Union([T.Literal('development'), T.Literal('production'), T.Literal('test')], { default: 'development' }),
  PORT: T.Integer({ minimum: 0, maximum: 65535, default: 3001 }),
  HOST: T.String({ minLength: 1, default: '0.0.0.0' }),
  DATABASE_URL: T.String({ pattern: '^(file:|libsql:|https?:|wss?:|:memory:$)', default: 'file:./data/majlis.db' }),
  DATABASE_AUTH_TOKEN: T.Optional(T.String({ minLength: 1 })),
  DATABASE_DRIVER: T.Optional(T.Union([T.Literal('bun-sqlite'), T.Literal('libsql')])),
  REDIS_URL: T.Optional(T.String({ pattern: '^rediss?://' })),
  INSTANCE_ID: T.Optional(T.String({ pattern: '^[A-Za-z0-9_.-]{1,64}$' })),
  CLUSTER_SECRET: T.String({ minLength: 16, default: DEV_CLUSTER_SECRET }),
  JWT_SECRET: T.String({ minLength: 32, default: DEV_JWT_SECRET }),
  JWT_ACCESS_MIN: T.Integer({ minimum: 1, default: 60 }),
  JWT_REFRESH_DAYS: T.Integer({ minimum: 1, default: 30 }),
  OTP_DEV_CODES: T.Optional(T.Boolean()),
  MEDIA_WORKERS: T.Integer({ minimum: 1, maximum: 64, default: availableParallelism() }),
  MEDIA_LISTEN_IP: T.String({ minLength: 1, default: '127.0.0.1' }),
  MEDIA_ANNOUNCED_IP: T.Optional(T.String({ minLength: 1 })),
  MEDIA_PORT: T.Integer({ minimum: 1024, maximum: 65000, default: 40000 }),
  MEDIA_PIPE_PORTS: T.String({ pattern: '^[0-9]{4,5}-[0-9]{4,5}$', default: '44000-44999' }),
  MEDIA_MAX_PEERS_PER_WORKER: T.Integer({ minimum: 1, maximum: 1_000_000, default: 500 }),
  // No delay by default: the worker already asks a layer for one key frame at a time, which kept a
  // 200-viewer burst to one a second, and a delay is waited out by a student joining just after another.
  MEDIA_KEYFRAME_REQUEST_DELAY_MS: T.Integer({ minimum: 0, maximum: 10_000, default: 0 }),
  WEBRTC_ICE_SERVERS_JSON: T.String({ default: '[]' }),
  TURN_SECRET: T.Optional(T.String({ minLength: 16 })),
  TURN_URLS: T.Optional(T.String({ pattern: '^turns?:' })),
  TURN_TTL_SEC: T.Integer({ minimum: 60, maximum: 7 * 86400, default: 86400 }),
  PAYMENT_WEBHOOK_SECRET: T.String({ minLength: 16, default: DEV_WEBHOOK_SECRET }),
  UPLOAD_DIR: T.String({ minLength: 1, default: './data/uploads' }),
  FFMPEG_PATH: T.String({ minLength: 1, default: 'ffmpeg' }),
  MAX_RECORDING_MINUTES: T.Integer({ minimum: 1, maximum: 24 * 60, default: 360 }),
  MAX_UPLOAD_MB: T.Integer({ minimum: 1, maximum: 1024, default: 10 }),
  MAX_VIDEO_UPLOAD_MB: T.Integer({ minimum: 1, maximum: 10240, default: 512 }),
  PUBLIC_URL: T.Optional(T.String({ pattern: '^https?://[^/]+(/.*)?$' })),
  MAX_JSON_KB: T.Integer({ minimum: 1, maximum: 10240, default: 256 }),
  HTTP_IDLE_TIMEOUT_SEC: T.Integer({ minimum: 1, maximum: 255, default: 30 }),
  LOG_LEVEL: T.Union(
    [T.Literal('debug'), T.Literal('info'), T.Literal('warn'), T.Literal('error'), T.Literal('silent')],
    {
      default: 'info',
    },
  ),
  NOTIFICATION_RETENTION_DAYS: T.Integer({ minimum: 1, maximum: 3650, default: 90 }),
  DEFAULT_LANGUAGE: T.Union([T.Literal('ar'), T.Literal('en')], { default: 'ar' }),
  SEED_CATALOGUE: T.Boolean({ default: true }),
  PROVIDER_SEARCH: T.Union([T.Literal('fts'), T.Literal('like')], { default: 'fts' }),
  CLASSROOM_AGGREGATION: T.Boolean({ default: true }),
  RATE_LIMIT_FACTOR: T.Number({ exclusiveMinimum: 0, maximum: 100000, default: 1 }),
  BACKUP_DIR: T.Optional(T.String({ minLength: 1 })),
  BACKUP_EVERY: T.String({ pattern: '^[1-9][0-9]{0,4}(m|h|d)$', default: '24h' }),
  BACKUP_KEEP: T.Integer({ minimum: 1, maximum: 1000, default: 7 }),
  CORS_ORIGINS: T.String({ default: '*' }),
  TRUST_PROXY: T.Boolean({ default: false }),
})
type Env = Static<typeof EnvSchema>

const IceServer = T.Object({
  urls: T.Union([T.String({ minLength: 1 }), T.Array(T.String({ minLength: 1 }), { minItems: 1 })]),
  username: T.Optional(T.String()),
  credential: T.Optional(T.String()),
})
const IceServers = T.Array(IceServer)
export type IceServerConfig = Static<typeof IceServer>

export type LogLevel = Env['LOG_LEVEL']

export interface Config {
  env: Env['NODE_ENV']
  isProduction: boolean
  port: number
  host: string
  database: DatabaseOptions
  redisUrl?: string
  /** This instance in a cluster (REDIS_URL): its name, and the key that signs every message between instances. */
  cluster: { instanceId: string; secret: string }
  jwt: { secret: string; accessMinutes: number; refreshDays: number }
  otpDevCodes: boolean
  /** What the SFU reads (its own type), and the STUN/TURN servers handed to browsers. */
  media: MediaSettings & { iceServers: IceServerConfig[] }
  /** TURN REST credentials (username `expiry:userId`, HMAC-SHA1 password) when a TURN secret is set. */
  turn?: { secret: string; urls: string[]; ttlSec: number }
  paymentWebhookSecret: string
  uploads: { dir: string; maxBytes: number; maxVideoBytes: number }
  /** Scheduled copies of the database (BACKUP_DIR set): one every everyMs, the newest `keep` kept. */
  backups?: { dir: string; everyMs: number; keep: number }
  /** Debian's ffmpeg for recording, HLS and ingest (ffprobe is looked up beside it); a recording stops at maxRecordingMs. */
  ffmpeg: { path: string; probePath: string; maxRecordingMs: number }
  /** The base of absolute URLs in responses; without it, the request's own origin. */
  publicUrl: string | undefined
  maxJsonBytes: number
  /** How long an HTTP connection may send nothing (a request body that stalls included) before it is closed. */
  httpIdleTimeoutSec: number
  notificationRetentionDays: number
  /** The language of error messages for a request without a usable Accept-Language. */
  defaultLanguage: 'ar' | 'en'
  /** How `q` finds providers: the FTS5 index, or a LIKE scan (kept to compare them in the bench). */
  providerSearch: 'fts' | 'like'
  /** Whether class events are summed and throttled (reactions each second, poll results twice a second); off only to compare in the bench. */
  classroomAggregation: boolean
  /** Whether an empty service catalogue gets the starter one at start. */
  seedCatalogue: boolean
  logLevel: LogLevel
  /** Scales every rate limit (HTTP scopes and the per-connection WS budget); 1 = the defaults. */
  rateLimitFactor: number
  corsOrigins: '*' | string[]
  trustProxy: boolean
}

export class ConfigError extends Error {
  override name = 'ConfigError'
}

/** Variables whose value is, or may hold, a secret: an error names them and their length, never their value. */
const SECRET_VARIABLES = new Set([
  'JWT_SECRET',
  'CLUSTER_SECRET',
  'PAYMENT_WEBHOOK_SECRET',
  'TURN_SECRET',
  'DATABASE_AUTH_TOKEN',
  'DATABASE_URL',
  'REDIS_URL',
])
const shown = (variable: string, value: string | undefined) =>
  value === undefined
    ? 'nothing'
    : SECRET_VARIABLES.has(variable)
      ? `a value of ${value.length} characters, not shown`
      : JSON.stringify(value)

/** Reads and validates the environment; throws ConfigError naming the first bad variable. */
export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {}
  for (const key of Object.keys(EnvSchema.properties)) {
    const value = source[key]
    if (value !== undefined && value !== '') raw[key] = value
  }
  const env = Value.Convert(EnvSchema, Value.Default(EnvSchema, raw))
  const firstError = Value.Errors(EnvSchema, env).First()
  if (firstError) {
    const variable = firstError.path.split('/')[1] ?? '(environment)'
    const allowed: unknown[] = (firstError.schema.anyOf ?? []).map((option: { const?: unknown }) => option.const)
    const problem = allowed.length > 0 ? `must be one of ${allowed.join(', ')}` : firstError.message
    throw new ConfigError(`${variable}: ${problem} (got ${shown(variable, source[variable])})`)
  }
  const checked = env as Env
  const isProduction = checked.NODE_ENV === 'production'
  if (isProduction) refuseDevDefaults(checked)

  return {
    env: checked.NODE_ENV,
    isProduction,
    port: checked.PORT,
    host: checked.HOST,
    database: { url: checked.DATABASE_URL, authToken: checked.DATABASE_AUTH_TOKEN, driver: checked.DATABASE_DRIVER },
    redisUrl: checked.REDIS_URL,
    cluster: {
      instanceId: checked.INSTANCE_ID ?? `${hostname()}-${crypto.randomUUID().slice(0, 8)}`,
      secret: checked.CLUSTER_SECRET,
    },
    jwt: { secret: checked.JWT_SECRET, accessMinutes: checked.JWT_ACCESS_MIN, refreshDays: checked.JWT_REFRESH_DAYS },
    otpDevCodes: checked.OTP_DEV_CODES ?? !isProduction,
    media: {
      workers: checked.MEDIA_WORKERS,
      listenIp: checked.MEDIA_LISTEN_IP,
      announcedIp: checked.MEDIA_ANNOUNCED_IP,
      port: checked.MEDIA_PORT,
      pipePorts: parsePortRange(checked.MEDIA_PIPE_PORTS),
      maxPeersPerWorker: checked.MEDIA_MAX_PEERS_PER_WORKER,
      keyFrameRequestDelayMs: checked.MEDIA_KEYFRAME_REQUEST_DELAY_MS,
      iceServers: parseIceServers(checked.WEBRTC_ICE_SERVERS_JSON),
    },
    turn: parseTurn(checked),
    paymentWebhookSecret: checked.PAYMENT_WEBHOOK_SECRET,
    uploads: {
      dir: checked.UPLOAD_DIR,
      maxBytes: checked.MAX_UPLOAD_MB * 1024 * 1024,
      maxVideoBytes: checked.MAX_VIDEO_UPLOAD_MB * 1024 * 1024,
    },
    backups: parseBackups(checked),
    ffmpeg: {
      path: checked.FFMPEG_PATH,
      probePath: probePathBeside(checked.FFMPEG_PATH),
      maxRecordingMs: checked.MAX_RECORDING_MINUTES * 60_000,
    },
    publicUrl: checked.PUBLIC_URL?.replace(/\/+$/, ''),
    maxJsonBytes: checked.MAX_JSON_KB * 1024,
    httpIdleTimeoutSec: checked.HTTP_IDLE_TIMEOUT_SEC,
    notificationRetentionDays: checked.NOTIFICATION_RETENTION_DAYS,
    defaultLanguage: checked.DEFAULT_LANGUAGE,
    providerSearch: checked.PROVIDER_SEARCH,
    classroomAggregation: checked.CLASSROOM_AGGREGATION,
    seedCatalogue: checked.SEED_CATALOGUE,
    logLevel: checked.LOG_LEVEL,
    rateLimitFactor: checked.RATE_LIMIT_FACTOR,
    corsOrigins: parseCorsOrigins(checked.CORS_ORIGINS),
    trustProxy: checked.TRUST_PROXY,
  }
}

/** `ffprobe` in the same directory as the configured ffmpeg (or on the PATH when ffmpeg is). */
function probePathBeside(ffmpegPath: string): string {
  const slash = ffmpegPath.lastIndexOf('/')
  return slash < 0 ? 'ffprobe' : `${ffmpegPath.slice(0, slash + 1)}ffprobe`
}

function refuseDevDefaults(env: Env): void {
  if (env.JWT_SECRET === DEV_JWT_SECRET) {
    throw new ConfigError(
      'JWT_SECRET: the dev-only default is refused when NODE_ENV=production; set a secret of at least 32 characters',
    )
  }
  if (env.PAYMENT_WEBHOOK_SECRET === DEV_WEBHOOK_SECRET) {
    throw new ConfigError('PAYMENT_WEBHOOK_SECRET: the dev-only default is refused when NODE_ENV=production')
  }
  if (env.REDIS_URL && env.CLUSTER_SECRET === DEV_CLUSTER_SECRET) {
    throw new ConfigError(
      'CLUSTER_SECRET: the dev-only default is refused when NODE_ENV=production with REDIS_URL; give every instance the same secret of at least 16 characters',
    )
  }
  if (env.OTP_DEV_CODES === true) {
    throw new ConfigError('OTP_DEV_CODES: dev codes are refused when NODE_ENV=production')
  }
}

const BACKUP_UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 }

function parseBackups(env: Env): Config['backups'] {
  if (!env.BACKUP_DIR) return undefined
  if (!env.DATABASE_URL.startsWith('file:'))
    throw new ConfigError(
      'BACKUP_DIR: scheduled backups copy a local database file; back a libSQL server up with its own tools',
    )
  const unit = env.BACKUP_EVERY.slice(-1) as keyof typeof BACKUP_UNIT_MS
  return {
    dir: env.BACKUP_DIR,
    everyMs: Number(env.BACKUP_EVERY.slice(0, -1)) * BACKUP_UNIT_MS[unit],
    keep: env.BACKUP_KEEP,
  }
}

function parsePortRange(value: string): { min: number; max: number } {
  const [min, max] = value.split('-').map(Number) as [number, number]
  if (min < 1024 || max > 65535 || min > max)
    throw new ConfigError(
      `MEDIA_PIPE_PORTS: a range such as 44000-44999 within 1024-65535 (got ${JSON.stringify(value)})`,
    )
  return { min, max }
}

function parseTurn(env: Env): Config['turn'] {
  if (!env.TURN_SECRET) return undefined
  if (!env.TURN_URLS)
    throw new ConfigError('TURN_URLS: required when TURN_SECRET is set (comma-separated turn: or turns: URLs)')
  return { secret: env.TURN_SECRET, urls: env.TURN_URLS.split(',').map((url) => url.trim()), ttlSec: env.TURN_TTL_SEC }
}

function parseIceServers(json: string): IceServerConfig[] {
  let parsed: unknown
  try {
    parsed = JSON.parse(json)
  } catch {
    throw new ConfigError('WEBRTC_ICE_SERVERS_JSON: not valid JSON')
  }
  const firstError = Value.Errors(IceServers, parsed).First()
  if (firstError) {
    throw new ConfigError(`WEBRTC_ICE_SERVERS_JSON: ${firstError.message} at ${firstError.path || '/'}`)
  }
  return parsed as IceServerConfig[]
}

function parseCorsOrigins(value: string): '*' | string[] {
  if (value.trim() === '*') return '*'
  const origins = value
    .split(',')
    .map((origin) => origin.trim())
    .filter(Boolean)
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new ConfigError(`CORS_ORIGINS: ${JSON.stringify(origin)} is not an origin such as https://app.example.com`)
    }
  }
  return origins
}
