/**
 * A class of WebSocket students and their teacher in their own process (so the server under test
 * does not share it). CROWD_FILE, a JSON file: { url, apiUrl, sessionId, teacher, students: tokens,
 * hands, reactSeconds, reactRate }. Every student joins the class; then, one phase after another,
 * all vote within a second (REST), `hands` students raise their hands, and every student reacts
 * `reactRate` times a second for `reactSeconds` while the teacher chats once a second. Each phase
 * prints {"phase":…,"started":true} and then its figures, so the bench samples the server's CPU
 * in between.
 */
import { percentile } from './report.ts'

interface Config {
  url: string
  apiUrl: string
  sessionId: string
  teacher: string
  students: string[]
  hands: number
  reactSeconds: number
  reactRate: number
}

const config = (await Bun.file(process.env.CROWD_FILE!).json()) as Config
const print = (line: unknown) => console.log(JSON.stringify(line))
const now = () => performance.timeOrigin + performance.now()
/** Every message any client of the crowd received: the server's outbound count. */
let received = 0

interface Member {
  ws: WebSocket
  request(type: string, data: unknown): Promise<any>
  on(type: string, listener: (data: any) => void): void
}

async function connect(token: string): Promise<Member> {
  const ws = new WebSocket(config.url, ['bearer', token])
  const waiting = new Map<string, (message: any) => void>()
  const listeners = new Map<string, Array<(data: any) => void>>()
  let next = 0
  ws.addEventListener('message', (event) => {
    received += 1
    const message = JSON.parse(String(event.data))
    if (message.id !== undefined) waiting.get(message.id)?.(message)
    else for (const listener of listeners.get(message.type) ?? []) listener(message.data)
  })
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve)
    ws.addEventListener('error', reject)
  })
  return {
    ws,
    request(type, data) {
      const id = String(++next)
      return new Promise((resolve) => {
        waiting.set(id, (message) => (waiting.delete(id), resolve(message)))
        ws.send(JSON.stringify({ id, type, data }))
      })
    },
    on(type, listener) {
      listeners.set(type, [...(listeners.get(type) ?? []), listener])
    },
  }
}

const rest = (token: string, method: string, path: string, body?: unknown) =>
  fetch(`${config.apiUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (response) => {
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`)
    return response.json() as Promise<any>
  })

const sessionId = config.sessionId
const teacher = await connect(config.teacher)
await teacher.request('live:join', { sessionId })
const students: Member[] = []
for (let i = 0; i < config.students.length; i += 100) {
  const batch = await Promise.all(config.students.slice(i, i + 100).map(connect))
  const joins = await Promise.all(batch.map((student) => student.request('live:join', { sessionId })))
  if (joins.some((reply) => !reply.ok))
    throw new Error(`a join failed: ${JSON.stringify(joins.find((reply) => !reply.ok))}`)
  students.push(...batch)
}
print({ joined: students.length })

async function phase<T>(name: string, run: () => Promise<T>): Promise<void> {
  await Bun.sleep(1500) // the previous phase's trailing events are out
  received = 0
  print({ phase: name, started: true })
  const started = now()
  const figures = await run()
  print({ phase: name, ...figures, serverMessages: received, seconds: (now() - started) / 1000 })
}

// All vote within one second; when does the teacher's tally first count every vote?
await phase('votes', async () => {
  const poll = await rest(config.teacher, 'POST', `/live-sessions/${sessionId}/polls`, {
    question: 'Ready?',
    options: ['yes', 'no'],
  })
  let completeAt = 0
  let teacherEvents = 0
  teacher.on('live:poll-results', (data) => {
    teacherEvents += 1
    if (data.totalVoters === students.length && completeAt === 0) completeAt = now()
  })
  let opened = 0
  const allOpened = new Promise<void>((resolve) =>
    students.forEach((student) => student.on('live:poll-opened', () => ++opened === students.length && resolve())),
  )
  await rest(config.teacher, 'POST', `/polls/${poll.id}/open`)
  await allOpened
  const start = now()
  let lastVoteAt = 0
  await Promise.all(
    config.students.map(async (token, i) => {
      await Bun.sleep((i * 1000) / config.students.length)
      await rest(token, 'POST', `/polls/${poll.id}/votes`, { optionIds: [i % 3 === 0 ? 'o2' : 'o1'] })
      lastVoteAt = Math.max(lastVoteAt, now())
    }),
  )
  for (const deadline = now() + 15_000; completeAt === 0 && now() < deadline; ) await Bun.sleep(10)
  return {
    votesSpreadMs: lastVoteAt - start,
    completeAfterLastVoteMs: completeAt ? Math.max(0, completeAt - lastVoteAt) : null,
    teacherEvents,
  }
})

// `hands` students raise their hands within a fifth of a second.
await phase('hands', async () => {
  let last: any[] = []
  let teacherEvents = 0
  let completeAt = 0
  teacher.on('live:hands', (data) => {
    teacherEvents += 1
    last = data.hands
    if (last.length === config.hands && completeAt === 0) completeAt = now()
  })
  const start = now()
  await Promise.all(
    students
      .slice(0, config.hands)
      .map(
        async (student, i) => (
          await Bun.sleep((i * 200) / config.hands), student.request('live:hand', { sessionId, raised: true })
        ),
      ),
  )
  for (const deadline = now() + 15_000; completeAt === 0 && now() < deadline; ) await Bun.sleep(10)
  return { queueCompleteMs: completeAt ? completeAt - start : null, teacherEvents, queue: last.length }
})

// Everyone reacts while the teacher chats once a second: what the storm does to the class's other traffic.
await phase('reactions', async () => {
  const latencies: number[] = []
  let reactionsSeen = 0
  teacher.on(
    'live:reactions',
    (data) => (reactionsSeen += Object.values(data.counts as Record<string, number>).reduce((a, b) => a + b, 0)),
  )
  for (const student of students)
    student.on('live:chat-message', (data) => latencies.push(now() - Number(String(data.content).split(':')[1])))
  const interval = 1000 / config.reactRate
  const until = now() + config.reactSeconds * 1000
  let sent = 0
  const reacting = students.map(async (student, i) => {
    await Bun.sleep((i * interval) / students.length)
    while (now() < until) {
      student.ws.send(JSON.stringify({ type: 'live:react', data: { sessionId, emoji: '👏' } }))
      sent += 1
      await Bun.sleep(interval)
    }
  })
  const chatting = (async () => {
    while (now() < until) {
      teacher.ws.send(JSON.stringify({ type: 'live:chat', data: { sessionId, content: `probe:${now()}` } }))
      await Bun.sleep(1000)
    }
  })()
  await Promise.all([...reacting, chatting])
  await Bun.sleep(1500)
  return {
    chatP50: percentile(latencies, 50),
    chatP99: percentile(latencies, 99),
    chatDelivered: latencies.length,
    reactionsSent: sent,
    reactionsSeenByTeacher: reactionsSeen,
  }
})
print({ done: true })
