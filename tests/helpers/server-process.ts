import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const repoRoot = join(import.meta.dir, '..', '..')
export const bunBinary = process.execPath

/** A port nothing listens on right now (the OS picks it). */
export function freePort(): number {
  const probe = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
  const port = probe.port
  probe.stop(true)
  return port
}

export function tempDir(prefix = 'majlis-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

const started = new Set<ReturnType<typeof Bun.spawn>>()

/** For afterEach: no server of a failed test outlives it and holds its ports. */
export function killStartedServers(): void {
  for (const child of started) if (child.exitCode === null) child.kill('SIGKILL')
  started.clear()
}

/** JSON calls to a running server's /api/v1, as a client makes them: `{ status, body }`. */
export function apiClient(baseUrl: string) {
  return async (method: string, path: string, token?: string, body?: unknown) => {
    const response = await fetch(`${baseUrl}/api/v1${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: response.status, body: (await response.json()) as any }
  }
}

/**
 * `npm run admin -- …` against the database of env, as an operator runs it in a fresh shell after
 * `npm ci`: without Bun on the PATH (npm test puts node_modules/.bin there; a shell does not).
 */
export function admin(args: string[], env: Record<string, string>) {
  const result = Bun.spawnSync(adminCommand(args), inFreshShell(env))
  return { exitCode: result.exitCode, stdout: result.stdout.toString(), stderr: result.stderr.toString() }
}

/** The same, without blocking this process (it keeps serving requests of the test while the command runs). */
export async function adminAsync(args: string[], env: Record<string, string>) {
  const child = Bun.spawn(adminCommand(args), { ...inFreshShell(env), stdout: 'pipe', stderr: 'pipe' })
  const [stdout, stderr, exitCode] = await Promise.all([
    new Response(child.stdout).text(),
    new Response(child.stderr).text(),
    child.exited,
  ])
  return { exitCode, stdout, stderr }
}

const adminCommand = (args: string[]) => ['npm', 'run', 'admin', '--', ...args]

/** Spawn options for an npm command as a fresh shell runs it in the repository: env added, no Bun on the PATH. */
export function inFreshShell(env: Record<string, string>) {
  const shellPath = (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => !dir.endsWith('node_modules/.bin') && !Bun.file(`${dir}/bun`).size)
    .join(':')
  return { cwd: repoRoot, env: { ...process.env, ...env, PATH: shellPath } }
}

/** Runs src/index.ts as its own process, as the README's start command does (one media worker, free ports). */
export function startServer(env: Record<string, string>) {
  const port = env.PORT ? Number(env.PORT) : freePort()
  const child = Bun.spawn([bunBinary, 'src/index.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      MEDIA_WORKERS: '1',
      MEDIA_PORT: String(freePort()),
      ...env,
      PORT: String(port),
    },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  started.add(child)
  const baseUrl = `http://127.0.0.1:${port}`
  return {
    child,
    baseUrl,
    async waitUntilUp(timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs
      while (Date.now() < deadline) {
        if (child.exitCode !== null) throw new Error(`server exited early: ${await new Response(child.stderr).text()}`)
        try {
          if ((await fetch(`${baseUrl}/health/live`)).ok) return
        } catch {
          // not listening yet
        }
        await Bun.sleep(100)
      }
      throw new Error('server did not come up')
    },
    async output() {
      return { stdout: await new Response(child.stdout).text(), stderr: await new Response(child.stderr).text() }
    },
  }
}

/** `count` consecutive ports free for both TCP and UDP (one WebRtcServer per media worker). */
export async function freeMediaPorts(count: number): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20000 + Math.floor(Math.random() * 10000) * 2
    const held: Array<{ close(): void }> = []
    try {
      for (let port = base; port < base + count; port++) {
        const tcp = Bun.listen({ hostname: '127.0.0.1', port, socket: { data() {} } })
        held.push({ close: () => tcp.stop(true) })
        held.push(await Bun.udpSocket({ hostname: '127.0.0.1', port }))
      }
      return base
    } catch {
      // taken: try another range
    } finally {
      for (const socket of held) socket.close()
    }
  }
  throw new Error('no free media ports')
}
