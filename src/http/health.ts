import { Elysia, t } from 'elysia'

/**
 * A dependency the server needs to serve traffic; rejects (or throws) when it is not usable. One
 * that only limits some features resolves to a `degraded: …` note, shown without failing readiness.
 */
export type ReadinessCheck = () => Promise<unknown>

const CHECK_TIMEOUT_MS = 2000

async function runCheck(check: ReadinessCheck): Promise<string> {
  let timer: Timer | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${CHECK_TIMEOUT_MS} ms`)), CHECK_TIMEOUT_MS)
  })
  try {
    const result = await Promise.race([check(), timeout])
    return typeof result === 'string' && result.startsWith('degraded') ? result : 'ok'
  } catch (error) {
    return `failed: ${error instanceof Error ? error.message : String(error)}`
  } finally {
    clearTimeout(timer)
  }
}

export interface HealthOptions {
  version: string
  startedAt: number
  checks: Record<string, ReadinessCheck>
  /** True once shutdown has begun, so load balancers stop sending traffic. */
  isDraining(): boolean
  /** This instance: which one answered, where it is reached, how loaded it is. */
  instance(): { id: string; url: string; mediaAddress: string; peers: number; capacity: number }
}

const Instance = t.Object(
  {
    id: t.String(),
    url: t.String(),
    mediaAddress: t.String(),
    peers: t.Integer({ description: 'media room participants on this instance' }),
    capacity: t.Integer({ description: 'participants it takes before refusing joins with INSTANCE_FULL' }),
  },
  { description: 'the instance that answered' },
)

/** Liveness says the process runs; readiness says it can serve (database, Redis, media workers). */
export const health = ({ version, startedAt, checks, isDraining, instance }: HealthOptions) =>
  new Elysia({ name: 'health', prefix: '/health', detail: { tags: ['service'], security: [] } })
    .get('', () => ({ status: 'ok' as const, version, uptimeSec: Math.round((Date.now() - startedAt) / 1000) }), {
      response: t.Object({ status: t.Literal('ok'), version: t.String(), uptimeSec: t.Integer() }),
      detail: { summary: 'Service summary' },
    })
    .get('/live', () => ({ status: 'ok' as const }), {
      response: t.Object({ status: t.Literal('ok') }),
      detail: { summary: 'The process is up' },
    })
    .get(
      '/ready',
      async ({ set }) => {
        const names = Object.keys(checks)
        const results = await Promise.all(names.map((name) => runCheck(checks[name]!)))
        const report = Object.fromEntries(names.map((name, i) => [name, results[i]!]))
        if (isDraining()) report.shutdown = 'failed: shutting down'
        const ready = Object.values(report).every((result) => !result.startsWith('failed'))
        set.status = ready ? 200 : 503
        const { id, url, mediaAddress, peers, capacity } = instance()
        return {
          status: ready ? ('ready' as const) : ('not_ready' as const),
          checks: report,
          instance: { id, url, mediaAddress, peers, capacity },
        }
      },
      {
        response: {
          200: t.Object({ status: t.Literal('ready'), checks: t.Record(t.String(), t.String()), instance: Instance }),
          503: t.Object({
            status: t.Literal('not_ready'),
            checks: t.Record(t.String(), t.String()),
            instance: Instance,
          }),
        },
        detail: { summary: 'Every dependency answers (503 with the failing ones otherwise)' },
      },
    )
