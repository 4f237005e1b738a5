import type { Router } from 'mediasoup/types'
import { MediaRoomError } from './errors.ts'
import type { Landing, Remote, RoomRelay, SharedProducer } from './relay.ts'

/** A landing with the remote producer it carries and how many users (consumers, egress taps) it has here. */
export interface HeldLanding extends Landing {
  remote: Remote<SharedProducer>
  users: number
}

/**
 * The remote producers of one room piped into this instance: each piped from its instance once
 * (into the first router that needs it, then across workers like a local one), and unpiped on
 * both ends when its last user here lets go.
 */
export class Landings {
  private readonly landed = new Map<string, Promise<HeldLanding>>()

  constructor(
    private readonly room: string,
    private readonly relay: RoomRelay,
    /** Pipes a producer between two of this instance's routers (once per router). */
    private readonly pipeLocally: (producerId: string, from: Router, to: Router) => Promise<void>,
    /** Forgets those local pipes once the producer is gone. */
    private readonly forgetPipes: (producerId: string) => void,
  ) {}

  /** The remote producer in `router`, counted as used until release(). */
  async hold(remote: Remote<SharedProducer>, router: Router): Promise<HeldLanding> {
    let pending = this.landed.get(remote.producerId)
    if (!pending) {
      pending = this.relay.pipeIn(this.room, remote, router).then((landing) => ({ ...landing, remote, users: 0 }))
      this.landed.set(remote.producerId, pending)
      pending.catch(() => this.landed.delete(remote.producerId))
    }
    const landing = await pending.catch((error: unknown) => {
      throw new MediaRoomError(
        'MEDIA_UNAVAILABLE',
        `The instance holding this producer cannot be reached: ${error instanceof Error ? error.message : String(error)}`,
      )
    })
    landing.users += 1
    try {
      if (landing.router !== router) await this.pipeLocally(remote.producerId, landing.router, router)
    } catch (error) {
      this.release(landing)
      throw error
    }
    return landing
  }

  release(landing: HeldLanding): void {
    landing.users -= 1
    if (landing.users === 0) this.drop(landing.remote.producerId, true)
  }

  setPaused(producerId: string, paused: boolean): void {
    void this.landed.get(producerId)?.then(
      ({ producer }) => (paused ? producer.pause() : producer.resume()),
      () => undefined,
    )
  }

  /** Closes the pipe here (and, when `tellOwner`, its end on the holder's instance: not when the producer closed there). */
  drop(producerId: string, tellOwner: boolean): void {
    const pending = this.landed.get(producerId)
    if (!pending) return
    this.landed.delete(producerId)
    this.forgetPipes(producerId)
    void pending.then(
      (landing) => (tellOwner ? this.relay.release(this.room, landing.remote, landing) : landing.transport.close()),
      () => undefined,
    )
  }

  /** The room is closing here: every holder stops feeding its pipes. */
  dropAll(): void {
    for (const producerId of [...this.landed.keys()]) this.drop(producerId, true)
  }
}
