import type { Static, TSchema } from '@sinclair/typebox'

/**
 * What the SFU needs from the process that embeds it, as small structural interfaces: media
 * imports nothing of the application, and the application's logger, config and cluster fit these.
 */
export interface MediaLogger {
  debug(message: string, fields?: Record<string, unknown>): void
  info(message: string, fields?: Record<string, unknown>): void
  warn(message: string, fields?: Record<string, unknown>): void
  error(message: string, fields?: Record<string, unknown>): void
}

export interface MediaSettings {
  workers: number
  listenIp: string
  announcedIp?: string
  port: number
  /** UDP ports of the pipe transports that carry media between instances. */
  pipePorts: { min: number; max: number }
  /** Room participants per worker this instance takes; beyond it a join is refused with INSTANCE_FULL. */
  maxPeersPerWorker: number
  keyFrameRequestDelayMs: number
}

/** The part of the server's configuration the SFU reads. */
export interface MediaConfig {
  media: MediaSettings
  ffmpeg: { path: string }
  /** Production refuses the `demo:` rooms. */
  isProduction: boolean
}

/** Another instance of the cluster, as membership lists it. */
interface ClusterInstance {
  id: string
  url: string
  peers: number
  capacity: number
}

/** Signed messages between instances, each checked against its schema before a handler sees it. */
interface ClusterBusPort {
  on<Schema extends TSchema>(
    type: string,
    schema: Schema,
    handler: (data: Static<Schema>, from: string) => unknown,
  ): void
  broadcast(type: string, data: unknown): void
  sendTo(instanceId: string, type: string, data: unknown): void
  request<T>(instanceId: string, type: string, data: unknown): Promise<T>
}

/** The cluster as media uses it: the bus, who is alive, and hashes tagged by the instance that wrote them. */
export interface MediaCluster {
  readonly instanceId: string
  readonly bus: ClusterBusPort
  readonly members: {
    on(event: 'down', listener: (instanceId: string) => void): unknown
    /** Redis came back after an outage and every instance has had time to write its part again. */
    on(event: 'rejoined', listener: () => void): unknown
    whichLive(ids: Iterable<string>): Promise<Set<string>>
    /** The other live instances, least loaded first. */
    others(): Promise<ClusterInstance[]>
  }
  readonly hashes: {
    set(key: string, field: string, value: string): void
    delete(key: string, field: string): void
    deleteMine(key: string): void
    entries(key: string): Promise<Array<{ instance: string; field: string; value: string }>>
  }
}
