/**
 * Many WebSocket clients in their own process (so the server under test does not share it).
 * CROWD_FILE, a JSON file: { mode: 'majlis' | 'socketio', url, tokens: string[], count, room?, sender? }.
 * Opens `count` connections (token i % tokens.length), joins `room`, prints {"connected":n}.
 * With `sender` ({ token, rate, seconds }) one more connection then sends `rate` messages a
 * second carrying their send time; the crowd prints {"sending":true}, then the delivery latencies
 * summary. Without it, the crowd stays connected (idle) until killed.
 */
import { io, type Socket } from 'socket.io-client'
import { percentile } from './report.ts'

interface Config {
  mode: 'majlis' | 'socketio'
  url: string
  tokens: string[]
  count: number
  room?: string
  sender?: { token: string; rate: number; seconds: number }
}

const config = (await Bun.file(process.env.CROWD_FILE!).json()) as Config
const wallClock = () => performance.timeOrigin + performance.now()
const latencies: number[] = []
const onDelivery = (content: string) => {
  const sentAt = Number(content.split(':')[1])
  if (Number.isFinite(sentAt)) latencies.push(wallClock() - sentAt)
}

interface Client {
  join(room: string): Promise<void>
  send(room: string, content: string): void
}

function majlisClient(token: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(config.url, ['bearer', token])
    let next = 0
    const waiting = new Map<string, () => void>()
    ws.onmessage = (event) => {
      const message = JSON.parse(String(event.data))
      if (message.type === 'message_received') onDelivery(message.data.content)
      else if (message.id !== undefined) waiting.get(message.id)?.()
    }
    ws.onerror = () => reject(new Error('connect failed'))
    ws.onopen = () =>
      resolve({
        join: (room) =>
          new Promise((joined) => {
            const id = `j${next++}`
            waiting.set(id, joined)
            ws.send(JSON.stringify({ id, type: 'join_ticket', data: { ticketId: room } }))
          }),
        send: (room, content) => ws.send(JSON.stringify({ type: 'send_message', data: { ticketId: room, content } })),
      })
  })
}

function socketIoClient(): Promise<Client> {
  return new Promise((resolve, reject) => {
    const socket: Socket = io(config.url, { transports: ['websocket'], reconnection: false })
    socket.on('message', ({ content }: { content: string }) => onDelivery(content))
    socket.on('connect_error', reject)
    socket.on('connect', () =>
      resolve({
        join: (room) => socket.emitWithAck('join', room).then(() => undefined),
        send: (room, content) => socket.emit('send', { room, content }),
      }),
    )
  })
}

const connect = (i: number) => (config.mode === 'majlis' ? majlisClient(config.tokens[i % config.tokens.length]!) : socketIoClient())

const clients: Client[] = []
for (let i = 0; i < config.count; i += 100) {
  const batch = await Promise.all(Array.from({ length: Math.min(100, config.count - i) }, (_, j) => connect(i + j)))
  if (config.room) await Promise.all(batch.map((client) => client.join(config.room!)))
  clients.push(...batch)
}
console.log(JSON.stringify({ connected: clients.length }))

if (config.sender && config.room) {
  const { rate, seconds } = config.sender
  const sender = config.mode === 'majlis' ? await majlisClient(config.sender.token) : await socketIoClient()
  const total = rate * seconds
  console.log(JSON.stringify({ sending: true }))
  const started = wallClock()
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate
    const wait = due - wallClock()
    if (wait > 0) await Bun.sleep(wait)
    sender.send(config.room, `m${i}:${wallClock()}`)
  }
  const expected = total * clients.length
  for (const deadline = wallClock() + 10_000; latencies.length < expected && wallClock() < deadline; ) await Bun.sleep(50)
  const duration = (wallClock() - started) / 1000
  console.log(
    JSON.stringify({
      delivered: latencies.length,
      expected,
      perSecond: latencies.length / duration,
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: percentile(latencies, 100),
    }),
  )
  process.exit(0)
}
