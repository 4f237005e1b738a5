import { Elysia } from 'elysia'

/**
 * Serializes JSON bodies with their Dates already turned into ISO strings. The output is what
 * JSON.stringify makes of a Date anyway, but a Date's toJSON throws serialization off its fast
 * path: a page of 20 rows with three timestamps each took twice as long. Runs after the handler's
 * response has been checked against its schema, on plain objects and arrays only.
 */
export const jsonResponses = () =>
  new Elysia({ name: 'json-responses' }).mapResponse({ as: 'global' }, ({ responseValue, set }) => {
    if (!isPlainJson(responseValue)) return
    return Response.json(withIsoDates(responseValue), set as ResponseInit)
  })

function isPlainJson(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === Array.prototype
}

/** A copy of the plain objects and arrays; other objects are left to JSON.stringify as they are. */
function withIsoDates(value: unknown): unknown {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString()
  if (Array.isArray(value)) return value.map(withIsoDates)
  if (!isPlainJson(value)) return value
  const copy: Record<string, unknown> = {}
  for (const key in value) copy[key] = withIsoDates((value as Record<string, unknown>)[key])
  return copy
}
