import type {
  PipeTransport,
  Router,
  RtpParameters,
  SrtpParameters,
  MediaKind,
  TransportListenInfo,
} from 'mediasoup/types'
import type { MediaCluster, MediaLogger } from './ports.ts'
import { Type as T, type Static } from '@sinclair/typebox'
import { mediaSources, type MediaGrant } from './access.ts'
import { RoomChangeSchema, type Landing, type Remote, type RoomChange, type SharedProducer } from './relay.ts'
import type { PeerInfo } from './types.ts'
import type { MediaRooms, RoomsRelay } from './rooms.ts'

export interface PipeNetwork {
  listenIp: string
  announcedIp?: string
  pipePorts: { min: number; max: number }
}

interface PipeEnd {
  ip: string
  port: number
  srtpParameters: SrtpParameters
}

const Name = T.String({ minLength: 1, maxLength: 128 })
const Text = T.String({ maxLength: 500 })
const GrantSchema = T.Object({ canPublish: T.Array(T.Union(mediaSources.map((source) => T.Literal(source)))) })
const PipeOpenRequestSchema = T.Object({
  room: Name,
  producerId: Name,
  ip: T.String({ minLength: 1, maxLength: 64 }),
  port: T.Integer({ minimum: 1, maximum: 65535 }),
  srtpParameters: T.Object({
    cryptoSuite: T.Union(
      (['AEAD_AES_256_GCM', 'AEAD_AES_128_GCM', 'AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32'] as const).map(
        (suite) => T.Literal(suite),
      ),
    ),
    keyBase64: T.String({ maxLength: 128 }),
  }),
})
type PipeOpenRequest = Static<typeof PipeOpenRequestSchema>

interface PipeOpenAnswer extends PipeEnd {
  kind: MediaKind
  rtpParameters: RtpParameters
  paused: boolean
  appData: Record<string, unknown>
}

/** Who is in a room and what they publish, per instance (fields `peer:<id>` and `producer:<id>`). */
const roomKey = (room: string) => `majlis:media:${room}`

/**
 * Media rooms across instances. Each instance announces its part of a room (peers, producers)
 * in Redis and on the cluster bus; an instance whose peer consumes a producer held elsewhere
 * asks the holder for a pipe: two mediasoup PipeTransports, SRTP-protected, one pair per
 * (producer, consuming instance), closed when the last consumer there goes.
 */
export class MediaCascade implements RoomsRelay {
  /** Pipes this instance feeds to others: `<room> <producerId> <instance>`. */
  private readonly feeding = new Map<string, PipeTransport>()

  constructor(
    private readonly cluster: MediaCluster,
    private readonly rooms: MediaRooms,
    private readonly network: PipeNetwork,
    private readonly logger: MediaLogger,
  ) {
    const { bus } = cluster
    bus.on('room:change', T.Object({ room: Name, change: RoomChangeSchema }), ({ room, change }, from) =>
      rooms.get(room)?.applyRemote(change, from),
    )
    bus.on('room:close', T.Object({ room: Name, reason: Text }), ({ room, reason }) => rooms.closeHere(room, reason))
    bus.on('room:grant', T.Object({ room: Name, userId: Name, grant: GrantSchema }), ({ room, userId, grant }) =>
      rooms.get(room)?.setGrant(userId, grant),
    )
    bus.on('room:remove', T.Object({ room: Name, userId: Name, reason: Text }), ({ room, userId, reason }) =>
      rooms.get(room)?.removeUser(userId, reason),
    )
    bus.on('pipe:open', PipeOpenRequestSchema, (request, from) => this.feed(request, from))
    bus.on('pipe:close', T.Object({ room: Name, producerId: Name }), ({ room, producerId }, from) =>
      this.feeding.get(feedKey(room, producerId, from))?.close(),
    )
    cluster.members.on('down', (instance) => {
      for (const room of rooms.all()) room.instanceGone(instance)
      for (const [key, transport] of this.feeding) if (key.endsWith(` ${instance}`)) transport.close()
    })
    cluster.members.on('rejoined', () => {
      for (const room of rooms.all())
        void room
          .resyncRemote()
          .catch((error: Error) =>
            logger.warn('room not resynced after the outage', { room: room.name, err: error.message }),
          )
    })
  }

  async load(room: string) {
    const peers: Array<Remote<PeerInfo>> = []
    const producers: Array<Remote<SharedProducer>> = []
    for (const { instance, field, value } of await this.cluster.hashes.entries(roomKey(room))) {
      if (instance === this.cluster.instanceId) continue
      if (field.startsWith('peer:')) peers.push({ ...(JSON.parse(value) as PeerInfo), instance })
      else producers.push({ ...(JSON.parse(value) as SharedProducer), instance })
    }
    return { peers, producers }
  }

