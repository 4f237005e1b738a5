import { readFileSync } from 'node:fs'

const TICKS_PER_SECOND = 100 // Linux USER_HZ

/** CPU time (user + system, ms) and resident memory (bytes) of a process, from /proc. */
export function processUsage(pid: number): { cpuMs: number; rssBytes: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  const cpuTicks = Number(fields[11]) + Number(fields[12])
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return { cpuMs: (cpuTicks * 1000) / TICKS_PER_SECOND, rssBytes: rssKb * 1024 }
}
