import { Type as T, type Static } from '@sinclair/typebox'
import type { PipeTransport, Producer, Router } from 'mediasoup/types'
import { mediaSources } from './access.ts'
import type { PeerInfo } from './types.ts'

const Id = T.String({ minLength: 1, maxLength: 128 })
const PeerInfoSchema = T.Object({ peerId: Id, userId: Id, name: T.String({ maxLength: 200 }) })
const SharedProducerSchema = T.Object({
  producerId: Id,
  peerId: Id,
  kind: T.Union([T.Literal('audio'), T.Literal('video')]),
  source: T.Union(mediaSources.map((source) => T.Literal(source))),
  paused: T.Boolean(),
  mimeType: T.String({ maxLength: 64 }),
})

/** A producer as the other instances know it: what clients see, plus its codec for their egress. */
export type SharedProducer = Static<typeof SharedProducerSchema>

/** A peer or producer of the room that lives on another instance. */
export type Remote<Info> = Info & { instance: string }

/**
 * A change in this instance's part of a room, for the other instances: the client events every
 * peer sees, and the producer changes their pipes follow.
 */
export const RoomChangeSchema = T.Union([
  T.Object({ type: T.Literal('media:peerJoined'), data: PeerInfoSchema }),
  T.Object({ type: T.Literal('media:peerLeft'), data: T.Object({ peerId: Id }) }),
  T.Object({ type: T.Literal('media:newProducer'), data: SharedProducerSchema }),
  T.Object({ type: T.Literal('media:activeSpeaker'), data: T.Object({ peerId: Id, producerId: Id }) }),
  T.Object({ type: T.Literal('producerPaused'), data: SharedProducerSchema }),
  T.Object({ type: T.Literal('producerClosed'), data: T.Object({ producerId: Id }) }),
])
export type RoomChange = Static<typeof RoomChangeSchema>

/** A remote producer brought into one of this instance's routers over a pipe transport. */
export interface Landing {
  producer: Producer
  router: Router
  transport: PipeTransport
}

/** How a room reaches its part on other instances (media/cascade.ts); a single instance has none. */
export interface RoomRelay {
  /** The room's peers and producers on the other live instances now. */
  load(room: string): Promise<{ peers: Array<Remote<PeerInfo>>; producers: Array<Remote<SharedProducer>> }>
  announce(room: string, change: RoomChange): void
  /** Pipes a remote producer into the router, under the same producer id. */
  pipeIn(room: string, producer: Remote<SharedProducer>, router: Router): Promise<Landing>
  /** The landing is no longer needed here: its pipe closes on both ends. */
  release(room: string, producer: Remote<SharedProducer>, landing: Landing): void
  /** The room closed on this instance: its entries in the shared state go. */
  forget(room: string): void
  /** Makes sure none of these instances is gone unnoticed (one found gone is dropped from every room at once). */
  confirmLive(instances: Iterable<string>): Promise<unknown>
}
