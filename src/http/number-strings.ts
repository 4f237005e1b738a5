import { FormatRegistry } from '@sinclair/typebox'

/**
 * Elysia's `t.Integer` and `t.Numeric` also take a number sent as a string (a query parameter, a
 * form field) and convert it with `+value`, so "0x10" became 16, "1e1" 10 and " 5 " 5. A number
 * in a string is accepted only as plain decimal digits: an optional minus, digits, and for
 * `t.Numeric` an optional decimal fraction. Anything else is 422, as a non-number would be.
 */
export function acceptPlainDecimalStringsOnly(): void {
  FormatRegistry.Set('integer', (value) => /^-?\d{1,15}$/.test(value))
  FormatRegistry.Set('numeric', (value) => /^-?\d{1,15}(\.\d{1,15})?$/.test(value))
}
