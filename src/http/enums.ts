import type { TLiteral, TUnion } from '@sinclair/typebox'
import { t } from 'elysia'

/**
 * An optional enum field. Elysia's t.Optional(t.UnionEnum(…)) fills an absent field with the
 * first value (an absent ?status= became status=pending), so optional enums are literal unions.
 */
export const optionalEnum = <const Values extends readonly [string, ...string[]]>(values: Values) =>
  t.Optional(t.Union(values.map((value) => t.Literal(value))) as unknown as TUnion<Array<TLiteral<Values[number]>>>)
