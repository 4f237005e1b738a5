import { Device, type types } from 'mediasoup-client'
import { Listeners } from './listeners.ts'
import { MajlisSocket, RequestError, type SocketOptions, wsEndpoint } from './socket.ts'

export { MajlisSocket, RequestError }

export type MediaSource = 'camera' | 'microphone' | 'screen' | 'screen-audio'

export interface RemoteTrack {
  peerId: string
  producerId: string
  consumerId: string
  kind: 'audio' | 'video'
  source: MediaSource
  track: MediaStreamTrack
}

export interface ConsumerStats {
  peerId: string
  source: MediaSource
  kind: 'audio' | 'video'
  framesDecoded: number
  bytesReceived: number
  /** The size of the last decoded video frame (0 for audio, or before the first frame). */
  frameWidth: number
  frameHeight: number
}

/** What this client sends of one published source, per simulcast layer (outbound-rtp). */
export interface PublisherStats {
  source: MediaSource
  kind: 'audio' | 'video'
  /** The simulcast layer's rid (r0 the smallest), or null for a single encoding. */
  rid: string | null
  bytesSent: number
  framesEncoded: number
  keyFramesEncoded: number
  frameWidth: number
  frameHeight: number
}

/** How one of this client's transports is secured, as the browser negotiated it (getStats). */
export interface TransportSecurity {
  direction: 'send' | 'recv'
  /** e.g. SRTP_AEAD_AES_256_GCM; null until DTLS has finished. */
  srtpCipher: string | null
  dtlsCipher: string | null
  dtlsState: string | null
}

type MediaEvents = {
  track: RemoteTrack
  trackEnded: { peerId: string; producerId: string }
  peerJoined: { peerId: string; userId: string; name: string }
  peerLeft: { peerId: string }
  activeSpeaker: { peerId: string }
  grantChanged: { canPublish: MediaSource[] }
  state: { state: 'joining' | 'joined' | 'reconnecting' | 'left' | 'closed'; reason?: string }
  error: { error: Error }
}

interface TransportParams {
  transportId: string
  iceParameters: types.IceParameters
  iceCandidates: types.IceCandidate[]
  dtlsParameters: types.DtlsParameters
}

interface JoinReply {
  room: string
  peerId: string
  grant: { canPublish: MediaSource[] }
  routerRtpCapabilities: types.RtpCapabilities
  producers: Array<{ producerId: string; peerId: string }>
  recvTransport: TransportParams
}

interface ConsumerReply {
  consumerId: string
  producerId: string
  peerId: string
  kind: types.MediaKind
  source: MediaSource
  rtpParameters: types.RtpParameters
}

/**
 * Simulcast layers for a camera of this height; the SFU forwards the one each viewer can take.
 * Chromium sends at most as many layers as the resolution allows (3 from 540p, 2 from 270p, else
 * 1) and drops the top ones beyond that, so asking a 360p camera for three left viewers on 180p.
 */
export function cameraEncodings(height: number): RTCRtpEncodingParameters[] {
  if (height >= 540) {
    return [
      { rid: 'r0', maxBitrate: 150_000, scaleResolutionDownBy: 4 },
      { rid: 'r1', maxBitrate: 500_000, scaleResolutionDownBy: 2 },
      { rid: 'r2', maxBitrate: 1_500_000 },
    ]
  }
  if (height >= 270) {
    return [
      { rid: 'r0', maxBitrate: 200_000, scaleResolutionDownBy: 2 },
      { rid: 'r1', maxBitrate: 800_000 },
    ]
  }
  return [{ maxBitrate: 300_000 }]
}

/**
 * Joins a Majlis media room: publishes camera (simulcast), microphone or screen, consumes
 * everyone else automatically, and re-joins by itself after `media:reconnect` or a dropped
 * socket, publishing the same tracks again.
 */
export class MajlisMedia {
  readonly socket: MajlisSocket
  private device: Device | null = null
  private sendTransport: types.Transport | null = null
  private recvTransport: types.Transport | null = null
  private room: string | null = null
  private grant: MediaSource[] = []
  private readonly published = new Map<MediaSource, { track: MediaStreamTrack; producer: types.Producer | null }>()
  private readonly consumers = new Map<string, { consumer: types.Consumer; peerId: string; source: MediaSource }>()
  private readonly listeners = new Listeners<MediaEvents>()
  private rejoining: Promise<void> | null = null
  /** Producers announced while a join is under way, consumed once the receive transport exists. */
  private announcedDuringJoin: Set<string> | null = null

