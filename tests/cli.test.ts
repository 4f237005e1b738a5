import { afterEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { admin, killStartedServers, startServer, tempDir } from './helpers/server-process.ts'

afterEach(killStartedServers)

describe('npm run admin -- create-staff', () => {
  test('creates a staff account that signs in with the staff role', async () => {
    const env = { DATABASE_URL: `file:${join(tempDir(), 'majlis.db')}` }
    const created = admin(
      [
        'create-staff',
        '--email',
        'Ops@Example.com',
        '--name',
        'Ops',
        '--profile',
        'admin',
        '--modules',
        'tickets,support',
      ],
      {
        ...env,
        STAFF_PASSWORD: 'ops password',
      },
    )
    expect(created.exitCode).toBe(0)
    expect(JSON.parse(created.stdout.trim().split('\n').at(-1)!).created).toMatchObject({
      email: 'ops@example.com',
      role: 'staff',
      staffProfile: 'admin',
      staffModules: ['tickets', 'support'],
    })

    const duplicate = admin(
      ['create-staff', '--email', 'ops@example.com', '--name', 'Again', '--password', 'other password'],
      env,
    )
    expect(duplicate.exitCode).toBe(2)
    expect(duplicate.stderr).toContain('already exists')

    const server = startServer(env)
    await server.waitUntilUp()
    const login = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'ops@example.com', password: 'ops password' }),
    })
    expect(login.status).toBe(200)
    expect(((await login.json()) as { user: { role: string; staffProfile: string } }).user).toMatchObject({
      role: 'staff',
      staffProfile: 'admin',
    })
    server.child.kill('SIGTERM')
    await server.child.exited
  })

  test('bad input is refused with the reason and the usage', () => {
    const env = { DATABASE_URL: `file:${join(tempDir(), 'majlis.db')}` }
    const badEmail = admin(['create-staff', '--email', 'nope', '--name', 'X', '--password', 'long enough'], env)
    expect(badEmail.exitCode).toBe(2)
    expect(badEmail.stderr).toContain('email')
    const badProfile = admin(
      ['create-staff', '--email', 'a@example.com', '--name', 'X', '--password', 'long enough', '--profile', 'god'],
      env,
    )
    expect(badProfile.exitCode).toBe(2)
    expect(badProfile.stderr).toContain('profile')
    const shortPassword = admin(['create-staff', '--email', 'a@example.com', '--name', 'X', '--password', 'short'], env)
    expect(shortPassword.exitCode).toBe(2)
    expect(admin(['create-staff', '--unknown'], env).stderr).toContain('Usage')
    expect(admin(['launch-rockets'], env).exitCode).toBe(2)
  })
})

describe('npm run admin -- adjust-coins', () => {
  test('credits and debits a wallet with the reason in the ledger; never below zero', async () => {
    const env = { DATABASE_URL: `file:${join(tempDir(), 'majlis.db')}` }
    const server = startServer(env)
    await server.waitUntilUp()
    const registered = await fetch(`${server.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'fan@example.com', password: 'fan password', name: 'Fan' }),
    })
    const { user, accessToken } = (await registered.json()) as { user: { id: string }; accessToken: string }

    const credit = admin(['adjust-coins', '--user', user.id, '--amount', '120', '--reason', 'contest prize'], env)
    expect(credit.exitCode).toBe(0)
    expect(JSON.parse(credit.stdout.trim().split('\n').at(-1)!)).toEqual({ userId: user.id, balance: 120 })
    const overdraw = admin(['adjust-coins', '--user', user.id, '--amount', '-500', '--reason', 'oops'], env)
    expect(overdraw.exitCode).toBe(2)
    expect(overdraw.stderr).toContain('Not enough coins')
    expect(admin(['adjust-coins', '--user', user.id, '--amount', 'ten', '--reason', 'x'], env).stderr).toContain(
      'amount',
    )
    expect(admin(['adjust-coins', '--user', user.id, '--amount', '5'], env).stderr).toContain('reason')
    expect(admin(['adjust-coins', '--user', 'usr_missing', '--amount', '5', '--reason', 'x'], env).stderr).toContain(
      'User not found',
    )

    const wallet = await fetch(`${server.baseUrl}/api/v1/me/wallet`, {
      headers: { authorization: `Bearer ${accessToken}` },
    })
    expect(await wallet.json()).toMatchObject({
      balance: 120,
      transactions: [{ amount: 120, kind: 'adjustment', reference: 'cli: contest prize' }],
    })
    server.child.kill('SIGTERM')
    await server.child.exited
  })
})

describe('npm run admin -- seed-catalog', () => {
  test('adds the development catalogue once; the public tree shows it in Arabic and English', async () => {
    const env = { DATABASE_URL: `file:${join(tempDir(), 'majlis.db')}` }
    const first = admin(['seed-catalog'], env)
    expect(first.exitCode).toBe(0)
    const created = JSON.parse(first.stdout.trim().split('\n').at(-1)!).created
    expect(created.categories).toBeGreaterThanOrEqual(8)
    expect(created.subcategories).toBeGreaterThanOrEqual(30)
    expect(JSON.parse(admin(['seed-catalog'], env).stdout.trim().split('\n').at(-1)!)).toEqual({
      created: { categories: 0, subcategories: 0 },
    })

    const server = startServer(env)
    await server.waitUntilUp()
    const tree = (await (await fetch(`${server.baseUrl}/api/v1/categories`)).json()) as Array<{
      name: string
      nameEn: string
      subcategories: unknown[]
    }>
    expect(tree).toHaveLength(created.categories)
    expect(tree.find((category) => category.nameEn === 'Plumbing')).toMatchObject({
      name: 'سباكة',
      subcategories: expect.arrayContaining([expect.objectContaining({ nameEn: 'Leak repair' })]),
    })
    server.child.kill('SIGTERM')
    await server.child.exited
  })
})
