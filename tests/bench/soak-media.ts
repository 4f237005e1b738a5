/**
 * Scenario — soak with media (BENCH_SOAK_MODE=media). A live class for BENCH_SOAK_MINUTES (30):
 * the teacher publishes camera and microphone from Chromium and a Chromium student decodes them;
 * BENCH_SOAK_STUDENTS (200) WebSocket students join and leave over and over, chat, raise and lower
 * hands, react, and vote in the poll the teacher opens each minute; a stream beside the class takes
 * their gifts; REST traffic (tickets, notifications, the session) runs all along. Every
 * BENCH_SOAK_SAMPLE_SEC (30) it samples the resident memory of the server and of each mediasoup
 * worker, their open file descriptors, and the database and WAL sizes. At the end: the samples,
 * and each figure's slope over the second half (after warm-up) per 10 minutes, beside its spread.
 */
import { inArray } from 'drizzle-orm'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { ensureDebianPackages } from '../../media/build/debian.ts'
import { users, walletTransactions } from '../../src/db/schema/auth.ts'
import { courses, enrolments, liveSessions } from '../../src/db/schema/courses.ts'
import { consumerStats, launchChromium, openDemo, videoFrames } from '../helpers/browser.ts'
import { walletsOffTheirLedger } from '../helpers/files.ts'
import { processUsage } from './lib/proc.ts'
import { fixed, knob, printTable } from './lib/report.ts'
import { startBenchServer } from './lib/server.ts'

const minutes = knob('BENCH_SOAK_MINUTES', 30)
const studentCount = knob('BENCH_SOAK_STUDENTS', 200)
const sampleMs = knob('BENCH_SOAK_SAMPLE_SEC', 30) * 1000
const SESSION = 'ls_bench_soak'
const COINS = 1_000_000
const REACTIONS = ['👍', '❤️', '😂', '👏', '🎉', '❓']
ensureDebianPackages(['chromium'], 'the media soak')

