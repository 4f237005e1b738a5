/**
 * Scenario 1 — SFU class fan-out. One teacher (audio 64 kbit/s + video ~1 Mbit/s) into a class
 * of N viewers, for growing N until a worker saturates; then the same ladder on 1 and 2 workers.
 *
 * Viewers are PlainTransports with SRTP (AES_CM_128_HMAC_SHA1_80) sending to a UDP sink in
 * another process: the worker does the full per-consumer work a browser viewer costs (RTP
 * rewriting, SRTP encryption, sending), without 400 browsers on a 2-core machine. Packets out
 * and loss come from the consumers' own counters, sampled (a single sink socket overflows on
 * bursts long before the SFU does; that would measure the sink). Placement and
 * piping are our WorkerPool's: viewers go to the least-loaded worker, the teacher's producers
 * are piped to the other router once.
 *
 * Beside each step, the floor: a C loop doing only one sendto() per packet at the same rate and
 * size (lib/udp-floor.c), measured in the same run, so "SFU CPU / floor" shows what the worker
 * adds on top of getting the packets out, and where the rest of the machine went (the sink
 * receiving, the source and this process).
 *
 * Before and after in the same run: the 1-worker ladder runs once more with Debian's libsrtp2
 * (built on NSS) loaded in place of ours (LD_LIBRARY_PATH wins over the worker's RUNPATH), and at
 * BENCH_SFU_PROFILE_AT viewers each worker is sampled with `perf` (lib/worker-profile.ts) to split
 * its CPU into SRTP, kernel, the worker's RTP path and the rest.
 *
 * Knobs: BENCH_SFU_STEPS (default 100,200,400,800), BENCH_SFU_BEFORE_STEPS (200,400),
 * BENCH_SFU_SECONDS (2), BENCH_SFU_WORKERS (1,2), BENCH_SFU_PROFILE_AT (200).
 */
import type { Consumer, PlainTransport, Router } from 'mediasoup/types'
import { mediaCodecs } from '../../media/codecs.ts'
import { WorkerPool, type WorkerSlot } from '../../media/workers.ts'
import { createLogger } from '../../src/logger.ts'
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ensureDebianPackages } from '../../media/build/debian.ts'
import { benchDir } from './lib/child.ts'
import { processUsage } from './lib/proc.ts'
import { fixed, knob, knobList, printTable, ratio } from './lib/report.ts'
import { NOMINAL_PACKETS_PER_SECOND } from './lib/rtp-source.ts'
import { counters, plainViewer, type SrtpSuite, startSink, syntheticTeacher } from './lib/sfu.ts'
import { ensurePerf, profileWorker, type WorkerProfile } from './lib/worker-profile.ts'
import { freeMediaPorts } from '../helpers/server-process.ts'

const steps = knobList('BENCH_SFU_STEPS', [100, 200, 400, 800])
const beforeSteps = knobList('BENCH_SFU_BEFORE_STEPS', [200, 400])
const windowSec = knob('BENCH_SFU_SECONDS', 2)
const workerCounts = knobList('BENCH_SFU_WORKERS', [1, 2])
const profileAt = knob('BENCH_SFU_PROFILE_AT', 200)
const SATURATED_CPU = 0.9
const SATURATED_LOSS = 0.02
const TARGET_PER_PACKET_VS_FLOOR = 2.5
const TARGET_VIEWERS_ON_ONE_WORKER = 400
const NO_LOSS = 0.001

/** Which libsrtp2 the workers load: ours beside the binary, or Debian's in its place. */
interface SrtpLibrary {
  label: string
  /** Prepended to the workers' library path; none for the worker's own RUNPATH. */
  libraryDir?: string
  crypto: 'OpenSSL' | 'NSS'
}

function debianLibsrtp(): SrtpLibrary {
  ensureDebianPackages(['libsrtp2-1'], "the SFU benchmark's before column")
  const files = Bun.spawnSync(['dpkg', '-L', 'libsrtp2-1']).stdout.toString().split('\n')
  const library = files.find((file) => file.endsWith('/libsrtp2.so.1'))
  if (!library) throw new Error('libsrtp2-1 is installed without libsrtp2.so.1')
  return { label: "before: Debian's libsrtp2 (NSS)", libraryDir: dirname(library), crypto: 'NSS' }
}
const ours: SrtpLibrary = { label: 'now: libsrtp2 on OpenSSL', crypto: 'OpenSSL' }

/** The crypto library a running worker's libsrtp2 sits on, from its memory map. */
function loadedCrypto(pid: number): SrtpLibrary['crypto'] {
  return /libsoftokn3|libnss3/.test(readFileSync(`/proc/${pid}/maps`, 'utf8')) ? 'NSS' : 'OpenSSL'
}

