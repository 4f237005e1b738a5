import { describe, expect, test } from 'bun:test'
import type { AuthUser } from '../../src/access/policy.ts'
import { Hub, type Socket } from '../../src/realtime/hub.ts'
import { createLogger } from '../../src/logger.ts'

/** Bun's topics as the hub uses them (the transport, not our code): subscribers per topic. */
class Topics {
  readonly subscribers = new Map<string, Set<RecordingSocket>>()
  publish(topic: string, text: string, except?: RecordingSocket) {
    for (const socket of this.subscribers.get(topic) ?? []) if (socket !== except) socket.send(text)
  }
}

/** The socket under a connection: records what the hub sends. */
class RecordingSocket implements Socket {
  readonly sent: any[] = []
  closedWith: number | null = null
  constructor(private readonly topics = new Topics()) {}
  send(text: string) {
    this.sent.push(JSON.parse(text))
  }
  close(code?: number) {
    this.closedWith = code ?? null
  }
  subscribe(topic: string) {
    if (!this.topics.subscribers.has(topic)) this.topics.subscribers.set(topic, new Set())
    this.topics.subscribers.get(topic)!.add(this)
  }
  unsubscribe(topic: string) {
    this.topics.subscribers.get(topic)?.delete(this)
  }
  publish(topic: string, text: string) {
    this.topics.publish(topic, text, this)
  }
}

const user = (id: string): AuthUser => ({ id, name: id, role: 'customer', staffProfile: null, staffModules: null })
const session = (id: string, validForMs = 3600_000) => ({ user: user(id), expiresAt: Date.now() + validForMs })

function hubWithRooms() {
  const hub = new Hub(createLogger('silent'), async () => null)
  const topics = new Topics()
  hub.attachServer(topics)
  const left: string[] = []
  // Only users whose id starts with the room id may enter (stand-in for "the ticket's customer").
  hub.registerChannelKind(
    'room',
    async (member, id) => member.id.startsWith(id),
    (member, channel) => left.push(`${member.id}@${channel}`),
  )
  const connect = (id: string) => {
    const socket = new RecordingSocket(topics)
    return { socket, connection: hub.connect(`c-${id}-${Math.random()}`, socket, session(id)) }
  }
  return { hub, left, connect }
}

describe('hub channels', () => {
  test('membership is checked by the channel kind; unknown kinds are refused', async () => {
    const { hub, connect } = hubWithRooms()
    const { connection } = connect('a1')
    await hub.join(connection.id, 'room:a')
    await expect(hub.join(connection.id, 'room:b')).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(hub.join(connection.id, 'ticket:a')).rejects.toMatchObject({ code: 'INVALID_CHANNEL' })
    await expect(hub.join(connection.id, 'nocolon')).rejects.toMatchObject({ code: 'INVALID_CHANNEL' })
    expect([...connection.channels]).toEqual(['room:a'])
  })

  test('a socket receives only the events of channels it is in', async () => {
    const { hub, connect } = hubWithRooms()
    const inside = connect('a1')
    const sender = connect('a2')
    const outside = connect('b1')
    await hub.join(inside.connection.id, 'room:a')
    await hub.join(sender.connection.id, 'room:a')
    await hub.join(outside.connection.id, 'room:b')
    hub.publish('room:a', 'message_received', { text: 'hi' }, sender.connection.id)
    expect(inside.socket.sent).toEqual([{ type: 'message_received', data: { text: 'hi' } }])
    expect(sender.socket.sent).toEqual([])
    expect(outside.socket.sent).toEqual([])
  })

  test('presence lists distinct users; the kind hears of a user once their last connection left', async () => {
    const { hub, left, connect } = hubWithRooms()
    const phone = connect('a1')
    const laptop = hub.connect('c-a1-laptop', new RecordingSocket(), session('a1'))
    const friend = connect('a2')
    expect(await hub.join(phone.connection.id, 'room:a')).toBe(true)
    expect(await hub.join(laptop.id, 'room:a')).toBe(false)
    expect(await hub.join(friend.connection.id, 'room:a')).toBe(true)
    expect(await hub.presence('room:a')).toEqual([
      { userId: 'a1', name: 'a1' },
      { userId: 'a2', name: 'a2' },
    ])
    hub.disconnect(friend.connection.id)
    await Bun.sleep(0)
    expect(left).toEqual(['a2@room:a'])
    expect(await hub.presence('room:a')).toEqual([{ userId: 'a1', name: 'a1' }])
    hub.leave(phone.connection.id, 'room:a')
    hub.leave(phone.connection.id, 'room:a')
    await Bun.sleep(0)
    // The laptop is still in the room: a1 has not left.
    expect(left).toEqual(['a2@room:a'])
    expect(await hub.presence('room:a')).toEqual([{ userId: 'a1', name: 'a1' }])
    hub.disconnect(laptop.id)
    await Bun.sleep(0)
    expect(left).toEqual(['a2@room:a', 'a1@room:a'])
    expect(await hub.presence('room:a')).toEqual([])
  })

  test('sendToUser reaches every connection of that user', () => {
    const { hub, connect } = hubWithRooms()
    const first = connect('u1')
    const second = connect('u1')
    const other = connect('u2')
    hub.sendToUser('u1', 'notification', { title: 'Hello' })
    expect(first.socket.sent).toEqual([{ type: 'notification', data: { title: 'Hello' } }])
    expect(second.socket.sent).toHaveLength(1)
    expect(other.socket.sent).toHaveLength(0)
  })
})

describe('hub connections', () => {
  test('a connection is closed (4401) when its access token expires', async () => {
    const hub = new Hub(createLogger('silent'), async () => null)
    const expiring = new RecordingSocket()
    const lasting = new RecordingSocket()
    hub.connect('short', expiring, session('u1', 50))
    hub.connect('long', lasting, session('u2'))
    await Bun.sleep(120)
    expect(expiring.closedWith).toBe(4401)
    expect(lasting.closedWith).toBeNull()
  })
})