  constructor(options: SocketOptions) {
    this.socket = new MajlisSocket(options)
    this.socket.on('media:newProducer', ({ producerId }) => {
      if (this.announcedDuringJoin) this.announcedDuringJoin.add(producerId)
      else void this.consumeAnnounced(producerId)
    })
    this.socket.on('media:producerClosed', ({ producerId }) => {
      this.announcedDuringJoin?.delete(producerId)
      this.dropConsumer(producerId)
    })
    this.socket.on('media:peerJoined', (peer) => this.emit('peerJoined', peer))
    this.socket.on('media:peerLeft', (peer) => this.emit('peerLeft', peer))
    this.socket.on('media:activeSpeaker', ({ peerId }) => this.emit('activeSpeaker', { peerId }))
    this.socket.on('media:grantChanged', ({ grant }) => this.applyGrant(grant.canPublish))
    this.socket.on('media:reconnect', () => void this.rejoin('the media server asked to reconnect'))
    // The owner ended the room, or a moderator took us out of it: nothing to rejoin.
    const closed = ({ reason }: { reason: string }) => {
      this.resetTransports()
      this.room = null
      this.emit('state', { state: 'closed', reason })
    }
    this.socket.on('media:roomClosed', closed)
    this.socket.on('media:removed', closed)
    this.socket.on('reconnected', () => void this.rejoin('the connection was restored'))
  }

  on<E extends keyof MediaEvents>(event: E, listener: (data: MediaEvents[E]) => void): () => void {
    return this.listeners.on(event, listener)
  }

