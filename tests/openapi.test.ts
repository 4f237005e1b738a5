import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import SwaggerParser from '@apidevtools/swagger-parser'
import openapiTS, { astToString } from 'openapi-typescript'
import { join } from 'node:path'
import { launchChromium } from './helpers/browser.ts'
import { createTestApp, type TestApp } from './helpers/app.ts'
import { killStartedServers, repoRoot, startServer, tempDir } from './helpers/server-process.ts'

let t: TestApp
let spec: any
beforeAll(async () => {
  t = await createTestApp()
  spec = (await t.call('GET', '/swagger/json')).body
})
afterAll(() => {
  t.close()
  killStartedServers()
})

describe('the OpenAPI document', () => {
  test('validates as OpenAPI 3.1 with a standard validator, with honest content types and a description per response', async () => {
    expect(spec.openapi).toBe('3.1.0')
    await SwaggerParser.validate(structuredClone(spec))
    for (const [path, operations] of Object.entries<Record<string, any>>(spec.paths)) {
      for (const [method, operation] of Object.entries<any>(operations)) {
        for (const [status, response] of Object.entries<any>(operation.responses)) {
          expect(response.description, `${method} ${path} ${status}`).toBeString()
          const types = Object.keys(response.content ?? {})
          const csv = path.endsWith('.csv') && status === '200'
          // Files, playlists and SDP answers are not JSON.
          const file =
            (/\/(file|thumbnail)$/.test(path) || path.includes('/hls/') || path.includes('/whip/')) &&
            ['200', '201', '206'].includes(status)
          if (file) expect(types.length, `${method} ${path} ${status}`).toBeGreaterThan(0)
          else if (status === '416') expect(types, `${method} ${path} ${status}`).toEqual([])
          else if (path.startsWith('/api/'))
            expect(types, `${method} ${path} ${status}`).toEqual(
              status === '204' ? [] : csv ? ['text/csv'] : ['application/json'],
            )
        }
        const uploadsOrJson = path === '/api/v1/videos' && method === 'post'
        const uploads = [
          '/api/v1/providers/me/portfolio',
          '/api/v1/verification/requests/{id}/documents',
          '/api/v1/promo/requests/{id}/assets',
        ]
        const uploadsOnly = uploads.includes(path) && method === 'post'
        const sdp = path === '/api/v1/whip/{id}'
        const bodyTypes = uploadsOrJson
          ? ['application/json', 'multipart/form-data']
          : uploadsOnly
            ? ['multipart/form-data']
            : sdp
              ? ['application/sdp']
              : ['application/json']
        if (operation.requestBody)
          expect(Object.keys(operation.requestBody.content), `${method} ${path}`).toEqual(bodyTypes)
      }
    }
    const upload = spec.paths['/api/v1/videos'].post.requestBody.content['multipart/form-data'].schema
    expect(upload.properties.file).toMatchObject({ type: 'string', format: 'binary' })
    expect(upload.required).toEqual(expect.arrayContaining(['file', 'title', 'category']))
    expect(Object.keys(spec.paths['/metrics'].get.responses['200'].content)).toEqual(['text/plain'])
    expect(spec.paths['/api/v1/auth/logout'].post.responses['204']).toEqual({ description: 'No content' })
  })

  test('schemas say what clients send and receive: dates as date-time strings, enums as enums, integers as integers', () => {
    const call =
      spec.paths['/api/v1/video-calls/{id}'].get.responses['200'].content['application/json'].schema.properties
    expect(call.createdAt).toEqual({ type: 'string', format: 'date-time' })
    expect(call.durationSec).toEqual({ anyOf: [{ type: 'integer' }, { type: 'null' }] })
    const ticketList = spec.paths['/api/v1/tickets'].get.parameters
    expect(ticketList.find((p: any) => p.name === 'status').schema).toEqual({
      type: 'string',
      enum: ['open', 'pending', 'closed'],
    })
    expect(ticketList.find((p: any) => p.name === 'limit').schema).toMatchObject({
      type: 'integer',
      minimum: 1,
      maximum: 100,
    })
    // All fields optional: the body may be left out.
    expect(spec.paths['/api/v1/me'].patch.requestBody.required).toBe(false)
    expect(spec.paths['/api/v1/auth/register'].post.requestBody.required).toBe(true)
  })

  test('lists every /ws message type with the schema of its data', () => {
    const messages = spec['x-websocket'].messages
    // This app runs without the SFU; with it the media:* types are listed too (see fuzz.test.ts).
    expect(Object.keys(messages)).toEqual(
      expect.arrayContaining(['join_ticket', 'send_message', 'join-room', 'live:join', 'live:invite-speaker']),
    )
    expect(messages.ticket_status_change).toMatchObject({
      type: 'object',
      properties: { status: { enum: ['open', 'pending', 'closed'] } },
    })
  })

  test('a typed client generated from it (openapi-typescript) compiles against real calls', async () => {
    const types = astToString(await openapiTS(structuredClone(spec)))
    const dir = tempDir('majlis-client-')
    await Bun.write(join(dir, 'api.d.ts'), types)
    await Bun.write(
      join(dir, 'client.ts'),
      `import type { paths } from './api'
type Call = paths['/api/v1/video-calls/{id}']['get']['responses'][200]['content']['application/json']
type Register = paths['/api/v1/auth/register']['post']['requestBody']
const call: Call = { id: 'vc_1', requestId: 'sr_1', customerId: 'u1', supporterId: 'u2', roomId: 'call:vc_1', status: 'ended', startedAt: null, endedAt: null, durationSec: 3, createdAt: '2026-01-01T00:00:00Z', recordings: [] }
const body: NonNullable<Register>['content']['application/json'] = { email: 'a@example.com', password: 'long enough', name: 'A', role: 'teacher' }
// @ts-expect-error a status outside the enum does not compile
const wrong: Call['status'] = 'paused'
export { call, body, wrong }
`,
    )
    await Bun.write(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'ES2022',
          module: 'ESNext',
          moduleResolution: 'Bundler',
          skipLibCheck: true,
        },
        files: ['client.ts'],
      }),
    )
    const tsc = Bun.spawnSync([process.execPath, join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', dir])
    expect(tsc.stdout.toString() + tsc.stderr.toString()).toBe('')
    expect(tsc.exitCode).toBe(0)
    expect(types).toContain('"/api/v1/tickets/{id}/messages"')
  })
})

