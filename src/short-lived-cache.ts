/**
 * Remembers what `load` answered for a key during `ttlMs`, sharing one load between callers that
 * ask at the same time (200 viewers joining one class look its session up once). A failed load is
 * not kept. Bounded: when full it starts over. Callers that change the underlying data `forget`
 * the key, so their own instance never serves the old value; other instances may for up to `ttlMs`.
 */
export class ShortLivedCache<Value> {
  private readonly entries = new Map<string, { value: Promise<Value>; until: number }>()

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries = 50_000,
  ) {}

  get(key: string, load: () => Promise<Value>): Promise<Value> {
    const now = this.now()
    const cached = this.entries.get(key)
    if (cached && cached.until > now) return cached.value
    if (this.entries.size >= this.maxEntries) this.entries.clear()
    const value = load()
    const entry = { value, until: now + this.ttlMs }
    this.entries.set(key, entry)
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key)
    })
    return value
  }

  forget(key: string): void {
    this.entries.delete(key)
  }
}
