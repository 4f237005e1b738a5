import { Elysia } from 'elysia'
import { logEvent, type Logger } from '../logger.ts'
import { requestPath } from './errors.ts'
import { CollectedGauge, Counter, Histogram, type MetricsRegistry } from '../metrics/registry.ts'

const REQUEST_ID_HEADER = 'x-request-id'
// Any token is a valid HTTP method; labels take the standard ones so a fuzzer cannot grow the series.
const knownMethods = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
const methodLabel = (method: string) => (knownMethods.has(method) ? method : 'OTHER')
const acceptableRequestId = /^[\w.:-]{1,128}$/
const readOnlyMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

interface RequestTiming {
  id: string
  startedAt: number
}

export function createHttpMetrics(registry: MetricsRegistry) {
  return {
    requests: registry.register(new Counter('http_requests_total', 'HTTP requests by method, route and status')),
    duration: registry.register(
      new Histogram(
        'http_request_duration_seconds',
        'HTTP request latency by method and route',
        [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      ),
    ),
    memory: registry.register(
      new CollectedGauge('process_resident_memory_bytes', 'Resident memory of the server process', () => [
        [{}, process.memoryUsage.rss()],
      ]),
    ),
  }
}

/**
 * Gives every response an x-request-id (the caller's, when it sent a sane one), logs one JSON
 * line per request (with the signed-in user's id) and a `staff.action` event for every change staff
 * make, and records the request in the metrics, labelled by route template so that
 * ids in paths do not explode the series.
 */
export const observability = (logger: Logger, metrics: ReturnType<typeof createHttpMetrics>) => {
  const timings = new WeakMap<Request, RequestTiming>()
  return new Elysia({ name: 'observability' })
    .onRequest(({ request, set }) => {
      const incoming = request.headers.get(REQUEST_ID_HEADER)
      const id = incoming && acceptableRequestId.test(incoming) ? incoming : crypto.randomUUID()
      timings.set(request, { id, startedAt: performance.now() })
      set.headers[REQUEST_ID_HEADER] = id
    })
    .onAfterResponse({ as: 'global' }, (context) => {
      const { request, set, route } = context
      // The auth guard's session, when the request carried a valid token.
      const session = (context as { session?: { userId: string; role: string } | null }).session ?? null
      const timing = timings.get(request)
      if (!timing) return
      const seconds = (performance.now() - timing.startedAt) / 1000
      const status = String(typeof set.status === 'number' ? set.status : 200)
      const routeLabel = route || 'unmatched'
      const method = methodLabel(request.method)
      metrics.requests.inc({ method, route: routeLabel, status })
      metrics.duration.observe({ method, route: routeLabel }, seconds)
      logger.info('request', {
        requestId: timing.id,
        method: request.method,
        path: requestPath(request).slice(0, 512),
        route: routeLabel,
        status: Number(status),
        ms: Math.round(seconds * 100000) / 100,
        ...(session ? { userId: session.userId } : {}),
      })
      if (session?.role === 'staff' && !readOnlyMethods.has(request.method) && Number(status) < 400) {
        logEvent(logger, 'staff.action', session.userId, {
          method: request.method,
          route: routeLabel,
          path: requestPath(request).slice(0, 512),
          status: Number(status),
          requestId: timing.id,
        })
      }
    })
}