describe('the docs UI', () => {
  test('renders every operation in headless Chromium from Majlis alone, with no request leaving the machine', async () => {
    const server = startServer({ DATABASE_URL: `file:${join(tempDir(), 'docs.db')}` })
    await server.waitUntilUp()
    const browser = await launchChromium()
    try {
      // Swagger UI renders tag sections as they come into view: a page tall enough to show them all.
      const page = await browser.newPage({ viewport: { width: 1280, height: 40_000 } })
      const outside: string[] = []
      await page.route('**/*', (route) => {
        const url = new URL(route.request().url())
        if (url.origin === server.baseUrl) return route.continue()
        outside.push(url.href)
        return route.abort()
      })
      await page.goto(`${server.baseUrl}/swagger`)
      await page.waitForSelector('.opblock', { timeout: 15_000 })
      const documented = Object.entries<Record<string, unknown>>(spec.paths).flatMap(([path, methods]) =>
        Object.keys(methods).map(() => path),
      )
      // Sections render in turn; give a loaded machine time to finish before counting.
      await page
        .waitForFunction(
          (count) => document.querySelectorAll('.opblock-summary-path').length >= count,
          documented.length,
          { timeout: 15_000 },
        )
        .catch(() => undefined)
      const operations = await page.$$eval('.opblock-summary-path', (nodes) =>
        nodes.map((node) => node.getAttribute('data-path')),
      )
      expect(operations.length).toBe(documented.length)
      expect(operations).toContain('/api/v1/tickets/{id}/messages')
      expect(outside).toEqual([])
    } finally {
      await browser.close()
    }
  })
})
