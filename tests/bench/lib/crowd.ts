/**
 * Many WebSocket clients in their own process (so the server under test does not share it).
 * CROWD_FILE, a JSON file: { mode: 'majlis' | 'stream' | 'socketio', url, tokens: string[], count, room?, sender? }.
 * 'majlis' sits in a ticket room; 'stream' watches a live stream (room = its id), and its sender
 * chats over /ws and, with `gifts` ({ url, giftId, every }), sends every n-th message as a gift
 * over REST instead (its message carries the send time, and arrives as gift_animation).
 * Opens `count` connections (token i % tokens.length), joins `room`, prints {"connected":n}.
 * With `sender` ({ token, rate, seconds }) one more connection then sends `rate` messages a
 * second carrying their send time; the crowd prints {"sending":true}, then the delivery latencies
 * summary. Without it, the crowd stays connected (idle) until killed.
 */
import { io, type Socket } from 'socket.io-client'
import { percentile } from './report.ts'

interface Config {
  mode: 'majlis' | 'stream' | 'socketio'
  url: string
  tokens: string[]
  count: number
  room?: string
  sender?: { token: string; rate: number; seconds: number; gifts?: { url: string; giftId: string; every: number } }
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

/** How a Majlis crowd joins its room, sends, and recognises a delivery, per mode. */
const majlisProtocols = {
  majlis: {
    join: (room: string) => ({ type: 'join_ticket', data: { ticketId: room } }),
    send: (room: string, content: string) => ({ type: 'send_message', data: { ticketId: room, content } }),
    delivered: (message: any): string | undefined =>
      message.type === 'message_received' ? message.data.content : undefined,
  },
  stream: {
    join: (room: string) => ({ type: 'join_session', data: { sessionId: room } }),
    send: (room: string, content: string) => ({
      type: 'send_stream_message',
      data: { sessionId: room, message: content },
    }),
    delivered: (message: any): string | undefined =>
      message.type === 'new_message'
        ? message.data.message
        : message.type === 'gift_animation'
          ? message.data.transaction.message
          : undefined,
  },
}

function majlisClient(token: string): Promise<Client> {
  const protocol = majlisProtocols[config.mode === 'stream' ? 'stream' : 'majlis']
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(config.url, ['bearer', token])
    let next = 0
    const waiting = new Map<string, () => void>()
    ws.onmessage = (event) => {
      const message = JSON.parse(String(event.data))
      const content = protocol.delivered(message)
      if (content !== undefined) onDelivery(content)
      else if (message.id !== undefined) waiting.get(message.id)?.()
    }
    ws.onerror = () => reject(new Error('connect failed'))
    ws.onopen = () =>
      resolve({
        join: (room) =>
          new Promise((joined) => {
            const id = `j${next++}`
            waiting.set(id, joined)
            ws.send(JSON.stringify({ id, ...protocol.join(room) }))
          }),
        send: (room, content) => ws.send(JSON.stringify(protocol.send(room, content))),
      })
  })
}

/** Sends a gift whose message carries the content (the REST side of a stream's sender). */
function giftSender(token: string, room: string, gifts: { url: string; giftId: string }) {
  return (content: string) =>
    void fetch(`${gifts.url}/api/v1/streams/${room}/gifts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ giftId: gifts.giftId, message: content }),
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

const connect = (i: number) =>
  config.mode === 'socketio' ? socketIoClient() : majlisClient(config.tokens[i % config.tokens.length]!)

const clients: Client[] = []
for (let i = 0; i < config.count; i += 100) {
  const batch = await Promise.all(Array.from({ length: Math.min(100, config.count - i) }, (_, j) => connect(i + j)))
  if (config.room) await Promise.all(batch.map((client) => client.join(config.room!)))
  clients.push(...batch)
}
console.log(JSON.stringify({ connected: clients.length }))

if (config.sender && config.room) {
  const { rate, seconds } = config.sender
  const sender = config.mode === 'socketio' ? await socketIoClient() : await majlisClient(config.sender.token)
  const { gifts } = config.sender
  const sendGift = gifts ? giftSender(config.sender.token, config.room, gifts) : null
  const total = rate * seconds
  console.log(JSON.stringify({ sending: true }))
  const started = wallClock()
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate
    const wait = due - wallClock()
    if (wait > 0) await Bun.sleep(wait)
    const content = `m${i}:${wallClock()}`
    if (sendGift && i % gifts!.every === gifts!.every - 1) sendGift(content)
    else sender.send(config.room, content)
  }
  const expected = total * clients.length
  for (const deadline = wallClock() + 10_000; latencies.length < expected && wallClock() < deadline; )
    await Bun.sleep(50)
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
