/**
 * Values for fuzzing from JSON schemas: one plausible value per schema (so a request gets past
 * validation and deeper into the handler), and a list of hostile ones per field.
 */

type Schema = Record<string, any>

/** Stands for a value nested thousands of levels deep; swapped in as raw text (see toJson). */
export const DEEP = '__FUZZ_DEEP__'
const deepText = `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`

export const toJson = (value: unknown) => JSON.stringify(value).replaceAll(`"${DEEP}"`, deepText)

const hostileStrings = [
  '',
  ' ',
  '🧪‏ع‎\u202e',
  'x\u0000y',
  '../../../etc/passwd',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '%00',
  '\\',
  'x'.repeat(100_000),
]
const hostileNumbers = [-1, 0, 1.5, 1e308, -1e308, 2 ** 53 + 1]
const prototypePollution = JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{"admin":true}}}')
const anyType = [null, true, 'text', 42, [], {}, [1, [2, [3]]], prototypePollution, DEEP]

/** A plausible value: what a well-behaved client would send. `known` fills fields by name (real ids). */
export function plausible(schema: Schema | undefined, known: Record<string, unknown> = {}, name = ''): unknown {
  if (!schema) return undefined
  if (name in known) return known[name]
  if ('const' in schema) return schema.const
  if (Array.isArray(schema.enum)) return schema.enum[0]
  if (Array.isArray(schema.anyOf))
    return plausible(schema.anyOf.find((branch: Schema) => branch.type !== 'null') ?? schema.anyOf[0], known, name)
  if (schema.default !== undefined) return schema.default
  if (Array.isArray(schema.examples) && schema.examples.length > 0) return schema.examples[0]
  switch (schema.type) {
    case 'object': {
      const required = new Set<string>(schema.required ?? [])
      return Object.fromEntries(
        Object.entries<Schema>(schema.properties ?? {})
          .filter(([key]) => required.has(key) || key in known)
          .map(([key, property]) => [key, plausible(property, known, key)]),
      )
    }
    case 'array':
      return schema.minItems ? [plausible(schema.items, known)] : []
    case 'integer':
    case 'number':
      return schema.minimum ?? 1
    case 'boolean':
      return true
    case 'string':
      if (schema.format === 'date-time') return new Date(Date.now() + 86_400_000).toISOString()
      if (schema.format === 'email') return `fuzz.${crypto.randomUUID().slice(0, 8)}@example.com`
      return 'f'.repeat(Math.max(schema.minLength ?? 1, 8))
    default:
      return 'fuzz'
  }
}

/** Hostile values for one field: wrong types, bounds and lengths, encodings, nesting. */
export function hostile(schema: Schema | undefined): unknown[] {
  const values: unknown[] = [...anyType]
  if (!schema) return values
  if (schema.type === 'string' || Array.isArray(schema.enum)) {
    values.push(...hostileStrings, 'not-one-of-the-values')
    if (typeof schema.maxLength === 'number') values.push('y'.repeat(schema.maxLength + 1))
  }
  if (schema.type === 'integer' || schema.type === 'number') {
    values.push(...hostileNumbers, '1')
    if (typeof schema.maximum === 'number') values.push(schema.maximum + 1)
    if (typeof schema.minimum === 'number') values.push(schema.minimum - 1)
  }
  if (schema.type === 'array')
    values.push(
      Array.from({ length: 1000 }, () => 'z'),
      [DEEP],
    )
  return values
}

/** Hostile texts for a query or path parameter. */
export function hostileParameters(schema: Schema | undefined): string[] {
  const values = ['', 'x', '-1', '1e308', 'NaN', '0x10', '[]', '{"a":1}', '🧪', '%2e%2e%2f', 'a'.repeat(4000)]
  if (typeof schema?.maximum === 'number') values.push(String(schema.maximum + 1))
  return values
}
