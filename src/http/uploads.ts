import { Elysia, t } from 'elysia'
import { join, resolve, sep } from 'node:path'
import type { Config } from '../config.ts'

export const UPLOADS_PATH = '/uploads'

/** `bytes=start-end`, `bytes=start-` or `bytes=-suffix` within a file of `size` bytes; null when unsatisfiable. */
function parseRange(header: string, size: number): { start: number; end: number } | null {
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim())
  if (!match || (match[1] === '' && match[2] === '') || size === 0) return null
  if (match[1] === '') {
    const suffix = Number(match[2])
    return suffix === 0 ? null : { start: Math.max(0, size - suffix), end: size - 1 }
  }
  const start = Number(match[1])
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1)
  return start > end || start >= size ? null : { start, end }
}

/** The file, or the byte range the request asks for (206), or 416 when that range is not in it. */
export function rangeResponse(
  file: ReturnType<typeof Bun.file>,
  request: Request,
  headers: Record<string, string>,
): Response {
  const size = file.size
  const withRanges = { ...headers, 'accept-ranges': 'bytes' }
  const rangeHeader = request.headers.get('range')
  if (!rangeHeader) return new Response(file, { headers: { ...withRanges, 'content-length': String(size) } })
  const range = parseRange(rangeHeader, size)
  if (!range) return new Response(null, { status: 416, headers: { ...withRanges, 'content-range': `bytes */${size}` } })
  return new Response(file.slice(range.start, range.end + 1), {
    status: 206,
    headers: {
      ...withRanges,
      'content-range': `bytes ${range.start}-${range.end}/${size}`,
      'content-length': String(range.end - range.start + 1),
    },
  })
}

const contentTypes: Record<string, string> = {
  mp4: 'video/mp4',
  webm: 'video/webm',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
}

/**
 * Uploaded files under UPLOAD_DIR, public by their unguessable names, with HTTP range requests
 * (206 / 416) so a browser's <video> can seek without downloading the whole file.
 */
export const uploadedFiles = (config: Config) => {
  const root = resolve(config.uploads.dir)
  return new Elysia({ name: 'uploaded-files' }).get(
    `${UPLOADS_PATH}/:folder/:name`,
    async ({ params, request, set }) => {
      const path = resolve(join(root, params.folder, params.name))
      const file = Bun.file(path)
      if (!path.startsWith(root + sep) || !(await file.exists())) {
        set.status = 404
        return { error: { code: 'NOT_FOUND', message: 'File not found' } }
      }
      return rangeResponse(file, request, {
        'content-type': contentTypes[params.name.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream',
        'cache-control': 'public, max-age=31536000, immutable',
      })
    },
    {
      params: t.Object({
        folder: t.String({ pattern: '^[a-z]+$' }),
        name: t.String({ pattern: '^[A-Za-z0-9_-]+\\.[a-z0-9]+$' }),
      }),
      detail: {
        tags: ['files'],
        summary: 'An uploaded file; honours Range: bytes=… (206, 416)',
        security: [],
        responses: {
          200: { description: 'the file' },
          206: { description: 'the requested byte range' },
          404: { description: 'no such file' },
          416: { description: 'range not satisfiable' },
        },
      },
    },
  )
}

/** An absolute URL for a path of ours: PUBLIC_URL when set, else the request's origin. */
export function absoluteUrl(config: Config, request: Request, path: string): string {
  return `${config.publicUrl ?? new URL(request.url).origin}${path}`
}
