/**
 * Scenario 6 — soak (BENCH_SOAK_MODE=requests, the default). 50,000 mixed requests against the
 * real server, as a fuzzer or a busy day sends them: authenticated lists and writes, unknown routes
 * and methods, malformed, deeply nested, oversized and chunked bodies, bad cursors, anonymous probes. Prints resident memory
 * before, during, right after and after an idle pause, so growth with request volume shows.
 * Knobs: BENCH_SOAK_REQUESTS (50000), BENCH_SOAK_CONCURRENCY (32).
 */
import { fixed, knob, printTable } from './lib/report.ts'
import { startBenchServer } from './lib/server.ts'

const total = knob('BENCH_SOAK_REQUESTS', 50_000)
const concurrency = knob('BENCH_SOAK_CONCURRENCY', 32)

const server = await startBenchServer({
  users: [
    { role: 'customer', count: 200 },
    { role: 'staff', count: 1 },
  ],
})
const customers = server.people.customer!
const api = `${server.baseUrl}/api/v1`
const json = { 'content-type': 'application/json' }
const nested = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`
const big = 'x'.repeat(200 * 1024)

/** A chunked body without Content-Length, past the JSON limit. */
const chunked = () =>
  new ReadableStream({
    start(controller) {
      for (let i = 0; i < 6; i++) controller.enqueue(new TextEncoder().encode(' '.repeat(64 * 1024)))
      controller.close()
    },
  })

const kinds: Array<(i: number) => [string, RequestInit]> = [
  (i) => [
    `${api}/tickets?limit=20`,
    { headers: { authorization: `Bearer ${customers[i % customers.length]!.token}` } },
  ],
  (i) => [
    `${api}/tickets`,
    {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${customers[i % customers.length]!.token}` },
      body: JSON.stringify({ subject: `Soak ${i}` }),
    },
  ],
  (i) => [
    `${api}/notifications?cursor=${Buffer.from(JSON.stringify([1e308, String(i)])).toString('base64url')}`,
    { headers: { authorization: `Bearer ${customers[i % customers.length]!.token}` } },
  ],
  (i) => [`${api}/no-such-route/${i}`, {}],
  (i) => [`${api}/auth/login`, { method: 'POST', headers: json, body: `{"email": "broken${i}` }],
  () => [`${api}/auth/register`, { method: 'POST', headers: json, body: nested }],
  () => [`${api}/auth/register`, { method: 'POST', headers: json, body: JSON.stringify({ name: big }) }],
  () => [`${api}/auth/login`, { method: 'POST', headers: json, body: chunked() }],
  (i) => [
    `${api}/me`,
    {
      method: 'PATCH',
      headers: { ...json, authorization: `Bearer ${customers[i % customers.length]!.token}` },
      body: '[1,2,3]',
    },
  ],
  (i) => [`${server.baseUrl}/health?probe=${i}`, {}],
  (i) => [`${api}/users/usr_${i}`, { method: 'PURGE' }],
  (i) => [`${api}/me`, { headers: { authorization: `Bearer not-a-token-${i}` } }],
]

const rss = () => server.usage().rssBytes / 2 ** 20
const samples: Array<[string, number]> = [['idle, before', rss()]]
let sent = 0
const statuses = new Map<number, number>()
const started = performance.now()
async function worker() {
  while (sent < total) {
    const i = sent++
    const [url, init] = kinds[i % kinds.length]!(i)
    const response = await fetch(url, init).catch(() => null)
    const status = response?.status ?? 0
    statuses.set(status, (statuses.get(status) ?? 0) + 1)
    await response?.arrayBuffer()
    if (i > 0 && i % Math.floor(total / 4) === 0) samples.push([`after ${i} requests`, rss()])
  }
}
await Promise.all(Array.from({ length: concurrency }, worker))
const seconds = (performance.now() - started) / 1000
samples.push([`after all ${total}`, rss()])
await Bun.sleep(5000)
samples.push(['idle 5 s later', rss()])
await server.stop()

const serverErrors = [...statuses]
  .filter(([status]) => status >= 500 || status === 0)
  .reduce((sum, [, n]) => sum + n, 0)
printTable(
  `Soak: ${total} mixed requests (${kinds.length} kinds, ${concurrency} concurrent, ${fixed(total / seconds, 0)} req/s); 5xx or failed: ${serverErrors}`,
  ['moment', 'RSS MiB', 'vs before'],
  samples.map(([moment, mib]) => [moment, fixed(mib, 0), `${fixed(mib / samples[0]![1], 2)}×`]),
)
console.log(
  `statuses: ${[...statuses]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${status}×${n}`)
    .join(' ')}`,
)
