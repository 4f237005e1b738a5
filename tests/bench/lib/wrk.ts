/** Load from Debian's wrk: 2 threads, `connections` keep-alive connections for `seconds`. */
export interface WrkResult {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  errors: number
}

function parseDuration(text: string): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text)
  if (!match) return Number.NaN
  const value = Number(match[1])
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value
}

export function wrk(
  url: string,
  { connections, seconds, token }: { connections: number; seconds: number; token?: string },
): WrkResult {
  const headers = token ? ['-H', `Authorization: Bearer ${token}`] : []
  const run = Bun.spawnSync(['wrk', '-t2', `-c${connections}`, `-d${seconds}s`, '--latency', ...headers, url])
  const output = run.stdout.toString()
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]),
    p50Ms: parseDuration(/50%\s+(\S+)/.exec(output)?.[1] ?? ''),
    p99Ms: parseDuration(/99%\s+(\S+)/.exec(output)?.[1] ?? ''),
    errors: Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0),
  }
}
