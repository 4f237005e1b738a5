import type { MediaLogger } from '../ports.ts'
import type { MediaRooms } from '../rooms.ts'
import { findBinary } from './ffmpeg.ts'
import { RoomEgress, type EgressFormat, type EgressStats, type EndedPart } from './room-egress.ts'

/**
 * Every running egress (recordings, HLS) of this process: each follows its room as it opens and
 * re-opens (one listener here, however many egresses), and all are stopped cleanly on shutdown.
 */
export class Egresses {
  readonly stats: EgressStats = { ffmpegRestarts: 0 }
  private readonly running = new Set<RoomEgress>()

  constructor(
    private readonly rooms: MediaRooms,
    private readonly ffmpegPath: string,
    private readonly logger: MediaLogger,
  ) {
    rooms.events.on('opened', (room) => {
      for (const egress of this.running) if (egress.roomName === room.name) egress.attach(room)
    })
    rooms.events.on('ending', (name) => {
      for (const egress of this.running) if (egress.roomName === name) egress.roomEnding()
    })
  }

  get count(): number {
    return this.running.size
  }

  /** Whether ffmpeg can be run here; without it nothing is recorded or published as HLS. */
  get available(): boolean {
    return findBinary(this.ffmpegPath) !== null
  }

  /** Starts sending the room (now, or whenever it opens) through ffmpeg into dir. */
  start(roomName: string, dir: string, format: EgressFormat, onGaveUp?: () => void): RoomEgress {
    const egress = new RoomEgress(roomName, {
      ffmpegPath: this.ffmpegPath,
      dir,
      format,
      logger: this.logger,
      stats: this.stats,
      onGaveUp,
    })
    // Opened here if need be: in a cluster the room's peers may all be on other instances.
    egress.attach(this.rooms.open(roomName))
    this.running.add(egress)
    return egress
  }

  async stop(egress: RoomEgress): Promise<EndedPart[]> {
    try {
      return await egress.stop()
    } finally {
      this.running.delete(egress)
    }
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((egress) => this.stop(egress)))
  }
}
