import type Redis from 'ioredis'
import type { Logger } from '../logger.ts'
import { redisUp } from '../redis.ts'
import type { ClusterMembers } from './members.ts'

const ownedKey = (instanceId: string) => `majlis:instance:${instanceId}:keys`
const SEPARATOR = '|'

export interface SharedEntry {
  instance: string
  field: string
  value: string
}

/**
 * Redis hashes several instances write into (who is in a channel, which producers a room has):
 * every field is tagged with the instance that wrote it, and readers keep only the fields of live
 * instances, so a killed instance's entries stop counting the moment its heartbeat expires. The
 * keys an instance wrote into are listed under its name, for the sweep after it is gone.
 *
 * Each instance also keeps its own entries in memory: while Redis is away, reads answer with them
 * (this instance's part, as if it were alone), writes wait, and once Redis is back `republish`
 * puts them all back (a restarted Redis has lost them; deletes made meanwhile are applied).
 */
export class SharedHashes {
  /** This instance's fields and values per key, so a key leaves the owned list once it holds none of ours. */
  private readonly mine = new Map<string, Map<string, string>>()

  constructor(
    private readonly redis: Redis,
    private readonly members: ClusterMembers,
    private readonly logger: Logger,
  ) {}

  /**
   * Writes are not awaited (they keep their order on the one connection); a failure is logged.
   * Skipped while Redis is away: `republish` makes up for them.
   */
  private write(command: () => Promise<unknown>): void {
    if (!redisUp(this.redis)) return
    command().catch((error: Error) => this.logger.warn('cluster state write failed', { err: error.message }))
  }

  private get instanceId(): string {
    return this.members.instanceId
  }

  set(key: string, field: string, value: string): void {
    let fields = this.mine.get(key)
    if (!fields) {
      fields = new Map()
      this.mine.set(key, fields)
      this.write(() => this.redis.sadd(ownedKey(this.instanceId), key))
    }
    fields.set(field, value)
    this.write(() => this.redis.hset(key, this.instanceId + SEPARATOR + field, value))
  }

  delete(key: string, field: string): void {
    const fields = this.mine.get(key)
    if (!fields?.delete(field)) return
    this.write(() => this.redis.hdel(key, this.instanceId + SEPARATOR + field))
    if (fields.size > 0) return
    this.mine.delete(key)
    this.write(() => this.redis.srem(ownedKey(this.instanceId), key))
  }

  /** Drops every field this instance holds in the key. */
  deleteMine(key: string): void {
    for (const field of [...(this.mine.get(key)?.keys() ?? [])]) this.delete(key, field)
  }

  /** This instance's own entries of the key: what it answers with while Redis is away. */
  private own(key: string, only?: string): SharedEntry[] {
    return [...(this.mine.get(key) ?? [])]
      .filter(([field]) => only === undefined || field === only)
      .map(([field, value]) => ({ instance: this.instanceId, field, value }))
  }

  /** The fields of live instances, with the instance that wrote each. */
  async entries(key: string): Promise<SharedEntry[]> {
    const hash = redisUp(this.redis) ? await this.redis.hgetall(key).catch(() => null) : null
    if (!hash) return this.own(key)
    const all = Object.entries(hash).map(([tagged, value]) => {
      const cut = tagged.indexOf(SEPARATOR)
      return { instance: tagged.slice(0, cut), field: tagged.slice(cut + 1), value }
    })
    const live = await this.members.whichLive(all.map((entry) => entry.instance))
    return all.filter((entry) => live.has(entry.instance))
  }

  /** One field as each live instance (seen at the last heartbeat) wrote it: reads only those, however large the hash. */
  async field(key: string, field: string): Promise<SharedEntry[]> {
    const instances = this.members.known()
    const values = redisUp(this.redis)
      ? await this.redis.hmget(key, ...instances.map((instance) => instance + SEPARATOR + field)).catch(() => null)
      : null
    if (!values) return this.own(key, field)
    const written = instances.flatMap((instance, i) =>
      values[i] === null ? [] : [{ instance, field, value: values[i]! }],
    )
    const live = await this.members.whichLive(written.map((entry) => entry.instance))
    return written.filter((entry) => live.has(entry.instance))
  }

  /**
   * After an outage: every entry of this instance written again, and those Redis still holds but
   * this instance deleted meanwhile removed. One transaction per key.
   */
  async republish(): Promise<void> {
    const owned = ownedKey(this.instanceId)
    const prefix = this.instanceId + SEPARATOR
    const keys = new Set([...(await this.redis.smembers(owned)), ...this.mine.keys()])
    for (const key of keys) {
      const fields = this.mine.get(key)
      const stale = (await this.redis.hkeys(key)).filter(
        (tagged) => tagged.startsWith(prefix) && !fields?.has(tagged.slice(prefix.length)),
      )
      const batch = this.redis.multi()
      if (stale.length > 0) batch.hdel(key, ...stale)
      if (fields?.size) {
        batch.hset(key, Object.fromEntries([...fields].map(([field, value]) => [prefix + field, value])))
        batch.sadd(owned, key)
      } else batch.srem(owned, key)
      await batch.exec()
    }
  }

  /** Removes a gone instance's fields everywhere it wrote (it may be this one, leaving). */
  async sweep(instanceId: string): Promise<void> {
    const keys = await this.redis.smembers(ownedKey(instanceId))
    const prefix = instanceId + SEPARATOR
    for (const key of keys) {
      const fields = (await this.redis.hkeys(key)).filter((field) => field.startsWith(prefix))
      if (fields.length > 0) await this.redis.hdel(key, ...fields)
    }
    await this.redis.del(ownedKey(instanceId))
    if (instanceId === this.instanceId) this.mine.clear()
  }
}
