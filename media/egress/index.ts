import type { Logger } from '../../src/logger.ts'
import type { MediaRooms } from '../rooms.ts'
import { RoomEgress, type EgressFormat, type EgressStats, type EndedPart } from './room-egress.ts'

/** Every running egress (recordings, HLS) of this process, stopped cleanly on shutdown. */
export class Egresses {
  readonly stats: EgressStats = { ffmpegRestarts: 0 }
  private readonly running = new Set<RoomEgress>()

  constructor(
    private readonly rooms: MediaRooms,
    private readonly ffmpegPath: string,
    private readonly logger: Logger,
  ) {}

  get count(): number {
    return this.running.size
  }

  /** Starts sending the room (now, or whenever it opens) through ffmpeg into dir. */
  start(roomName: string, dir: string, format: EgressFormat, onGaveUp?: () => void): RoomEgress {
    const egress = new RoomEgress(this.rooms, roomName, { ffmpegPath: this.ffmpegPath, dir, format, logger: this.logger, stats: this.stats, onGaveUp })
    this.running.add(egress)
    egress.start()
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