interface StepResult {
  viewers: number
  cpu: number[]
  /** The floor's CPU for the same packets (1.0 = a core). */
  floorCpu: number
  sinkCpu: number
  benchCpu: number
  bytesPerPacket: number
  packetsIn: number
  packetsOut: number
  loss: number
  saturated: boolean
  profile?: WorkerProfile
}

function compileFloor(): string {
  ensureDebianPackages(['gcc', 'libc6-dev'], 'the SFU benchmark floor')
  const binary = join(benchDir(), 'udp-floor')
  const build = Bun.spawnSync(['cc', '-O2', '-o', binary, `${import.meta.dir}/lib/udp-floor.c`], { stderr: 'inherit' })
  if (build.exitCode !== 0) throw new Error('lib/udp-floor.c did not compile')
  return binary
}

/** CPU (1.0 = a core) of sending `rate` packets a second of `bytes` each with nothing else to do. */
function floorCpu(binary: string, port: number, rate: number, bytes: number): number {
  const run = Bun.spawnSync([
    binary,
    String(port),
    String(Math.round(rate)),
    String(Math.round(bytes)),
    String(windowSec),
  ])
  const { cpuMs } = JSON.parse(run.stdout.toString()) as { cpuMs: number }
  return cpuMs / (windowSec * 1000)
}

const benchCpuMs = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

const SAMPLED_VIEWERS = 32

async function runLadder(
  workers: number,
  ladder: number[],
  library: SrtpLibrary,
  suite: SrtpSuite,
  sink: { port: number; pid: number },
  floor: string,
): Promise<StepResult[]> {
  const pool = new WorkerPool({
    count: workers,
    listenIp: '127.0.0.1',
    basePort: await freeMediaPorts(workers),
    logger: createLogger('silent'),
  })
  const inherited = process.env.LD_LIBRARY_PATH
  if (library.libraryDir) process.env.LD_LIBRARY_PATH = [library.libraryDir, inherited].filter(Boolean).join(':')
  try {
    await pool.start()
  } finally {
    if (inherited === undefined) delete process.env.LD_LIBRARY_PATH
    else process.env.LD_LIBRARY_PATH = inherited
  }
  for (let i = 0; i < workers; i++) {
    const loaded = loadedCrypto(pool.slot(i).worker.pid)
    if (loaded !== library.crypto) throw new Error(`${library.label}: the worker loaded libsrtp2 on ${loaded}`)
  }
  const routers = new Map<number, Router>()
  const routerOn = async (slot: WorkerSlot) => {
    let router = routers.get(slot.index)
    if (!router) {
      router = await slot.worker.createRouter({ mediaCodecs })
      routers.set(slot.index, router)
    }
    return router
  }

  // The teacher: a plain transport on the first worker, fed by the RTP source.
  const teacherSlot = pool.placePeer()!
  const teacherRouter = await routerOn(teacherSlot)
  const { producers, source } = await syntheticTeacher(teacherRouter)
  const piped = new Set<string>()

  const results: StepResult[] = []
  try {
    for (const viewers of ladder) {
      const transports: PlainTransport[] = []
      const byViewer: Consumer[][] = []
      const slots: WorkerSlot[] = []
      const addViewer = async () => {
        const slot = pool.placePeer()!
        slots.push(slot)
        const router = await routerOn(slot)
        if (router !== teacherRouter && !piped.has(router.id)) {
          piped.add(router.id)
          for (const producer of producers) await teacherRouter.pipeToRouter({ producerId: producer.id, router })
        }
        const { transport, consumers: own } = await plainViewer(router, producers, sink.port, suite)
        transports.push(transport)
        byViewer.push(own)
      }
      // The first viewer of each worker creates its router and pipe; the rest join in batches.
      for (let created = 0; created < viewers; ) {
        const batch = created < workers ? 1 : Math.min(50, viewers - created)
        await Promise.all(Array.from({ length: batch }, addViewer))
        created += batch
      }
      await Bun.sleep(1200) // new viewers resync on the next keyframe (every second)

      const cpuBefore = (await pool.stats()).map((w) => w.cpuMs)
      const cpuStarted = performance.now()
      // Whole viewers (their audio and video consumers), evenly over the class.
      const sampledViewers = byViewer.filter((_, i) => i % Math.ceil(byViewer.length / SAMPLED_VIEWERS) === 0)
      const sample = sampledViewers.flat()
      const [sinkBefore, benchBefore] = [processUsage(sink.pid).cpuMs, benchCpuMs()]
      const before = await counters(producers, sample)
      await Bun.sleep(windowSec * 1000)
      const after = await counters(producers, sample)
      const elapsedMs = performance.now() - cpuStarted
      const cpu = (await pool.stats()).map((w, i) => (w.cpuMs - cpuBefore[i]!) / elapsedMs)
      const [sinkCpu, benchCpu] = [
        (processUsage(sink.pid).cpuMs - sinkBefore) / elapsedMs,
        (benchCpuMs() - benchBefore) / elapsedMs,
      ]
      const seconds = (after.at - before.at) / 1000
      const packetsIn = after.packetsIn - before.packetsIn
      const packetsOut = ((after.packetsOut - before.packetsOut) * byViewer.length) / sampledViewers.length
      const loss = Math.max(0, 1 - packetsOut / (packetsIn * viewers))
      const bytesPerPacket = (after.bytesOut - before.bytesOut) / Math.max(1, after.packetsOut - before.packetsOut)
      const profile =
        workers === 1 && viewers === profileAt ? await profileWorker(pool.slot(0).worker.pid, windowSec) : undefined
      for (const transport of transports) transport.close()
      const result: StepResult = {
        viewers,
        cpu,
        floorCpu: floorCpu(floor, sink.port, packetsOut / seconds, bytesPerPacket),
        sinkCpu,
        benchCpu,
        bytesPerPacket,
        packetsIn: packetsIn / seconds,
        packetsOut: packetsOut / seconds,
        loss,
        // A starved source means the machine itself ran out of CPU (2 cores, 2 workers).
        saturated:
          cpu.some((c) => c >= SATURATED_CPU) ||
          loss > SATURATED_LOSS ||
          packetsIn / seconds < 0.9 * NOMINAL_PACKETS_PER_SECOND,
        profile,
      }
      results.push(result)
      for (const slot of slots) pool.releasePeer(slot)
      if (result.saturated) break
    }
  } finally {
    source.stop()
    pool.close()
  }
  return results
}

