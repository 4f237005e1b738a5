import type Redis from 'ioredis'
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'
import { redisUp } from '../redis.ts'
import { ClusterBus } from './bus.ts'
import { ClusterMembers, type InstanceInfo } from './members.ts'
import { SharedHashes } from './shared-state.ts'

export type { InstanceInfo }

/** After Redis returns: time for every instance to reconnect and republish before state is read again. */
const RESYNC_AFTER_MS = 2000

/**
 * Several instances over one Redis: signed messages between them (bus), who is alive (members)
 * and the state they share (hashes). One instance without REDIS_URL has none of it.
 *
 * Without Redis for a while, each instance goes on alone (docs/operations.md, "A Redis outage"):
 * its media, sockets and database writes carry on, shared reads answer with its own part, messages
 * to the others are dropped. When Redis is back it rejoins: heartbeat, its shared entries written
 * again, and after RESYNC_AFTER_MS the members' `rejoined`, on which rooms and clients read the
 * shared state again.
 */
export class Cluster {
  readonly bus: ClusterBus
  readonly members: ClusterMembers
  readonly hashes: SharedHashes
  private outage = false
  private leaving = false

  constructor(
    private readonly redis: Redis,
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
    redis.on('close', () => this.lost())
    redis.on('ready', () => void this.rejoin())
  }

  /** False while Redis is away: shared reads then hold only this instance's part. */
  get connected(): boolean {
    return redisUp(this.redis)
  }

  private lost(): void {
    if (this.outage || this.leaving) return
    this.outage = true
    this.logger.warn('redis unreachable: this instance goes on alone until it returns', { instance: this.instanceId })
  }

  private async rejoin(): Promise<void> {
    if (!this.outage) return
    this.outage = false
    this.logger.info('redis is back: rejoining the cluster', { instance: this.instanceId })
    try {
      await this.members.rejoin(RESYNC_AFTER_MS)
      await this.hashes.republish()
    } catch (error) {
      this.logger.warn('could not rejoin the cluster', { err: error instanceof Error ? error.message : String(error) })
    }
  }

  get instanceId(): string {
    return this.bus.instanceId
  }

  /** The other live instances, least loaded first: where this one's clients can go. */
  async otherInstances(): Promise<Array<{ id: string; url: string }>> {
    return (await this.members.others()).map(({ id, url }) => ({ id, url }))
  }

  async start(): Promise<void> {
    await this.bus.start()
    await this.members.start()
  }

  /** Leaves the cluster: this instance's shared entries go at once, not after the TTL (which clears them if Redis is gone). */
  async close(): Promise<void> {
    this.leaving = true
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
