import { EventEmitter } from 'node:events'
import type {
  ActiveSpeakerObserver,
  Consumer,
  DtlsParameters,
  MediaKind,
  Producer,
  Router,
  RtpCapabilities,
  RtpParameters,
  WebRtcTransport,
} from 'mediasoup/types'
import { nanoid } from 'nanoid'
import type { MediaGrant, MediaSource, MediaUser } from './access.ts'
import { mediaCodecs } from './codecs.ts'
import { MediaRoomError } from './errors.ts'
import { Landings } from './landings.ts'
import type { Remote, RoomChange, RoomRelay, SharedProducer } from './relay.ts'
import type { PeerInfo, PeerLink } from './types.ts'
import type { WorkerPool, WorkerSlot } from './workers.ts'

export interface ProducerInfo {
  producerId: string
  peerId: string
  kind: MediaKind
  source: MediaSource
  paused: boolean
}

/** A producer an egress taps: the mediasoup producer and the router it is on here. */
export interface RoomProducer {
  producer: Producer
  router: Router
}

/** A producer of the room, here or on another instance, as an egress chooses among them. */
export interface EgressCandidate {
  producerId: string
  kind: MediaKind
  source: MediaSource
  paused: boolean
  mimeType: string
}

export interface MediaRoomEvents {
  /** A producer was added, closed, paused or resumed. */
  producers: []
  closed: []
}

interface Peer extends PeerInfo {
  grant: MediaGrant
  slot: WorkerSlot
  roomRouter: RoomRouter
  link: PeerLink
  transports: Map<string, WebRtcTransport>
  producers: Map<string, Producer>
  consumers: Map<string, Consumer>
}

interface RoomRouter {
  router: Router
  /** Read once: mediasoup's getter clones them on every read, a join's largest cost after consume(). */
  rtpCapabilities: RtpCapabilities
  activeSpeaker: ActiveSpeakerObserver
}

const sourcesOfKind: Record<MediaKind, MediaSource[]> = {
  audio: ['microphone', 'screen-audio'],
  video: ['camera', 'screen'],
}
const MAX_TRANSPORTS_PER_PEER = 4

export interface MediaRoomOptions {
  name: string
  pool: WorkerPool
  /** Called once the room has closed (empty for the grace period, a worker died, or closed by its owner). */
  onClosed(room: MediaRoom): void
  emptyGraceMs: number
  /**
   * The least time between two key frames asked of a publisher's layer (0: as soon as the pending
   * one has arrived); for encoders that answer every request, each key frame being several
   * frames' worth of the publisher's uplink.
   */
  keyFrameRequestDelayMs: number
  relay?: RoomRelay
}

/**
 * One call, stream or class. Each peer gets the router of the least-loaded worker (created on
 * demand), and a producer is piped to another router only when a peer there consumes it, so a
 * large class spreads over every core.
 */
export class MediaRoom {
  readonly name: string
  /** The broadcast group of the room's peers (distinct from every hub channel name, which has no space). */
  private readonly group: string
  private readonly routers = new Map<number, Promise<RoomRouter>>()
  private readonly peers = new Map<string, Peer>()
  private readonly pipes = new Map<string, Promise<void>>()
  private emptyTimer: Timer | undefined
  private closed = false
  readonly events = new EventEmitter<MediaRoomEvents>()
  private readonly remotePeers = new Map<string, Remote<PeerInfo>>()
  private readonly remoteProducers = new Map<string, Remote<SharedProducer>>()
  /** Egresses following the room keep it open here even without a local peer. */
  private holds = 0
  private readonly landings: Landings | undefined
  /** Other instances' part of the room, read once at open; changes meanwhile wait in `early`. */
  private readonly remoteLoaded: Promise<void>
  private early: Array<[RoomChange, string]> | null = []

  constructor(private readonly options: MediaRoomOptions) {
    this.name = options.name
    this.group = `media-room ${options.name}`
    this.landings =
      options.relay &&
      new Landings(
        options.name,
        options.relay,
        (producerId, from, to) => this.pipe(producerId, from, to),
        (producerId) => this.forgetPipes(producerId),
      )
    this.remoteLoaded = this.loadRemote()
    this.armEmptyTimer()
  }

