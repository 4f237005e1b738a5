import { treaty } from '@elysiajs/eden'
import { describe, expect, test } from 'bun:test'
import type { App } from '../src/app.ts'
import { createTestApp } from './helpers/app.ts'

describe('Eden treaty client', () => {
  test('the exported App type drives a typed client', async () => {
    const t = await createTestApp()
    const api = treaty<App>(t.app)
    const health = await api.health.get()
    expect(health.data?.status).toBe('ok')

    const registered = await api.api.v1.auth.register.post({
      email: 'eden@example.com',
      password: 'eden password',
      name: 'Eden',
    })
    expect(registered.status).toBe(201)
    const token = registered.data!.accessToken
    const me = await api.api.v1.me.get({ headers: { authorization: `Bearer ${token}` } })
    expect(me.data?.email).toBe('eden@example.com')
    t.close()
  })
})
