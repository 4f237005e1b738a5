import { describe, expect, test } from 'bun:test'
import { drainAndClose } from '../src/lifecycle.ts'
import { createLogger } from '../src/logger.ts'
import { createTestApp } from './helpers/app.ts'

describe('graceful shutdown', () => {
  test('stops accepting, lets the in-flight request finish, then closes the database', async () => {
    const t = await createTestApp()
    let releaseSlowRequest!: () => void
    const slowRequestStarted = Promise.withResolvers<void>()
    const app = t.app
      .get('/test-slow', async () => {
        slowRequestStarted.resolve()
        await new Promise<void>((resolve) => (releaseSlowRequest = resolve))
        return { finished: true }
      })
      .listen({ port: 0, hostname: '127.0.0.1' })
    const url = `http://127.0.0.1:${app.server!.port}`

    const inFlight = fetch(`${url}/test-slow`)
    await slowRequestStarted.promise
    const closed: string[] = []
    const shutdown = drainAndClose(
      app.server!,
      [
        {
          name: 'database',
          close: () => {
            closed.push('database')
            t.close()
          },
        },
      ],
      createLogger('silent'),
    )

    await Bun.sleep(50)
    expect(closed).toEqual([])
    await expect(fetch(`${url}/health/live`)).rejects.toThrow()

    releaseSlowRequest()
    const response = await inFlight
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ finished: true })
    await shutdown
    expect(closed).toEqual(['database'])
    await expect(t.database.client.execute('select 1')).rejects.toThrow()
  })

  test('cuts requests that outlive the drain timeout', async () => {
    const t = await createTestApp()
    const app = t.app.get('/test-stuck', () => new Promise(() => {})).listen({ port: 0, hostname: '127.0.0.1' })
    const stuck = fetch(`http://127.0.0.1:${app.server!.port}/test-stuck`).catch((error: Error) => error)
    await Bun.sleep(50)
    const warnings: string[] = []
    const logger = createLogger('warn', (line) => warnings.push(JSON.parse(line).msg))
    await drainAndClose(app.server!, [{ name: 'database', close: () => t.close() }], logger, 200)
    expect(warnings).toEqual(['drain timed out; closing remaining connections'])
    expect(await stuck).toBeInstanceOf(Error)
  })

  test('while draining, a request that still arrives is refused with SHUTTING_DOWN; health still answers', async () => {
    let draining = false
    const t = await createTestApp({ isDraining: () => draining })
    const fan = await t.register()
    draining = true
    const refused = await t.api(fan, 'POST', '/tickets', { subject: 'Too late' })
    expect(refused.status).toBe(503)
    expect(refused.body.error).toMatchObject({ code: 'SHUTTING_DOWN', details: { instances: [] } })
    expect(refused.headers.get('retry-after')).toBe('1')
    expect(refused.headers.get('connection')).toBe('close')
    // A payment provider's webhook is refused before it is read: the provider delivers it again later.
    const webhook = await t.call('POST', '/api/v1/billing/webhooks/mock', { rawBody: '{}' })
    expect(webhook.status).toBe(503)
    expect(webhook.body.error.code).toBe('SHUTTING_DOWN')
    const upgrade = await t.app.handle(new Request('http://localhost/ws', { headers: { upgrade: 'websocket' } }))
    expect(upgrade.status).toBe(503)
    expect((await t.app.handle(new Request('http://localhost/health/live'))).status).toBe(200)
    expect((await t.app.handle(new Request('http://localhost/health/ready'))).status).toBe(503)
    draining = false
    expect((await t.api(fan, 'GET', '/tickets')).body.items).toEqual([])
    t.close()
  })
})
