import { EventEmitter } from 'node:events'
import type { MediaGrant } from './access.ts'
import type { RoomRelay } from './relay.ts'
import { MediaRoom } from './room.ts'
import type { WorkerPool } from './workers.ts'

const DEFAULT_EMPTY_GRACE_MS = 30_000

/** What owners do to a room on every instance at once (a cluster relays it; one instance has none). */
export interface RoomsRelay extends RoomRelay {
  closeEverywhere(room: string, reason: string): void
  setGrantEverywhere(room: string, userId: string, grant: MediaGrant): void
  removeUserEverywhere(room: string, userId: string, reason: string): void
}

/** Every open media room by name; a room is opened by its first join and forgotten when it closes. */
export class MediaRooms {
  private readonly rooms = new Map<string, MediaRoom>()
  /** `opened` when a room (re)opens by its first join; `ending` then `ended` when its owner ends it. */
  readonly events = new EventEmitter<{ opened: [MediaRoom]; ending: [name: string]; ended: [name: string] }>()
  private relay: RoomsRelay | undefined

  private readonly emptyGraceMs: number
  private readonly keyFrameRequestDelayMs: number

  constructor(
    private readonly pool: WorkerPool,
    options: { emptyGraceMs?: number; keyFrameRequestDelayMs: number },
  ) {
    this.emptyGraceMs = options.emptyGraceMs ?? DEFAULT_EMPTY_GRACE_MS
    this.keyFrameRequestDelayMs = options.keyFrameRequestDelayMs
  }

  /** From now on rooms span the cluster's instances. */
  useRelay(relay: RoomsRelay): void {
    this.relay = relay
  }

  get(name: string): MediaRoom | undefined {
    return this.rooms.get(name)
  }

  all(): MediaRoom[] {
    return [...this.rooms.values()]
  }

  open(name: string): MediaRoom {
    const existing = this.rooms.get(name)
    if (existing && !existing.isClosed) return existing
    const room = new MediaRoom({
      name,
      pool: this.pool,
      emptyGraceMs: this.emptyGraceMs,
      keyFrameRequestDelayMs: this.keyFrameRequestDelayMs,
      relay: this.relay,
      onClosed: (closed) => {
        if (this.rooms.get(name) === closed) this.rooms.delete(name)
      },
    })
    this.rooms.set(name, room)
    this.events.emit('opened', room)
    return room
  }

  /** For owners ending a call, stream or class: everyone in it, on every instance, gets media:roomClosed, and its egress stops. */
  close(name: string, reason: string): void {
    this.closeHere(name, reason)
    this.relay?.closeEverywhere(name, reason)
  }

  closeHere(name: string, reason: string): void {
    // Heard before the room closes: its egresses end as finished, not as cut off by a failure.
    this.events.emit('ending', name)
    this.rooms.get(name)?.close(reason)
    this.events.emit('ended', name)
  }

  /** Changes what a user may publish in the room, wherever their peers are. */
  setGrant(name: string, userId: string, grant: MediaGrant): void {
    this.rooms.get(name)?.setGrant(userId, grant)
    this.relay?.setGrantEverywhere(name, userId, grant)
  }

  /** Takes a user out of the room (kicked or banned), wherever their peers are. */
  removeUser(name: string, userId: string, reason: string): void {
    this.rooms.get(name)?.removeUser(userId, reason)
    this.relay?.removeUserEverywhere(name, userId, reason)
  }

  /** At shutdown: this instance's peers go (they reconnect elsewhere); the room lives on on the others. */
  closeAll(): void {
    for (const room of [...this.rooms.values()]) room.close('server shutting down')
  }
}
