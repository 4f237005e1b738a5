import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type Redis from 'ioredis'
import type { RtpCapabilities, RtpParameters } from 'mediasoup/types'
import { mediaSources, type MediaGrant } from '../../media/access.ts'
import { startMedia, type Media } from '../../media/index.ts'
import type { PeerLink } from '../../media/index.ts'
import { Cluster, describeInstance } from '../../src/cluster/index.ts'
import { loadConfig } from '../../src/config.ts'
import { createLogger } from '../../src/logger.ts'
import { waitFor } from '../helpers/browser.ts'
import { startRedis } from '../helpers/redis.ts'
import { freeMediaPorts } from '../helpers/server-process.ts'

// Two instances in one process: real workers, real Redis, the real cascade between them. Their
// transports are never connected (mediasoup allows producing and consuming so), so what is
// checked is the cascade's bookkeeping; the Chromium cluster test covers media on the wire.
let redis: Awaited<ReturnType<typeof startRedis>>
const connections: Redis[] = []
const instances: Array<{ media: Media; cluster: Cluster }> = []
const everything: MediaGrant = { canPublish: [...mediaSources] }

async function startInstance(id: string, pipeBase: number) {
  const config = loadConfig({
    INSTANCE_ID: id,
    MEDIA_WORKERS: '1',
    MEDIA_PORT: String(await freeMediaPorts(1)),
    MEDIA_PIPE_PORTS: `${pipeBase}-${pipeBase + 99}`,
    REDIS_URL: redis.url,
  })
  const logger = createLogger(process.env.DEBUG_CASCADE ? 'debug' : 'silent')
  const media = await startMedia(config, logger, { emptyGraceMs: 100 })
  const connection = redis.client()
  connections.push(connection)
  const cluster = new Cluster(
    connection,
    config,
    describeInstance(config, () => media.pool.occupancy()),
    logger,
  )
  media.joinCluster(cluster)
  await cluster.start()
  const instance = { media, cluster }
  instances.push(instance)
  return instance
}

beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  for (const { media, cluster } of instances) {
    await cluster.close()
    await media.close()
  }
  for (const connection of connections) connection.disconnect()
  await redis?.stop()
})

/** A client of one instance: everything the room sends it (directly or to its group, on that instance). */
function client(groups: Map<string, Set<{ send(type: string, data: unknown): void }>>) {
  const events: Array<{ type: string; data: any }> = []
  const link: PeerLink = {
    send: (type, data) => void events.push({ type, data }),
    listen(group, listening) {
      if (!groups.has(group)) groups.set(group, new Set())
      if (listening) groups.get(group)!.add(link)
      else groups.get(group)!.delete(link)
    },
    sendToOthers(group, type, data) {
      for (const listener of groups.get(group) ?? []) if (listener !== link) listener.send(type, data)
    },
  }
  return { link, events }
}

const user = (name: string) => ({
  id: `usr_${name}`,
  name,
  role: 'customer' as const,
  staffProfile: null,
  staffModules: null,
})
const video: RtpParameters = {
  codecs: [
    { mimeType: 'video/VP8', payloadType: 101, clockRate: 90000, rtcpFeedback: [{ type: 'nack', parameter: 'pli' }] },
  ],
  encodings: [{ ssrc: 1111 }],
}
const audio: RtpParameters = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 2222 }],
}
const fed = (instance: { media: Media }) => instance.media.cascade!.feedCount

describe('a media room across two instances', () => {
  test('producers are piped once per (producer, instance), followed by pause and close, and unpiped when the last consumer there leaves', async () => {
    const a = await startInstance('cascade-a', 47100)
    const b = await startInstance('cascade-b', 47200)
    const [groupsA, groupsB] = [new Map(), new Map()]
    const name = 'demo:cascade'

    const teacher = client(groupsA)
    const roomA = a.media.rooms.open(name)
    const { peerId: teacherPeer } = await roomA.join(user('teacher'), everything, teacher.link)
    const { transportId: sendId } = await roomA.createTransport(teacherPeer, 'send')
    const { producerId: videoId } = await roomA.produce(teacherPeer, sendId, 'video', video, 'camera')
    const { producerId: audioId } = await roomA.produce(teacherPeer, sendId, 'audio', audio, 'microphone')

    const roomB = b.media.rooms.open(name)
    const students = [client(groupsB), client(groupsB)]
    const joined: Array<Awaited<ReturnType<typeof roomB.join>>> = []
    for (const [i, student] of students.entries()) {
      const reply = await roomB.join(user(`student${i}`), { canPublish: [] }, student.link)
      await roomB.createTransport(reply.peerId, 'recv')
      joined.push(reply)
    }
    // B's joiners learn A's teacher and producers; A's teacher hears of B's students.
    expect(joined[0]!.peers.map((peer) => peer.name)).toEqual(['teacher'])
    expect(joined[0]!.producers.map((producer) => producer.producerId).sort()).toEqual([videoId, audioId].sort())
    await waitFor(
      'the students announced on A',
      async () => teacher.events.filter((event) => event.type === 'media:peerJoined').length,
      (count) => count === 2,
    )

    const caps = joined[0]!.routerRtpCapabilities as RtpCapabilities
    const consumer = await roomB.consume(joined[0]!.peerId, videoId, caps)
    expect(consumer).toMatchObject({ producerId: videoId, peerId: teacherPeer, source: 'camera', kind: 'video' })
    expect(consumer.producerPaused).toBe(false)
    expect(fed(a)).toBe(1)

    // Pausing on A pauses the producer as B has it.
    await roomA.pauseProducer(teacherPeer, videoId)
    await waitFor(
      'the pause to reach B',
      async () => roomB.egressCandidates().find((c) => c.producerId === videoId)?.paused,
      (paused) => paused === true,
    )
    const second = await roomB.consume(joined[1]!.peerId, videoId, caps)
    expect(second.producerPaused).toBe(true)
    expect(fed(a)).toBe(1) // the second consumer on B reuses the pipe
    const { consumers } = await roomB.consumeAll(joined[1]!.peerId, caps, false)
    expect(consumers.map((c) => c.producerId)).toEqual([audioId])
    expect(fed(a)).toBe(2)

    // The audio's only consumer on B leaves: its pipe closes on both ends; the video's stays.
    roomB.leave(joined[1]!.peerId)
    await waitFor(
      'the audio pipe to close on A',
      async () => fed(a),
      (count) => count === 1,
    )

    // The teacher stops the camera: B's remaining consumer is told.
    roomA.closeProducer(teacherPeer, videoId)
    await waitFor(
      'media:producerClosed on B',
      async () =>
        students[0]!.events.some((event) => event.type === 'media:producerClosed' && event.data.producerId === videoId),
      Boolean,
    )
    await waitFor(
      'no pipe left',
      async () => fed(a),
      (count) => count === 0,
    )

    // B dies without a word: A drops its peers once B's heartbeat lapses.
    await b.cluster.members.stop() // its key gone at once, as after the TTL
    await waitFor(
      'B’s students gone from A',
      async () => teacher.events.filter((event) => event.type === 'media:peerLeft').length,
      (count) => count === 2,
      10_000,
    )
    expect(roomA.egressCandidates().map((c) => c.producerId)).toEqual([audioId])
  })
})