  private async loadRemote(): Promise<void> {
    try {
      const { peers, producers } = (await this.options.relay?.load(this.name)) ?? { peers: [], producers: [] }
      for (const peer of peers) this.remotePeers.set(peer.peerId, peer)
      for (const producer of producers) this.remoteProducers.set(producer.producerId, producer)
    } finally {
      const early = this.early ?? []
      this.early = null
      for (const [change, instance] of early) this.applyRemote(change, instance)
    }
  }

  /** A change on another instance: mirrored here and, for client events, told to this instance's peers. */
  applyRemote(change: RoomChange, instance: string): void {
    if (this.early) return void this.early.push([change, instance])
    switch (change.type) {
      case 'media:peerJoined':
        this.remotePeers.set(change.data.peerId, { ...change.data, instance })
        break
      case 'media:peerLeft':
        this.remotePeers.delete(change.data.peerId)
        break
      case 'media:newProducer': {
        this.remoteProducers.set(change.data.producerId, { ...change.data, instance })
        this.events.emit('producers')
        const { mimeType: _, ...info } = change.data
        this.deliver(change.type, info)
        return
      }
      case 'media:activeSpeaker':
        break
      case 'producerPaused': {
        this.remoteProducers.set(change.data.producerId, { ...change.data, instance })
        this.landings?.setPaused(change.data.producerId, change.data.paused)
        this.events.emit('producers')
        return
      }
      case 'producerClosed':
        this.remoteProducers.delete(change.data.producerId)
        this.landings?.drop(change.data.producerId, false)
        this.events.emit('producers')
        return
    }
    this.deliver(change.type, change.data)
  }

  /**
   * After messages between instances were lost (Redis was away): what the other instances hold
   * now. Missed arrivals and pause changes are applied; a missed departure only for an instance
   * that has written its part again (its entries come back in one transaction), so one still
   * reconnecting is not taken for empty.
   */
  async resyncRemote(): Promise<void> {
    const relay = this.options.relay
    if (!relay || this.closed) return
    await this.remoteLoaded
    const { peers, producers } = await relay.load(this.name)
    const written = new Set([...peers, ...producers].map((entry) => entry.instance))
    const peerIds = new Set(peers.map((peer) => peer.peerId))
    const producerIds = new Set(producers.map((producer) => producer.producerId))
    for (const { instance, ...data } of peers)
      if (!this.remotePeers.has(data.peerId)) this.applyRemote({ type: 'media:peerJoined', data }, instance)
    for (const { instance, ...data } of producers) {
      const known = this.remoteProducers.get(data.producerId)
      if (!known) this.applyRemote({ type: 'media:newProducer', data }, instance)
      else if (known.paused !== data.paused) this.applyRemote({ type: 'producerPaused', data }, instance)
    }
    for (const { producerId, instance } of [...this.remoteProducers.values()])
      if (written.has(instance) && !producerIds.has(producerId))
        this.applyRemote({ type: 'producerClosed', data: { producerId } }, instance)
    for (const { peerId, instance } of [...this.remotePeers.values()])
      if (written.has(instance) && !peerIds.has(peerId))
        this.applyRemote({ type: 'media:peerLeft', data: { peerId } }, instance)
  }

  /** Another instance died: its peers leave the room and its producers close here. */
  instanceGone(instance: string): void {
    for (const producer of [...this.remoteProducers.values()]) {
      if (producer.instance === instance)
        this.applyRemote({ type: 'producerClosed', data: { producerId: producer.producerId } }, instance)
    }
    for (const peer of [...this.remotePeers.values()]) {
      if (peer.instance === instance)
        this.applyRemote({ type: 'media:peerLeft', data: { peerId: peer.peerId } }, instance)
    }
  }

  /** A producer of a peer on this instance, with its router (for a pipe to another instance). */
  localProducer(producerId: string): { producer: Producer; router: Router } | undefined {
    for (const peer of this.peers.values()) {
      const producer = peer.producers.get(producerId)
      if (producer) return { producer, router: peer.roomRouter.router }
    }
    return undefined
  }

  get isClosed(): boolean {
    return this.closed
  }

  get peerCount(): number {
    return this.peers.size
  }

