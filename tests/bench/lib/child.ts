/** A child process whose stdout is JSON lines; wait for the first line that matches. */
export function jsonLines(command: string[], env: Record<string, string> = {}) {
  const child = Bun.spawn(command, { env: { ...process.env, ...env }, stdout: 'pipe', stderr: 'inherit' })
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
