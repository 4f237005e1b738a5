import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import type { RtpCapabilities, RtpParameters } from 'mediasoup/types'
import { mediaSources, type MediaGrant } from '../../media/access.ts'
import { MediaRoomError, type MediaRoom, type PeerLink } from '../../media/index.ts'
import { MediaRooms } from '../../media/rooms.ts'
import { WorkerPool } from '../../media/workers.ts'
import { createLogger } from '../../src/logger.ts'
import { waitFor } from '../helpers/browser.ts'
import { freeMediaPorts } from '../helpers/server-process.ts'

// Real workers; transports are never connected, which mediasoup allows for producing and
// consuming, so room logic is tested without a browser (Chromium tests cover real media).
let pool: WorkerPool
let rooms: MediaRooms
const everything: MediaGrant = { canPublish: [...mediaSources] }
let roomCounter = 0
let room: MediaRoom

const videoParameters = (ssrc: number): RtpParameters => ({
  codecs: [
    {
      mimeType: 'video/VP8',
      payloadType: 101,
      clockRate: 90000,
      rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }],
    },
  ],
  encodings: [{ ssrc }],
})
const audioParameters = (ssrc: number): RtpParameters => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc }],
})

beforeAll(async () => {
  pool = new WorkerPool({
    count: 2,
    listenIp: '127.0.0.1',
    basePort: await freeMediaPorts(2),
    logger: createLogger('silent'),
  })
  await pool.start()
  rooms = new MediaRooms(pool, { emptyGraceMs: 100, keyFrameRequestDelayMs: 0 })
})
afterAll(() => pool.close())
beforeEach(() => {
  room = rooms.open(`demo:room-${++roomCounter}`)
})

/** Groups as the WebSocket's native topics keep them (the transport, not our code). */
const groups = new Map<string, Set<RecordingLink>>()

/** A peer's client: records what reaches it directly or through its groups. */
class RecordingLink implements PeerLink {
  readonly events: Array<{ type: string; data: any }> = []
  send(type: string, data: unknown) {
    this.events.push({ type, data })
  }
  listen(group: string, listening: boolean) {
    if (!groups.has(group)) groups.set(group, new Set())
    if (listening) groups.get(group)!.add(this)
    else groups.get(group)!.delete(this)
  }
  sendToOthers(group: string, type: string, data: unknown) {
    for (const listener of groups.get(group) ?? []) if (listener !== this) listener.send(type, data)
  }
}

/** A peer with its notifications recorded. */
async function joinPeer(name: string, grant: MediaGrant = everything) {
  const link = new RecordingLink()
  const joined = await room.join({ id: `usr_${name}`, name }, grant, link)
  return { ...joined, events: link.events, caps: joined.routerRtpCapabilities as RtpCapabilities }
}

async function publishVideo(peerId: string, ssrc = 1111) {
  const { transportId } = await room.createTransport(peerId, 'send')
  return room.produce(peerId, transportId, 'video', videoParameters(ssrc), 'camera')
}

const loadOf = async (index: number) => (await pool.stats())[index]!

describe('placement', () => {
  test('peers are spread over the least-loaded workers', async () => {
    const peers = [await joinPeer('a'), await joinPeer('b'), await joinPeer('c'), await joinPeer('d')]
    const workers = room.placement().map((peer) => peer.worker)
    expect(workers.filter((w) => w === 0)).toHaveLength(2)
    expect(workers.filter((w) => w === 1)).toHaveLength(2)
    for (const peer of peers) room.leave(peer.peerId)
  })
})

describe('piping between workers', () => {
  test('a producer is piped once to each other router that has consumers, and not at all within one router', async () => {
    const teacher = await joinPeer('teacher') // worker 0
    const far1 = await joinPeer('far1') // worker 1
    const near = await joinPeer('near') // worker 0 again (load now equal)
    const far2 = await joinPeer('far2') // worker 1
    const placement = Object.fromEntries(room.placement().map((peer) => [peer.userId, peer.worker]))
    expect(placement.usr_teacher).toBe(placement.usr_near!)
    expect(placement.usr_far1).toBe(placement.usr_far2!)
    expect(placement.usr_teacher).not.toBe(placement.usr_far1!)

    const { producerId } = await publishVideo(teacher.peerId)
    expect(
      far1.events.some(
        (e) => e.type === 'media:newProducer' && e.data.producerId === producerId && e.data.source === 'camera',
      ),
    ).toBe(true)

    const transportsBefore = (await loadOf(placement.usr_teacher!)).transports
    for (const viewer of [far1, far2, near]) {
      await room.createTransport(viewer.peerId, 'recv')
      const consumed = await room.consume(viewer.peerId, producerId, viewer.caps)
      expect(consumed).toMatchObject({
        producerId,
        kind: 'video',
        source: 'camera',
        peerId: teacher.peerId,
        producerPaused: false,
      })
      await room.resumeConsumer(viewer.peerId, consumed.consumerId)
    }
    // far1 and far2 share one pipe transport pair; near needs none. +1 recv transport for near.
    const sourceWorker = await loadOf(placement.usr_teacher!)
    const viewerWorker = await loadOf(placement.usr_far1!)
    expect(sourceWorker.transports - transportsBefore).toBe(2)
    expect(viewerWorker.consumers).toBeGreaterThanOrEqual(2)
    expect(viewerWorker.producers).toBeGreaterThanOrEqual(1) // the piped copy of the teacher's producer

    room.closeProducer(teacher.peerId, producerId)
    await waitFor(
      'producerClosed at every viewer',
      async () => [far1, far2, near].every((v) => v.events.some((e) => e.type === 'media:producerClosed')),
      (ok) => ok,
      3000,
    )
  })
})