  /** Every producer of the room on this instance, oldest first. */
  liveProducers(): RoomProducer[] {
    return [...this.peers.values()].flatMap((peer) =>
      [...peer.producers.values()].map((producer) => ({ producer, router: peer.roomRouter.router })),
    )
  }

  /** Every producer of the room, on this instance first, then on the others. */
  egressCandidates(): EgressCandidate[] {
    const local = this.liveProducers().map(({ producer }) => ({
      producerId: producer.id,
      kind: producer.kind,
      source: producer.appData.source as MediaSource,
      paused: producer.paused,
      mimeType: producer.rtpParameters.codecs[0]?.mimeType ?? '',
    }))
    const remote = [...this.remoteProducers.values()].map(({ producerId, kind, source, paused, mimeType }) => ({
      producerId,
      kind,
      source,
      paused,
      mimeType,
    }))
    return [...local, ...remote]
  }

  /**
   * A producer for an egress to tap: a local one as it is, a remote one piped in and held until
   * `release` (so its pipe stays while the egress uses it).
   */
  async egressSource(producerId: string): Promise<{ source: RoomProducer; release(): void }> {
    const local = this.localProducer(producerId)
    if (local) return { source: local, release: () => undefined }
    const remote = this.remoteProducers.get(producerId)
    if (!remote) throw new MediaRoomError('NOT_FOUND', 'No such producer in this room')
    const router = await this.anyRouter()
    const landing = await this.landings!.hold(remote, router)
    let released = false
    return {
      source: { producer: landing.producer, router },
      release: () => {
        if (released) return
        released = true
        this.landings!.release(landing)
      },
    }
  }

  /** Keeps the room open here while an egress follows it, local peers or not; call the result to let go. */
  retain(): () => void {
    this.holds += 1
    clearTimeout(this.emptyTimer)
    let released = false
    return () => {
      if (released) return
      released = true
      this.holds -= 1
      this.armEmptyTimer()
    }
  }

  private async anyRouter(): Promise<Router> {
    const [existing] = this.routers.values()
    if (existing) return (await existing).router
    const slot = this.options.pool.placePeer()
    if (!slot) throw new MediaRoomError('MEDIA_UNAVAILABLE', 'The media workers are restarting; try again shortly')
    this.options.pool.releasePeer(slot)
    return (await this.routerOn(slot)).router
  }

  /** The worker index each peer sits on (for tests, stats and the demo). */
  placement(): Array<{ peerId: string; userId: string; worker: number }> {
    return [...this.peers.values()].map((peer) => ({
      peerId: peer.peerId,
      userId: peer.userId,
      worker: peer.slot.index,
    }))
  }

  async join(user: MediaUser, grant: MediaGrant, link: PeerLink) {
    this.assertOpen()
    await this.remoteLoaded.catch(() => {
      throw new MediaRoomError(
        'MEDIA_UNAVAILABLE',
        'The other instances of this room cannot be reached; try again shortly',
      )
    })
    // A killed instance's peers must not be handed to a newcomer in the moment before its heartbeat lapses here.
    await this.options.relay
      ?.confirmLive([...this.remotePeers.values()].map((peer) => peer.instance))
      .catch(() => undefined)
    const slot = this.options.pool.placePeer()
    if (!slot) throw new MediaRoomError('MEDIA_UNAVAILABLE', 'The media workers are restarting; try again shortly')
    let roomRouter: RoomRouter
    try {
      roomRouter = await this.routerOn(slot)
      this.assertOpen()
    } catch (error) {
      this.options.pool.releasePeer(slot)
      throw error
    }
    const peer: Peer = {
      peerId: `peer_${nanoid(16)}`,
      userId: user.id,
      name: user.name,
      grant,
      slot,
      roomRouter,
      link,
      transports: new Map(),
      producers: new Map(),
      consumers: new Map(),
    }
    const others = [...this.peers.values()]
    this.peers.set(peer.peerId, peer)
    clearTimeout(this.emptyTimer)
    this.broadcast({ type: 'media:peerJoined', data: this.peerInfo(peer) }, peer.peerId)
    link.listen(this.group, true)
    return {
      peerId: peer.peerId,
      grant,
      routerRtpCapabilities: roomRouter.rtpCapabilities,
      peers: [
        ...others.map((other) => this.peerInfo(other)),
        ...[...this.remotePeers.values()].map(({ instance: _, ...info }) => info),
      ],
      producers: [
        ...others.flatMap((other) =>
          [...other.producers.values()].map((producer) => this.producerInfo(other, producer)),
        ),
        ...[...this.remoteProducers.values()].map(({ instance: _, mimeType: __, ...info }) => info),
      ],
    }
  }

