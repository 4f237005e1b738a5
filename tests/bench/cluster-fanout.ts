/**
 * Scenario — one class across instances. The same class (the synthetic teacher: Opus 64 kbit/s +
 * VP8 ~1 Mbit/s; BENCH_CLUSTER_VIEWERS viewers as SRTP plain transports) on 1, 2 and 3 instances.
 * Each instance is a WorkerPool of one worker, its own process as on a real instance; the teacher
 * publishes on the first; every other instance receives the teacher's producers over one SRTP
 * PipeTransport pair per producer, as MediaCascade opens them, and its viewers consume there.
 * Viewers are spread evenly, as a load balancer spreads WebSockets.
 *
 * Per instance: the worker's CPU with the pipes alone (no viewers: the cost of being in the
 * cluster), then with its share of the class, and the packets each pipe carries.
 *
 * Knobs: BENCH_CLUSTER_VIEWERS (300), BENCH_CLUSTER_INSTANCES (1,2,3), BENCH_CLUSTER_SECONDS (3).
 */
import type { Consumer, PlainTransport, Producer, Router } from 'mediasoup/types'
import { mediaCodecs } from '../../media/codecs.ts'
import { WorkerPool } from '../../media/workers.ts'
import { createLogger } from '../../src/logger.ts'
import { freeMediaPorts } from '../helpers/server-process.ts'
import { fixed, knob, knobList, printTable, ratio } from './lib/report.ts'
import { counters, plainViewer, startSink, syntheticTeacher } from './lib/sfu.ts'

const viewers = knob('BENCH_CLUSTER_VIEWERS', 300)
const instanceCounts = knobList('BENCH_CLUSTER_INSTANCES', [1, 2, 3])
const windowSec = knob('BENCH_CLUSTER_SECONDS', 3)
const SAMPLED_VIEWERS = 30

interface Instance {
  pool: WorkerPool
  router: Router
  /** The teacher's producers as this instance has them (the originals on the first, piped in on the others). */
  producers: Producer[]
  /** On the first instance: the pipe consumers feeding the others. */
  feeds: Consumer[]
}

async function startInstance(): Promise<Instance> {
  const pool = new WorkerPool({
    count: 1,
    listenIp: '127.0.0.1',
    basePort: await freeMediaPorts(1),
    logger: createLogger('silent'),
  })
  await pool.start()
  const router = await pool.slot(0).worker.createRouter({ mediaCodecs })
  return { pool, router, producers: [], feeds: [] }
}

/** What MediaCascade does between two instances: pipe transports with SRTP and RTX, the producer under its own id. */
async function pipe(producer: Producer, from: Instance, to: Instance): Promise<void> {
  const options = { listenInfo: { protocol: 'udp' as const, ip: '127.0.0.1' }, enableSrtp: true, enableRtx: true }
  const [out, into] = await Promise.all([
    from.router.createPipeTransport(options),
    to.router.createPipeTransport(options),
  ])
  await out.connect({ ip: '127.0.0.1', port: into.tuple.localPort, srtpParameters: into.srtpParameters })
  await into.connect({ ip: '127.0.0.1', port: out.tuple.localPort, srtpParameters: out.srtpParameters })
  const feed = await out.consume({ producerId: producer.id })
  from.feeds.push(feed)
  to.producers.push(
    await into.produce({
      id: producer.id,
      kind: feed.kind,
      rtpParameters: feed.rtpParameters,
      paused: feed.producerPaused,
    }),
  )
}

async function cpuOver(instances: Instance[], during: () => Promise<void>): Promise<number[]> {
  const before = await Promise.all(instances.map(async ({ pool }) => (await pool.stats())[0]!.cpuMs))
  const started = performance.now()
  await during()
  const elapsed = performance.now() - started
  return Promise.all(instances.map(async ({ pool }, i) => ((await pool.stats())[0]!.cpuMs - before[i]!) / elapsed))
}

async function pipePacketsPerSecond(feeds: Consumer[]): Promise<number> {
  const read = async () =>
    (await Promise.all(feeds.map((feed) => feed.getStats())))
      .flat()
      .reduce((sum, stat) => sum + (stat.type === 'outbound-rtp' ? stat.packetCount : 0), 0)
  const before = await read()
  await Bun.sleep(1000)
  return read().then((after) => after - before)
}

