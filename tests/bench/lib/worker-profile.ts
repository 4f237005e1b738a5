/**
 * Where a mediasoup worker's CPU goes, from a `perf` sample of the running process (Debian's
 * linux-perf): the share of samples in SRTP (libsrtp2 and the crypto library under it, OpenSSL or
 * NSS), in the kernel (on a fan-out, the UDP send path), in the worker's own code (the RTP path:
 * RTP rewrite, per-consumer history, RTCP) and elsewhere (libc's allocator, libuv, libstdc++).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ensureDebianPackages } from '../../../media/build/debian.ts'

export interface WorkerProfile {
  srtp: number
  kernel: number
  rtpPath: number
  other: number
}

const srtpLibraries = /libsrtp2|libcrypto|libnss3|libsoftokn3|libfreebl|libnspr4|libplc4|libplds4/

function category(dso: string): keyof WorkerProfile {
  if (srtpLibraries.test(dso)) return 'srtp'
  if (dso.startsWith('[kernel')) return 'kernel'
  if (dso.includes('mediasoup-worker')) return 'rtpPath'
  return 'other'
}

export function ensurePerf(): void {
  ensureDebianPackages(['linux-perf'], 'the worker profile of the SFU benchmark')
}

/** Samples the process for `seconds` and splits its CPU time by what it was doing (shares add to 1). */
export async function profileWorker(pid: number, seconds: number): Promise<WorkerProfile> {
  const dir = mkdtempSync(join(tmpdir(), 'majlis-perf-'))
  try {
    const data = join(dir, 'perf.data')
    const record = Bun.spawn(
      ['perf', 'record', '-q', '-F', '999', '-p', String(pid), '-o', data, '--', 'sleep', String(seconds)],
      { stdout: 'ignore', stderr: 'ignore' },
    )
    if ((await record.exited) !== 0) throw new Error(`perf record of worker ${pid} failed (exit ${record.exitCode})`)
    const report = Bun.spawnSync([
      'perf',
      'report',
      '-i',
      data,
      '--stdio',
      '--sort',
      'dso',
      '--percent-limit',
      '0',
      '-q',
    ])
    const shares: WorkerProfile = { srtp: 0, kernel: 0, rtpPath: 0, other: 0 }
    for (const match of report.stdout.toString().matchAll(/^\s*([\d.]+)%\s+(\S.*?)\s*$/gm))
      shares[category(match[2]!)] += Number(match[1]) / 100
    return shares
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
