/**
 * Scenario 7 — live streams.
 * (a) Chat and gifts fan-out: BENCH_STREAM_VIEWERS (2000) viewers on /ws watch one stream (the
 *     crowd runs in another process); one sender chats at BENCH_STREAM_RATE (20) messages a second
 *     for BENCH_STREAM_SECONDS (5), every 5th one a gift over REST instead (gift_animation). Delivery
 *     latency is receive time minus the send time the message carries; server CPU from /proc.
 * (b) Gift throughput: BENCH_GIFT_SENDERS (200) senders at once, each with BENCH_GIFT_COINS (50)
 *     coins, send 1-coin gifts to one host until refused (409 INSUFFICIENT_COINS). Then the database
 *     is audited: every 201 is one gift row and two ledger rows, every balance equals its ledger,
 *     no balance is negative and no coin was created or lost.
 */
import { and, eq, sql } from 'drizzle-orm'
import { systemClock } from '../../src/clock.ts'
import { openDatabase } from '../../src/db/client.ts'
import { users, walletTransactions } from '../../src/db/schema/auth.ts'
import { giftTransactions, streams } from '../../src/db/schema/streams.ts'
import { Wallet } from '../../src/modules/auth/wallet.ts'
import { configFile, jsonLines } from './lib/child.ts'
import { processUsage } from './lib/proc.ts'
import { fixed, knob, printTable } from './lib/report.ts'
import { startBenchServer, type BenchUser } from './lib/server.ts'

const viewers = knob('BENCH_STREAM_VIEWERS', 2000)
const rate = knob('BENCH_STREAM_RATE', 20)
const seconds = knob('BENCH_STREAM_SECONDS', 5)
const giftSenders = knob('BENCH_GIFT_SENDERS', 200)
const coinsEach = knob('BENCH_GIFT_COINS', 50)
const GIFT_EVERY = 5
const CHAT_STREAM = 'str_bench_chat'
const GIFT_STREAM = 'str_bench_gifts'

const liveStream = (id: string, host: BenchUser) => {
  const now = new Date()
  return {
    id,
    hostId: host.id,
    title: id,
    type: 'video' as const,
    status: 'live' as const,
    hostSeenAt: now,
    startedAt: now,
    updatedAt: now,
  }
}

const server = await startBenchServer({
  users: [
    { role: 'customer', count: viewers },
    { role: 'provider', count: giftSenders },
    { role: 'teacher', count: 2 },
    { role: 'supporter', count: 1 },
  ],
  prepare: async (db, people) => {
    const [chatHost, giftHost] = people.teacher!
    await db.insert(streams).values([liveStream(CHAT_STREAM, chatHost!), liveStream(GIFT_STREAM, giftHost!)])
    const wallet = new Wallet(db, systemClock)
    await wallet.adjust(people.supporter![0]!.id, 1_000_000, 'bench sender', null)
    for (const sender of people.provider!) await wallet.adjust(sender.id, coinsEach, 'bench gifts', null)
  },
})

// (a) fan-out
const crowd = jsonLines([process.execPath, `${import.meta.dir}/lib/crowd.ts`], {
  CROWD_FILE: await configFile({
    mode: 'stream',
    url: server.wsUrl,
    tokens: server.people.customer!.map((viewer) => viewer.token),
    count: viewers,
    room: CHAT_STREAM,
    sender: {
      token: server.people.supporter![0]!.token,
      rate,
      seconds,
      gifts: { url: server.baseUrl, giftId: 'gift_rose', every: GIFT_EVERY },
    },
  }),
})
await crowd.next((line) => line.sending === true)
const before = processUsage(server.pid)
const started = performance.now()
const fanout = await crowd.next((line) => line.delivered !== undefined)
const after = processUsage(server.pid)
const fanoutCpu = (after.cpuMs - before.cpuMs) / (performance.now() - started)
crowd.stop()
await Bun.sleep(500)