  async join(room: string): Promise<void> {
    if (!this.socket.connected) await this.socket.connect()
    this.room = room
    this.emit('state', { state: 'joining' })
    // The server announces new producers from the moment it has us in the room, before we can receive.
    const announced = new Set<string>()
    this.announcedDuringJoin = announced
    try {
      // The receive transport comes with the join, and one message starts every consumer.
      const joined = await this.joinSomewhere(room)
      this.grant = joined.grant.canPublish
      this.device = await Device.factory()
      await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities })
      this.recvTransport = this.setUpTransport('recv', joined.recvTransport)
      const { consumers, skipped } = await this.socket.request<{
        consumers: ConsumerReply[]
        skipped: Array<{ code: string; message: string }>
      }>('media:consumeAll', {
        rtpCapabilities: this.device.recvRtpCapabilities,
      })
      // Started by the server already (consumeAll's default): nothing to resume. Attached together,
      // mediasoup-client answers them in one renegotiation instead of one each.
      const attached = await Promise.all(consumers.map((reply) => this.attach(reply)))
      for (const [i, reply] of consumers.entries()) this.announceTrack(reply, attached[i]!)
      // As for a single consume: a producer that closed meanwhile is no error, one we cannot receive is.
      for (const { code, message } of skipped)
        if (code !== 'NOT_FOUND') this.emit('error', { error: new RequestError(code, message) })
    } finally {
      this.announcedDuringJoin = null
    }
    // Announced while joining: those consumeAll did not cover yet (consume() skips the others).
    await Promise.all([...announced].map((producerId) => this.consumeAnnounced(producerId)))
    for (const [source, entry] of this.published) entry.producer = await this.produce(entry.track, source)
    this.emit('state', { state: 'joined' })
  }

  /** media:join; an instance that is full names others with room, and we move to the first of them. */
  private async joinSomewhere(room: string): Promise<JoinReply> {
    for (let moves = 0; ; moves++) {
      try {
        return await this.socket.request<JoinReply>('media:join', { room, recvTransport: true })
      } catch (error) {
        const elsewhere =
          error instanceof RequestError && error.code === 'INSTANCE_FULL'
            ? error.details?.instances?.[0]?.url
            : undefined
        if (!elsewhere || moves >= 3) throw error
        await this.socket.moveTo(wsEndpoint(String(elsewhere)))
      }
    }
  }

  async publishCamera(constraints: MediaTrackConstraints = { width: 640, height: 360 }): Promise<MediaStreamTrack> {
    const [track] = (await navigator.mediaDevices.getUserMedia({ video: constraints })).getVideoTracks()
    return this.publish(track!, 'camera')
  }

  async publishMicrophone(): Promise<MediaStreamTrack> {
    const [track] = (await navigator.mediaDevices.getUserMedia({ audio: true })).getAudioTracks()
    return this.publish(track!, 'microphone')
  }

  async publishScreen(): Promise<MediaStreamTrack> {
    const [track] = (await navigator.mediaDevices.getDisplayMedia({ video: true })).getVideoTracks()
    return this.publish(track!, 'screen')
  }

  /** Sends a track as the given source; it is published again after any re-join. */
  async publish(track: MediaStreamTrack, source: MediaSource): Promise<MediaStreamTrack> {
    if (this.published.has(source)) throw new RequestError('CONFLICT', `Already publishing ${source}`)
    const entry: { track: MediaStreamTrack; producer: types.Producer | null } = { track, producer: null }
    this.published.set(source, entry)
    try {
      entry.producer = await this.produce(track, source)
    } catch (error) {
      this.published.delete(source)
      throw error
    }
    return track
  }

  async unpublish(source: MediaSource): Promise<void> {
    const entry = this.published.get(source)
    if (!entry) return
    this.published.delete(source)
    entry.producer?.close()
    entry.track.stop()
    if (entry.producer)
      await this.socket.request('media:closeProducer', { producerId: entry.producer.id }).catch(() => undefined)
  }

  /**
   * Asks for the simulcast layer that fits a tile this many CSS pixels high: a thumbnail takes the
   * smallest, a large view the top one (the SFU still steps down when the network cannot carry it).
   */
  async preferHeight(producerId: string, height: number): Promise<void> {
    const entry = this.consumers.get(producerId)
    if (entry?.consumer.kind !== 'video') return
    const spatialLayer = height <= 200 ? 0 : height <= 400 ? 1 : 2
    await this.socket.request('media:setPreferredLayers', { consumerId: entry.consumer.id, spatialLayer })
  }

  /** The tracks received so far, for a listener that subscribed after the join (`track` events announce later ones). */
  remoteTracks(): Array<{ peerId: string; producerId: string; source: MediaSource; track: MediaStreamTrack }> {
    return [...this.consumers].map(([producerId, { consumer, peerId, source }]) => ({
      peerId,
      producerId,
      source,
      track: consumer.track,
    }))
  }

  /** The track this client publishes as the source (its own camera preview), if it does. */
  localTrack(source: MediaSource): MediaStreamTrack | null {
    return this.published.get(source)?.track ?? null
  }

  /** Decoding figures of every remote track (inbound-rtp), for UIs and tests. */
  async consumerStats(): Promise<ConsumerStats[]> {
    const all: ConsumerStats[] = []
    for (const { consumer, peerId, source } of this.consumers.values()) {
      const report = await consumer.getStats()
      report.forEach((stat) => {
        if (stat.type === 'inbound-rtp') {
          all.push({
            peerId,
            source,
            kind: consumer.kind,
            framesDecoded: stat.framesDecoded ?? 0,
            bytesReceived: stat.bytesReceived ?? 0,
            frameWidth: stat.frameWidth ?? 0,
            frameHeight: stat.frameHeight ?? 0,
          })
        }
      })
    }
    return all
  }

  /** Encoding figures of every published track, layer by layer (outbound-rtp), for UIs and tests. */
  async publisherStats(): Promise<PublisherStats[]> {
    const all: PublisherStats[] = []
    for (const [source, { producer }] of this.published) {
      if (!producer) continue
      const report = await producer.getStats()
      report.forEach((stat) => {
        if (stat.type !== 'outbound-rtp') return
        all.push({
          source,
          kind: producer.kind as 'audio' | 'video',
          rid: stat.rid ?? null,
          bytesSent: stat.bytesSent ?? 0,
          framesEncoded: stat.framesEncoded ?? 0,
          keyFramesEncoded: stat.keyFramesEncoded ?? 0,
          frameWidth: stat.frameWidth ?? 0,
          frameHeight: stat.frameHeight ?? 0,
        })
      })
    }
    return all
  }

  /** The SRTP and DTLS suites of the send and recv transports (for a connection panel, and tests). */
  async transportSecurity(): Promise<TransportSecurity[]> {
    const all: TransportSecurity[] = []
    for (const [direction, transport] of [
      ['send', this.sendTransport],
      ['recv', this.recvTransport],
    ] as const) {
      if (!transport) continue
      const report = await transport.getStats()
      report.forEach((stat) => {
        if (stat.type === 'transport')
          all.push({
            direction,
            srtpCipher: stat.srtpCipher ?? null,
            dtlsCipher: stat.dtlsCipher ?? null,
            dtlsState: stat.dtlsState ?? null,
          })
      })
    }
    return all
  }

  /** Whether the server lets this client publish the source now (a student after being invited to speak). */
  mayPublish(source: MediaSource): boolean {
    return this.grant.includes(source)
  }

  async leave(): Promise<void> {
    this.room = null
    this.resetTransports()
    if (this.socket.connected) await this.socket.request('media:leave').catch(() => undefined)
    this.emit('state', { state: 'left' })
  }

  close(): void {
    for (const entry of this.published.values()) entry.track.stop()
    this.published.clear()
    this.room = null
    this.resetTransports()
    this.socket.close()
  }

  /** The server changed what we may publish (e.g. invited to speak); sources no longer allowed stop. */
  private applyGrant(canPublish: MediaSource[]): void {
    this.grant = canPublish
    for (const [source, entry] of this.published) {
      if (canPublish.includes(source)) continue
      this.published.delete(source)
      entry.producer?.close()
      entry.track.stop()
    }
    this.emit('grantChanged', { canPublish })
  }

  private async produce(track: MediaStreamTrack, source: MediaSource): Promise<types.Producer | null> {
    if (!this.room || !this.device) return null
    if (!this.grant.includes(source))
      throw new RequestError('FORBIDDEN', `Your grant does not allow publishing ${source}`)
    this.sendTransport ??= await this.createTransport('send')
    return this.sendTransport.produce({
      track,
      // Our tracks outlive producers: they are published again after a re-join.
      stopTracks: false,
      encodings: source === 'camera' ? cameraEncodings(track.getSettings().height ?? 360) : undefined,
      codecOptions: track.kind === 'video' ? { videoGoogleStartBitrate: 1000 } : undefined,
      appData: { source },
    })
  }

  /** A producer that closed before we got to it is no error; anything else is reported. */
  private async consumeAnnounced(producerId: string): Promise<void> {
    await this.consume(producerId).catch((error) => {
      if (!(error instanceof RequestError && error.code === 'NOT_FOUND')) this.emit('error', { error })
    })
  }

  private async consume(producerId: string): Promise<void> {
    if (!this.recvTransport || !this.device || this.consumers.has(producerId)) return
    const reply = await this.socket.request<ConsumerReply>('media:consume', {
      producerId,
      rtpCapabilities: this.device.recvRtpCapabilities,
    })
    const consumer = await this.attach(reply)
    await this.socket.request('media:resumeConsumer', { consumerId: reply.consumerId })
    this.announceTrack(reply, consumer)
  }

  /** The local side of a server consumer. */
  private async attach(reply: ConsumerReply): Promise<types.Consumer> {
    const consumer = await this.recvTransport!.consume({
      id: reply.consumerId,
      producerId: reply.producerId,
      kind: reply.kind,
      rtpParameters: reply.rtpParameters,
    })
    this.consumers.set(reply.producerId, { consumer, peerId: reply.peerId, source: reply.source })
    return consumer
  }

  private announceTrack(reply: ConsumerReply, consumer: types.Consumer): void {
    this.emit('track', {
      peerId: reply.peerId,
      producerId: reply.producerId,
      consumerId: consumer.id,
      kind: consumer.kind,
      source: reply.source,
      track: consumer.track,
    })
  }

  private dropConsumer(producerId: string): void {
    const entry = this.consumers.get(producerId)
    if (!entry) return
    this.consumers.delete(producerId)
    entry.consumer.close()
    this.emit('trackEnded', { peerId: entry.peerId, producerId })
  }

  private async createTransport(direction: 'send' | 'recv'): Promise<types.Transport> {
    return this.setUpTransport(
      direction,
      await this.socket.request<TransportParams>('media:createTransport', { direction }),
    )
  }

  private setUpTransport(direction: 'send' | 'recv', params: TransportParams): types.Transport {
    const options = {
      id: params.transportId,
      iceParameters: params.iceParameters,
      iceCandidates: params.iceCandidates,
      dtlsParameters: params.dtlsParameters,
    }
    const transport =
      direction === 'send' ? this.device!.createSendTransport(options) : this.device!.createRecvTransport(options)
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.socket
        .request('media:connectTransport', { transportId: transport.id, dtlsParameters })
        .then(() => callback(), errback)
    })
    transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
      this.socket
        .request('media:produce', { transportId: transport.id, kind, rtpParameters, appData })
        .then(({ producerId }) => callback({ id: producerId }), errback)
    })
    transport.on('connectionstatechange', (state) => {
      if (state === 'failed') void this.rejoin('the media connection failed')
    })
    return transport
  }

  /** Drops local transports and joins the same room again, retrying while the SFU recovers. */
  private rejoin(reason: string): Promise<void> {
    const room = this.room
    if (!room || this.rejoining) return this.rejoining ?? Promise.resolve()
    this.emit('state', { state: 'reconnecting', reason })
    this.resetTransports()
    this.rejoining = (async () => {
      for (let attempt = 0; this.room === room; attempt++) {
        try {
          if (!this.socket.connected) await this.socket.connect()
          await this.join(room)
          return
        } catch {
          this.resetTransports()
          await new Promise((resolve) => setTimeout(resolve, Math.min(3000, 200 * 2 ** attempt)))
        }
      }
    })().finally(() => {
      this.rejoining = null
    })
    return this.rejoining
  }

  private resetTransports(): void {
    for (const producerId of [...this.consumers.keys()]) this.dropConsumer(producerId)
    for (const entry of this.published.values()) entry.producer = null
    this.sendTransport?.close()
    this.recvTransport?.close()
    this.sendTransport = null
    this.recvTransport = null
  }

  private emit<E extends keyof MediaEvents>(event: E, data: MediaEvents[E]): void {
    this.listeners.emit(event, data)
  }
}
