import { Value } from '@sinclair/typebox/value'
import type { Static, TSchema } from 'elysia'
import { issueMessage } from './errors.ts'
import { invalid } from '../errors/domain.ts'

/**
 * Checks a value Elysia could not check for us (a route that takes JSON or a multipart upload),
 * with defaults applied, answering like Elysia's own validation: 422 with one detail per problem.
 */
export function validated<Schema extends TSchema>(
  schema: Schema,
  value: unknown,
  where: 'body' | 'query' = 'body',
): Static<Schema> {
  const candidate = Value.Default(schema, structuredClone(value))
  const issues = [...Value.Errors(schema, candidate)]
  if (issues.length === 0) return candidate as Static<Schema>
  const firstPerPath = issues.filter((issue, index) => issues.findIndex((other) => other.path === issue.path) === index)
  const details = firstPerPath.slice(0, 10).map((issue) => ({
    in: where,
    path: issue.path || '/',
    message: issueMessage({ ...issue, summary: undefined, schema: issue.schema as Record<string, unknown> }),
  }))
  throw invalid('VALIDATION_FAILED', `Invalid ${where}`, details)
}
