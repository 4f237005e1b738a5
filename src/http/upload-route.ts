import type { TSchema } from 'elysia'
import { plainJsonSchema } from './openapi.ts'

/**
 * The options of a route whose multipart body the handler streams to disk itself: Elysia must not
 * read it, and OpenAPI shows the form instead.
 */
export const streamedUpload = (form: TSchema, summary: string) => ({
  parse: () => ({ streamed: true }),
  detail: { summary, requestBody: { required: true, content: { 'multipart/form-data': { schema: plainJsonSchema(form) } } } },
})
