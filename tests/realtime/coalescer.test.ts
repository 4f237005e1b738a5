import { expect, test } from 'bun:test'
import { Coalescer } from '../../src/realtime/coalescer.ts'

test('the first trigger runs at once, a burst folds into one run with the latest task at the end of the interval', async () => {
  const runs: string[] = []
  const coalescer = new Coalescer(100, (error) => runs.push(`error: ${String(error)}`))
  coalescer.trigger('poll', () => void runs.push('first'))
  for (let i = 1; i <= 5; i++) coalescer.trigger('poll', () => void runs.push(`burst ${i}`))
  coalescer.trigger('other', () => void runs.push('other'))
  expect(runs).toEqual(['first', 'other'])
  await Bun.sleep(150)
  expect(runs).toEqual(['first', 'other', 'burst 5'])
  // Idle for an interval: the key is forgotten, and the next trigger runs at once again.
  await Bun.sleep(150)
  coalescer.trigger('poll', () => void runs.push('later'))
  expect(runs.at(-1)).toBe('later')
})

test('a forgotten key drops its pending run; failures go to the error handler, sync or async', async () => {
  const errors: unknown[] = []
  const runs: string[] = []
  const coalescer = new Coalescer(50, (error) => errors.push(error))
  coalescer.trigger('q', () => void runs.push('now'))
  coalescer.trigger('q', () => void runs.push('never'))
  coalescer.forget('q')
  coalescer.trigger('a', () => {
    throw new Error('sync')
  })
  coalescer.trigger('b', async () => {
    throw new Error('async')
  })
  await Bun.sleep(100)
  expect(runs).toEqual(['now'])
  expect(errors.map((error) => (error as Error).message)).toEqual(['sync', 'async'])
  // Interval 0: every trigger runs (the bench's comparison).
  const every = new Coalescer(0, () => undefined)
  let count = 0
  for (let i = 0; i < 3; i++) every.trigger('k', () => void (count += 1))
  expect(count).toBe(3)
})
