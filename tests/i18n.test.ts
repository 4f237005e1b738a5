import { afterEach, describe, expect, test } from 'bun:test'
import { arabicMessages, preferredLanguage } from '../src/errors/messages.ts'
import { createTestApp, type TestApp } from './helpers/app.ts'

let t: TestApp | undefined
afterEach(() => t?.close())

const arabic = /[\u0600-\u06ff]/

describe('errors in Arabic or English', () => {
  test('messages follow Accept-Language; without one they are Arabic; the code never changes', async () => {
    t = await createTestApp()
    const customer = await t.register()
    const ask = (headers: Record<string, string>) =>
      t!.call('GET', '/api/v1/tickets/tkt_nope', { token: customer.accessToken, headers })
    const inArabic = await ask({ 'accept-language': '' })
    expect(inArabic.status).toBe(404)
    expect(inArabic.body.error).toEqual({ code: 'NOT_FOUND', message: arabicMessages.NOT_FOUND })
    expect((await ask({ 'accept-language': 'en-GB,en;q=0.9' })).body.error).toEqual({
      code: 'NOT_FOUND',
      message: 'Ticket not found',
    })
    expect((await ask({ 'accept-language': 'fr-FR, ar;q=0.5' })).body.error.message).toBe(arabicMessages.NOT_FOUND)
    expect((await ask({ 'accept-language': 'en;q=0.2, ar-SA;q=0.8' })).body.error.message).toBe(
      arabicMessages.NOT_FOUND,
    )
    expect((await ask({ 'accept-language': 'de' })).body.error.message).toBe(arabicMessages.NOT_FOUND)

    const invalid = await t.call('POST', '/api/v1/tickets', {
      token: customer.accessToken,
      body: { subject: '' },
      headers: { 'accept-language': 'ar' },
    })
    expect(invalid.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      message: arabicMessages.VALIDATION_FAILED,
      details: [{ path: '/subject' }],
    })
    const anonymous = await t.call('GET', '/api/v1/me', { headers: { 'accept-language': 'ar' } })
    expect(anonymous.body.error).toEqual({ code: 'UNAUTHENTICATED', message: arabicMessages.UNAUTHENTICATED })
    const noRoute = await t.call('GET', '/api/v1/nowhere', { headers: { 'accept-language': 'ar' } })
    expect(noRoute.body.error.message).toBe(arabicMessages.NOT_FOUND)
  })

  test('DEFAULT_LANGUAGE=en makes English the default', async () => {
    t = await createTestApp({ env: { DEFAULT_LANGUAGE: 'en' } })
    expect((await t.call('GET', '/api/v1/me', { headers: { 'accept-language': '' } })).body.error.message).toStartWith(
      'Sign in first',
    )
    expect((await t.call('GET', '/api/v1/me', { headers: { 'accept-language': 'ar' } })).body.error.message).toBe(
      arabicMessages.UNAUTHENTICATED,
    )
  })

  test('/ws error replies use the language of the upgrade request', async () => {
    t = await createTestApp()
    const customer = await t.register()
    const { port } = t.app.listen(0).server!
    try {
      const replyIn = async (headers: Record<string, string>) => {
        const ws = new WebSocket(`ws://localhost:${port}/ws`, {
          protocols: ['bearer', customer.accessToken],
          headers,
        } as unknown as string[])
        await new Promise((resolve) => ws.addEventListener('open', resolve))
        const reply = new Promise<any>((resolve) =>
          ws.addEventListener('message', (event) => resolve(JSON.parse(String(event.data)))),
        )
        ws.send(JSON.stringify({ id: '1', type: 'no_such_type', data: {} }))
        const answer = await reply
        ws.close()
        return answer
      }
      expect((await replyIn({})).error).toEqual({ code: 'UNKNOWN_TYPE', message: arabicMessages.UNKNOWN_TYPE })
      expect((await replyIn({ 'accept-language': 'en' })).error).toEqual({
        code: 'UNKNOWN_TYPE',
        message: 'Unknown message type "no_such_type"',
      })
    } finally {
      await t.app.stop()
    }
  })

  test('every code has an Arabic message; Accept-Language is read by q-value', () => {
    for (const [code, message] of Object.entries(arabicMessages)) expect(message, code).toMatch(arabic)
    expect(preferredLanguage('en-US,en;q=0.9,ar;q=0.8', 'ar')).toBe('en')
    expect(preferredLanguage('ar;q=0, en;q=0.1', 'ar')).toBe('en')
    expect(preferredLanguage('*', 'en')).toBe('en')
    expect(preferredLanguage('en;q=abc', 'ar')).toBe('ar')
    expect(preferredLanguage(undefined, 'ar')).toBe('ar')
  })
})
