import { describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { jsonResponses } from '../src/http/json-response.ts'

describe('JSON responses', () => {
  const app = new Elysia()
    .use(jsonResponses())
    .get('/dates', ({ set }) => {
      set.status = 201
      set.headers['x-kept'] = 'yes'
      return {
        at: new Date(0),
        nested: [{ at: new Date(1000) }],
        invalid: new Date(Number.NaN),
        map: new Map([[1, 2]]),
        n: 1,
        none: null,
      }
    })
    .get('/text', () => 'plain')

  test('Dates become the ISO strings JSON.stringify would make, status and headers are kept', async () => {
    const response = await app.handle(new Request('http://localhost/dates'))
    expect(response.status).toBe(201)
    expect(response.headers.get('x-kept')).toBe('yes')
    expect(response.headers.get('content-type')).toContain('application/json')
    const expected = JSON.parse(
      JSON.stringify({
        at: new Date(0),
        nested: [{ at: new Date(1000) }],
        invalid: new Date(Number.NaN),
        map: new Map([[1, 2]]),
        n: 1,
        none: null,
      }),
    )
    expect(await response.json()).toEqual(expected)
    expect(expected.at).toBe('1970-01-01T00:00:00.000Z')
  })

  test('other bodies are left to Elysia', async () => {
    const response = await app.handle(new Request('http://localhost/text'))
    expect(await response.text()).toBe('plain')
  })
})