interface Result {
  instances: number
  pipeOnlyCpu: number[]
  cpu: number[]
  pipePacketsPerSecond: number
  packetsOut: number
  loss: number
}

async function run(count: number, sinkPort: number): Promise<Result> {
  const instances: Instance[] = []
  for (let i = 0; i < count; i++) instances.push(await startInstance())
  const [holder] = instances as [Instance]
  const teacher = await syntheticTeacher(holder.router)
  holder.producers.push(...teacher.producers)
  const transports: PlainTransport[] = []
  try {
    for (const follower of instances.slice(1))
      for (const producer of teacher.producers) await pipe(producer, holder, follower)
    await Bun.sleep(1200)
    const pipeOnlyCpu = await cpuOver(instances, () => Bun.sleep(windowSec * 1000))
    const pipeRate = count > 1 ? (await pipePacketsPerSecond(holder.feeds)) / (count - 1) : 0

    const byViewer: Consumer[][] = []
    for (let v = 0; v < viewers; v++) {
      const instance = instances[v % count]!
      const viewer = await plainViewer(instance.router, instance.producers, sinkPort)
      transports.push(viewer.transport)
      byViewer.push(viewer.consumers)
    }
    await Bun.sleep(1200) // viewers resync on the next keyframe (every second)
    const sample = byViewer.filter((_, i) => i % Math.ceil(byViewer.length / SAMPLED_VIEWERS) === 0)
    const before = await counters(teacher.producers, sample.flat())
    const cpu = await cpuOver(instances, () => Bun.sleep(windowSec * 1000))
    const after = await counters(teacher.producers, sample.flat())
    const seconds = (after.at - before.at) / 1000
    const packetsIn = after.packetsIn - before.packetsIn
    const packetsOut = ((after.packetsOut - before.packetsOut) * byViewer.length) / sample.length
    return {
      instances: count,
      pipeOnlyCpu,
      cpu,
      pipePacketsPerSecond: pipeRate,
      packetsOut: packetsOut / seconds,
      loss: Math.max(0, 1 - packetsOut / (packetsIn * viewers)),
    }
  } finally {
    for (const transport of transports) transport.close()
    teacher.source.stop()
    for (const { pool } of instances) pool.close()
  }
}

const sink = await startSink()
const results: Result[] = []
try {
  for (const count of instanceCounts) results.push(await run(count, sink.port))
} finally {
  sink.stop()
}

const total = (cpu: number[]) => cpu.reduce((sum, c) => sum + c, 0)
printTable(
  `One class across instances — ${viewers} viewers (teacher: Opus 64 kbit/s + VP8 ~1 Mbit/s; viewers: SRTP plain transports; pipes: SRTP + RTX)`,
  [
    'instances',
    'viewers per instance',
    'CPU, pipes only (1.0 = a core)',
    'CPU with the class',
    'total CPU',
    'busiest instance',
    'pipe pkt/s per follower',
    'pkt/s out',
    'loss %',
  ],
  results.map((r) => [
    r.instances,
    Math.ceil(viewers / r.instances),
    r.pipeOnlyCpu.map((c) => fixed(c, 3)).join(' + '),
    r.cpu.map((c) => fixed(c, 2)).join(' + '),
    fixed(total(r.cpu), 2),
    fixed(Math.max(...r.cpu), 2),
    fixed(r.pipePacketsPerSecond, 0),
    fixed(r.packetsOut, 0),
    fixed(r.loss * 100, 2),
  ]),
)
const single = results.find((r) => r.instances === 1)
if (single) {
  printTable(
    'Against one instance',
    [
      'instances',
      'busiest instance CPU / one instance',
      'total CPU / one instance (pipe overhead)',
      'pipe CPU per follower (no viewers)',
    ],
    results.map((r) => [
      r.instances,
      ratio(Math.max(...r.cpu), Math.max(...single.cpu)),
      ratio(total(r.cpu), total(single.cpu)),
      r.instances > 1 ? fixed(total(r.pipeOnlyCpu.slice(1)) / (r.instances - 1), 3) : '—',
    ]),
  )
}
