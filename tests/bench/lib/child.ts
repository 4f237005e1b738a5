import { rmSync } from 'node:fs'
import { join } from 'node:path'
import { freePort, tempDir } from '../../helpers/server-process.ts'

const children = new Set<{ kill(): void }>()
const scratchDirs: string[] = []
// A bench, even a failing one, leaves no servers, crowds or scratch files behind.
process.on('exit', () => {
  for (const child of children) child.kill()
  for (const dir of scratchDirs) rmSync(dir, { recursive: true, force: true })
})

/** A temporary folder removed when the bench exits. */
export function benchDir(): string {
  const dir = tempDir('majlis-bench-')
  scratchDirs.push(dir)
  return dir
}

/** Kills the process when the bench exits, however it exits. */
export function owned<Child extends { kill(): void }>(child: Child): Child {
  children.add(child)
  return child
}

/** Writes a config for a child process to a file (tokens of 1000 users do not fit in the environment). */
export async function configFile(config: unknown): Promise<string> {
  const path = join(benchDir(), 'config.json')
  await Bun.write(path, JSON.stringify(config))
  return path
}

/** A child process whose stdout is JSON lines; wait for the first line that matches. */
export function jsonLines(command: string[], env: Record<string, string> = {}) {
  const child = owned(Bun.spawn(command, { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'inherit' }))
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader()
  let buffer = ''
  const seen: any[] = []
  async function next(match: (line: any) => boolean, timeoutMs = 120_000): Promise<any> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const found = seen.findIndex(match)
      if (found >= 0) return seen.splice(found, 1)[0]
      if (Date.now() > deadline) throw new Error(`no matching line from ${command.join(' ')}`)
      const { value, done } = await reader.read()
      if (done) throw new Error(`${command.join(' ')} ended early (exit ${await child.exited})`)
      buffer += value
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const line of lines) if (line.trim()) seen.push(line.trim().startsWith('{') ? JSON.parse(line) : line.trim())
    }
  }
  return { child, next, stop: () => child.kill() }
}

/** A peer server in its own process, given a free port as its last argument, while `use` runs. */
export async function withPeer<T>(command: string[], use: (port: number, pid: number) => Promise<T>): Promise<T> {
  const port = freePort()
  const peer = jsonLines([...command, String(port)])
  try {
    await peer.next((line) => line === 'ready')
    return await use(port, peer.child.pid)
  } finally {
    peer.stop()
  }
}
