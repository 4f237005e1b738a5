import type { TLiteral, TUnion } from '@sinclair/typebox'
import { t } from 'elysia'

/**
 * An optional enum field. Elysia's t.Optional(t.UnionEnum(…)) fills an absent field with the
 * first value (an absent ?status= became status=pending), so optional enums are literal unions.
 */
export const optionalEnum = <const Values extends readonly [string, ...string[]]>(values: Values) =>
  t.Optional(t.Union(values.map((value) => t.Literal(value))) as unknown as TUnion<Array<TLiteral<Values[number]>>>)

/**
 * A required enum. Elysia's t.UnionEnum carries its first value as `default`, which fills in an
 * absent required field (a device token without `platform` became `ios`): here it has none.
 */
export const oneOf = <const Values extends readonly [string, ...string[]]>(
  values: Values,
  options: { default?: Values[number]; description?: string } = {},
) => t.UnionEnum(values, { default: undefined, ...options })
