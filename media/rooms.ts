import { EventEmitter } from 'node:events'
import { MediaRoom } from './room.ts'
import type { WorkerPool } from './workers.ts'

export const DEFAULT_EMPTY_GRACE_MS = 30_000

/** Every open media room by name; a room is opened by its first join and forgotten when it closes. */
export class MediaRooms {
  private readonly rooms = new Map<string, MediaRoom>()
  /** `opened` when a room (re)opens by its first join; `ended` when its owner ends it. */
  readonly events = new EventEmitter<{ opened: [MediaRoom]; ended: [name: string] }>()

  constructor(
    private readonly pool: WorkerPool,
    private readonly emptyGraceMs = DEFAULT_EMPTY_GRACE_MS,
  ) {}

  get(name: string): MediaRoom | undefined {
    return this.rooms.get(name)
  }

  open(name: string): MediaRoom {
    const existing = this.rooms.get(name)
    if (existing && !existing.isClosed) return existing
    const room = new MediaRoom({
      name,
      pool: this.pool,
      emptyGraceMs: this.emptyGraceMs,
      onClosed: (closed) => {
        if (this.rooms.get(name) === closed) this.rooms.delete(name)
      },
    })
    this.rooms.set(name, room)
    this.events.emit('opened', room)
    return room
  }

  /** For owners ending a call, stream or class: everyone in it gets media:roomClosed, and its egress stops. */
  close(name: string, reason: string): void {
    this.rooms.get(name)?.close(reason)
    this.events.emit('ended', name)
  }

  closeAll(): void {
    for (const room of [...this.rooms.values()]) room.close('server shutting down')
  }
}
