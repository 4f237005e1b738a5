import { describe, expect, test } from 'bun:test'
import { ShortLivedCache } from '../src/short-lived-cache.ts'

describe('short-lived cache', () => {
  test('callers at the same time share one load; the value lives for ttl, then is loaded again', async () => {
    let now = 0
    let loads = 0
    const cache = new ShortLivedCache<number>(1000, () => now)
    const load = async () => {
      loads += 1
      await Bun.sleep(5)
      return loads
    }
    expect(await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)])).toEqual([1, 1, 1])
    now = 999
    expect(await cache.get('k', load)).toBe(1)
    now = 1000
    expect(await cache.get('k', load)).toBe(2)
  })

  test('a forgotten key is loaded again at once, and a failed load is not kept', async () => {
    const cache = new ShortLivedCache<string>(1000, () => 0)
    expect(await cache.get('k', async () => 'old')).toBe('old')
    cache.forget('k')
    expect(await cache.get('k', async () => 'new')).toBe('new')
    await expect(cache.get('other', async () => Promise.reject(new Error('db down')))).rejects.toThrow('db down')
    expect(await cache.get('other', async () => 'recovered')).toBe('recovered')
  })

  test('it is bounded', async () => {
    let loads = 0
    const cache = new ShortLivedCache<number>(1000, () => 0, 2)
    for (const key of ['a', 'b', 'c', 'a']) await cache.get(key, async () => ++loads)
    expect(loads).toBe(4)
  })
})
