/**
 * Scenario 5 — memory per idle authenticated WebSocket connection: the server's RSS before and
 * after BENCH_WS_CONNECTIONS (5000) clients in another process connected and authenticated
 * (bearer subprotocol), against a raw Bun.serve WebSocket server (the floor) and the Socket.IO peer
 * on Node holding the same number of sockets.
 */
import { fixed, knob, printTable, ratio } from './lib/report.ts'
import { configFile, jsonLines, withPeer } from './lib/child.ts'
import { processUsage } from './lib/proc.ts'
import { startBenchServer } from './lib/server.ts'

const connections = knob('BENCH_WS_CONNECTIONS', 5000)
const crowdScript = `${import.meta.dir}/lib/crowd.ts`

async function measure(pid: number, crowd: Record<string, unknown>) {
  await Bun.sleep(1000)
  const before = processUsage(pid).rssBytes
  const clients = jsonLines([process.execPath, crowdScript], {
    CROWD_FILE: await configFile({ ...crowd, count: connections }),
  })
  await clients.next((line) => line.connected !== undefined)
  await Bun.sleep(2000) // let allocations settle
  const after = processUsage(pid).rssBytes
  clients.stop()
  return { before, after, perConnection: (after - before) / connections }
}

const majlis = await startBenchServer({ users: [{ role: 'customer', count: 10 }] })
const majlisResult = await measure(majlis.pid, {
  mode: 'majlis',
  url: majlis.wsUrl,
  tokens: majlis.people.customer!.map((u) => u.token),
})
await majlis.stop()

/** A peer server in its own process, measured with the same crowd. */
const measurePeer = (command: string[], crowd: (port: number) => Record<string, unknown>) =>
  withPeer(command, (port, pid) => measure(pid, crowd(port)))
const rawBun = await measurePeer([process.execPath, `${import.meta.dir}/peers/bun-ws.mjs`], (port) => ({
  mode: 'majlis',
  url: `ws://127.0.0.1:${port}/ws`,
  tokens: ['-'],
}))
const peerResult = await measurePeer(['node', `${import.meta.dir}/peers/socketio-server.mjs`], (port) => ({
  mode: 'socketio',
  url: `http://127.0.0.1:${port}`,
  tokens: ['-'],
}))

const mb = (bytes: number) => fixed(bytes / 2 ** 20, 1)
const row = (name: string, result: typeof majlisResult) => [
  name,
  mb(result.before),
  mb(result.after),
  fixed(result.perConnection / 1024, 1),
  ratio(result.perConnection, rawBun.perConnection),
  ratio(result.perConnection, peerResult.perConnection),
]
printTable(
  `Memory per idle authenticated WS connection (${connections} connections, clients in another process)`,
  ['server', 'RSS before (MB)', 'RSS after (MB)', 'KB per connection', 'vs raw Bun', 'vs Socket.IO'],
  [
    row('Majlis (Bun, /ws with bearer auth)', majlisResult),
    row('raw Bun.serve WebSocket (no auth)', rawBun),
    row('Socket.IO 4 on Node (no auth)', peerResult),
  ],
)
