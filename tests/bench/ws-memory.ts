/**
 * Scenario 5 — memory per idle authenticated WebSocket connection: the server's RSS before and
 * after BENCH_WS_CONNECTIONS (5000) clients in another process connected and authenticated
 * (bearer subprotocol), against the Socket.IO peer on Node holding the same number of sockets.
 */
import { fixed, knob, printTable, ratio } from './lib/report.ts'
import { configFile, jsonLines } from './lib/child.ts'
import { processUsage } from './lib/proc.ts'
import { startBenchServer } from './lib/server.ts'
import { freePort } from '../helpers/server-process.ts'

const connections = knob('BENCH_WS_CONNECTIONS', 5000)
const crowdScript = `${import.meta.dir}/lib/crowd.ts`

async function measure(pid: number, crowd: Record<string, unknown>) {
  await Bun.sleep(1000)
  const before = processUsage(pid).rssBytes
  const clients = jsonLines([process.execPath, crowdScript], { CROWD_FILE: await configFile({ ...crowd, count: connections }) })
  await clients.next((line) => line.connected !== undefined)
  await Bun.sleep(2000) // let allocations settle
  const after = processUsage(pid).rssBytes
  clients.stop()
  return { before, after, perConnection: (after - before) / connections }
}

const majlis = await startBenchServer({ users: [{ role: 'customer', count: 10 }] })
const majlisResult = await measure(majlis.pid, { mode: 'majlis', url: majlis.wsUrl, tokens: majlis.people.customer!.map((u) => u.token) })
await majlis.stop()

const port = freePort()
const peer = jsonLines(['node', `${import.meta.dir}/peers/socketio-server.mjs`, String(port)])
await peer.next((line) => line === 'ready')
const peerResult = await measure(peer.child.pid, { mode: 'socketio', url: `http://127.0.0.1:${port}`, tokens: ['-'] })
peer.stop()

const mb = (bytes: number) => fixed(bytes / 2 ** 20, 1)
printTable(`Memory per idle authenticated WS connection (${connections} connections, clients in another process)`, ['server', 'RSS before (MB)', 'RSS after (MB)', 'KB per connection', 'ratio vs Socket.IO'], [
  ['Majlis (Bun, /ws with bearer auth)', mb(majlisResult.before), mb(majlisResult.after), fixed(majlisResult.perConnection / 1024, 1), ratio(majlisResult.perConnection, peerResult.perConnection)],
  ['Socket.IO 4 on Node (no auth)', mb(peerResult.before), mb(peerResult.after), fixed(peerResult.perConnection / 1024, 1), '1.00×'],
])
