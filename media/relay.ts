import type { PipeTransport, Producer, Router } from 'mediasoup/types'
import type { PeerInfo, ProducerInfo } from './room.ts'

/** A producer as the other instances know it: what clients see, plus its codec for their egress. */
export type SharedProducer = ProducerInfo & { mimeType: string }

/** A peer or producer of the room that lives on another instance. */
export type Remote<Info> = Info & { instance: string }

/**
 * A change in this instance's part of a room, for the other instances: the client events every
 * peer sees, and the producer changes their pipes follow.
 */
export type RoomChange =
  | { type: 'media:peerJoined'; data: PeerInfo }
  | { type: 'media:peerLeft'; data: { peerId: string } }
  | { type: 'media:newProducer'; data: SharedProducer }
  | { type: 'media:activeSpeaker'; data: { peerId: string; producerId: string } }
  | { type: 'producerPaused'; data: SharedProducer }
  | { type: 'producerClosed'; data: { producerId: string } }

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