  leave(peerId: string): void {
    const peer = this.peers.get(peerId)
    if (!peer) return
    this.peers.delete(peerId)
    peer.link.listen(this.group, false)
    this.options.pool.releasePeer(peer.slot)
    for (const transport of peer.transports.values()) transport.close()
    this.broadcast({ type: 'media:peerLeft', data: { peerId } })
    this.armEmptyTimer()
  }

  async createTransport(peerId: string, direction: 'send' | 'recv') {
    const peer = this.peer(peerId)
    if (direction === 'send' && peer.grant.canPublish.length === 0) {
      throw new MediaRoomError('FORBIDDEN', 'Your grant in this room does not allow publishing')
    }
    if (peer.transports.size >= MAX_TRANSPORTS_PER_PEER)
      throw new MediaRoomError('CONFLICT', 'Too many transports for one peer')
    const transport = await peer.roomRouter.router.createWebRtcTransport({
      webRtcServer: peer.slot.webRtcServer,
      enableUdp: true,
      enableTcp: true,
      preferUdp: true,
      appData: { peerId, direction },
    })
    peer.transports.set(transport.id, transport)
    transport.observer.once('close', () => peer.transports.delete(transport.id))
    return {
      transportId: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    }
  }

  async connectTransport(peerId: string, transportId: string, dtlsParameters: DtlsParameters): Promise<void> {
    const transport = this.transport(peerId, transportId)
    // Marked before the await, so two connects racing each other also get one CONFLICT.
    if (transport.appData.connectCalled) throw new MediaRoomError('CONFLICT', 'This transport is already connected')
    transport.appData.connectCalled = true
    await transport.connect({ dtlsParameters }).catch((error: unknown) => {
      transport.appData.connectCalled = false
      throw error
    })
  }

  /** What the peer's router accepts (the same codecs on every worker). */
  routerCapabilitiesOf(peerId: string): RtpCapabilities {
    return this.peer(peerId).roomRouter.rtpCapabilities
  }

  /**
   * Calls back once, when the transport's DTLS closes or fails or ICE gives up: how a peer without
   * a socket (a WHIP publisher) is noticed to have gone.
   */
  onTransportLost(peerId: string, transportId: string, lost: () => void): void {
    const transport = this.transport(peerId, transportId)
    let gone = false
    const check = (state: string) => {
      if (gone || !['closed', 'failed', 'disconnected'].includes(state)) return
      gone = true
      lost()
    }
    transport.on('dtlsstatechange', check)
    transport.on('icestatechange', check)
  }

  async restartIce(peerId: string, transportId: string) {
    return { iceParameters: await this.transport(peerId, transportId).restartIce() }
  }

  async produce(
    peerId: string,
    transportId: string,
    kind: MediaKind,
    rtpParameters: RtpParameters,
    source: MediaSource,
  ) {
    const peer = this.peer(peerId)
    const transport = this.transport(peerId, transportId)
    if (transport.appData.direction !== 'send') throw new MediaRoomError('CONFLICT', 'Produce on a send transport')
    if (!sourcesOfKind[kind].includes(source))
      throw new MediaRoomError('CONFLICT', `A ${kind} track cannot be the ${source} source`)
    if (!peer.grant.canPublish.includes(source))
      throw new MediaRoomError('FORBIDDEN', `Your grant does not allow publishing ${source}`)
    if ([...peer.producers.values()].some((producer) => producer.appData.source === source)) {
      throw new MediaRoomError('CONFLICT', `You already publish ${source}; close that producer first`)
    }
    const producer = await transport.produce({
      kind,
      rtpParameters,
      keyFrameRequestDelay: this.options.keyFrameRequestDelayMs,
      appData: { peerId, source },
    })
    peer.producers.set(producer.id, producer)
    producer.observer.once('close', () => {
      peer.producers.delete(producer.id)
      this.forgetPipes(producer.id)
      this.options.relay?.announce(this.name, { type: 'producerClosed', data: { producerId: producer.id } })
      this.events.emit('producers')
    })
    const pausedOrResumed = () => {
      this.options.relay?.announce(this.name, { type: 'producerPaused', data: this.sharedProducer(peer, producer) })
      this.events.emit('producers')
    }
    producer.observer.on('pause', pausedOrResumed)
    producer.observer.on('resume', pausedOrResumed)
    if (kind === 'audio') {
      const { activeSpeaker } = await this.routerOn(peer.slot)
      await activeSpeaker.addProducer({ producerId: producer.id }).catch(() => undefined)
    }
    this.deliver('media:newProducer', this.producerInfo(peer, producer), peerId)
    this.options.relay?.announce(this.name, { type: 'media:newProducer', data: this.sharedProducer(peer, producer) })
    this.events.emit('producers')
    return { producerId: producer.id }
  }

