import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { users, walletTransactions } from '../src/db/schema/auth.ts'
import { createTestApp, ManualClock, type TestApp } from './helpers/app.ts'

let t: TestApp
beforeEach(async () => {
  t = await createTestApp()
})
afterEach(() => t.close())

describe('authentication on protected routes', () => {
  test('no token, a malformed header, a forged token: 401 with WWW-Authenticate', async () => {
    const missing = await t.call('GET', '/api/v1/me')
    expect(missing.status).toBe(401)
    expect(missing.body.error.code).toBe('UNAUTHENTICATED')
    expect(missing.headers.get('www-authenticate')).toBe('Bearer')

    const malformed = await t.call('GET', '/api/v1/me', { headers: { authorization: 'Basic abc' } })
    expect(malformed.status).toBe(401)

    const other = await createTestApp({ env: { JWT_SECRET: 'another-secret-that-is-long-enough-1234' } })
    const forged = (await other.register()).accessToken
    other.close()
    const response = await t.call('GET', '/api/v1/me', { token: forged })
    expect(response.status).toBe(401)
    expect(response.body.error.code).toBe('INVALID_TOKEN')
  })

  test('a tampered token is refused', async () => {
    const { accessToken } = await t.register()
    const [header, payload, signature] = accessToken.split('.')
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString())
    const elevated = Buffer.from(JSON.stringify({ ...claims, role: 'staff' })).toString('base64url')
    expect((await t.call('GET', '/api/v1/me', { token: `${header}.${elevated}.${signature}` })).status).toBe(401)
  })
})

describe('/me', () => {
  test('GET returns my private profile', async () => {
    const account = await t.register('teacher')
    const me = await t.call('GET', '/api/v1/me', { token: account.accessToken })
    expect(me.status).toBe(200)
    expect(me.body).toMatchObject({ id: account.user.id, email: account.email, role: 'teacher', coinBalance: 0 })
    expect(me.body.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
  })

  test('PATCH changes name, bio, avatar and email', async () => {
    const account = await t.register()
    const response = await t.call('PATCH', '/api/v1/me', {
      token: account.accessToken,
      body: { name: 'New Name', bio: 'Hello', avatarUrl: 'https://cdn.example.com/a.png', email: 'New@Example.com' },
    })
    expect(response.status).toBe(200)
    expect(response.body).toMatchObject({
      name: 'New Name',
      bio: 'Hello',
      avatarUrl: 'https://cdn.example.com/a.png',
      email: 'new@example.com',
    })
    expect((await t.call('GET', '/api/v1/me', { token: account.accessToken })).body.name).toBe('New Name')
  })

  test('PATCH cannot change my role', async () => {
    const account = await t.register()
    const response = await t.call('PATCH', '/api/v1/me', {
      token: account.accessToken,
      body: { role: 'staff', name: 'Sneaky' },
    })
    expect(response.status).toBe(403)
    const me = await t.call('GET', '/api/v1/me', { token: account.accessToken })
    expect(me.body.role).toBe('customer')
    expect(me.body.name).toBe(account.user.name)
  })

  test("PATCH to someone else's email is 409; bad values are 422", async () => {
    const first = await t.register()
    const second = await t.register()
    const taken = await t.call('PATCH', '/api/v1/me', { token: second.accessToken, body: { email: first.email } })
    expect(taken.status).toBe(409)
    expect(taken.body.error.code).toBe('EMAIL_TAKEN')
    expect(
      (await t.call('PATCH', '/api/v1/me', { token: second.accessToken, body: { avatarUrl: 'not a url' } })).status,
    ).toBe(422)
    expect((await t.call('PATCH', '/api/v1/me', { token: second.accessToken, body: { name: '' } })).status).toBe(422)
    expect((await t.call('GET', '/api/v1/me', { token: second.accessToken })).body.email).toBe(second.email)
  })

  test('DELETE closes the account: tokens stop working, data is erased, the email is free again', async () => {
    const account = await t.register()
    const deleted = await t.call('DELETE', '/api/v1/me', { token: account.accessToken })
    expect(deleted.status).toBe(204)
    expect((await t.call('GET', '/api/v1/me', { token: account.accessToken })).status).toBe(401)
    expect(
      (await t.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: account.refreshToken } })).status,
    ).toBe(401)
    expect(
      (await t.call('POST', '/api/v1/auth/login', { body: { email: account.email, password: account.password } }))
        .status,
    ).toBe(401)
    const [row] = await t.db.select().from(users).where(eq(users.id, account.user.id))
    expect(row).toMatchObject({ email: null, phone: null, passwordHash: null, name: 'Deleted user' })
    expect(row!.deletedAt).toBeInstanceOf(Date)
    const again = await t.call('POST', '/api/v1/auth/register', {
      body: { email: account.email, password: 'a new password', name: 'Back' },
    })
    expect(again.status).toBe(201)
  })

  test('POST /me/complete on a complete profile is 409', async () => {
    const account = await t.register()
    const response = await t.call('POST', '/api/v1/me/complete', { token: account.accessToken, body: { name: 'X' } })
    expect(response.status).toBe(409)
    expect(response.body.error.code).toBe('PROFILE_ALREADY_COMPLETE')
  })

  test.each(['supporter', 'provider', 'teacher'] as const)('PATCH /me/availability works for a %s', async (role) => {
    const account = await t.register(role)
    const response = await t.call('PATCH', '/api/v1/me/availability', {
      token: account.accessToken,
      body: { available: true },
    })
    expect(response.status).toBe(200)
    expect(response.body.available).toBe(true)
  })

  test('PATCH /me/availability: 403 for a customer, 422 for a bad body', async () => {
    const customer = await t.register()
    const forbidden = await t.call('PATCH', '/api/v1/me/availability', {
      token: customer.accessToken,
      body: { available: true },
    })
    expect(forbidden.status).toBe(403)
    expect(forbidden.body.error.message).toContain('supporter')
    const supporter = await t.register('supporter')
    expect(
      (await t.call('PATCH', '/api/v1/me/availability', { token: supporter.accessToken, body: { available: 'yes' } }))
        .status,
    ).toBe(422)
  })
})

