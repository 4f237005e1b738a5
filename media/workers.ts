import { createWorker } from 'mediasoup'
import type { WebRtcServer, Worker } from 'mediasoup/types'
import type { MediaLogger } from './ports.ts'

export interface WorkerPoolOptions {
  count: number
  listenIp: string
  announcedIp?: string
  /** Worker i's WebRtcServer listens on basePort + i, UDP and TCP. */
  basePort: number
  logger: MediaLogger
  /** Defaults to the binary media/build/ installs into the mediasoup package. */
  workerBin?: string
  /** Room participants one worker takes; a full pool refuses new ones (INSTANCE_FULL). */
  maxPeersPerWorker?: number
}

/** Live counts of what runs on one worker, kept from mediasoup's observer events. */
interface WorkerLoad {
  /** Room participants placed here; counted at join, before their transports exist. */
  peers: number
  routers: number
  transports: number
  producers: number
  consumers: number
}

export interface WorkerSlot {
  index: number
  worker: Worker
  webRtcServer: WebRtcServer
  load: WorkerLoad
}

export interface WorkerStats extends WorkerLoad {
  index: number
  pid: number
  alive: boolean
  /** User + system CPU time of the worker process since it started, in milliseconds. */
  cpuMs: number
}

const emptyLoad = (): WorkerLoad => ({ peers: 0, routers: 0, transports: 0, producers: 0, consumers: 0 })

/**
 * MEDIA_WORKERS mediasoup workers, one WebRtcServer each. A worker that dies is replaced on
 * the same index and port; the rooms that had a router on it restart themselves.
 */
export class WorkerPool {
  private readonly slots: WorkerSlot[] = []
  private closed = false

  constructor(private readonly options: WorkerPoolOptions) {}

  async start(): Promise<void> {
    for (let index = 0; index < this.options.count; index++) this.slots.push(await this.spawn(index))
    this.options.logger.info('media workers ready', {
      workers: this.slots.map((slot) => ({ index: slot.index, pid: slot.worker.pid })),
    })
  }

  /**
   * Picks the live worker with the least work for a new peer and counts the peer there;
   * consumers weigh most, as they are the bulk of an SFU's work. Null while none is alive.
   */
  placePeer(): WorkerSlot | null {
    const score = (load: WorkerLoad) => load.consumers * 4 + load.peers * 2 + load.producers * 2 + load.transports
    const live = this.slots.filter((slot) => !slot.worker.died && !slot.worker.closed)
    const best = live.reduce<WorkerSlot | null>(
      (chosen, slot) => (!chosen || score(slot.load) < score(chosen.load) ? slot : chosen),
      null,
    )
    if (best) best.load.peers += 1
    return best
  }

  /** Room participants placed here now, and how many this instance takes. */
  occupancy(): { peers: number; capacity: number } {
    const peers = this.slots.reduce((sum, slot) => sum + slot.load.peers, 0)
    return { peers, capacity: this.slots.length * (this.options.maxPeersPerWorker ?? Number.MAX_SAFE_INTEGER) }
  }

  get isFull(): boolean {
    const { peers, capacity } = this.occupancy()
    return peers >= capacity
  }

  releasePeer(slot: WorkerSlot): void {
    slot.load.peers = Math.max(0, slot.load.peers - 1)
  }

  slot(index: number): WorkerSlot {
    const slot = this.slots[index]
    if (!slot) throw new Error(`no media worker ${index}`)
    return slot
  }

  async stats(): Promise<WorkerStats[]> {
    return Promise.all(
      this.slots.map(async (slot) => {
        const alive = !slot.worker.closed && !slot.worker.died
        const usage = alive ? await slot.worker.getResourceUsage().catch(() => null) : null
        return {
          index: slot.index,
          pid: slot.worker.pid,
          alive,
          cpuMs: usage ? usage.ru_utime + usage.ru_stime : 0,
          ...slot.load,
        }
      }),
    )
  }

  /** Rejects when a worker is down (for /health/ready); a replacement is normally up within a second. */
  async checkAlive(): Promise<void> {
    const down = this.slots.filter((slot) => slot.worker.closed || slot.worker.died)
    if (down.length > 0) throw new Error(`media worker(s) ${down.map((slot) => slot.index).join(', ')} down`)
    await Promise.all(this.slots.map((slot) => slot.worker.getResourceUsage()))
  }

  close(): void {
    this.closed = true
    for (const slot of this.slots) slot.worker.close()
  }

  private async spawn(index: number): Promise<WorkerSlot> {
    const { listenIp, announcedIp, basePort, workerBin } = this.options
    const worker = await createWorker({ logLevel: 'warn', workerBin, appData: { index } })
    const port = basePort + index
    const webRtcServer = await worker.createWebRtcServer({
      listenInfos: [
        { protocol: 'udp', ip: listenIp, announcedAddress: announcedIp, port },
        { protocol: 'tcp', ip: listenIp, announcedAddress: announcedIp, port },
      ],
    })
    const slot: WorkerSlot = { index, worker, webRtcServer, load: emptyLoad() }
    this.trackLoad(slot)
    worker.on('died', (error) => void this.replace(slot, error))
    return slot
  }

  private async replace(dead: WorkerSlot, error: Error): Promise<void> {
    if (this.closed) return
    this.options.logger.error('media worker died; replacing it', {
      index: dead.index,
      pid: dead.worker.pid,
      err: error.message,
    })
    for (let attempt = 1; ; attempt++) {
      try {
        const slot = await this.spawn(dead.index)
        this.slots[dead.index] = slot
        this.options.logger.info('media worker replaced', { index: slot.index, pid: slot.worker.pid })
        return
      } catch (spawnError) {
        if (this.closed || attempt >= 5) throw spawnError
        await Bun.sleep(200 * attempt)
      }
    }
  }

  private trackLoad({ worker, load }: WorkerSlot): void {
    const track = (key: keyof WorkerLoad, observer: { once(event: 'close', listener: () => void): unknown }) => {
      load[key] += 1
      observer.once('close', () => (load[key] -= 1))
    }
    worker.observer.on('newrouter', (router) => {
      track('routers', router.observer)
      router.observer.on('newtransport', (transport) => {
        track('transports', transport.observer)
        transport.observer.on('newproducer', (producer) => track('producers', producer.observer))
        transport.observer.on('newconsumer', (consumer) => track('consumers', consumer.observer))
      })
    })
  }
}
