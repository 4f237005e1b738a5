import { describe, expect, test } from 'bun:test'
import { ConfigError, DEV_CLUSTER_SECRET, DEV_JWT_SECRET, loadConfig } from '../src/config.ts'

const production = { NODE_ENV: 'production', JWT_SECRET: 's'.repeat(40), PAYMENT_WEBHOOK_SECRET: 'w'.repeat(32) }

const failure = (env: Record<string, string>) => {
  try {
    loadConfig(env)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError)
    return (error as Error).message
  }
  throw new Error('expected loadConfig to fail')
}

describe('configuration', () => {
  test('embedded defaults: port 3001, libSQL file under data/, no Redis, dev codes on', () => {
    const config = loadConfig({})
    expect(config.port).toBe(3001)
    expect(config.host).toBe('0.0.0.0')
    expect(config.database.url).toBe('file:./data/majlis.db')
    expect(config.redisUrl).toBeUndefined()
    expect(config.otpDevCodes).toBe(true)
    expect(config.jwt).toEqual({ secret: DEV_JWT_SECRET, accessMinutes: 60, refreshDays: 30 })
    expect(config.media.workers).toBeGreaterThanOrEqual(1)
    expect(config.media.iceServers).toEqual([])
    expect(config.uploads.maxBytes).toBe(10 * 1024 * 1024)
    expect(config.media.keyFrameRequestDelayMs).toBe(0)
  })

  test('reads and converts values from the environment', () => {
    const config = loadConfig({
      PORT: '8080',
      JWT_ACCESS_MIN: '15',
      OTP_DEV_CODES: 'false',
      REDIS_URL: 'redis://127.0.0.1:6379',
      WEBRTC_ICE_SERVERS_JSON: '[{"urls":"stun:stun.example.com:3478"}]',
      CORS_ORIGINS: 'https://app.example.com, https://admin.example.com',
      TRUST_PROXY: 'true',
      MEDIA_KEYFRAME_REQUEST_DELAY_MS: '1000',
    })
    expect(config.port).toBe(8080)
    expect(config.jwt.accessMinutes).toBe(15)
    expect(config.otpDevCodes).toBe(false)
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379')
    expect(config.media.iceServers).toEqual([{ urls: 'stun:stun.example.com:3478' }])
    expect(config.corsOrigins).toEqual(['https://app.example.com', 'https://admin.example.com'])
    expect(config.trustProxy).toBe(true)
    expect(config.media.keyFrameRequestDelayMs).toBe(1000)
  })

  test.each([
    [{ PORT: 'abc' }, /^PORT: /],
    [{ PORT: '70000' }, /^PORT: /],
    [{ JWT_SECRET: 'too-short' }, /^JWT_SECRET: /],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: must be one of debug, info, warn, error, silent/],
    [{ DATABASE_URL: 'postgres://x' }, /^DATABASE_URL: /],
    [{ REDIS_URL: 'http://x' }, /^REDIS_URL: /],
    [{ MEDIA_WORKERS: '0' }, /^MEDIA_WORKERS: /],
    [{ MEDIA_KEYFRAME_REQUEST_DELAY_MS: '-1' }, /^MEDIA_KEYFRAME_REQUEST_DELAY_MS: /],
    [{ MEDIA_KEYFRAME_REQUEST_DELAY_MS: 'soon' }, /^MEDIA_KEYFRAME_REQUEST_DELAY_MS: /],
    [{ WEBRTC_ICE_SERVERS_JSON: 'not json' }, /^WEBRTC_ICE_SERVERS_JSON: not valid JSON/],
    [{ WEBRTC_ICE_SERVERS_JSON: '[{"username":"x"}]' }, /^WEBRTC_ICE_SERVERS_JSON: /],
    [{ CORS_ORIGINS: 'https://app.example.com/path' }, /^CORS_ORIGINS: /],
  ])('a bad value stops start-up naming the variable: %p', (env, message) => {
    expect(failure(env)).toMatch(message)
  })

  test('an error about a secret names the variable and its length, never the value', () => {
    for (const [variable, value] of [
      ['JWT_SECRET', 'hunter2-but-short'],
      ['CLUSTER_SECRET', 'tiny-secret'],
      ['PAYMENT_WEBHOOK_SECRET', 'short-hook'],
      ['TURN_SECRET', 'turn-pass'],
      ['REDIS_URL', 'http://user:pa55word@redis'],
      ['DATABASE_URL', 'postgres://admin:pa55word@db/majlis'],
    ] as const) {
      const message = failure({ [variable]: value })
      expect(message).toStartWith(`${variable}: `)
      expect(message).toContain(`a value of ${value.length} characters, not shown`)
      expect(message).not.toContain(value)
    }
    expect(failure({ PORT: 'abc' })).toContain('"abc"')
  })

  test('the real entry point prints no secret when its configuration is refused', () => {
    const secret = 'my-real-but-short-secret'
    const run = Bun.spawnSync([process.execPath, 'src/index.ts'], {
      cwd: `${import.meta.dir}/..`,
      env: { ...process.env, JWT_SECRET: secret },
    })
    expect(run.exitCode).toBe(1)
    const output = `${run.stdout}${run.stderr}`
    expect(output).toContain('Invalid configuration: JWT_SECRET')
    expect(output).not.toContain(secret)
  })

  test('production refuses the dev JWT secret', () => {
    const { JWT_SECRET: _secret, ...withoutSecret } = production
    expect(failure(withoutSecret)).toMatch(/^JWT_SECRET: the dev-only default is refused/)
  })

  test('production refuses the dev webhook secret', () => {
    const { PAYMENT_WEBHOOK_SECRET: _secret, ...withoutSecret } = production
    expect(failure(withoutSecret)).toMatch(/^PAYMENT_WEBHOOK_SECRET: the dev-only default is refused/)
  })

  test('production refuses OTP dev codes and turns them off by default', () => {
    expect(failure({ ...production, OTP_DEV_CODES: 'true' })).toMatch(/^OTP_DEV_CODES: /)
    const config = loadConfig(production)
    expect(config.isProduction).toBe(true)
    expect(config.otpDevCodes).toBe(false)
  })

  test('cluster: a generated instance id by default; a pipe port range; the dev secret refused in production with Redis', () => {
    const [first, second] = [loadConfig({}), loadConfig({})]
    expect(first.cluster.instanceId).not.toBe(second.cluster.instanceId)
    expect(first.cluster.secret).toBe(DEV_CLUSTER_SECRET)
    expect(first.media.pipePorts).toEqual({ min: 44000, max: 44999 })
    const configured = loadConfig({
      INSTANCE_ID: 'media-2',
      MEDIA_PIPE_PORTS: '50000-50099',
      MEDIA_MAX_PEERS_PER_WORKER: '300',
    })
    expect(configured.cluster.instanceId).toBe('media-2')
    expect(configured.media).toMatchObject({ pipePorts: { min: 50000, max: 50099 }, maxPeersPerWorker: 300 })
    expect(failure({ INSTANCE_ID: 'has spaces' })).toMatch(/^INSTANCE_ID: /)
    expect(failure({ MEDIA_PIPE_PORTS: '50099-50000' })).toMatch(/^MEDIA_PIPE_PORTS: /)
    expect(failure({ MEDIA_PIPE_PORTS: 'all' })).toMatch(/^MEDIA_PIPE_PORTS: /)
    expect(failure({ CLUSTER_SECRET: 'short' })).toMatch(/^CLUSTER_SECRET: /)
    expect(failure({ ...production, REDIS_URL: 'redis://redis:6379' })).toMatch(
      /^CLUSTER_SECRET: the dev-only default is refused/,
    )
    expect(
      loadConfig({ ...production, REDIS_URL: 'redis://redis:6379', CLUSTER_SECRET: 'c'.repeat(32) }).cluster.secret,
    ).toBe('c'.repeat(32))
    // One instance needs no cluster secret, production or not.
    expect(loadConfig(production).isProduction).toBe(true)
  })
})
