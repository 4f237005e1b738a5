import { Elysia } from 'elysia'
import { ApiError, payloadTooLarge } from './errors.ts'

/** Deeper JSON than any of our schemas needs; refused before validation, so it never recurses that far. */
export const MAX_JSON_DEPTH = 32

/** Whether a parsed value nests deeper than maxDepth; the recursion itself stops there. */
export function depthExceeds(value: unknown, maxDepth = MAX_JSON_DEPTH): boolean {
  if (typeof value !== 'object' || value === null) return false
  if (maxDepth === 0) return true
  for (const child of Object.values(value)) if (depthExceeds(child, maxDepth - 1)) return true
  return false
}

const notAnObject = (message: string) =>
  new ApiError(422, 'VALIDATION_FAILED', message, [{ in: 'body', path: '/', message }])

/** Reads at most maxBytes of the body, also when it arrives chunked without a Content-Length. */
async function readBounded(request: Request, maxBytes: number): Promise<string> {
  if (!request.body) return ''
  // A declared length was already checked against the limit (security.ts); Bun holds the body to it.
  if (request.headers.has('content-length')) return request.text()
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = request.body.getReader()
  for (let read = await reader.read(); !read.done; read = await reader.read()) {
    size += read.value.byteLength
    if (size > maxBytes) {
      await reader.cancel()
      throw payloadTooLarge(maxBytes)
    }
    chunks.push(read.value)
  }
  return Buffer.concat(chunks).toString('utf8')
}

const isJsonType = (contentType: string) =>
  contentType === '' || contentType === 'application/json' || contentType.endsWith('+json')

/**
 * Every request body is a JSON object (uploads aside): no body is `{}`, anything else that is not
 * an object is 422, unparsable JSON 400, more than maxBytes 413, whatever the transfer encoding.
 * WHIP's SDP offers and the bodies of rawRoutes (route patterns that check a signature over the
 * exact bytes before reading them: webhooks) arrive as text, bounded the same way.
 */
export const jsonBody = (maxBytes: number, rawRoutes: ReadonlySet<string>) =>
  new Elysia({ name: 'json-body' }).onParse({ as: 'global' }, async ({ request, contentType, route }) => {
    if (contentType === 'multipart/form-data') return undefined
    const text = await readBounded(request, maxBytes)
    if (contentType === 'application/sdp' || rawRoutes.has(route)) return text
    if (text.trim() === '') return {}
    if (!isJsonType(contentType))
      throw notAnObject(`The body must be a JSON object sent as application/json, not ${contentType}`)
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new ApiError(
        400,
        'MALFORMED_BODY',
        'The request body could not be parsed; send valid JSON with Content-Type: application/json',
      )
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw notAnObject('The body must be a JSON object')
    if (depthExceeds(body)) throw notAnObject(`The body is nested deeper than ${MAX_JSON_DEPTH} levels`)
    return body
  })
