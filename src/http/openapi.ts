/**
 * Turns the document @elysiajs/swagger generates into valid OpenAPI 3.1 that client generators
 * (openapi-generator, openapi-typescript) read as meant:
 * - every response has a description, and JSON routes offer only application/json (the plugin
 *   offers every schema as JSON, multipart and plain text at once);
 * - Elysia's coercion unions become the plain type a client sends or receives: a t.Date is an
 *   ISO date-time string, a query integer an integer, a union of string literals an enum;
 * - parameter examples move into their schema, where 3.1 allows a list;
 * - a body whose fields are all optional is not required (no body is {}).
 */

// biome-ignore lint/suspicious/noExplicitAny: the generated OpenAPI document is walked as plain JSON
type Json = Record<string, any>

const reasons: Record<string, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No content',
  400: 'Malformed request (error envelope)',
  401: 'Not signed in, or the token is invalid (error envelope)',
  403: 'Not allowed (error envelope)',
  404: 'Not found (error envelope)',
  409: 'Conflicts with the current state (error envelope)',
  413: 'Body too large (error envelope)',
  422: 'Invalid input (error envelope)',
  429: 'Rate limited; see Retry-After (error envelope)',
  500: 'Our failure (error envelope)',
  503: 'Not ready',
}

const JSON_TYPE = 'application/json'
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value)

/** Elysia's string branch that lets "20" pass as a number in a query; clients send the number. */
const isCoercionBranch = (schema: Json) =>
  schema.type === 'string' && ['integer', 'numeric', 'boolean'].includes(schema.format)

function normalizeSchema(input: unknown): unknown {
  if (Array.isArray(input)) return input.map(normalizeSchema)
  if (!isObject(input)) return input
  const schema: Json = Object.fromEntries(Object.entries(input).map(([key, value]) => [key, normalizeSchema(value)]))

  if (schema.type === 'Date') return { ...schema, type: 'string', format: 'date-time' }
  if (Array.isArray(schema.anyOf)) {
    const { anyOf, ...outer } = schema
    const branches = (anyOf as Json[]).filter((branch) => !isCoercionBranch(branch))
    if (
      branches.some(
        (branch) => branch.type === 'Date' || (branch.type === 'string' && branch.format === 'date-time'),
      ) &&
      branches.every((b) => b.type !== 'null')
    ) {
      return { ...outer, type: 'string', format: 'date-time' }
    }
    if (branches.length > 0 && branches.every((branch) => 'const' in branch && typeof branch.const === 'string')) {
      return { ...outer, type: 'string', enum: branches.map((branch) => branch.const) }
    }
    if (branches.length === 1) return { ...branches[0], ...outer }
    return { ...outer, anyOf: branches }
  }
  if (
    isObject(schema.patternProperties) &&
    Object.keys(schema.patternProperties).length === 1 &&
    '^(.*)$' in schema.patternProperties
  ) {
    const { patternProperties, ...rest } = schema
    return { ...rest, additionalProperties: patternProperties['^(.*)$'] }
  }
  return schema
}

/** A TypeBox schema as the plain JSON Schema a hand-written `detail.requestBody` holds. */
export const plainJsonSchema = (schema: object): Json => JSON.parse(JSON.stringify(schema))

function normalizeContent(content: Json | undefined): Json | undefined {
  if (!content) return undefined
  // The plugin's copies of one schema under every type collapse to JSON; a route that documents
  // different bodies per type (JSON or a multipart upload) keeps them all.
  const jsonSchema = JSON.stringify(content[JSON_TYPE]?.schema)
  const onlyCopies = Object.values(content).every((media: Json) => JSON.stringify(media.schema) === jsonSchema)
  const kept = content[JSON_TYPE] && onlyCopies ? { [JSON_TYPE]: content[JSON_TYPE] } : content
  return Object.fromEntries(
    Object.entries(kept).map(([type, media]) => [type, { ...media, schema: normalizeSchema(media.schema) }]),
  )
}

/** Only what a Response Object holds: the plugin also leaks an array schema's `items` onto it. */
function normalizeResponse(status: string, response: Json): Json {
  const { description, content, headers, links } = response
  const normalized: Json = {
    description: description ?? reasons[status] ?? 'Response',
    ...(headers && { headers }),
    ...(links && { links }),
  }
  if (status !== '204' && content) normalized.content = normalizeContent(content)
  return normalized
}

function normalizeParameter(parameter: Json): Json {
  const { examples, ...rest } = parameter
  const schema = normalizeSchema(rest.schema) as Json
  return { ...rest, schema: Array.isArray(examples) ? { ...schema, examples } : schema }
}

function normalizeOperation(operation: Json): Json {
  const normalized: Json = { ...operation }
  normalized.responses = Object.fromEntries(
    Object.entries((operation.responses ?? {}) as Json).map(([status, response]) => [
      status,
      normalizeResponse(status, response),
    ]),
  )
  if (Object.keys(normalized.responses).length === 0) normalized.responses = { 200: { description: reasons[200] } }
  if (operation.parameters) normalized.parameters = operation.parameters.map(normalizeParameter)
  if (operation.requestBody) {
    const content = normalizeContent(operation.requestBody.content)
    // A body whose fields are all optional may be left out (it is then {}).
    const schema = content?.[JSON_TYPE]?.schema
    const required = schema ? (schema.required?.length ?? 0) > 0 : operation.requestBody.required
    normalized.requestBody = { ...operation.requestBody, required, content }
  }
  return normalized
}

export function normalizeOpenApi(document: Json): Json {
  const paths = Object.fromEntries(
    Object.entries(document.paths as Json).map(([path, operations]) => [
      path,
      Object.fromEntries(
        Object.entries(operations as Json).map(([method, operation]) => [method, normalizeOperation(operation)]),
      ),
    ]),
  )
  return {
    ...document,
    openapi: '3.1.0',
    paths,
    components: { ...document.components, schemas: normalizeSchema(document.components?.schemas ?? {}) },
  }
}
