import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { SignJWT } from 'jose'
import { DEV_JWT_SECRET } from '../src/config.ts'
import { refreshTokens } from '../src/db/schema/auth.ts'
import { createTestApp, type TestApp } from './helpers/app.ts'

let t: TestApp
beforeEach(async () => {
  t = await createTestApp()
})
afterEach(() => t.close())

const register = (body: unknown) => t.call('POST', '/api/v1/auth/register', { body })
const login = (body: unknown) => t.call('POST', '/api/v1/auth/login', { body })
const refresh = (refreshToken: string) => t.call('POST', '/api/v1/auth/refresh', { body: { refreshToken } })

describe('POST /auth/register', () => {
  test('creates a customer by default and returns the user with a token pair', async () => {
    const response = await register({ email: 'Amina@Example.com', password: 'long enough', name: 'Amina' })
    expect(response.status).toBe(201)
    expect(response.body.user).toMatchObject({
      email: 'amina@example.com',
      name: 'Amina',
      role: 'customer',
      coinBalance: 0,
    })
    expect(response.body.user.id).toStartWith('usr_')
    expect(response.body.user.passwordHash).toBeUndefined()
    expect(response.body.tokenType).toBe('Bearer')
    expect(response.body.expiresIn).toBe(3600)
    const me = await t.call('GET', '/api/v1/me', { token: response.body.accessToken })
    expect(me.body.id).toBe(response.body.user.id)
  })

  test('a supporter applicant is a customer until staff approve', async () => {
    const response = await register({ phone: '+966500000010', password: 'long enough', name: 'X', role: 'supporter' })
    expect(response.status).toBe(201)
    expect(response.body.user).toMatchObject({ role: 'customer', pendingRole: 'supporter' })
  })

  test.each(['teacher', 'provider'])('registers a %s', async (role) => {
    const response = await register({ phone: '+966500000010', password: 'long enough', name: 'X', role })
    expect(response.status).toBe(201)
    expect(response.body.user.role).toBe(role)
  })

  test('staff cannot be registered publicly', async () => {
    const response = await register({ email: 'boss@example.com', password: 'long enough', name: 'Boss', role: 'staff' })
    expect(response.status).toBe(422)
    expect(response.body.error.details[0].path).toBe('/role')
    expect((await login({ email: 'boss@example.com', password: 'long enough' })).status).toBe(401)
  })

  test('needs an email or a phone', async () => {
    const response = await register({ password: 'long enough', name: 'Nobody' })
    expect(response.status).toBe(422)
    expect(response.body.error.code).toBe('EMAIL_OR_PHONE_REQUIRED')
  })

  test('invalid fields get 422 with one detail per field', async () => {
    const response = await register({ email: 'not-an-email', phone: '0500', password: 'short', name: '' })
    expect(response.status).toBe(422)
    expect(response.body.error.code).toBe('VALIDATION_FAILED')
    const paths = response.body.error.details.map((detail: { path: string }) => detail.path)
    expect(paths).toEqual(expect.arrayContaining(['/email', '/phone', '/password', '/name']))
  })

  test('a duplicate email (any case) or phone is 409 and the first account is untouched', async () => {
    expect(
      (await register({ email: 'dup@example.com', phone: '+966500000001', password: 'first password', name: 'First' }))
        .status,
    ).toBe(201)
    const sameEmail = await register({ email: 'DUP@example.com', password: 'other password', name: 'Second' })
    expect(sameEmail.status).toBe(409)
    expect(sameEmail.body.error.code).toBe('EMAIL_TAKEN')
    const samePhone = await register({ phone: '+966500000001', password: 'other password', name: 'Third' })
    expect(samePhone.status).toBe(409)
    expect(samePhone.body.error.code).toBe('PHONE_TAKEN')
    const first = await login({ email: 'dup@example.com', password: 'first password' })
    expect(first.status).toBe(200)
    expect(first.body.user.name).toBe('First')
  })
})

describe('POST /auth/login', () => {
  test('by email or by phone', async () => {
    await register({ email: 'sara@example.com', phone: '+966500000002', password: 'sara password', name: 'Sara' })
    const byEmail = await login({ email: 'SARA@example.com', password: 'sara password' })
    expect(byEmail.status).toBe(200)
    expect(byEmail.body.user.name).toBe('Sara')
    const byPhone = await login({ phone: '+966500000002', password: 'sara password' })
    expect(byPhone.status).toBe(200)
    expect(byPhone.body.accessToken).toBeString()
  })

  test('wrong password and unknown user get the same 401', async () => {
    await register({ email: 'sara@example.com', password: 'sara password', name: 'Sara' })
    const wrongPassword = await login({ email: 'sara@example.com', password: 'nope nope' })
    const unknownUser = await login({ email: 'ghost@example.com', password: 'nope nope' })
    expect(wrongPassword.status).toBe(401)
    expect(unknownUser.status).toBe(401)
    expect(wrongPassword.body).toEqual(unknownUser.body)
    expect(wrongPassword.body.error.code).toBe('INVALID_CREDENTIALS')
  })

  test('needs an email or a phone', async () => {
    const response = await login({ password: 'whatever' })
    expect(response.status).toBe(422)
    expect(response.body.error.code).toBe('EMAIL_OR_PHONE_REQUIRED')
  })

  test('bad body is 422, broken JSON is 400', async () => {
    expect((await login({ email: 'sara@example.com' })).status).toBe(422)
    const broken = await t.call('POST', '/api/v1/auth/login', {
      rawBody: '{"email":',
      headers: { 'content-type': 'application/json' },
    })
    expect(broken.status).toBe(400)
    expect(broken.body.error.code).toBe('MALFORMED_BODY')
  })
})