describe('/me/wallet', () => {
  test('starts empty', async () => {
    const account = await t.register()
    const wallet = await t.call('GET', '/api/v1/me/wallet', { token: account.accessToken })
    expect(wallet.status).toBe(200)
    expect(wallet.body).toEqual({ balance: 0, transactions: [], nextCursor: null })
  })

  test('pages through the ledger newest first', async () => {
    const account = await t.register()
    const base = Date.UTC(2026, 0, 1)
    await t.db.insert(walletTransactions).values(
      Array.from({ length: 5 }, (_, i) => ({
        id: `wtx_${i}`,
        userId: account.user.id,
        amount: 10,
        balanceAfter: 10 * (i + 1),
        kind: 'purchase',
        createdAt: new Date(base + i * 1000),
      })),
    )
    await t.db.update(users).set({ coinBalance: 50 }).where(eq(users.id, account.user.id))

    const first = await t.call('GET', '/api/v1/me/wallet?limit=2', { token: account.accessToken })
    expect(first.body.balance).toBe(50)
    expect(first.body.transactions.map((tx: { id: string }) => tx.id)).toEqual(['wtx_4', 'wtx_3'])
    const second = await t.call('GET', `/api/v1/me/wallet?limit=2&cursor=${first.body.nextCursor}`, {
      token: account.accessToken,
    })
    expect(second.body.transactions.map((tx: { id: string }) => tx.id)).toEqual(['wtx_2', 'wtx_1'])
    const third = await t.call('GET', `/api/v1/me/wallet?limit=2&cursor=${second.body.nextCursor}`, {
      token: account.accessToken,
    })
    expect(third.body.transactions.map((tx: { id: string }) => tx.id)).toEqual(['wtx_0'])
    expect(third.body.nextCursor).toBeNull()
  })

  test('shows only my own ledger', async () => {
    const owner = await t.register()
    const other = await t.register()
    await t.db
      .insert(walletTransactions)
      .values({ id: 'wtx_x', userId: owner.user.id, amount: 5, balanceAfter: 5, kind: 'gift' })
    const wallet = await t.call('GET', '/api/v1/me/wallet', { token: other.accessToken })
    expect(wallet.body.transactions).toEqual([])
  })

  test('bad paging parameters are 422', async () => {
    const account = await t.register()
    const badCursor = await t.call('GET', '/api/v1/me/wallet?cursor=garbage', { token: account.accessToken })
    expect(badCursor.status).toBe(422)
    expect(badCursor.body.error).toMatchObject({
      code: 'VALIDATION_FAILED',
      details: [{ in: 'query', path: '/cursor' }],
    })
    expect((await t.call('GET', '/api/v1/me/wallet?limit=0', { token: account.accessToken })).status).toBe(422)
    expect((await t.call('GET', '/api/v1/me/wallet?limit=101', { token: account.accessToken })).status).toBe(422)
  })
})

