import { describe, expect, test } from 'bun:test'
import { otpCodes } from '../src/db/schema/auth.ts'
import { createTestApp, freshAppPerTest } from './helpers/app.ts'

const ctx = freshAppPerTest()

const phone = '+966511111111'
const send = (to = phone, headers?: Record<string, string>) =>
  ctx.t.call('POST', '/api/v1/auth/otp/send', { body: { phone: to }, headers })
const verify = (code: string, to = phone) =>
  ctx.t.call('POST', '/api/v1/auth/otp/verify', { body: { phone: to, code } })
const wrong = (code: string) => (code === '000000' ? '111111' : '000000')

describe('OTP sign-in', () => {
  test('a new phone signs in as phone_only, completes the profile and becomes a customer', async () => {
    const sent = await send()
    expect(sent.status).toBe(200)
    expect(sent.body).toMatchObject({ ok: true, expiresInSec: 300, resendAfterSec: 60 })
    expect(sent.body.devCode).toMatch(/^\d{6}$/)

    const verified = await verify(sent.body.devCode)
    expect(verified.status).toBe(200)
    expect(verified.body).toMatchObject({ isNewUser: true, needsCompletion: true })
    expect(verified.body.user).toMatchObject({ phone, role: 'phone_only' })
    const token = verified.body.accessToken

    const blocked = await ctx.t.call('POST', '/api/v1/tickets', { token, body: { subject: 'Help' } })
    expect(blocked.status).toBe(403)
    expect(blocked.body.error.code).toBe('PROFILE_INCOMPLETE')
    expect((await ctx.t.call('GET', '/api/v1/me', { token })).status).toBe(200)
    // The general rules let a phone_only account read its wallet and notifications.
    expect((await ctx.t.call('GET', '/api/v1/me/wallet', { token })).status).toBe(200)
    expect((await ctx.t.call('GET', '/api/v1/notifications', { token })).status).toBe(200)

    const completed = await ctx.t.call('POST', '/api/v1/me/complete', {
      token,
      body: { name: 'Huda', email: 'huda@example.com', password: 'huda password' },
    })
    expect(completed.status).toBe(200)
    expect(completed.body).toMatchObject({ role: 'customer', name: 'Huda', email: 'huda@example.com' })
    expect((await ctx.t.call('GET', '/api/v1/me/wallet', { token })).status).toBe(200)
    expect(
      (
        await ctx.t.call('POST', '/api/v1/auth/login', {
          body: { email: 'huda@example.com', password: 'huda password' },
        })
      ).status,
    ).toBe(200)

    const again = await ctx.t.call('POST', '/api/v1/me/complete', { token, body: { name: 'Huda' } })
    expect(again.status).toBe(409)
  })

  test('an existing account with that phone signs in as itself', async () => {
    const account = await ctx.t.register('supporter', { phone })
    const sent = await send()
    const verified = await verify(sent.body.devCode)
    expect(verified.status).toBe(200)
    expect(verified.body).toMatchObject({ isNewUser: false, needsCompletion: false })
    expect(verified.body.user.id).toBe(account.user.id)
    expect(verified.body.user.role).toBe('supporter')
  })

  test('a code works once', async () => {
    const sent = await send()
    expect((await verify(sent.body.devCode)).status).toBe(200)
    const replay = await verify(sent.body.devCode)
    expect(replay.status).toBe(401)
    expect(replay.body.error.code).toBe('OTP_INVALID')
  })

  test('five wrong tries burn the code', async () => {
    const { devCode } = (await send()).body
    for (let attempt = 1; attempt <= 5; attempt++) {
      const response = await verify(wrong(devCode))
      expect(response.status).toBe(401)
      expect(response.body.error.details.attemptsLeft).toBe(5 - attempt)
    }
    const rightButBurnt = await verify(devCode)
    expect(rightButBurnt.status).toBe(401)
  })

  test('concurrent wrong guesses are all counted', async () => {
    const { devCode } = (await send()).body
    await Promise.all(Array.from({ length: 5 }, () => verify(wrong(devCode))))
    expect((await verify(devCode)).status).toBe(401)
    const [row] = await ctx.t.db.select().from(otpCodes)
    expect(row!.attempts).toBe(5)
    expect(row!.consumedAt).not.toBeNull()
  })

  test('a code expires after five minutes', async () => {
    const { devCode } = (await send()).body
    ctx.clock.advance(301_000)
    expect((await verify(devCode)).status).toBe(401)
  })

  test('a new code replaces the old one', async () => {
    const first = (await send()).body.devCode
    ctx.clock.advance(61_000)
    const second = (await send()).body.devCode
    if (first !== second) expect((await verify(first)).status).toBe(401)
    expect((await verify(second)).status).toBe(200)
  })

  test('codes are stored hashed', async () => {
    const { devCode } = (await send()).body
    const [row] = await ctx.t.db.select().from(otpCodes)
    expect(row!.codeHash).not.toContain(devCode)
  })

  test('60 s cooldown per phone with Retry-After', async () => {
    expect((await send()).status).toBe(200)
    ctx.clock.advance(20_000)
    const tooSoon = await send()
    expect(tooSoon.status).toBe(429)
    expect(tooSoon.headers.get('retry-after')).toBe('40')
    expect(tooSoon.body.error.code).toBe('RATE_LIMITED')
    expect((await send('+966522222222')).status).toBe(200)
    ctx.clock.advance(40_000)
    expect((await send()).status).toBe(200)
  })

  test('at most five codes per phone per hour', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await send()).status).toBe(200)
      ctx.clock.advance(61_000)
    }
    const capped = await send()
    expect(capped.status).toBe(429)
    expect(Number(capped.headers.get('retry-after'))).toBeGreaterThan(60)
    ctx.clock.advance(3600_000)
    expect((await send()).status).toBe(200)
  })

  test('a generous ceiling of 500 codes per IP per hour (a school sends one per student)', async () => {
    for (let i = 0; i < 500; i++) expect((await send(`+966530${String(i).padStart(6, '0')}`)).status).toBe(200)
    const capped = await send('+966539999999')
    expect(capped.status).toBe(429)
    expect(capped.body.error.message).toContain('address')
  })

  test('no dev code when OTP_DEV_CODES is off', async () => {
    const quiet = await createTestApp({ env: { OTP_DEV_CODES: 'false' } })
    const response = await quiet.call('POST', '/api/v1/auth/otp/send', { body: { phone } })
    expect(response.status).toBe(200)
    expect(response.body.devCode).toBeUndefined()
    quiet.close()
  })

  test('bad phone or code format is 422', async () => {
    expect((await send('0551234567')).status).toBe(422)
    expect((await verify('12ab56')).status).toBe(422)
    expect((await verify('1234567')).status).toBe(422)
  })

  test('verify without a code sent is 401', async () => {
    expect((await verify('123456')).status).toBe(401)
  })
})
