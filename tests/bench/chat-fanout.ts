/**
 * Scenario 3 — chat fan-out. BENCH_CHAT_SUBSCRIBERS (1000) WebSocket clients in another process
 * sit in one ticket room; one sender writes BENCH_CHAT_RATE (20) messages a second for
 * BENCH_CHAT_SECONDS (5). Delivery latency is receive time minus the send time carried in the
 * message (one machine, one clock). The same against a minimal Socket.IO room broadcast on Node.
 * Majlis does more per message: validation, authorization, and storing it before broadcasting.
 */
import { tickets } from '../../src/db/schema/tickets.ts'
import { freePort } from '../helpers/server-process.ts'
import { configFile, jsonLines } from './lib/child.ts'
import { processUsage } from './lib/proc.ts'
import { fixed, knob, printTable, ratio } from './lib/report.ts'
import { startBenchServer } from './lib/server.ts'

const subscribers = knob('BENCH_CHAT_SUBSCRIBERS', 1000)
const rate = knob('BENCH_CHAT_RATE', 20)
const seconds = knob('BENCH_CHAT_SECONDS', 5)
const crowdScript = `${import.meta.dir}/lib/crowd.ts`

interface ChatResult {
  delivered: number
  expected: number
  perSecond: number
  p50: number
  p99: number
  max: number
  cpu: number
  rssBytes: number
}

async function run(pid: number, crowd: Record<string, unknown>): Promise<ChatResult> {
  const clients = jsonLines([process.execPath, crowdScript], { CROWD_FILE: await configFile({ ...crowd, count: subscribers, sender: { ...(crowd.sender as object), rate, seconds } }) })
  await clients.next((line) => line.sending === true)
  const before = processUsage(pid)
  const started = performance.now()
  const result = await clients.next((line) => line.delivered !== undefined)
  const after = processUsage(pid)
  return { ...result, cpu: (after.cpuMs - before.cpuMs) / (performance.now() - started), rssBytes: after.rssBytes }
}

const server = await startBenchServer({
  users: [{ role: 'supporter', count: subscribers }, { role: 'customer', count: 1 }],
  prepare: async (db, people) => {
    const now = new Date()
    await db.insert(tickets).values({ id: 'tkt_bench_chat', customerId: people.customer![0]!.id, subject: 'Busy room', status: 'open', priority: 'normal', createdAt: now, updatedAt: now })
  },
})
const majlis = await run(server.pid, {
  mode: 'majlis',
  url: server.wsUrl,
  tokens: server.people.supporter!.map((u) => u.token),
  room: 'tkt_bench_chat',
  sender: { token: server.people.customer![0]!.token },
})
await server.stop()

const port = freePort()
const peer = jsonLines(['node', `${import.meta.dir}/peers/socketio-server.mjs`, String(port)])
await peer.next((line) => line === 'ready')
const socketIo = await run(peer.child.pid, { mode: 'socketio', url: `http://127.0.0.1:${port}`, tokens: ['-'], room: 'room-1', sender: { token: '-' } })
peer.stop()

const row = (name: string, r: ChatResult, other: ChatResult) => [
  name,
  `${r.delivered}/${r.expected}`,
  fixed(r.perSecond, 0),
  fixed(r.p50, 2),
  fixed(r.p99, 2),
  fixed(r.max, 1),
  fixed(r.cpu, 2),
  fixed(r.rssBytes / 2 ** 20, 0),
  ratio(other.p99, r.p99),
]
printTable(`Chat fan-out: ${subscribers} subscribers in one room, 1 sender at ${rate} msg/s for ${seconds} s (clients in another process)`, ['server', 'delivered', 'deliveries/s', 'p50 ms', 'p99 ms', 'max ms', 'server CPU (cores)', 'RSS MB', 'p99 advantage'], [
  row('Majlis /ws (validated, authorized, stored, then broadcast)', majlis, socketIo),
  row('Socket.IO 4 on Node (room broadcast only)', socketIo, majlis),
])
