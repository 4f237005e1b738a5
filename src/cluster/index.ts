import type Redis from 'ioredis'
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import { ClusterBus } from './bus.ts'
import { ClusterMembers, type InstanceInfo } from './members.ts'
import { SharedHashes } from './shared-state.ts'

export type { InstanceInfo }

/**
 * Several instances over one Redis: signed messages between them (bus), who is alive (members)
 * and the state they share (hashes). One instance without REDIS_URL has none of it.
 */
export class Cluster {
  readonly bus: ClusterBus
  readonly members: ClusterMembers
  readonly hashes: SharedHashes

  constructor(
    redis: Redis,
    config: Config,
    self: () => InstanceInfo,
    private readonly logger: Logger,
  ) {
    const { instanceId, secret } = config.cluster
    this.members = new ClusterMembers(redis, self, logger)
    this.bus = new ClusterBus(redis, instanceId, secret, logger, undefined, (id) => this.members.heardFrom(id))
    this.hashes = new SharedHashes(redis, this.members, logger)
    this.members.on(
      'swept',
      (id) =>
        void this.hashes
          .sweep(id)
          .catch((error: Error) => logger.warn('cluster sweep failed', { instance: id, err: error.message })),
    )
  }

  get instanceId(): string {
    return this.bus.instanceId
  }

  async start(): Promise<void> {
    await this.bus.start()
    await this.members.start()
  }

  /** Leaves the cluster: this instance's shared entries go at once, not after the TTL (which clears them if Redis is gone). */
  async close(): Promise<void> {
    try {
      await this.members.stop()
      await this.hashes.sweep(this.instanceId)
    } catch (error) {
      this.logger.warn('could not leave the cluster cleanly; the others drop this instance when its heartbeat lapses', {
        err: error instanceof Error ? error.message : String(error),
      })
    }
    await this.bus.close()
  }
}

/** This instance as /health/ready, /metrics and the other instances see it. */
export function describeInstance(
  config: Config,
  occupancy: () => { peers: number; capacity: number },
): () => InstanceInfo {
  const startedAt = new Date().toISOString()
  const mediaAddress = config.media.announcedIp ?? config.media.listenIp
  const url = config.publicUrl ?? `http://${config.host === '0.0.0.0' ? mediaAddress : config.host}:${config.port}`
  return () => ({ id: config.cluster.instanceId, url, mediaAddress, ...occupancy(), startedAt })
}