describe('grants and bad requests', () => {
  test('publishing needs a grant for the source', async () => {
    const viewer = await joinPeer('viewer', { canPublish: [] })
    await expect(room.createTransport(viewer.peerId, 'send')).rejects.toMatchObject({ code: 'FORBIDDEN' })

    const speaker = await joinPeer('speaker', { canPublish: ['microphone'] })
    const { transportId } = await room.createTransport(speaker.peerId, 'send')
    await expect(
      room.produce(speaker.peerId, transportId, 'video', videoParameters(5), 'camera'),
    ).rejects.toMatchObject({ code: 'FORBIDDEN' })
    await expect(
      room.produce(speaker.peerId, transportId, 'audio', audioParameters(6), 'camera'),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
    await room.produce(speaker.peerId, transportId, 'audio', audioParameters(7), 'microphone')
    await expect(
      room.produce(speaker.peerId, transportId, 'audio', audioParameters(8), 'microphone'),
    ).rejects.toMatchObject({ code: 'CONFLICT' })
  })

  test('consuming needs a recv transport and someone else’s existing producer', async () => {
    const alice = await joinPeer('alice')
    const bob = await joinPeer('bob')
    const { producerId } = await publishVideo(alice.peerId)
    await expect(room.consume(bob.peerId, producerId, bob.caps)).rejects.toMatchObject({ code: 'CONFLICT' })
    await room.createTransport(alice.peerId, 'recv')
    await expect(room.consume(alice.peerId, producerId, alice.caps)).rejects.toMatchObject({ code: 'CANNOT_CONSUME' })
    await room.createTransport(bob.peerId, 'recv')
    await expect(room.consume(bob.peerId, 'no-such-producer', bob.caps)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(room.consume(bob.peerId, producerId, { codecs: [] })).rejects.toMatchObject({ code: 'CANNOT_CONSUME' })
    await expect(room.resumeConsumer(bob.peerId, 'nope')).rejects.toBeInstanceOf(MediaRoomError)
    await expect(room.pauseProducer(bob.peerId, producerId)).rejects.toMatchObject({ code: 'NOT_FOUND' })
    await expect(room.createTransport('peer_unknown', 'recv')).rejects.toMatchObject({ code: 'NOT_IN_ROOM' })
  })
})

describe('consuming everything at once', () => {
  test('consumeAll starts a consumer for every producer not consumed yet, across workers, and lists what the device cannot receive', async () => {
    const teacher = await joinPeer('teacher')
    const video = await publishVideo(teacher.peerId)
    const { transportId } = await room.createTransport(teacher.peerId, 'send')
    const audio = await room.produce(teacher.peerId, transportId, 'audio', audioParameters(2222), 'microphone')
    const viewers = [await joinPeer('v1'), await joinPeer('v2')]
    for (const viewer of viewers) {
      await expect(room.consumeAll(viewer.peerId, viewer.caps, false)).rejects.toMatchObject({ code: 'CONFLICT' })
      await room.createTransport(viewer.peerId, 'recv')
      const first = await room.consumeAll(viewer.peerId, viewer.caps, false)
      expect(first.consumers.map((c) => c.producerId).sort()).toEqual([video.producerId, audio.producerId].sort())
      expect(first.consumers.every((c) => c.paused === false && c.peerId === teacher.peerId)).toBe(true)
      expect(first.skipped).toEqual([])
      expect(await room.consumeAll(viewer.peerId, viewer.caps, false)).toEqual({ consumers: [], skipped: [] })
    }
    const loads = await pool.stats()
    expect(loads.every((load) => load.consumers >= 2)).toBe(true) // the viewers sit on both workers

    const audioOnly = await joinPeer('audio-only')
    await room.createTransport(audioOnly.peerId, 'recv')
    const opusOnly = { codecs: audioOnly.caps.codecs!.filter((codec) => codec.mimeType === 'audio/opus') }
    const partial = await room.consumeAll(audioOnly.peerId, opusOnly, true)
    expect(partial.consumers.map((c) => [c.producerId, c.paused])).toEqual([[audio.producerId, true]])
    expect(partial.skipped).toEqual([
      { producerId: video.producerId, code: 'CANNOT_CONSUME', message: expect.any(String) },
    ])
  })
})

describe('joining, leaving and closing', () => {
  test('others hear of joins and leaves; a new peer learns existing producers', async () => {
    const alice = await joinPeer('alice')
    const { producerId } = await publishVideo(alice.peerId)
    const bob = await joinPeer('bob')
    expect(bob.peers.map((p) => p.userId)).toEqual(['usr_alice'])
    expect(bob.producers).toEqual([
      { producerId, peerId: alice.peerId, kind: 'video', source: 'camera', paused: false },
    ])
    const carol = await joinPeer('carol')
    const typesOf = (peer: { events: Array<{ type: string }> }) =>
      peer.events.map((e) => e.type).filter((type) => type.startsWith('media:peer'))
    expect(alice.events.filter((e) => e.type === 'media:peerJoined').map((e) => e.data.userId)).toEqual([
      'usr_bob',
      'usr_carol',
    ])
    expect(typesOf(bob)).toEqual(['media:peerJoined']) // carol; never its own join
    expect(typesOf(carol)).toEqual([])
    room.leave(bob.peerId)
    expect(alice.events.find((e) => e.type === 'media:peerLeft')?.data).toEqual({ peerId: bob.peerId })
    expect(carol.events.filter((e) => e.type === 'media:peerLeft')).toHaveLength(1)
    expect(typesOf(bob)).toEqual(['media:peerJoined']) // gone: hears nothing more
    room.leave(alice.peerId)
    expect(carol.events.filter((e) => e.type === 'media:peerLeft').map((e) => e.data.peerId)).toEqual([
      bob.peerId,
      alice.peerId,
    ])
    room.close('done')
    expect(carol.events.filter((e) => e.type === 'media:roomClosed')).toHaveLength(1)
    expect(alice.events.filter((e) => e.type === 'media:roomClosed')).toHaveLength(0)
  })

  test('an empty room closes after the grace period and frees its routers', async () => {
    const routersBefore = (await pool.stats()).reduce((sum, w) => sum + w.routers, 0)
    const alice = await joinPeer('alice')
    expect((await pool.stats()).reduce((sum, w) => sum + w.routers, 0)).toBe(routersBefore + 1)
    room.leave(alice.peerId)
    expect(room.isClosed).toBe(false)
    await waitFor(
      'room closed',
      async () => room.isClosed,
      (closed) => closed,
      2000,
    )
    expect(rooms.get(room.name)).toBeUndefined()
    await waitFor(
      'routers freed',
      async () => (await pool.stats()).reduce((sum, w) => sum + w.routers, 0),
      (n) => n === routersBefore,
      2000,
    )
  })

  test('closing a room tells everyone and refuses further work', async () => {
    const alice = await joinPeer('alice')
    rooms.close(room.name, 'call ended')
    expect(alice.events.at(-1)).toEqual({ type: 'media:roomClosed', data: { room: room.name, reason: 'call ended' } })
    await expect(room.createTransport(alice.peerId, 'recv')).rejects.toMatchObject({ code: 'NOT_IN_ROOM' })
    await expect(joinPeer('late')).rejects.toMatchObject({ code: 'ROOM_CLOSED' })
    expect(rooms.open(room.name)).not.toBe(room)
  })
})

describe('worker death', () => {
  test('the worker is replaced, its rooms ask peers to reconnect, and the room can be joined again', async () => {
    const alice = await joinPeer('alice')
    const bob = await joinPeer('bob')
    const [aliceWorker] = room
      .placement()
      .filter((p) => p.userId === 'usr_alice')
      .map((p) => p.worker)
    const deadPid = pool.slot(aliceWorker!).worker.pid
    process.kill(deadPid, 'SIGKILL')

    await waitFor(
      'reconnect notices',
      async () => [alice, bob].every((p) => p.events.some((e) => e.type === 'media:reconnect')),
      (ok) => ok,
      3000,
    )
    expect(room.isClosed).toBe(true)
    await waitFor(
      'a replacement worker',
      async () => pool.slot(aliceWorker!).worker,
      (w) => w.pid !== deadPid && !w.died,
      5000,
    )
    await pool.checkAlive()

    room = rooms.open(room.name)
    const again = await joinPeer('alice')
    await publishVideo(again.peerId)
    expect(room.peerCount).toBe(1)
  })
})
