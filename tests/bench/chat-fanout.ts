/**
 * Scenario 3 — chat fan-out. BENCH_CHAT_SUBSCRIBERS (1000) WebSocket clients in another process
 * sit in one ticket room; one sender writes at each rate of BENCH_CHAT_RATES (10,20,50,100,150,200)
 * messages a second for BENCH_CHAT_SECONDS (4). Delivery latency is receive time minus the send
 * time carried in the message (one machine, one clock). The same crowd against a raw Bun.serve
 * topic publish (the floor) and a minimal Socket.IO room broadcast on Node. Majlis does more per
 * message: validation, authorization, and storing it before broadcasting. A rate is sustained
 * when every message reaches every subscriber with p99 under 50 ms.
 */
import { tickets } from '../../src/db/schema/tickets.ts'
import { configFile, jsonLines, withPeer } from './lib/child.ts'
import { processUsage } from './lib/proc.ts'
import { fixed, knob, knobList, printTable, ratio } from './lib/report.ts'
import { startBenchServer } from './lib/server.ts'

const subscribers = knob('BENCH_CHAT_SUBSCRIBERS', 1000)
const rates = knobList('BENCH_CHAT_RATES', [10, 20, 50, 100, 150, 200])
const seconds = knob('BENCH_CHAT_SECONDS', 4)
const crowdScript = `${import.meta.dir}/lib/crowd.ts`
const SUSTAINED_P99_MS = 50

interface ChatResult {
  delivered: number
  expected: number
  perSecond: number
  p50: number
  p99: number
  max: number
  cpu: number
  cpuMs: number
  rssBytes: number
}

async function run(pid: number, crowd: Record<string, unknown>, rate: number): Promise<ChatResult> {
  const clients = jsonLines([process.execPath, crowdScript], {
    CROWD_FILE: await configFile({
      ...crowd,
      count: subscribers,
      sender: { ...(crowd.sender as object), rate, seconds },
    }),
  })
  await clients.next((line) => line.sending === true)
  const before = processUsage(pid)
  const started = performance.now()
  const result = await clients.next((line) => line.delivered !== undefined)
  const after = processUsage(pid)
  clients.stop()
  await Bun.sleep(300)
  return {
    ...result,
    cpuMs: after.cpuMs - before.cpuMs,
    cpu: (after.cpuMs - before.cpuMs) / (performance.now() - started),
    rssBytes: after.rssBytes,
  }
}

const ladder = async (pid: number, crowd: Record<string, unknown>) => {
  const results: ChatResult[] = []
  for (const rate of rates) results.push(await run(pid, crowd, rate))
  return results
}

const server = await startBenchServer({
  users: [
    { role: 'supporter', count: subscribers },
    { role: 'customer', count: 1 },
  ],
  prepare: async (db, people) => {
    const now = new Date()
    await db.insert(tickets).values({
      id: 'tkt_bench_chat',
      customerId: people.customer![0]!.id,
      subject: 'Busy room',
      status: 'open',
      priority: 'normal',
      createdAt: now,
      updatedAt: now,
    })
  },
})
const majlis = await ladder(server.pid, {
  mode: 'majlis',
  url: server.wsUrl,
  tokens: server.people.supporter!.map((u) => u.token),
  room: 'tkt_bench_chat',
  sender: { token: server.people.customer![0]!.token },
})
await server.stop()

const peerLadder = (command: string[], crowd: (port: number) => Record<string, unknown>) =>
  withPeer(command, (port, pid) => ladder(pid, crowd(port)))
const rawBun = await peerLadder([process.execPath, `${import.meta.dir}/peers/bun-ws.mjs`], (port) => ({
  mode: 'majlis',
  url: `ws://127.0.0.1:${port}/ws`,
  tokens: ['-'],
  room: 'room-1',
  sender: { token: '-' },
}))
const socketIo = await peerLadder(['node', `${import.meta.dir}/peers/socketio-server.mjs`], (port) => ({
  mode: 'socketio',
  url: `http://127.0.0.1:${port}`,
  tokens: ['-'],
  room: 'room-1',
  sender: { token: '-' },
}))

const servers = [
  { name: 'Majlis /ws (validated, authorized, stored, then published)', results: majlis },
  { name: 'raw Bun.serve topic publish (no auth, no storage)', results: rawBun },
  { name: 'Socket.IO 4 on Node (room broadcast only)', results: socketIo },
]
const usPerDelivery = (r: ChatResult) => (r.delivered > 0 ? (r.cpuMs * 1000) / r.delivered : Number.NaN)
const sustained = (r: ChatResult) => r.delivered === r.expected && r.p99 < SUSTAINED_P99_MS
const highestSustained = (results: ChatResult[]) => Math.max(0, ...rates.filter((_, i) => sustained(results[i]!)))

printTable(
  `Chat fan-out: ${subscribers} subscribers in one room, 1 sender, ${seconds} s per rate (clients in another process)`,
  ['server', 'msg/s', 'delivered', 'p50 ms', 'p99 ms', 'max ms', 'server CPU (cores)', 'CPU µs per delivery', 'RSS MB'],
  servers.flatMap(({ name, results }) =>
    results.map((r, i) => [
      name,
      rates[i]!,
      `${r.delivered}/${r.expected}`,
      fixed(r.p50, 2),
      fixed(r.p99, 2),
      fixed(r.max, 1),
      fixed(r.cpu, 2),
      fixed(usPerDelivery(r), 2),
      fixed(r.rssBytes / 2 ** 20, 0),
    ]),
  ),
)
const best = servers.map(({ name, results }) => ({ name, rate: highestSustained(results), results }))
const at = (results: ChatResult[], rate: number) => results[rates.indexOf(rate)]
// The fan-out cost is compared under load: at the highest rate both Bun servers sustain.
const common = Math.max(rates[0]!, Math.min(best[0]!.rate, best[1]!.rate))
printTable(
  `Chat fan-out: highest rate sustained (every delivery, p99 < ${SUSTAINED_P99_MS} ms), and CPU per delivery at ${common} msg/s`,
  [
    'server',
    'highest sustained msg/s',
    'deliveries/s',
    'CPU µs per delivery',
    'CPU vs raw Bun',
    'sustained rate vs Socket.IO',
  ],
  best.map(({ name, rate, results }) => {
    const atCommon = at(results, common)
    const rawAtCommon = at(rawBun, common)
    return [
      name,
      rate || '—',
      fixed(rate * subscribers, 0),
      atCommon ? fixed(usPerDelivery(atCommon), 2) : '—',
      atCommon && rawAtCommon ? ratio(usPerDelivery(atCommon), usPerDelivery(rawAtCommon)) : '—',
      ratio(rate, best[2]!.rate),
    ]
  }),
)