describe('/users/:id and follows', () => {
  test('public profile shows no private fields', async () => {
    const viewer = await t.register()
    const teacher = await t.register('teacher')
    const profile = await t.call('GET', `/api/v1/users/${teacher.user.id}`, { token: viewer.accessToken })
    expect(profile.status).toBe(200)
    expect(profile.body).toMatchObject({
      id: teacher.user.id,
      role: 'teacher',
      followers: 0,
      following: 0,
      isFollowing: false,
    })
    expect(profile.body.email).toBeUndefined()
    expect(profile.body.phone).toBeUndefined()
    expect(profile.body.coinBalance).toBeUndefined()
  })

  test('follow and unfollow are idempotent and counted', async () => {
    const fan = await t.register()
    const star = await t.register('teacher')
    const path = `/api/v1/users/${star.user.id}`
    expect((await t.call('POST', `${path}/follow`, { token: fan.accessToken })).body).toEqual({
      following: true,
      followers: 1,
    })
    expect((await t.call('POST', `${path}/follow`, { token: fan.accessToken })).body).toEqual({
      following: true,
      followers: 1,
    })
    const profile = await t.call('GET', path, { token: fan.accessToken })
    expect(profile.body).toMatchObject({ followers: 1, isFollowing: true })
    const fanProfile = await t.call('GET', `/api/v1/users/${fan.user.id}`, { token: star.accessToken })
    expect(fanProfile.body.following).toBe(1)
    expect((await t.call('POST', `${path}/unfollow`, { token: fan.accessToken })).body).toEqual({
      following: false,
      followers: 0,
    })
    expect((await t.call('POST', `${path}/unfollow`, { token: fan.accessToken })).body).toEqual({
      following: false,
      followers: 0,
    })
  })

  test('cannot follow yourself; unknown or deleted users are 404', async () => {
    const me = await t.register()
    const self = await t.call('POST', `/api/v1/users/${me.user.id}/follow`, { token: me.accessToken })
    expect(self.status).toBe(422)
    expect(self.body.error.code).toBe('CANNOT_FOLLOW_SELF')
    expect((await t.call('GET', '/api/v1/users/usr_missing', { token: me.accessToken })).status).toBe(404)
    expect((await t.call('POST', '/api/v1/users/usr_missing/follow', { token: me.accessToken })).status).toBe(404)

    const leaver = await t.register()
    await t.call('POST', `/api/v1/users/${leaver.user.id}/follow`, { token: me.accessToken })
    await t.call('DELETE', '/api/v1/me', { token: leaver.accessToken })
    expect((await t.call('GET', `/api/v1/users/${leaver.user.id}`, { token: me.accessToken })).status).toBe(404)
    expect((await t.call('GET', `/api/v1/users/${me.user.id}`, { token: me.accessToken })).body.following).toBe(0)
  })

  test('needs a signed-in, completed user', async () => {
    const star = await t.register()
    expect((await t.call('GET', `/api/v1/users/${star.user.id}`)).status).toBe(401)
    expect((await t.call('POST', `/api/v1/users/${star.user.id}/follow`)).status).toBe(401)
  })
})

describe('the auth guard’s user cache', () => {
  test('a change made elsewhere (another instance) is seen within 2 s; changes here at once', async () => {
    const clock = new ManualClock()
    const app = await createTestApp({ clock })
    const account = await app.register()
    const guarded = () => app.call('GET', '/api/v1/notifications/unread-count', { token: account.accessToken })
    expect((await guarded()).status).toBe(200)
    // Another instance deletes the account straight in the shared database.
    await app.db
      .update(users)
      .set({ deletedAt: new Date(clock.now()) })
      .where(eq(users.id, account.user.id))
    expect((await guarded()).status).toBe(200)
    clock.advance(2000)
    expect((await guarded()).status).toBe(401)

    const other = await app.register()
    await app.call('GET', '/api/v1/me', { token: other.accessToken })
    await app.call('DELETE', '/api/v1/me', { token: other.accessToken })
    expect((await app.call('GET', '/api/v1/me', { token: other.accessToken })).status).toBe(401)
    app.close()
  })
})
