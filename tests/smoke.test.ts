import { afterEach, describe, expect, test } from 'bun:test'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  freeMediaPorts,
  freePort,
  inFreshShell,
  killStartedServers,
  startServer,
  tempDir,
} from './helpers/server-process.ts'

afterEach(killStartedServers)

describe('the server on a real port', () => {
  test('starts on a libSQL file, serves the API, docs and health, and shuts down cleanly on SIGTERM', async () => {
    const dir = tempDir()
    const server = startServer({ DATABASE_URL: `file:${join(dir, 'nested', 'majlis.db')}` })
    await server.waitUntilUp()

    expect((await fetch(`${server.baseUrl}/health`)).status).toBe(200)
    const ready = await (await fetch(`${server.baseUrl}/health/ready`)).json()
    expect(ready).toMatchObject({
      status: 'ready',
      checks: { database: 'ok', ffmpeg: 'ok', media: 'ok' },
      instance: { url: server.baseUrl, peers: 0, capacity: 500 },
    })
    expect(Object.keys(ready.checks).sort()).toEqual(['database', 'ffmpeg', 'media'])
    expect((await fetch(`${server.baseUrl}/swagger`)).status).toBe(200)
    expect((await fetch(`${server.baseUrl}/demo`)).headers.get('content-type')).toContain('text/html')
    const sdk = await fetch(`${server.baseUrl}/sdk/majlis-media.js`)
    expect(sdk.headers.get('content-type')).toContain('javascript')
    expect(await sdk.text()).toContain('media:join')
    expect((await (await fetch(`${server.baseUrl}/swagger/json`)).json()).paths['/api/v1/auth/register']).toBeDefined()

    const registered = await fetch(`${server.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'smoke@example.com', password: 'smoke password', name: 'Smoke' }),
    })
    expect(registered.status).toBe(201)
    const { accessToken } = (await registered.json()) as { accessToken: string }
    const me = await fetch(`${server.baseUrl}/api/v1/me`, { headers: { authorization: `Bearer ${accessToken}` } })
    expect(((await me.json()) as { email: string }).email).toBe('smoke@example.com')

    const oversized = await fetch(`${server.baseUrl}/api/v1/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'big@example.com', password: 'long enough', name: 'x'.repeat(400_000) }),
    })
    expect(oversized.status).toBe(413)
    expect((await fetch(`${server.baseUrl}/health/live`)).status).toBe(200)

    server.child.kill('SIGTERM')
    expect(await server.child.exited).toBe(0)
    const { stdout } = await server.output()
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
    expect(
      lines.some((line) => line.msg === 'request' && line.route === '/api/v1/auth/register' && line.status === 201),
    ).toBe(true)
    expect(lines.at(-1)).toMatchObject({ level: 'info', msg: 'shutdown complete' })
    expect(existsSync(join(dir, 'nested', 'majlis.db'))).toBe(true)
  })

  test('SIGTERM to `npm start` (a container runtime or systemd stopping it) reaches the server, which drains and exits', async () => {
    const databaseFile = join(tempDir(), 'majlis.db')
    const port = freePort()
    const child = Bun.spawn(['npm', 'start'], {
      ...inFreshShell({
        DATABASE_URL: `file:${databaseFile}`,
        PORT: String(port),
        HOST: '127.0.0.1',
        MEDIA_WORKERS: '1',
        MEDIA_PORT: String(await freeMediaPorts(1)),
      }),
      stdout: 'pipe',
      stderr: 'ignore',
    })
    const baseUrl = `http://127.0.0.1:${port}`
    const answers = () =>
      fetch(`${baseUrl}/health/live`).then(
        (response) => response.ok,
        () => false,
      )
    for (let tries = 0; !(await answers()); tries++) {
      if (tries > 300 || child.exitCode !== null) throw new Error('npm start did not come up')
      await Bun.sleep(100)
    }
    child.kill('SIGTERM')
    await child.exited
    try {
      for (let tries = 0; (await answers()) && tries < 150; tries++) await Bun.sleep(100)
      expect(await answers()).toBe(false)
      // Everything the server wrote: the pipe ends once the server process has gone too.
      expect(await new Response(child.stdout).text()).toContain('"msg":"shutdown complete"')
    } finally {
      killServersOf(databaseFile)
    }
  })

  test('keeps data across a restart on the same file', async () => {
    const url = `file:${join(tempDir(), 'majlis.db')}`
    const first = startServer({ DATABASE_URL: url })
    await first.waitUntilUp()
    const body = JSON.stringify({ email: 'again@example.com', password: 'again password', name: 'Again' })
    const init = { method: 'POST', headers: { 'content-type': 'application/json' }, body }
    expect((await fetch(`${first.baseUrl}/api/v1/auth/register`, init)).status).toBe(201)
    first.child.kill('SIGINT')
    expect(await first.child.exited).toBe(0)

    const second = startServer({ DATABASE_URL: url })
    await second.waitUntilUp()
    const login = await fetch(`${second.baseUrl}/api/v1/auth/login`, {
      ...init,
      body: JSON.stringify({ email: 'again@example.com', password: 'again password' }),
    })
    expect(login.status).toBe(200)
    second.child.kill('SIGTERM')
    await second.child.exited
  })

  test('invalid configuration stops start-up with a message naming the variable', async () => {
    const server = startServer({ PORT: '3999', JWT_ACCESS_MIN: 'soon' })
    expect(await server.child.exited).toBe(1)
    expect((await server.output()).stderr).toContain('JWT_ACCESS_MIN')
  })

  test('production mode refuses the dev secrets', async () => {
    const server = startServer({ NODE_ENV: 'production', DATABASE_URL: `file:${join(tempDir(), 'p.db')}` })
    expect(await server.child.exited).toBe(1)
    expect((await server.output()).stderr).toContain('JWT_SECRET: the dev-only default is refused')
  })
})

/** A server npm left behind (the signal did not reach it): found by its database in its environment. */
function killServersOf(databaseFile: string): void {
  for (const pid of readdirSync('/proc').filter((name) => /^[0-9]+$/.test(name))) {
    const environment = (() => {
      try {
        return readFileSync(`/proc/${pid}/environ`, 'utf8')
      } catch {
        return ''
      }
    })()
    if (environment.includes(databaseFile)) process.kill(Number(pid), 'SIGKILL')
  }
}
