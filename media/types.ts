/** The shapes room, relay and landings share, kept in a leaf so that none of them imports another in a circle. */

/**
 * How a room reaches a peer's client: a message to it alone, and a place in a broadcast group
 * (the WebSocket's native topic), so one broadcast is one publish however large the room.
 */
export interface PeerLink {
  send(type: string, data: unknown): void
  /** Starts or stops receiving what is sent to the group. */
  listen(group: string, listening: boolean): void
  /** To every listener of the group but this one. */
  sendToOthers(group: string, type: string, data: unknown): void
}

export interface PeerInfo {
  peerId: string
  userId: string
  name: string
}