const capacity = (results: StepResult[]) => results.filter((r) => !r.saturated).at(-1)?.viewers ?? 0
const sfuCpu = (r: StepResult) => r.cpu.reduce((sum, c) => sum + c, 0)
/** Worker CPU per packet sent (µs). */
const perPacketUs = (r: StepResult) => (sfuCpu(r) * 1e6) / r.packetsOut

function printLadder(title: string, results: StepResult[]) {
  printTable(
    title,
    [
      'viewers',
      'worker CPU (1.0 = a core)',
      'pkt/s in',
      'pkt/s out',
      'loss %',
      'µs per packet sent',
      'floor: sendto only',
      'SFU / floor',
      'sink CPU',
      'source + bench CPU',
      'saturated',
    ],
    results.map((r) => [
      r.viewers,
      r.cpu.map((c) => fixed(c, 2)).join(' + '),
      fixed(r.packetsIn, 0),
      fixed(r.packetsOut, 0),
      fixed(r.loss * 100, 2),
      fixed(perPacketUs(r), 1),
      fixed(r.floorCpu, 2),
      ratio(sfuCpu(r), r.floorCpu),
      fixed(r.sinkCpu, 2),
      fixed(r.benchCpu, 2),
      r.saturated ? 'yes' : 'no',
    ]),
  )
}

const browserSuite: SrtpSuite = 'AEAD_AES_256_GCM'
const teacherLine = `teacher: Opus 64 kbit/s + VP8 ~1 Mbit/s 30 fps; viewers: SRTP plain transports, ${browserSuite} as Chromium negotiates`
ensurePerf()
const before = debianLibsrtp()
const sink = await startSink()
const floor = compileFloor()
const ladders = new Map<number, StepResult[]>()
let beforeLadder: StepResult[] = []
const suiteRows: Array<Array<string | number>> = []
try {
  beforeLadder = await runLadder(1, beforeSteps, before, browserSuite, sink, floor)
  printLadder(`SFU class fan-out — 1 worker, ${before.label} (${teacherLine})`, beforeLadder)
  for (const workers of workerCounts) {
    const results = await runLadder(workers, steps, ours, browserSuite, sink, floor)
    ladders.set(workers, results)
    printLadder(
      `SFU class fan-out — ${workers} worker${workers > 1 ? 's' : ''}, ${ours.label} (${teacherLine})`,
      results,
    )
  }
  // The suite SIP and plain-RTP peers often use, where SRTP costs the most (an HMAC per packet).
  for (const library of [before, ours]) {
    const [r] = await runLadder(1, [profileAt], library, 'AES_CM_128_HMAC_SHA1_80', sink, floor)
    if (r)
      suiteRows.push([
        library.label,
        'AES_CM_128_HMAC_SHA1_80',
        fixed(sfuCpu(r), 2),
        fixed(perPacketUs(r), 1),
        ratio(sfuCpu(r), r.floorCpu),
        r.profile ? `${fixed(r.profile.srtp * 100, 1)} %` : '—',
      ])
  }
} finally {
  sink.stop()
}

