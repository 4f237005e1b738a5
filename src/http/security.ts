import { cors } from '@elysiajs/cors'
import { Elysia } from 'elysia'
import type { Config } from '../config.ts'
import { ApiError } from './errors.ts'

const apiHeaders = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
}
// JSON answers never need to run or embed anything; pages (/swagger, /demo) set their own policy.
const jsonContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'"
const pagePrefixes = ['/swagger', '/demo', '/sdk']

/** Security headers, CORS for browser clients, and request body size limits (413). */
export const security = (config: Config) =>
  new Elysia({ name: 'security' })
    .use(
      cors({
        origin: config.corsOrigins === '*' ? '*' : config.corsOrigins,
        methods: ['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS'],
        allowedHeaders: ['authorization', 'content-type', 'x-request-id', 'idempotency-key'],
        exposeHeaders: ['x-request-id', 'retry-after'],
        credentials: false,
        maxAge: 600,
      }),
    )
    .onRequest(({ request, set }) => {
      Object.assign(set.headers, apiHeaders)
      const path = new URL(request.url).pathname
      if (!pagePrefixes.some((prefix) => path.startsWith(prefix))) {
        set.headers['content-security-policy'] = jsonContentSecurityPolicy
      }
      if (config.isProduction) set.headers['strict-transport-security'] = 'max-age=31536000; includeSubDomains'

      const declaredLength = Number(request.headers.get('content-length') ?? 0)
      const isUpload = request.headers.get('content-type')?.startsWith('multipart/form-data') ?? false
      const limit = isUpload ? config.uploads.maxBytes : config.maxJsonBytes
      if (declaredLength > limit) {
        throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes`)
      }
    })
