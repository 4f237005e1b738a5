import { describe, expect, test } from 'bun:test'
import { newId } from '../src/ids.ts'

describe('newId', () => {
  test('ids made in one burst (many per millisecond) sort in the order they were made, and are unique', () => {
    const ids = Array.from({ length: 20_000 }, () => newId('wtx'))
    expect(ids.every((id) => /^wtx_[0-9A-Za-z]{20}$/.test(id))).toBe(true)
    expect([...ids].sort()).toEqual(ids)
    expect(new Set(ids).size).toBe(ids.length)
  })
})