const one = ladders.get(1) ?? []
const at = (results: StepResult[], viewers: number) => results.find((r) => r.viewers === viewers)
const profiles = [
  [before.label, at(beforeLadder, profileAt)?.profile],
  [ours.label, at(one, profileAt)?.profile],
] as const
const percent = (share: number | undefined) => (share === undefined ? '—' : `${fixed(share * 100, 1)} %`)
printTable(
  `Where one worker's CPU goes at ${profileAt} viewers (perf samples of the worker process)`,
  [
    'libsrtp2',
    'SRTP (libsrtp2 + its crypto)',
    'kernel (UDP send, wakeups)',
    'RTP path (mediasoup-worker)',
    'other (libc, libuv, libstdc++)',
  ],
  profiles.map(([label, profile]) => [
    label,
    percent(profile?.srtp),
    percent(profile?.kernel),
    percent(profile?.rtpPath),
    percent(profile?.other),
  ]),
)

printTable(
  `The other common suite, ${profileAt} viewers, 1 worker`,
  ['libsrtp2', 'suite', 'worker CPU', 'µs per packet sent', 'SFU / floor', 'SRTP share of the worker'],
  suiteRows,
)

const vsFloor = (r: StepResult | undefined) => (r ? sfuCpu(r) / r.floorCpu : Number.NaN)
const fullClass = (r: StepResult | undefined) =>
  r
    ? `${fixed(sfuCpu(r), 2)} core, loss ${fixed(r.loss * 100, 2)} %${r.packetsIn < 0.9 * NOMINAL_PACKETS_PER_SECOND ? ', source starved' : ''}`
    : 'saturated earlier'
const servesFull = (r: StepResult | undefined) => r !== undefined && sfuCpu(r) < SATURATED_CPU && r.loss < NO_LOSS
const per200Before = at(beforeLadder, 200)
const per200Now = at(one, 200)
printTable(
  'SFU targets (1 worker, same run)',
  ['figure', 'before (NSS)', 'now (OpenSSL)', 'target', ''],
  [
    [
      'µs of worker CPU per packet sent, 200 viewers',
      fixed(per200Before ? perPacketUs(per200Before) : Number.NaN, 1),
      fixed(per200Now ? perPacketUs(per200Now) : Number.NaN, 1),
      '',
      '',
    ],
    [
      'worker CPU / sendto floor, 200 viewers',
      `${fixed(vsFloor(per200Before), 2)}×`,
      `${fixed(vsFloor(per200Now), 2)}×`,
      `≤ ${TARGET_PER_PACKET_VS_FLOOR}×`,
      vsFloor(per200Now) <= TARGET_PER_PACKET_VS_FLOOR ? 'met' : 'not met',
    ],
    [
      `${TARGET_VIEWERS_ON_ONE_WORKER} viewers on one worker`,
      fullClass(at(beforeLadder, TARGET_VIEWERS_ON_ONE_WORKER)),
      fullClass(at(one, TARGET_VIEWERS_ON_ONE_WORKER)),
      `< ${SATURATED_CPU} core, no loss`,
      servesFull(at(one, TARGET_VIEWERS_ON_ONE_WORKER)) ? 'met' : 'not met',
    ],
    [
      'largest class below 90% CPU, 2% loss, full input',
      `${capacity(beforeLadder)}`,
      `${capacity(one)}${one.every((r) => !r.saturated) ? '+' : ''}`,
      '',
      '',
    ],
  ],
)

if (ladders.has(1) && ladders.has(2)) {
  const two = ladders.get(2)!
  const largestBoth = Math.min(one.at(-1)!.viewers, two.at(-1)!.viewers)
  printTable(
    'SFU capacity: 1 worker vs 2 workers',
    ['', '1 worker', '2 workers', 'ratio (2 / 1)'],
    [
      [
        `largest class below ${SATURATED_CPU * 100}% CPU, ${SATURATED_LOSS * 100}% loss, full input`,
        `${capacity(one)}${one.every((r) => !r.saturated) ? '+' : ''}`,
        `${capacity(two)}${two.every((r) => !r.saturated) ? '+' : ''}`,
        ratio(capacity(two), capacity(one)),
      ],
      [
        `busiest worker CPU at ${largestBoth} viewers`,
        fixed(Math.max(...one.find((r) => r.viewers === largestBoth)!.cpu), 2),
        fixed(Math.max(...two.find((r) => r.viewers === largestBoth)!.cpu), 2),
        ratio(
          Math.max(...one.find((r) => r.viewers === largestBoth)!.cpu),
          Math.max(...two.find((r) => r.viewers === largestBoth)!.cpu),
        ),
      ],
    ],
  )
}
