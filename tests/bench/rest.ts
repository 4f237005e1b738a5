/**
 * Scenario 4 — REST. An authenticated, database-backed list (the 20 newest tickets, as staff)
 * under wrk (Debian's), against a bare Bun.serve hello world and an Express + SQLite
 * implementation of the same endpoint on Node; same machine, same run, same load.
 * Knobs: BENCH_REST_SECONDS (5), BENCH_REST_CONNECTIONS (64).
 */
import { ensureDebianPackages } from '../../media/build/debian.ts'
import { tickets } from '../../src/db/schema/tickets.ts'
import { freePort } from '../helpers/server-process.ts'
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
const dbFile = server.databaseUrl
await server.stop()

const expressPort = freePort()
const express = jsonLines(['node', `${import.meta.dir}/peers/express-tickets.mjs`, String(expressPort), dbFile, BENCH_JWT_SECRET])
await express.next((line) => line === 'ready')
const expressCheck = await fetch(`http://127.0.0.1:${expressPort}/api/v1/tickets?limit=20`, { headers: { authorization: `Bearer ${token}` } })
if (((await expressCheck.json()) as { items: unknown[] }).items.length !== 20) throw new Error('the Express peer is not serving the same list')
const expressResult = await wrk(`http://127.0.0.1:${expressPort}/api/v1/tickets?limit=20`, token)
express.stop()

const helloPort = freePort()
const hello = jsonLines([process.execPath, `${import.meta.dir}/peers/bun-hello.ts`, String(helloPort)])
await hello.next((line) => line === 'ready')
const helloResult = await wrk(`http://127.0.0.1:${helloPort}/`)
hello.stop()

printTable(`REST: authenticated list of 20 tickets from SQLite (wrk, 2 threads, ${connections} connections, ${seconds} s each)`, ['server', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'req/s vs Express', 'req/s vs hello world'], [
  ['Majlis (Bun + Elysia + libSQL, JWT, validation, limits)', fixed(majlis.requestsPerSecond, 0), fixed(majlis.p50Ms, 2), fixed(majlis.p99Ms, 2), majlis.errors, ratio(majlis.requestsPerSecond, expressResult.requestsPerSecond), ratio(majlis.requestsPerSecond, helloResult.requestsPerSecond)],
  ['Express 5 + libSQL on Node (JWT only)', fixed(expressResult.requestsPerSecond, 0), fixed(expressResult.p50Ms, 2), fixed(expressResult.p99Ms, 2), expressResult.errors, '1.00×', ratio(expressResult.requestsPerSecond, helloResult.requestsPerSecond)],
  ['bare Bun.serve hello world', fixed(helloResult.requestsPerSecond, 0), fixed(helloResult.p50Ms, 2), fixed(helloResult.p99Ms, 2), helloResult.errors, ratio(helloResult.requestsPerSecond, expressResult.requestsPerSecond), '1.00×'],
])