  /** Shared state first, then the message: an instance that reads the state after the message sees the change. */
  announce(room: string, change: RoomChange): void {
    const { hashes, bus } = this.cluster
    switch (change.type) {
      case 'media:peerJoined':
        hashes.set(roomKey(room), `peer:${change.data.peerId}`, JSON.stringify(change.data))
        break
      case 'media:peerLeft':
        hashes.delete(roomKey(room), `peer:${change.data.peerId}`)
        break
      case 'media:newProducer':
      case 'producerPaused':
        hashes.set(roomKey(room), `producer:${change.data.producerId}`, JSON.stringify(change.data))
        break
      case 'producerClosed':
        hashes.delete(roomKey(room), `producer:${change.data.producerId}`)
        break
    }
    bus.broadcast('room:change', { room, change })
  }

  confirmLive(instances: Iterable<string>): Promise<unknown> {
    return this.cluster.members.whichLive(instances)
  }

  forget(room: string): void {
    this.cluster.hashes.deleteMine(roomKey(room))
  }

  closeEverywhere(room: string, reason: string): void {
    this.cluster.bus.broadcast('room:close', { room, reason })
  }

  setGrantEverywhere(room: string, userId: string, grant: MediaGrant): void {
    this.cluster.bus.broadcast('room:grant', { room, userId, grant })
  }

  removeUserEverywhere(room: string, userId: string, reason: string): void {
    this.cluster.bus.broadcast('room:remove', { room, userId, reason })
  }

  /** The consuming end: a pipe transport here, the holder's answer, then the producer under its own id. */
  async pipeIn(room: string, producer: Remote<SharedProducer>, router: Router): Promise<Landing> {
    const transport = await this.createPipe(router)
    try {
      const answer = await this.cluster.bus.request<PipeOpenAnswer>(producer.instance, 'pipe:open', {
        room,
        producerId: producer.producerId,
        ...this.endOf(transport),
      } satisfies PipeOpenRequest)
      await transport.connect({ ip: answer.ip, port: answer.port, srtpParameters: answer.srtpParameters })
      const landed = await transport.produce({
        id: producer.producerId,
        kind: answer.kind,
        rtpParameters: answer.rtpParameters,
        paused: answer.paused,
        appData: answer.appData,
      })
      return { producer: landed, router, transport }
    } catch (error) {
      transport.close()
      throw error
    }
  }

  release(room: string, producer: Remote<SharedProducer>, landing: Landing): void {
    landing.transport.close()
    this.cluster.bus.sendTo(producer.instance, 'pipe:close', { room, producerId: producer.producerId })
  }

  /** The holding end: a pipe transport on the producer's router, connected back, consuming it. */
  private async feed(request: PipeOpenRequest, from: string): Promise<PipeOpenAnswer> {
    const local = this.rooms.get(request.room)?.localProducer(request.producerId)
    if (!local) throw new Error('no such producer on this instance')
    const key = feedKey(request.room, request.producerId, from)
    this.feeding.get(key)?.close()
    const transport = await this.createPipe(local.router)
    try {
      await transport.connect({ ip: request.ip, port: request.port, srtpParameters: request.srtpParameters })
      const consumer = await transport.consume({ producerId: request.producerId })
      consumer.on('producerclose', () => transport.close())
      this.feeding.set(key, transport)
      transport.observer.once('close', () => {
        if (this.feeding.get(key) === transport) this.feeding.delete(key)
      })
      return {
        ...this.endOf(transport),
        kind: consumer.kind,
        rtpParameters: consumer.rtpParameters,
        paused: consumer.producerPaused,
        appData: local.producer.appData,
      }
    } catch (error) {
      transport.close()
      this.logger.warn('pipe to another instance failed', {
        room: request.room,
        producerId: request.producerId,
        instance: from,
        err: error instanceof Error ? error.message : String(error),
      })
      throw error
    }
  }

  private createPipe(router: Router): Promise<PipeTransport> {
    const listenInfo: TransportListenInfo = {
      protocol: 'udp',
      ip: this.network.listenIp,
      announcedAddress: this.network.announcedIp,
      portRange: this.network.pipePorts,
    }
    return router.createPipeTransport({ listenInfo, enableSrtp: true, enableRtx: true })
  }

  private endOf(transport: PipeTransport): PipeEnd {
    return {
      ip: this.network.announcedIp ?? this.network.listenIp,
      port: transport.tuple.localPort,
      srtpParameters: transport.srtpParameters!,
    }
  }

  /** Other live instances with room to spare, least loaded first: where a full instance sends its clients. */
  async spareInstances(): Promise<Array<{ id: string; url: string }>> {
    return (await this.cluster.members.others())
      .filter((instance) => instance.peers < instance.capacity)
      .map(({ id, url }) => ({ id, url }))
  }

  /** How many pipes this instance feeds to others (for /metrics). */
  get feedCount(): number {
    return this.feeding.size
  }
}

const feedKey = (room: string, producerId: string, instance: string) => `${room} ${producerId} ${instance}`