  /**
   * A consumer of another peer's producer on this peer's recv transport. Paused by default, for the
   * client to resume once it has set it up; `paused: false` starts it at once (the worker asks the
   * producer for a key frame when the transport connects).
   */
  async consume(peerId: string, producerId: string, rtpCapabilities: RtpCapabilities, paused = true) {
    const peer = this.peer(peerId)
    const owner = [...this.peers.values()].find((candidate) => candidate.producers.has(producerId))
    const producer = owner?.producers.get(producerId)
    const remote = owner ? undefined : this.remoteProducers.get(producerId)
    if (!(owner && producer) && !remote) throw new MediaRoomError('NOT_FOUND', 'No such producer in this room')
    if (owner?.peerId === peerId) throw new MediaRoomError('CANNOT_CONSUME', 'You cannot consume your own producer')
    const transport = this.recvTransport(peer)
    const source = (producer?.appData.source ?? remote!.source) as MediaSource
    const landing = remote ? await this.landings!.hold(remote, peer.roomRouter.router) : undefined
    if (owner && owner.roomRouter !== peer.roomRouter)
      await this.pipe(producerId, owner.roomRouter.router, peer.roomRouter.router)
    // consume() itself finds out whether the device can receive this (a separate canConsume()
    // validated and cloned the capabilities once more, the largest cost of a join).
    const consumer = await transport
      .consume({ producerId, rtpCapabilities, paused, appData: { peerId, source } })
      .catch((error: unknown) => {
        if (landing) this.landings!.release(landing)
        if (error instanceof Error && error.name === 'UnsupportedError')
          throw new MediaRoomError(
            'CANNOT_CONSUME',
            `Your device cannot receive this producer (rtpCapabilities): ${error.message}`,
          )
        throw error
      })
    if (landing) consumer.observer.once('close', () => this.landings!.release(landing))
    peer.consumers.set(consumer.id, consumer)
    consumer.observer.once('close', () => peer.consumers.delete(consumer.id))
    consumer.on('producerclose', () => peer.link.send('media:producerClosed', { producerId, consumerId: consumer.id }))
    consumer.on('layerschange', (layers) =>
      peer.link.send('media:consumerLayersChanged', { consumerId: consumer.id, layers: layers ?? null }),
    )
    return {
      consumerId: consumer.id,
      producerId,
      peerId: owner?.peerId ?? remote!.peerId,
      kind: consumer.kind,
      source,
      rtpParameters: consumer.rtpParameters,
      type: consumer.type,
      producerPaused: consumer.producerPaused,
      paused: consumer.paused,
    }
  }