describe('POST /auth/refresh', () => {
  test('trades a refresh token for a new pair that works', async () => {
    const account = await t.register()
    const rotated = await refresh(account.refreshToken)
    expect(rotated.status).toBe(200)
    expect(rotated.body.refreshToken).not.toBe(account.refreshToken)
    const me = await t.call('GET', '/api/v1/me', { token: rotated.body.accessToken })
    expect(me.status).toBe(200)
    expect((await refresh(rotated.body.refreshToken)).status).toBe(200)
  })

  test('tokens are stored hashed, never in clear', async () => {
    const account = await t.register()
    const rows = await t.db.select().from(refreshTokens).where(eq(refreshTokens.userId, account.user.id))
    expect(rows).toHaveLength(1)
    expect(rows[0]!.tokenHash).not.toContain(account.refreshToken)
    expect(rows[0]!.tokenHash).toMatch(/^[0-9a-f]{64}$/)
  })

  test('reusing a spent token revokes the whole family', async () => {
    const account = await t.register()
    const second = await refresh(account.refreshToken)
    expect(second.status).toBe(200)
    const reuse = await refresh(account.refreshToken)
    expect(reuse.status).toBe(401)
    expect(reuse.body.error.code).toBe('REFRESH_TOKEN_REUSED')
    // The legitimate newer token is dead too: the thief and the owner both sign in again.
    const afterTheft = await refresh(second.body.refreshToken)
    expect(afterTheft.status).toBe(401)
  })

  test('two concurrent uses of one token: exactly one wins', async () => {
    const account = await t.register()
    const results = await Promise.all(Array.from({ length: 5 }, () => refresh(account.refreshToken)))
    expect(results.filter((r) => r.status === 200)).toHaveLength(1)
    expect(results.filter((r) => r.status === 401)).toHaveLength(4)
  })

  test('other sessions of the same user survive a reuse in one family', async () => {
    const account = await t.register()
    const otherSession = await login({ email: account.email, password: account.password })
    await refresh(account.refreshToken)
    await refresh(account.refreshToken)
    expect((await refresh(otherSession.body.refreshToken)).status).toBe(200)
  })

  test('an unknown token is 401, an empty one 422', async () => {
    const unknown = await refresh('made-up-token')
    expect(unknown.status).toBe(401)
    expect(unknown.body.error.code).toBe('INVALID_REFRESH_TOKEN')
    expect((await refresh('')).status).toBe(422)
  })

  test('an expired token is refused', async () => {
    const account = await t.register()
    await t.db
      .update(refreshTokens)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(refreshTokens.userId, account.user.id))
    const response = await refresh(account.refreshToken)
    expect(response.status).toBe(401)
    expect(response.body.error.code).toBe('REFRESH_TOKEN_EXPIRED')
  })
})

describe('POST /auth/logout', () => {
  test('ends the session of the refresh token', async () => {
    const account = await t.register()
    const response = await t.call('POST', '/api/v1/auth/logout', {
      token: account.accessToken,
      body: { refreshToken: account.refreshToken },
    })
    expect(response.status).toBe(204)
    expect((await refresh(account.refreshToken)).status).toBe(401)
  })

  test("cannot end someone else's session", async () => {
    const alice = await t.register()
    const mallory = await t.register()
    await t.call('POST', '/api/v1/auth/logout', {
      token: mallory.accessToken,
      body: { refreshToken: alice.refreshToken },
    })
    expect((await refresh(alice.refreshToken)).status).toBe(200)
  })

  test('needs a signed-in user and a body', async () => {
    const account = await t.register()
    expect((await t.call('POST', '/api/v1/auth/logout', { body: { refreshToken: account.refreshToken } })).status).toBe(
      401,
    )
    expect((await t.call('POST', '/api/v1/auth/logout', { token: account.accessToken, body: {} })).status).toBe(422)
  })
})

describe('access tokens', () => {
  const forge = async (account: { user: { id: string; role: string } }, alg: string, withExpiry: boolean) => {
    let token = new SignJWT({ sub: account.user.id, role: account.user.role, typ: 'access' })
      .setProtectedHeader({ alg })
      .setIssuedAt()
    if (withExpiry) token = token.setExpirationTime('10m')
    return token.sign(new TextEncoder().encode(DEV_JWT_SECRET))
  }

  test('only HS256 with an expiry is accepted, even under the right secret', async () => {
    const account = (await register({ email: 'forger@example.com', password: 'long enough password', name: 'Forger' }))
      .body
    const me = (token: string) => t.call('GET', '/api/v1/me', { token })
    expect((await me(await forge(account, 'HS256', true))).status).toBe(200)
    for (const [alg, withExpiry] of [
      ['HS512', true],
      ['HS384', true],
      ['HS256', false],
    ] as const) {
      const refused = await me(await forge(account, alg, withExpiry))
      expect([alg, withExpiry, refused.status, refused.body.error.code]).toEqual([
        alg,
        withExpiry,
        401,
        'INVALID_TOKEN',
      ])
    }
  })
})