// (b) gift throughput
let committed = 0
let refused = 0
let failed = 0
const sendUntilBroke = async (sender: BenchUser) => {
  for (;;) {
    const response = await fetch(`${server.baseUrl}/api/v1/streams/${GIFT_STREAM}/gifts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${sender.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ giftId: 'gift_rose' }),
    })
    await response.arrayBuffer()
    if (response.status === 201) committed += 1
    else if (response.status === 409) return void (refused += 1)
    else return void (failed += 1)
  }
}
const giftCpuBefore = processUsage(server.pid).cpuMs
const giftsStarted = performance.now()
await Promise.all(server.people.provider!.map(sendUntilBroke))
const giftSeconds = (performance.now() - giftsStarted) / 1000
const giftCpu = (processUsage(server.pid).cpuMs - giftCpuBefore) / 1000 / giftSeconds
await server.stop()

// The audit, on the database the server left behind.
const { db, close } = await openDatabase(server.databaseUrl)
const giftHostId = server.people.teacher![1]!.id
const senderIds = server.people.provider!.map((sender) => sender.id)
const [giftRows] = await db
  .select({ n: sql<number>`count(*)` })
  .from(giftTransactions)
  .where(eq(giftTransactions.streamId, GIFT_STREAM))
const [hostRow] = await db.select({ balance: users.coinBalance }).from(users).where(eq(users.id, giftHostId))
const [negative] = await db.select({ n: sql<number>`count(*)` }).from(users).where(sql`${users.coinBalance} < 0`)
const [mismatched] = await db
  .select({ n: sql<number>`count(*)` })
  .from(users)
  .where(
    sql`${users.coinBalance} <> (select coalesce(sum(${walletTransactions.amount}), 0) from ${walletTransactions} where ${walletTransactions.userId} = ${users.id})`,
  )
const [sendersLeft] = await db
  .select({ coins: sql<number>`coalesce(sum(${users.coinBalance}), 0)` })
  .from(users)
  .where(sql`${users.id} in ${senderIds}`)
const [hostLedger] = await db
  .select({ n: sql<number>`count(*)` })
  .from(walletTransactions)
  .where(and(eq(walletTransactions.userId, giftHostId), eq(walletTransactions.kind, 'gift_received')))
close()

const expectedDeliveries = rate * seconds * viewers
printTable(
  `Stream chat + gifts fan-out: ${viewers} viewers on /ws, ${rate} msg/s for ${seconds} s, every ${GIFT_EVERY}th a gift over REST (clients in another process)`,
  [
    'delivered',
    'deliveries/s',
    'p50 ms',
    'p99 ms',
    'max ms',
    'server CPU (cores)',
    'CPU µs per delivery',
    'server RSS MB',
  ],
  [
    [
      `${fanout.delivered}/${expectedDeliveries}`,
      fixed(fanout.perSecond, 0),
      fixed(fanout.p50, 2),
      fixed(fanout.p99, 2),
      fixed(fanout.max, 1),
      fixed(fanoutCpu, 2),
      fixed(((after.cpuMs - before.cpuMs) * 1000) / fanout.delivered, 2),
      fixed(after.rssBytes / 2 ** 20, 0),
    ],
  ],
)
const lost = committed - giftRows!.n
printTable(
  `Gift throughput: ${giftSenders} concurrent senders × ${coinsEach} coins, 1-coin gifts to one host until refused`,
  [
    'commits',
    'commits/s',
    'refused (409)',
    'other failures',
    'server CPU (cores)',
    'lost',
    'negative balances',
    'balances ≠ ledger',
    'coins conserved',
  ],
  [
    [
      committed,
      fixed(committed / giftSeconds, 0),
      refused,
      failed,
      fixed(giftCpu, 2),
      lost + Math.abs(hostLedger!.n - committed),
      negative!.n,
      mismatched!.n,
      hostRow!.balance + sendersLeft!.coins === giftSenders * coinsEach ? 'yes' : 'NO',
    ],
  ],
)
if (lost !== 0 || negative!.n !== 0 || mismatched!.n !== 0 || committed !== giftSenders * coinsEach) {
  console.error('the gift audit failed')
  process.exit(1)
}