const server = await startBenchServer({
  users: [
    { role: 'teacher', count: 1 },
    { role: 'customer', count: studentCount + 1 },
  ],
  prepare: async (db, people) => {
    const now = new Date()
    const teacherId = people.teacher![0]!.id
    await db.insert(courses).values({ id: 'crs_soak', teacherId, title: 'Soak', createdAt: now, updatedAt: now })
    const students = people.customer!.slice(0, studentCount)
    await db.insert(enrolments).values(students.map((student) => ({ courseId: 'crs_soak', studentId: student.id })))
    await db.insert(liveSessions).values({
      id: SESSION,
      courseId: 'crs_soak',
      title: 'Soak',
      scheduledAt: now,
      durationMinutes: 24 * 60,
      status: 'live',
      roomCode: 'BENCHSOAK',
      startedAt: now,
      createdAt: now,
      updatedAt: now,
    })
    // Coins for gifts, each credit in the ledger as the wallet would write it.
    await db
      .update(users)
      .set({ coinBalance: COINS })
      .where(
        inArray(
          users.id,
          people.customer!.map((customer) => customer.id),
        ),
      )
    await db.insert(walletTransactions).values(
      people.customer!.map((customer, i) => ({
        id: `wtx_soak_${i}`,
        userId: customer.id,
        amount: COINS,
        balanceAfter: COINS,
        kind: 'bench',
        createdAt: now,
      })),
    )
  },
})
const databaseFile = server.databaseUrl.slice('file:'.length)
const [teacher] = server.people.teacher!
const students = server.people.customer!.slice(0, studentCount)
const host = server.people.customer![studentCount]!
const api = `${server.baseUrl}/api/v1`
/** Answers by status, and refusals by their code (a vote on the poll just closed is a 409 POLL_CLOSED). */
const statuses = new Map<string, number>()
async function call(token: string, method: string, path: string, body?: unknown): Promise<any> {
  const response = await fetch(`${api}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch(() => null)
  const answer = await response?.json().catch(() => null)
  const key = `${response?.status ?? 'failed'}${answer?.error ? ` ${answer.error.code}` : ''}`
  statuses.set(key, (statuses.get(key) ?? 0) + 1)
  return answer
}

const stream = await call(host.token, 'POST', '/streams', { title: 'Beside the class', type: 'video' })
// A host with no connection for a minute ends the stream: this one stays connected.
const hostSocket = new WebSocket(server.wsUrl, ['bearer', host.token])
const browser = await launchChromium()
const teacherPage = await openDemo(browser, server.baseUrl, teacher!.token, `live:${SESSION}`)
await teacherPage.evaluate(async () => {
  const media = (window as any).majlisDemo.current()
  await media.publishCamera()
  await media.publishMicrophone()
})
const watcher = await openDemo(browser, server.baseUrl, students[0]!.token, `live:${SESSION}`)

let stopped = false
let poll: { id: string } | null = null
const wsErrors = new Map<string, number>()
const pause = (fromMs: number, toMs: number) => Bun.sleep(fromMs + Math.random() * (toMs - fromMs))

/** One student: joins, does things for 5–30 s, leaves, comes back, until the soak ends. */
async function student(token: string, index: number): Promise<void> {
  await call(token, 'POST', `/streams/${stream.id}/join`, {})
  while (!stopped) {
    const ws = new WebSocket(server.wsUrl, ['bearer', token])
    ws.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data))
      if (message.ok === false) wsErrors.set(message.error.code, (wsErrors.get(message.error.code) ?? 0) + 1)
    })
    const opened = await new Promise<boolean>((resolve) => {
      ws.addEventListener('open', () => resolve(true))
      ws.addEventListener('error', () => resolve(false))
    })
    if (opened) {
      let next = 0
      const send = (type: string, data: Record<string, unknown>) =>
        ws.send(JSON.stringify({ id: String(next++), type, data: { sessionId: SESSION, ...data } }))
      send('live:join', {})
      const leaveAt = Date.now() + 5000 + Math.random() * 25_000
      let hand = false
      while (!stopped && Date.now() < leaveAt && ws.readyState === WebSocket.OPEN) {
        const roll = Math.random()
        if (roll < 0.3) send('live:chat', { content: `student ${index} says ${next}` })
        else if (roll < 0.5) send('live:react', { emoji: REACTIONS[next % REACTIONS.length] })
        else if (roll < 0.6) send('live:hand', { raised: (hand = !hand) })
        else if (roll < 0.7 && poll)
          await call(token, 'POST', `/polls/${poll.id}/votes`, { optionIds: [roll < 0.65 ? 'o1' : 'o2'] })
        else if (roll < 0.8) await call(token, 'POST', `/streams/${stream.id}/gifts`, { giftId: 'gift_heart' })
        else if (roll < 0.85) await call(token, 'POST', '/tickets', { subject: `Soak ${index}` })
        else if (roll < 0.95) await call(token, 'GET', '/notifications?limit=20')
        else await call(token, 'GET', `/live-sessions/${SESSION}`)
        await pause(1000, 3000)
      }
      ws.close()
    }
    await pause(1000, 5000)
  }
}

/** The teacher opens a new poll each minute and closes the one before. */
async function teacherPolls(): Promise<void> {
  while (!stopped) {
    const created = await call(teacher!.token, 'POST', `/live-sessions/${SESSION}/polls`, {
      question: 'Still with me?',
      options: ['Yes', 'No'],
    })
    await call(teacher!.token, 'POST', `/polls/${created.id}/open`)
    const previous = poll
    poll = created
    if (previous) await call(teacher!.token, 'POST', `/polls/${previous.id}/close`)
    await Bun.sleep(60_000)
  }
}

/** The mediasoup workers: the server's child processes. */
function workerPids(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).flatMap((task) =>
    readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number),
  )
}
const openFiles = (pid: number) => readdirSync(`/proc/${pid}/fd`).length
const fileMiB = (file: string) => {
  try {
    return statSync(file).size / 2 ** 20
  } catch {
    return 0
  }
}

interface Sample {
  minute: number
  serverMiB: number
  workersMiB: number[]
  serverFds: number
  workerFds: number
  databaseMiB: number
  walMiB: number
  framesDecoded: number
}
const samples: Sample[] = []
const started = Date.now()
async function sample(): Promise<void> {
  const workers = workerPids(server.pid)
  samples.push({
    minute: (Date.now() - started) / 60_000,
    serverMiB: server.usage().rssBytes / 2 ** 20,
    workersMiB: workers.map((pid) => processUsage(pid).rssBytes / 2 ** 20),
    serverFds: openFiles(server.pid),
    workerFds: workers.reduce((sum, pid) => sum + openFiles(pid), 0),
    databaseMiB: fileMiB(databaseFile),
    walMiB: fileMiB(`${databaseFile}-wal`),
    framesDecoded: videoFrames(await consumerStats(watcher)),
  })
}

await sample()
const crowd = [...students.map((token, i) => student(token.token, i)), teacherPolls()]
while (Date.now() - started < minutes * 60_000) {
  await Bun.sleep(Math.min(sampleMs, minutes * 60_000 - (Date.now() - started)))
  await sample()
}
stopped = true
hostSocket.close()
await Promise.race([Promise.all(crowd), Bun.sleep(65_000)])
await browser.close()
await server.stop()

/** Least-squares slope of y over x. */
function slope(points: Array<[number, number]>): number {
  const n = points.length
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n
  const num = points.reduce((sum, [x, y]) => sum + (x - meanX) * (y - meanY), 0)
  const den = points.reduce((sum, [x]) => sum + (x - meanX) ** 2, 0)
  return den === 0 ? 0 : num / den
}

const figures: Array<[string, (s: Sample) => number, number]> = [
  ['server RSS, MiB', (s) => s.serverMiB, 1],
  ['workers RSS, MiB (sum)', (s) => s.workersMiB.reduce((a, b) => a + b, 0), 1],
  ['server open descriptors', (s) => s.serverFds, 0],
  ['workers open descriptors', (s) => s.workerFds, 0],
  ['database, MiB', (s) => s.databaseMiB, 2],
  ['WAL, MiB', (s) => s.walMiB, 2],
]
printTable(
  `Soak with media: a class for ${minutes} min, Chromium teacher and watcher, ${studentCount} WebSocket students joining and leaving, chat, hands, reactions, polls, gifts and REST`,
  ['minute', 'server MiB', 'workers MiB', 'server fds', 'worker fds', 'db MiB', 'WAL MiB', 'frames decoded'],
  samples.map((s) => [
    fixed(s.minute, 1),
    fixed(s.serverMiB, 0),
    s.workersMiB.map((mib) => fixed(mib, 0)).join(' + '),
    s.serverFds,
    s.workerFds,
    fixed(s.databaseMiB, 2),
    fixed(s.walMiB, 2),
    s.framesDecoded,
  ]),
)
const secondHalf = samples.filter((s) => s.minute >= minutes / 2)
printTable(
  'Growth over the second half (after warm-up): slope per 10 minutes, beside the range the samples span',
  ['figure', 'first', 'last', 'min–max', 'slope / 10 min'],
  figures.map(([name, value, digits]) => {
    const values = secondHalf.map(value)
    return [
      name,
      fixed(value(samples[0]!), digits),
      fixed(value(samples.at(-1)!), digits),
      `${fixed(Math.min(...values), digits)}–${fixed(Math.max(...values), digits)}`,
      fixed(slope(secondHalf.map((s) => [s.minute / 10, value(s)])), 2),
    ]
  }),
)
const unbalanced = walletsOffTheirLedger(databaseFile).length
console.log(
  `HTTP answers: ${[...statuses]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status}×${n}`)
    .join(
      ' ',
    )}; WS errors: ${[...wsErrors].map(([code, n]) => `${code}×${n}`).join(' ') || 'none'}; wallets off their ledger: ${unbalanced}`,
)
