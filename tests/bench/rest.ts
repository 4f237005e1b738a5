/**
 * Scenario 4 — REST. An authenticated, database-backed list (the 20 newest tickets, as staff)
 * under wrk (Debian's), against peers doing the same work (HS256 check, query, JSON) on the same
 * file: Fastify + better-sqlite3 and Express + libSQL on Node, raw Bun.serve + Bun SQLite (the
 * floor without a framework), and a bare hello world; same machine, same run, same load.
 * Knobs: BENCH_REST_SECONDS (5), BENCH_REST_CONNECTIONS (64).
 */
import { ensureDebianPackages } from '../../media/build/debian.ts'
import { tickets } from '../../src/db/schema/tickets.ts'
import { freePort } from '../helpers/server-process.ts'
import { ensureBetterSqlite3 } from './lib/better-sqlite3.ts'
import { jsonLines } from './lib/child.ts'
import { fixed, knob, printTable, ratio } from './lib/report.ts'
import { BENCH_JWT_SECRET, startBenchServer } from './lib/server.ts'

const seconds = knob('BENCH_REST_SECONDS', 5)
const connections = knob('BENCH_REST_CONNECTIONS', 64)
ensureDebianPackages(['wrk'], 'the REST benchmark')

interface WrkResult {
  requestsPerSecond: number
  p50Ms: number
  p99Ms: number
  errors: number
}

function parseDuration(text: string): number {
  const match = /([\d.]+)(us|ms|s)/.exec(text)
  if (!match) return Number.NaN
  const value = Number(match[1])
  return match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value
}

async function wrk(url: string, token?: string): Promise<WrkResult> {
  const headers = token ? ['-H', `Authorization: Bearer ${token}`] : []
  const run = Bun.spawnSync(['wrk', '-t2', `-c${connections}`, `-d${seconds}s`, '--latency', ...headers, url])
  const output = run.stdout.toString()
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0)
  return {
    requestsPerSecond: Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1]),
    p50Ms: parseDuration(/50%\s+(\S+)/.exec(output)?.[1] ?? ''),
    p99Ms: parseDuration(/99%\s+(\S+)/.exec(output)?.[1] ?? ''),
    errors: non2xx,
  }
}

const server = await startBenchServer({
  users: [{ role: 'staff', count: 1 }, { role: 'customer', count: 1 }],
  prepare: async (db, people) => {
    const customerId = people.customer![0]!.id
    const base = Date.now() - 100_000
    await db.insert(tickets).values(
      Array.from({ length: 100 }, (_, i) => ({ id: `tkt_bench_${i}`, customerId, subject: `Ticket ${i}`, description: 'Printer on fire', status: 'open' as const, priority: 'normal' as const, createdAt: new Date(base + i * 1000), updatedAt: new Date(base + i * 1000) })),
    )
  },
})
const token = server.people.staff![0]!.token
const check = await fetch(`${server.baseUrl}/api/v1/tickets?limit=20`, { headers: { authorization: `Bearer ${token}` } })
const listed = (await check.json()) as { items: unknown[] }
if (check.status !== 200 || listed.items.length !== 20) throw new Error(`the Majlis endpoint answered ${check.status}`)
const majlis = await wrk(`${server.baseUrl}/api/v1/tickets?limit=20`, token)
const dbFile = server.databaseUrl.slice('file:'.length)
await server.stop()

/** A peer in its own process: started, checked to serve the same 20 tickets, loaded, stopped. */
async function peer(command: string[], path: string, authorized = true): Promise<WrkResult> {
  const port = freePort()
  const child = jsonLines([...command.slice(0, 2), String(port), ...command.slice(2)])
  await child.next((line) => line === 'ready')
  const url = `http://127.0.0.1:${port}${path}`
  if (authorized) {
    const served = (await (await fetch(url, { headers: { authorization: `Bearer ${token}` } })).json()) as { items: unknown[] }
    if (served.items.length !== 20) throw new Error(`the peer ${command[1]} is not serving the same list`)
  }
  const result = await wrk(url, authorized ? token : undefined)
  child.stop()
  return result
}

ensureBetterSqlite3()
const list = '/api/v1/tickets?limit=20'
const fastify = await peer(['node', `${import.meta.dir}/peers/fastify-tickets.mjs`, dbFile, BENCH_JWT_SECRET], list)
const express = await peer(['node', `${import.meta.dir}/peers/express-tickets.mjs`, `file:${dbFile}`, BENCH_JWT_SECRET], list)
const rawBun = await peer([process.execPath, `${import.meta.dir}/peers/bun-tickets.mjs`, dbFile, BENCH_JWT_SECRET], list)
const hello = await peer([process.execPath, `${import.meta.dir}/peers/bun-hello.ts`], '/', false)

const row = (name: string, result: WrkResult) => [
  name,
  fixed(result.requestsPerSecond, 0),
  fixed(result.p50Ms, 2),
  fixed(result.p99Ms, 2),
  result.errors,
  ratio(result.requestsPerSecond, fastify.requestsPerSecond),
  ratio(result.requestsPerSecond, express.requestsPerSecond),
  ratio(result.requestsPerSecond, rawBun.requestsPerSecond),
]
printTable(`REST: authenticated list of 20 tickets from SQLite (wrk, 2 threads, ${connections} connections, ${seconds} s each)`, ['server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'vs Fastify', 'vs Express', 'vs raw Bun'], [
  row('Majlis (Bun + Elysia + Bun SQLite; JWT, validation, limits, logs, metrics)', majlis),
  row('Fastify 5 + better-sqlite3 on Node (JWT only)', fastify),
  row('Express 5 + libSQL on Node (JWT only)', express),
  row('raw Bun.serve + Bun SQLite (JWT only)', rawBun),
  row('bare Bun.serve hello world', hello),
])
