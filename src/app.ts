import { Elysia } from 'elysia'
import packageJson from '../package.json' with { type: 'json' }
import { createCore, type AppDeps } from './core.ts'
import { classroomPage } from './classroom/index.ts'
import { dashboard } from './dashboard/index.ts'
import { apiDocs } from './http/docs.ts'
import { refuseWhileDraining } from './http/draining.ts'
import { errorHandler } from './http/errors.ts'
import { health } from './http/health.ts'
import { jsonBody } from './http/json-body.ts'
import { jsonResponses } from './http/json-response.ts'
import { mediaClient } from './http/media-client.ts'
import { acceptPlainDecimalStringsOnly } from './http/number-strings.ts'
import { API_PREFIX } from './http/paths.ts'
import { createHttpMetrics, observability } from './http/observability.ts'
import { security } from './http/security.ts'
import { uploadedFiles } from './http/uploads.ts'
import { backupsModule } from './modules/backups/index.ts'
import { analyticsModule } from './modules/analytics/index.ts'
import { authModule } from './modules/auth/index.ts'
import { billingModule } from './modules/billing/index.ts'
import { coursesModule } from './modules/courses/index.ts'
import { marketplaceModule } from './modules/marketplace/index.ts'
import { notificationsModule } from './modules/notifications/index.ts'
import { promoModule } from './modules/promo/index.ts'
import { recordingsModule } from './modules/recordings/index.ts'
import { streamsModule } from './modules/streams/index.ts'
import { supportModule } from './modules/support/index.ts'
import { ticketsModule } from './modules/tickets/index.ts'
import { verificationModule } from './modules/verification/index.ts'
import { createSharedServices } from './modules/shared-services.ts'
import { wsRoute, wsServerOptions } from './realtime/ws-route.ts'

export type { AppDeps } from './core.ts'

/** The whole HTTP application, testable through app.handle() without opening a port. */
export function createApp(deps: AppDeps) {
  acceptPlainDecimalStringsOnly()
  // The kernel's auth guard loads accounts through the users service, which is built over the kernel:
  // it is only asked once requests arrive, by when `services` exists.
  const core = createCore(deps, { loadAuthUser: (id) => services.users.loadAuthUser(id) })
  const services = createSharedServices(core)
  const context = { ...core, ...services }
  const { config, logger, clock, hub, scheduler, metrics } = core
  const isDraining = deps.isDraining ?? (() => false)

  const api = new Elysia({ prefix: API_PREFIX })
    .use(authModule(context))
    .use(notificationsModule(context))
    .use(supportModule(context))
    .use(ticketsModule(context))
    .use(coursesModule(context))
    .use(streamsModule(context))
    .use(recordingsModule(context))
    .use(marketplaceModule(context))
    .use(billingModule(context))
    .use(verificationModule(context))
    .use(promoModule(context))
    .use(analyticsModule(context))
    .use(backupsModule(context))

  // development: false — Bun's development error page would show source lines and paths to anyone.
  // reusePort: false — Elysia turns SO_REUSEPORT on, so a second server on a taken port started and shared it.
  // encodeSchema: false — responses are still checked against their schema (compiled), but not
  // walked by TypeBox's generic Encode, which only turned Dates into the strings JSON.stringify makes
  // anyway and cost ~100 us per 20-item page.
  return new Elysia({
    serve: {
      maxRequestBodySize: Math.max(config.uploads.maxBytes, config.uploads.maxVideoBytes, config.maxJsonBytes),
      idleTimeout: config.httpIdleTimeoutSec,
      reusePort: false,
      development: false,
    },
    websocket: wsServerOptions,
    encodeSchema: false,
  })
    .use(errorHandler(logger, config.defaultLanguage))
    .use(refuseWhileDraining(isDraining, async () => (core.cluster ? core.cluster.otherInstances() : [])))
    .use(jsonBody(config.maxJsonBytes, core.rawBodyRoutes))
    .use(observability(logger, createHttpMetrics(metrics)))
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
        checks: core.readinessChecks,
        isDraining,
        instance: core.instance,
      }),
    )
    .get(
      '/metrics',
      async ({ set }) => {
        set.headers['content-type'] = 'text/plain; version=0.0.4; charset=utf-8'
        return metrics.render()
      },
      {
        detail: {
          tags: ['service'],
          summary: 'Prometheus metrics',
          security: [],
          responses: {
            200: {
              description: 'Prometheus text format 0.0.4',
              content: { 'text/plain': { schema: { type: 'string' } } },
            },
          },
        },
      },
    )
    .use(
      wsRoute(hub, core.verifyAccessToken, {
        authTimeoutMs: deps.wsAuthTimeoutMs,
        defaultLanguage: config.defaultLanguage,
      }),
    )
    .use(mediaClient())
    .use(dashboard())
    .use(classroomPage())
    .use(uploadedFiles(config))
    .use(api)
    .decorate('runStartTasks', async () => {
      for (const task of core.startTasks) await task()
    })
    .decorate('hub', hub)
    .decorate('scheduler', scheduler)
}

/** The app's type, for Eden treaty clients: `treaty<App>('localhost:3001')`. */
export type App = ReturnType<typeof createApp>
