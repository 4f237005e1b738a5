import { t } from 'elysia'
import type { AppMedia } from '../../core.ts'
import { MediaRoomError, WhipOfferError, answerWhipOffer, type MediaRoom, type PeerLink } from '../../../media/index.ts'
import type { Cluster } from '../../cluster/index.ts'
import type { AuthUser } from '../../access/policy.ts'
import { DomainError, conflict, notFound, invalid } from '../../errors/domain.ts'
import { API_PREFIX } from '../../http/paths.ts'
import type { UrlSigner } from '../../access/signed-urls.ts'
import { newId } from '../../ids.ts'
import type { Hub } from '../../realtime/hub.ts'
import { streamRoomName, type StreamRow } from './service.ts'

interface IngestSession {
  id: string
  streamId: string
  hostId: string
  room: MediaRoom
  peerId: string
  /** Ends the host's socketless presence (a host publishing from OBS is there, so the stream goes on). */
  releaseHost(): void
}

/** A stream's ingest sessions on every instance (field: session id). */
const ingestKey = (streamId: string) => `majlis:ingest:${streamId}`

/** The room closing or its worker restarting under a new ingest: try again shortly. */
const mediaUnavailable = (error: unknown): never => {
  if (error instanceof MediaRoomError)
    throw new DomainError(
      'MEDIA_UNAVAILABLE',
      `The media server cannot take the stream right now (${error.message}); try again shortly`,
    )
  throw error
}

const whipPath = (streamId: string) => `${API_PREFIX}/whip/${streamId}`
const keyScope = (streamId: string) => `ingest:${streamId}`

/**
 * Going live from OBS (or any WHIP client): the host's per-stream key authorizes a POST of an SDP
 * offer, which becomes a peer of the stream's media room publishing as the host; viewers consume it
 * like a browser host. One ingest per stream; it ends by DELETE, by its connection dying, or with
 * the stream. While it runs, the host counts as present (the stream does not end for lack of a socket).
 */
export class StreamIngest {
  private readonly sessions = new Map<string, IngestSession>()

  constructor(
    private readonly media: AppMedia | undefined,
    private readonly hub: Hub,
    private readonly signer: UrlSigner,
    private readonly cluster: Cluster | undefined,
  ) {
    media?.rooms.events.on('ended', (room) => {
      for (const session of this.sessions.values()) if (streamRoomName(session.streamId) === room) this.end(session)
    })
    cluster?.bus.on(
      'ingest:stop',
      t.Object({
        streamId: t.String({ minLength: 1, maxLength: 64 }),
        sessionId: t.String({ minLength: 1, maxLength: 64 }),
      }),
      ({ streamId, sessionId }) => {
        this.stop(streamId, sessionId)
        return {}
      },
    )
  }

  /** The host's connection details for OBS: the WHIP URL and the stream key (a bearer token). */
  credentials(stream: StreamRow): { whipPath: string; streamKey: string } {
    return { whipPath: whipPath(stream.id), streamKey: this.signer.keyFor(keyScope(stream.id)) }
  }

  isKeyFor(streamId: string, authorization: string | null): boolean {
    const key = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1]
    return key !== undefined && this.signer.verifyKey(keyScope(streamId), key)
  }

  /** Answers the offer; the host joins the room as a socketless peer publishing camera and microphone. */
  async publish(stream: StreamRow, host: AuthUser, offer: string): Promise<{ sessionId: string; answer: string }> {
    if (!this.media) throw new DomainError('MEDIA_UNAVAILABLE', 'This server runs without its media server')
    if (
      [...this.sessions.values()].some((session) => session.streamId === stream.id) ||
      (await this.sessionsElsewhere(stream.id)).length > 0
    ) {
      throw conflict('INGEST_ACTIVE', 'This stream already receives an ingest; DELETE it first')
    }
    const room = this.media.rooms.open(streamRoomName(stream.id))
    const { peerId } = await room
      .join(host, { canPublish: stream.type === 'video' ? ['camera', 'microphone'] : ['microphone'] }, this.linkFor())
      .catch(mediaUnavailable)
    try {
      const { answer, transportId } = await answerWhipOffer(room, peerId, offer)
      const session: IngestSession = {
        id: newId('whip'),
        streamId: stream.id,
        hostId: host.id,
        room,
        peerId,
        releaseHost: this.hub.holdConnected(host),
      }
      this.sessions.set(session.id, session)
      this.cluster?.hashes.set(ingestKey(stream.id), session.id, host.id)
      room.onTransportLost(peerId, transportId, () => this.end(session))
      room.events.once('closed', () => this.end(session))
      return { sessionId: session.id, answer }
    } catch (error) {
      room.leave(peerId)
      if (error instanceof WhipOfferError) throw invalid('INVALID_SDP', error.message)
      return mediaUnavailable(error)
    }
  }

  stop(streamId: string, sessionId: string): void {
    const session = this.sessions.get(sessionId)
    if (!session || session.streamId !== streamId) throw notFound('Ingest session')
    this.end(session)
  }

  /** Ends the session here, or on the instance that holds it. */
  async stopAnywhere(streamId: string, sessionId: string): Promise<void> {
    if (this.sessions.has(sessionId)) return this.stop(streamId, sessionId)
    const holder = (await this.sessionsElsewhere(streamId)).find((entry) => entry.field === sessionId)
    if (!holder) throw notFound('Ingest session')
    await this.cluster!.bus.request(holder.instance, 'ingest:stop', { streamId, sessionId })
  }

  /** The stream's ingest sessions on other live instances. */
  private async sessionsElsewhere(streamId: string) {
    if (!this.cluster) return []
    return (await this.cluster.hashes.entries(ingestKey(streamId))).filter(
      (entry) => entry.instance !== this.cluster!.instanceId,
    )
  }

  private end(session: IngestSession): void {
    if (!this.sessions.delete(session.id)) return
    session.releaseHost()
    this.cluster?.hashes.delete(ingestKey(session.streamId), session.id)
    session.room.leave(session.peerId)
  }

  /** A WHIP peer has no socket: what the room tells it is dropped, what it tells others goes out through the hub. */
  private linkFor(): PeerLink {
    return {
      send: () => undefined,
      listen: () => undefined,
      sendToOthers: (group, type, data) => this.hub.publishToGroup(group, type, data),
    }
  }
}
