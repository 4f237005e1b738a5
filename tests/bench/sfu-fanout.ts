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
 * Knobs: BENCH_SFU_STEPS (default 100,200,400,800), BENCH_SFU_SECONDS (2), BENCH_SFU_WORKERS (1,2).
 */
import type { Consumer, PlainTransport, Router } from 'mediasoup/types'
import { mediaCodecs } from '../../media/codecs.ts'
import { WorkerPool, type WorkerSlot } from '../../media/workers.ts'
import { createLogger } from '../../src/logger.ts'
import { join } from 'node:path'
import { ensureDebianPackages } from '../../media/build/debian.ts'
import { benchDir } from './lib/child.ts'
import { processUsage } from './lib/proc.ts'
import { fixed, knob, knobList, printTable, ratio } from './lib/report.ts'
import { NOMINAL_PACKETS_PER_SECOND } from './lib/rtp-source.ts'
import { counters, plainViewer, startSink, syntheticTeacher } from './lib/sfu.ts'
import { freeMediaPorts } from '../helpers/server-process.ts'

const steps = knobList('BENCH_SFU_STEPS', [100, 200, 400, 800])
const windowSec = knob('BENCH_SFU_SECONDS', 2)
const workerCounts = knobList('BENCH_SFU_WORKERS', [1, 2])
const SATURATED_CPU = 0.9
const SATURATED_LOSS = 0.02

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
  cpuPerConsumerUs: number
  saturated: boolean
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
  const run = Bun.spawnSync([binary, String(port), String(Math.round(rate)), String(Math.round(bytes)), String(windowSec)])
  const { cpuMs } = JSON.parse(run.stdout.toString()) as { cpuMs: number }
  return cpuMs / (windowSec * 1000)
}

const benchCpuMs = () => {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1000
}

const SAMPLED_VIEWERS = 32

async function runLadder(workers: number, sink: { port: number; pid: number }, floor: string): Promise<StepResult[]> {
  const pool = new WorkerPool({ count: workers, listenIp: '127.0.0.1', basePort: await freeMediaPorts(workers), logger: createLogger('silent') })
  await pool.start()
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
    for (const viewers of steps) {
      const transports: PlainTransport[] = []
      const consumers: Consumer[] = []
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
        const { transport, consumers: own } = await plainViewer(router, producers, sink.port)
        transports.push(transport)
        byViewer.push(own)
        consumers.push(...own)
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
      const [sinkCpu, benchCpu] = [(processUsage(sink.pid).cpuMs - sinkBefore) / elapsedMs, (benchCpuMs() - benchBefore) / elapsedMs]
      const seconds = (after.at - before.at) / 1000
      const packetsIn = after.packetsIn - before.packetsIn
      const packetsOut = ((after.packetsOut - before.packetsOut) * byViewer.length) / sampledViewers.length
      const loss = Math.max(0, 1 - packetsOut / (packetsIn * viewers))
      const cpuMsPerSecond = cpu.reduce((sum, c) => sum + c, 0) * 1000
      const bytesPerPacket = (after.bytesOut - before.bytesOut) / Math.max(1, after.packetsOut - before.packetsOut)
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
        cpuPerConsumerUs: (cpuMsPerSecond * 1000) / consumers.length,
        // A starved source means the machine itself ran out of CPU (2 cores, 2 workers).
        saturated: cpu.some((c) => c >= SATURATED_CPU) || loss > SATURATED_LOSS || packetsIn / seconds < 0.9 * NOMINAL_PACKETS_PER_SECOND,
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

const sink = await startSink()
const floor = compileFloor()
const ladders = new Map<number, StepResult[]>()
try {
  for (const workers of workerCounts) {
    const results = await runLadder(workers, sink, floor)
    ladders.set(workers, results)
    printTable(
      `SFU class fan-out — ${workers} worker${workers > 1 ? 's' : ''} (teacher: Opus 64 kbit/s + VP8 ~1 Mbit/s 30 fps; viewers: SRTP plain transports)`,
      ['viewers', 'worker CPU (1.0 = a core)', 'pkt/s in', 'pkt/s out', 'loss %', 'CPU µs/s per consumer', 'floor: sendto only', 'SFU / floor', 'sink CPU', 'source + bench CPU', 'saturated'],
      results.map((r) => {
        const sfu = r.cpu.reduce((sum, c) => sum + c, 0)
        return [r.viewers, r.cpu.map((c) => fixed(c, 2)).join(' + '), fixed(r.packetsIn, 0), fixed(r.packetsOut, 0), fixed(r.loss * 100, 2), fixed(r.cpuPerConsumerUs, 1), fixed(r.floorCpu, 2), ratio(sfu, r.floorCpu), fixed(r.sinkCpu, 2), fixed(r.benchCpu, 2), r.saturated ? 'yes' : 'no']
      }),
    )
  }
} finally {
  sink.stop()
}

if (ladders.has(1) && ladders.has(2)) {
  const one = ladders.get(1)!
  const two = ladders.get(2)!
  const largestBoth = Math.min(one.at(-1)!.viewers, two.at(-1)!.viewers)
  printTable('SFU capacity: 1 worker vs 2 workers', ['', '1 worker', '2 workers', 'ratio (2 / 1)'], [
    [`largest class below ${SATURATED_CPU * 100}% CPU, ${SATURATED_LOSS * 100}% loss, full input`, `${capacity(one)}${one.every((r) => !r.saturated) ? '+' : ''}`, `${capacity(two)}${two.every((r) => !r.saturated) ? '+' : ''}`, ratio(capacity(two), capacity(one))],
    [`busiest worker CPU at ${largestBoth} viewers`, fixed(Math.max(...one.find((r) => r.viewers === largestBoth)!.cpu), 2), fixed(Math.max(...two.find((r) => r.viewers === largestBoth)!.cpu), 2), ratio(Math.max(...one.find((r) => r.viewers === largestBoth)!.cpu), Math.max(...two.find((r) => r.viewers === largestBoth)!.cpu))],
  ])
}
