import { Elysia } from 'elysia'
import { ApiError, requestPath } from './errors.ts'

/**
 * While the instance shuts down, a request that reaches it anyway (on a kept-alive connection, or
 * a WebSocket upgrade) is refused with 503 SHUTTING_DOWN naming the other instances, and its
 * connection closed; requests already running finish. /health still answers, readiness with 503.
 */
export const refuseWhileDraining = (
  isDraining: () => boolean,
  otherInstances: () => Promise<Array<{ id: string; url: string }>>,
) =>
  new Elysia({ name: 'draining' }).onRequest(async ({ request }) => {
    if (!isDraining() || requestPath(request).startsWith('/health')) return
    throw new ApiError(
      503,
      'SHUTTING_DOWN',
      'This instance is shutting down: send the request to another one (details.instances) or through the load balancer again',
      { instances: await otherInstances().catch(() => []) },
      { 'retry-after': '1', connection: 'close' },
    )
  })
