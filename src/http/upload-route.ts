import type { TSchema } from 'elysia'
import { plainJsonSchema } from './openapi.ts'

/**
 * The options of a route whose multipart body the handler streams to disk itself: Elysia must not
 * read it, and OpenAPI shows the form instead.
 */
export const streamedUpload = (form: TSchema, summary: string) => ({
  parse: () => ({ streamed: true }),
  detail: {
    summary,
    requestBody: { required: true, content: { 'multipart/form-data': { schema: plainJsonSchema(form) } } },
  },
})

/** The OpenAPI 200 answer of a route that sends a stored file of one of these types. */
export const fileResponse = (types: string[]) => ({
  200: {
    description: 'the file',
    content: Object.fromEntries(types.map((type) => [type, { schema: { type: 'string' as const, format: 'binary' } }])),
  },
})
