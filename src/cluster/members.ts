import { EventEmitter } from 'node:events'
import type Redis from 'ioredis'
import type { Logger } from '../logger.ts'
import { redisUp } from '../redis.ts'

/** What an instance tells the others (and /health/ready, /metrics) about itself. */
export interface InstanceInfo {
  id: string
  /** Where clients reach its HTTP and WebSocket endpoint. */
  url: string
  /** The address its media (WebRTC and pipe transports) announces. */
  mediaAddress: string
  /** Room participants it holds now and how many it takes. */
  peers: number
  capacity: number
  startedAt: string
}

const REGISTRY = 'majlis:instances'
const infoKey = (id: string) => `majlis:instance:${id}`
const HEARTBEAT_MS = 1000
/** An instance that missed this long of heartbeats is gone: its shared entries stop counting. */
const INSTANCE_TTL_MS = 3000

/**
 * Cluster membership by heartbeat: each instance refreshes a key with a short TTL every second,
 * so Redis itself forgets a killed instance within INSTANCE_TTL_MS. `down` fires on every
 * instance that had seen it; `swept` fires on the one instance that won the right to clean up
 * after it. While Redis is away nobody is declared gone (nobody can tell), and once it is back
 * everyone gets a TTL to beat again before a missing heartbeat counts: `rejoined` fires when
 * that has passed, for the state kept elsewhere to be read again.
 */
export class ClusterMembers extends EventEmitter<{ down: [id: string]; swept: [id: string]; rejoined: [] }> {
  private readonly live = new Set<string>()
  private timer: Timer | undefined
  private beating: Promise<void> | undefined
  /** Until then (after an outage) a missing heartbeat does not count: the others are still coming back. */
  private graceUntil = 0

  constructor(
    private readonly redis: Redis,
    private readonly self: () => InstanceInfo,
    private readonly logger: Logger,
  ) {
    super()
  }

  get instanceId(): string {
    return this.self().id
  }

  async start(): Promise<void> {
    await this.beat()
    this.timer = setInterval(() => {
      this.beating ??= this.beat()
        .catch((error: Error) => this.logger.warn('cluster heartbeat failed', { err: error.message }))
        .finally(() => (this.beating = undefined))
    }, HEARTBEAT_MS)
  }

  /** Leaves at once (a graceful stop), so the others need not wait for the TTL. */
  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.beating
    await this.redis.multi().del(infoKey(this.instanceId)).srem(REGISTRY, this.instanceId).exec()
  }

  /**
   * Of the given instances, those alive now. Asks Redis, so one that started a moment ago counts,
   * and one found gone is reported `down` at once rather than at the next heartbeat.
   */
  async whichLive(ids: Iterable<string>): Promise<Set<string>> {
    const unique = [...new Set(ids)]
    if (unique.length === 0) return new Set()
    const infos = redisUp(this.redis) ? await this.redis.mget(unique.map(infoKey)).catch(() => null) : null
    // Redis away: the last heartbeat's view.
    if (!infos) return new Set(unique.filter((id) => id === this.instanceId || this.live.has(id)))
    const alive = new Set<string>()
    const coming = Date.now() < this.graceUntil
    for (const [i, id] of unique.entries()) {
      if (id === this.instanceId || infos[i] !== null || (coming && this.live.has(id))) {
        alive.add(id)
        this.live.add(id)
      } else this.gone(id)
    }
    return alive
  }

  /**
   * An instance that just spoke is alive: remembered now, so its death is noticed even if it
   * started and died between two of our heartbeats.
   */
  heardFrom(id: string): void {
    if (id !== this.instanceId) this.live.add(id)
  }

  /** Redis is back: beat at once, and give the others a TTL to do the same before any counts as gone. */
  async rejoin(resyncAfterMs: number): Promise<void> {
    this.graceUntil = Date.now() + INSTANCE_TTL_MS
    await this.beat()
    setTimeout(() => this.emit('rejoined'), resyncAfterMs).unref()
  }

  private gone(id: string): void {
    if (Date.now() < this.graceUntil || !this.live.delete(id)) return
    this.logger.warn('cluster instance gone', { instance: id })
    this.emit('down', id)
  }

  /** The instances seen alive at the last heartbeat, this one included. */
  known(): string[] {
    return [...new Set([this.instanceId, ...this.live])]
  }

  /** Every live instance, this one included (only this one while Redis is away). */
  async list(): Promise<InstanceInfo[]> {
    if (!redisUp(this.redis)) return [this.self()]
    const ids = await this.redis.smembers(REGISTRY)
    if (ids.length === 0) return [this.self()]
    const infos = await this.redis.mget(ids.map(infoKey))
    return infos.flatMap((info) => (info ? [JSON.parse(info) as InstanceInfo] : []))
  }

  /** The other live instances, least loaded first. */
  async others(): Promise<InstanceInfo[]> {
    return (await this.list())
      .filter((instance) => instance.id !== this.instanceId)
      .sort((a, b) => a.peers / a.capacity - b.peers / b.capacity)
  }

  private async beat(): Promise<void> {
    if (!redisUp(this.redis)) return
    const self = this.self()
    const [, , members] = ((await this.redis
      .multi()
      .set(infoKey(self.id), JSON.stringify(self), 'PX', INSTANCE_TTL_MS)
      .sadd(REGISTRY, self.id)
      .smembers(REGISTRY)
      .exec()) ?? []) as Array<[Error | null, unknown]>
    const ids = (members?.[1] as string[] | undefined) ?? []
    // An instance that left gracefully is out of the registry; one that was killed is still in it, without info.
    const others = [...new Set([...ids, ...this.live])].filter((id) => id !== self.id)
    const infos = others.length > 0 ? await this.redis.mget(others.map(infoKey)) : []
    for (const [i, id] of others.entries()) {
      if (infos[i] !== null) {
        this.live.add(id)
        continue
      }
      if (Date.now() < this.graceUntil) continue
      this.gone(id)
      // Only the instance whose SREM removed it cleans its entries up.
      if (ids.includes(id) && (await this.redis.srem(REGISTRY, id)) === 1) this.emit('swept', id)
    }
  }
}
