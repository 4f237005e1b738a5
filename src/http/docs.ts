import { swagger } from '@elysiajs/swagger'
import { Elysia, type TSchema } from 'elysia'
import { dirname } from 'node:path'
import { normalizeOpenApi } from './openapi.ts'

const uiDir = dirname(Bun.resolveSync('swagger-ui-dist/package.json', import.meta.dir))
const GENERATED_SPEC_PATH = '/swagger/generated.json'

// Served by Majlis itself: self-hosted installs often have no internet, so nothing comes from a CDN.
const page = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>Majlis API</title>
  <link rel="stylesheet" href="/swagger/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/swagger/assets/swagger-ui-bundle.js"></script>
  <script src="/swagger/assets/init.js"></script>
</body>
</html>`
const init = `window.ui = SwaggerUIBundle({ url: '/swagger/json', dom_id: '#swagger-ui', deepLinking: true, persistAuthorization: false })`
const assets: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
}
const pagePolicy = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'"

export interface DocsInfo {
  title: string
  version: string
  description: string
  /** The /ws message types and their data schemas, published as the `x-websocket` extension. */
  wsMessages(): Record<string, TSchema>
}

/**
 * The API documentation: the OpenAPI 3.1 document at /swagger/json (generated from the routes'
 * schemas, then normalized, see openapi.ts; the WS messages under `x-websocket`) and the
 * Swagger UI at /swagger from swagger-ui-dist.
 */
export const apiDocs = ({ wsMessages, ...info }: DocsInfo) => {
  const generator = swagger({
    path: '/swagger/generator',
    specPath: GENERATED_SPEC_PATH,
    exclude: ['/swagger', '/swagger/json', GENERATED_SPEC_PATH, '/swagger/generator', /^\/swagger\/assets/],
    documentation: {
      info,
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  })
  let document: Promise<unknown> | null = null
  return (
    new Elysia({ name: 'api-docs', detail: { hide: true } })
      .use(generator)
      .get('/swagger', ({ set }) => {
        set.headers['content-type'] = 'text/html; charset=utf-8'
        set.headers['content-security-policy'] = pagePolicy
        return page
      })
      .get('/swagger/assets/init.js', ({ set }) => {
        set.headers['content-type'] = 'text/javascript; charset=utf-8'
        return init
      })
      .get('/swagger/assets/:file', ({ params, set }) => {
        const type = assets[params.file]
        if (!type) return new Response(null, { status: 404 })
        set.headers['cache-control'] = 'public, max-age=86400'
        return new Response(Bun.file(`${uiDir}/${params.file}`), { headers: { 'content-type': type } })
      })
      // Routes are all registered by the first request, so the document is built once.
      .get('/swagger/json', () => {
        document ??= generator.handle(new Request(`http://docs${GENERATED_SPEC_PATH}`)).then(async (response) => ({
          ...normalizeOpenApi(await response.json()),
          'x-websocket': {
            path: '/ws',
            description:
              'Client → server messages: { id?, type, data }. A message with an id gets { id, ok, data | error }. The events are described in docs/api.md ("Realtime: /ws").',
            messages: JSON.parse(JSON.stringify(wsMessages())),
          },
        }))
        return document
      })
  )
}
