import { cors } from '@elysiajs/cors'
import { Elysia } from 'elysia'
import type { Config } from '../config.ts'
import { ApiError, payloadTooLarge, requestPath } from './errors.ts'

const apiHeaders = {
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
}
// JSON answers never need to run or embed anything; pages (/swagger, /demo, /dashboard) set their own policy.
const jsonContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'"
const pagePrefixes = ['/swagger', '/demo', '/sdk', '/dashboard', '/classroom']
const VIDEO_UPLOAD_PATH = '/api/v1/videos'
/** Longer URLs get our 414; past Bun's own 16 KiB header limit it answers 431 before our code runs. */
const MAX_URL_LENGTH = 8192

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
      if (request.url.length > MAX_URL_LENGTH)
        throw new ApiError(414, 'URI_TOO_LONG', `The URL is longer than ${MAX_URL_LENGTH} characters`)
      const path = requestPath(request)
      if (!pagePrefixes.some((prefix) => path.startsWith(prefix))) {
        set.headers['content-security-policy'] = jsonContentSecurityPolicy
      }
      if (config.isProduction) set.headers['strict-transport-security'] = 'max-age=31536000; includeSubDomains'

      const declaredLength = Number(request.headers.get('content-length') ?? 0)
      const isUpload = request.headers.get('content-type')?.startsWith('multipart/form-data') ?? false
      // Video uploads have their own, larger limit (MAX_VIDEO_UPLOAD_MB); every other upload MAX_UPLOAD_MB.
      const limit = isUpload
        ? path === VIDEO_UPLOAD_PATH
          ? config.uploads.maxVideoBytes
          : config.uploads.maxBytes
        : config.maxJsonBytes
      if (declaredLength > limit) throw payloadTooLarge(limit)
    })
