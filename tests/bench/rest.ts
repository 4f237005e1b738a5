/**
 * Scenario 4 — REST. An authenticated, database-backed list (the 20 newest tickets, as staff)
 * under wrk (Debian's), against peers doing the same work (HS256 check, query, JSON) on the same
 * file: Fastify + better-sqlite3 and Express + libSQL on Node, raw Bun.serve + Bun SQLite (the
 * floor without a framework), and a bare hello world; same machine, same run, same load.
 * Knobs: BENCH_REST_SECONDS (5), BENCH_REST_CONNECTIONS (64), BENCH_REST_ROUNDS (3).
 */
import { ensureDebianPackages } from '../../media/build/debian.ts'
import { tickets } from '../../src/db/schema/tickets.ts'
import { freePort } from '../helpers/server-process.ts'
import { ensureBetterSqlite3 } from './lib/better-sqlite3.ts'
import { jsonLines } from './lib/child.ts'
import { fixed, knob, printTable, ratio } from './lib/report.ts'
import { BENCH_JWT_SECRET, startBenchServer } from './lib/server.ts'
import { wrk, type WrkResult } from './lib/wrk.ts'

const seconds = knob('BENCH_REST_SECONDS', 5)
const connections = knob('BENCH_REST_CONNECTIONS', 64)
const rounds = knob('BENCH_REST_ROUNDS', 3)
ensureDebianPackages(['wrk'], 'the REST benchmark')

const server = await startBenchServer({
  users: [
    { role: 'staff', count: 1 },
    { role: 'customer', count: 1 },
  ],
  prepare: async (db, people) => {
    const customerId = people.customer![0]!.id
    const base = Date.now() - 100_000
    await db.insert(tickets).values(
      Array.from({ length: 100 }, (_, i) => ({
        id: `tkt_bench_${i}`,
        customerId,
        subject: `Ticket ${i}`,
        description: 'Printer on fire',
        status: 'open' as const,
        priority: 'normal' as const,
        createdAt: new Date(base + i * 1000),
        updatedAt: new Date(base + i * 1000),
      })),
    )
  },
})
const token = server.people.staff![0]!.token
const list = '/api/v1/tickets?limit=20'
const dbFile = server.databaseUrl.slice('file:'.length)

/** A server under test: checked to serve the same 20 tickets before it is loaded. */
async function target(url: string, authorized = true) {
  if (authorized) {
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } })
    const served = (await response.json()) as { items?: unknown[] }
    if (response.status !== 200 || served.items?.length !== 20)
      throw new Error(`${url} is not serving the same list (${response.status})`)
  }
  return { url, token: authorized ? token : undefined }
}

const peers: Array<{ stop(): void }> = []

/** A peer in its own process, running until the rounds are over. */
async function peer(command: string[], path: string, authorized = true) {
  const port = freePort()
  const child = jsonLines([...command.slice(0, 2), String(port), ...command.slice(2)])
  peers.push(child)
  await child.next((line) => line === 'ready')
  return target(`http://127.0.0.1:${port}${path}`, authorized)
}

ensureBetterSqlite3()
const servers = [
  {
    name: 'Majlis (Bun + Elysia + Bun SQLite; JWT, validation, limits, logs, metrics)',
    target: await target(`${server.baseUrl}${list}`),
  },
  {
    name: 'Fastify 5 + better-sqlite3 on Node (JWT only)',
    target: await peer(['node', `${import.meta.dir}/peers/fastify-tickets.mjs`, dbFile, BENCH_JWT_SECRET], list),
  },
  {
    name: 'Express 5 + libSQL on Node (JWT only)',
    target: await peer(
      ['node', `${import.meta.dir}/peers/express-tickets.mjs`, `file:${dbFile}`, BENCH_JWT_SECRET],
      list,
    ),
  },
  {
    name: 'raw Bun.serve + Bun SQLite (JWT only)',
    target: await peer([process.execPath, `${import.meta.dir}/peers/bun-tickets.mjs`, dbFile, BENCH_JWT_SECRET], list),
  },
  {
    name: 'bare Bun.serve hello world',
    target: await peer([process.execPath, `${import.meta.dir}/peers/bun-hello.ts`], '/', false),
  },
]
// This machine's speed drifts by a third from minute to minute: the servers take turns, round after
// round, and each keeps its median round.
const runs = servers.map(() => [] as WrkResult[])
for (let round = 0; round < rounds; round++) {
  for (const [i, { target }] of servers.entries())
    runs[i]!.push(wrk(target.url, { connections, seconds, token: target.token }))
}
await server.stop()
for (const child of peers) child.stop()
const FASTIFY_TARGET = 1.5
const median = (results: WrkResult[]) =>
  [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(results.length / 2)]!
const [, fastify, express, rawBun] = runs.map(median) as [WrkResult, WrkResult, WrkResult, WrkResult]

printTable(
  `REST: authenticated list of 20 tickets from SQLite (wrk, 2 threads, ${connections} connections, ${seconds} s; median of ${rounds} rounds taken in turn)`,
  ['server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'vs Fastify', 'vs Express', 'vs raw Bun', 'req/s each round'],
  servers.map(({ name }, i) => {
    const result = median(runs[i]!)
    return [
      name,
      fixed(result.requestsPerSecond, 0),
      fixed(result.p50Ms, 2),
      fixed(result.p99Ms, 2),
      result.errors,
      ratio(result.requestsPerSecond, fastify.requestsPerSecond),
      ratio(result.requestsPerSecond, express.requestsPerSecond),
      ratio(result.requestsPerSecond, rawBun.requestsPerSecond),
      runs[i]!.map((run) => fixed(run.requestsPerSecond, 0)).join(' / '),
    ]
  }),
)
const majlisVsFastify = median(runs[0]!).requestsPerSecond / fastify.requestsPerSecond
printTable(
  'REST target',
  ['figure', 'now', 'target', ''],
  [
    [
      'Majlis req/s vs the Fastify peer (medians)',
      ratio(median(runs[0]!).requestsPerSecond, fastify.requestsPerSecond),
      `≥ ${FASTIFY_TARGET}×`,
      majlisVsFastify >= FASTIFY_TARGET ? 'met' : 'not met',
    ],
  ],
)