  /**
   * Every producer of the other peers that this peer does not consume yet, in one go (a viewer's
   * whole join in one message). Producers the device cannot receive are listed, not fatal.
   */
  async consumeAll(peerId: string, rtpCapabilities: RtpCapabilities, paused: boolean) {
    const peer = this.peer(peerId)
    this.recvTransport(peer)
    const consumed = new Set([...peer.consumers.values()].map((consumer) => consumer.producerId))
    const wanted = [...this.peers.values()]
      .filter((other) => other !== peer)
      .flatMap((other) => [...other.producers.keys()])
      .concat([...this.remoteProducers.keys()])
      .filter((producerId) => !consumed.has(producerId))
    const results = await Promise.allSettled(
      wanted.map((producerId) => this.consume(peerId, producerId, rtpCapabilities, paused)),
    )
    const consumers = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []))
    const skipped = results.flatMap((result, i) => {
      if (result.status === 'fulfilled') return []
      if (!(result.reason instanceof MediaRoomError)) throw result.reason
      return [{ producerId: wanted[i]!, code: result.reason.code, message: result.reason.message }]
    })
    return { consumers, skipped }
  }

  private recvTransport(peer: Peer): WebRtcTransport {
    const transport = [...peer.transports.values()].find((candidate) => candidate.appData.direction === 'recv')
    if (!transport) throw new MediaRoomError('CONFLICT', 'Create a recv transport first')
    return transport
  }

  async resumeConsumer(peerId: string, consumerId: string): Promise<void> {
    await this.consumer(peerId, consumerId).resume()
  }

  async setPreferredLayers(
    peerId: string,
    consumerId: string,
    spatialLayer: number,
    temporalLayer?: number,
  ): Promise<void> {
    await this.consumer(peerId, consumerId).setPreferredLayers({ spatialLayer, temporalLayer })
  }

  async pauseProducer(peerId: string, producerId: string): Promise<void> {
    await this.producer(peerId, producerId).pause()
  }

  async resumeProducer(peerId: string, producerId: string): Promise<void> {
    await this.producer(peerId, producerId).resume()
  }

  closeProducer(peerId: string, producerId: string): void {
    this.producer(peerId, producerId).close()
  }

  /** Changes what a user may publish from now on; their producers no longer allowed are closed. */
  setGrant(userId: string, grant: MediaGrant): void {
    for (const peer of this.peers.values()) {
      if (peer.userId !== userId) continue
      peer.grant = grant
      for (const producer of [...peer.producers.values()]) {
        if (!grant.canPublish.includes(producer.appData.source as MediaSource)) producer.close()
      }
      peer.link.send('media:grantChanged', { grant })
    }
  }

  /** Takes a user out (kicked or banned): their transports close, so whatever they consumed or produced stops. */
  removeUser(userId: string, reason: string): void {
    for (const peer of [...this.peers.values()]) {
      if (peer.userId !== userId) continue
      this.leave(peer.peerId)
      peer.link.send('media:removed', { room: this.name, reason })
    }
  }

  /** Ends the room for everyone (its owner ended the call or class). */
  close(reason: string): void {
    this.shutDown('media:roomClosed', { room: this.name, reason })
  }

  /** A worker under the room died: drop everything and ask every peer to join again. */
  private restartAfterWorkerDeath(): void {
    this.shutDown('media:reconnect', { room: this.name, reason: 'media worker restarted' })
  }

  private shutDown(event: string, data: unknown): void {
    if (this.closed) return
    this.closed = true
    clearTimeout(this.emptyTimer)
    const peers = [...this.peers.values()]
    this.peers.clear()
    for (const peer of peers) {
      this.options.pool.releasePeer(peer.slot)
      this.options.relay?.announce(this.name, { type: 'media:peerLeft', data: { peerId: peer.peerId } })
    }
    this.options.relay?.forget(this.name)
    // The holders of piped-in producers would otherwise keep feeding pipes whose far end is gone.
    this.landings?.dropAll()
    for (const pending of this.routers.values())
      void pending.then(
        ({ router }) => router.close(),
        () => undefined,
      )
    for (const peer of peers) {
      peer.link.listen(this.group, false)
      peer.link.send(event, data)
    }
    this.options.onClosed(this)
    this.events.emit('closed')
  }

  private routerOn(slot: WorkerSlot): Promise<RoomRouter> {
    let pending = this.routers.get(slot.index)
    if (!pending) {
      pending = this.createRouter(slot)
      this.routers.set(slot.index, pending)
      pending.catch(() => this.routers.delete(slot.index))
    }
    return pending
  }

  private async createRouter(slot: WorkerSlot): Promise<RoomRouter> {
    if (slot.worker.died || slot.worker.closed)
      throw new MediaRoomError('MEDIA_UNAVAILABLE', 'The media worker is restarting; try again shortly')
    const router = await slot.worker.createRouter({ mediaCodecs, appData: { room: this.name } })
    router.on('workerclose', () => this.restartAfterWorkerDeath())
    const activeSpeaker = await router.createActiveSpeakerObserver()
    activeSpeaker.on('dominantspeaker', ({ producer }) => {
      this.broadcast({
        type: 'media:activeSpeaker',
        data: { peerId: producer.appData.peerId as string, producerId: producer.id },
      })
    })
    return { router, rtpCapabilities: router.rtpCapabilities, activeSpeaker }
  }

  /** Pipes a producer into another router once; later consumers there reuse the pipe. */
  private pipe(producerId: string, from: Router, to: Router): Promise<void> {
    const key = `${producerId}>${to.id}`
    let pending = this.pipes.get(key)
    if (!pending) {
      pending = from.pipeToRouter({ producerId, router: to }).then(() => undefined)
      this.pipes.set(key, pending)
      pending.catch(() => this.pipes.delete(key))
    }
    return pending
  }

  private forgetPipes(producerId: string): void {
    for (const key of this.pipes.keys()) if (key.startsWith(`${producerId}>`)) this.pipes.delete(key)
  }

  private armEmptyTimer(): void {
    clearTimeout(this.emptyTimer)
    if (this.peers.size > 0 || this.holds > 0 || this.closed) return
    this.emptyTimer = setTimeout(
      () => this.shutDown('media:roomClosed', { room: this.name, reason: 'empty' }),
      this.options.emptyGraceMs,
    )
  }

  /**
   * To every peer of the room, or all but `exceptPeerId`. Sent through a peer's link: the excepted
   * peer's own (a topic publish skips its sender), else any peer's, which also gets it directly.
   * A peer that has left no longer listens, so it is left out from then on.
   */
  private broadcast(
    change: Extract<RoomChange, { type: 'media:peerJoined' | 'media:peerLeft' | 'media:activeSpeaker' }>,
    exceptPeerId?: string,
  ): void {
    this.deliver(change.type, change.data, exceptPeerId)
    this.options.relay?.announce(this.name, change)
  }

  /** To this instance's peers of the room. */
  private deliver(type: string, data: unknown, exceptPeerId?: string): void {
    const except = exceptPeerId === undefined ? undefined : this.peers.get(exceptPeerId)
    if (except) {
      except.link.sendToOthers(this.group, type, data)
      return
    }
    const [any] = this.peers.values()
    any?.link.sendToOthers(this.group, type, data)
    any?.link.send(type, data)
  }

  private assertOpen(): void {
    if (this.closed) throw new MediaRoomError('ROOM_CLOSED', 'This media room has closed; join again')
  }

  private peer(peerId: string): Peer {
    const peer = this.peers.get(peerId)
    if (!peer) throw new MediaRoomError('NOT_IN_ROOM', 'Join the room first (media:join)')
    return peer
  }

  private transport(peerId: string, transportId: string): WebRtcTransport {
    const transport = this.peer(peerId).transports.get(transportId)
    if (!transport) throw new MediaRoomError('NOT_FOUND', 'No such transport of yours')
    return transport
  }

  private producer(peerId: string, producerId: string): Producer {
    const producer = this.peer(peerId).producers.get(producerId)
    if (!producer) throw new MediaRoomError('NOT_FOUND', 'No such producer of yours')
    return producer
  }

  private consumer(peerId: string, consumerId: string): Consumer {
    const consumer = this.peer(peerId).consumers.get(consumerId)
    if (!consumer) throw new MediaRoomError('NOT_FOUND', 'No such consumer of yours')
    return consumer
  }

  private peerInfo(peer: Peer): PeerInfo {
    return { peerId: peer.peerId, userId: peer.userId, name: peer.name }
  }

  private sharedProducer(peer: Peer, producer: Producer): SharedProducer {
    return { ...this.producerInfo(peer, producer), mimeType: producer.rtpParameters.codecs[0]?.mimeType ?? '' }
  }

  private producerInfo(peer: Peer, producer: Producer): ProducerInfo {
    return {
      producerId: producer.id,
      peerId: peer.peerId,
      kind: producer.kind,
      source: producer.appData.source as MediaSource,
      paused: producer.paused,
    }
  }
}
