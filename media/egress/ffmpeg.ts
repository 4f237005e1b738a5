/** How an ffmpeg process ended: `requested` when we stopped it, otherwise it crashed or was killed. */
export interface FfmpegExit {
  code: number | null
  signal: string | null
  requested: boolean
  /** The end of what it wrote to stderr, for the log. */
  stderrTail: string
}

const STDERR_TAIL_BYTES = 4096

async function tailOf(stream: ReadableStream<Uint8Array>): Promise<string> {
  let tail = ''
  const decoder = new TextDecoder()
  for await (const chunk of stream as unknown as AsyncIterable<Uint8Array>)
    tail = (tail + decoder.decode(chunk, { stream: true })).slice(-STDERR_TAIL_BYTES)
  return tail
}

/** A long-running ffmpeg (recording or HLS part) that we stop gracefully so it finishes its files. */
export class FfmpegProcess {
  readonly exited: Promise<FfmpegExit>
  private readonly process: Bun.Subprocess<'ignore', 'ignore', 'pipe'>
  private stopRequested = false

  constructor(path: string, args: string[], cwd?: string) {
    this.process = Bun.spawn([path, '-hide_banner', '-nostdin', '-loglevel', 'warning', ...args], {
      cwd,
      stdin: 'ignore',
      stdout: 'ignore',
      stderr: 'pipe',
    })
    const stderr = tailOf(this.process.stderr)
    this.exited = this.process.exited.then(async (code) => ({
      code: this.process.signalCode ? null : code,
      signal: this.process.signalCode === null ? null : String(this.process.signalCode),
      requested: this.stopRequested,
      stderrTail: await stderr,
    }))
  }

  get pid(): number {
    return this.process.pid
  }

  /**
   * SIGINT lets ffmpeg write its trailer (cues, playlist end). ffmpeg only interrupts a blocked
   * read on a second signal, and its inputs block when the room's media has already gone (a worker
   * died), so a second SIGINT follows; SIGKILL if it has still not exited after graceMs.
   */
  async stop(graceMs = 5000): Promise<FfmpegExit> {
    this.stopRequested = true
    this.process.kill('SIGINT')
    const again = setTimeout(() => this.process.kill('SIGINT'), 1500)
    const timer = setTimeout(() => this.process.kill('SIGKILL'), graceMs)
    try {
      return await this.exited
    } finally {
      clearTimeout(again)
      clearTimeout(timer)
    }
  }
}

/** A one-shot ffmpeg or ffprobe run (remux, concatenation, thumbnail, probe); rejects with its stderr when it fails. */
export async function runTool(path: string, args: string[], timeoutMs = 10 * 60_000): Promise<string> {
  const process = Bun.spawn([path, '-hide_banner', '-loglevel', 'error', ...args], {
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const timer = setTimeout(() => process.kill('SIGKILL'), timeoutMs)
  try {
    const [stdout, stderr, code] = await Promise.all([
      new Response(process.stdout).text(),
      new Response(process.stderr).text(),
      process.exited,
    ])
    if (code !== 0)
      throw new Error(`${path} ${args.join(' ')} failed (${process.signalCode ?? code}): ${stderr.slice(-1000).trim()}`)
    return stdout
  } finally {
    clearTimeout(timer)
  }
}

/** Whether the configured binary can be run (for /health/ready and clear errors). */
export function findBinary(path: string): string | null {
  return Bun.which(path)
}
