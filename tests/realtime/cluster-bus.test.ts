import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Type } from '@sinclair/typebox'
import { createHmac } from 'node:crypto'
import type Redis from 'ioredis'
import { ClusterBus } from '../../src/cluster/bus.ts'
import { createLogger } from '../../src/logger.ts'
import { waitFor } from '../helpers/browser.ts'
import { startRedis } from '../helpers/redis.ts'

const SECRET = 'a shared cluster secret for tests'
let redis: Awaited<ReturnType<typeof startRedis>>
const connections: Redis[] = []
const buses: ClusterBus[] = []

beforeAll(async () => {
  redis = await startRedis()
})
afterAll(async () => {
  for (const bus of buses) await bus.close()
  for (const connection of connections) connection.disconnect()
  await redis?.stop()
})

async function bus(instanceId: string, secret = SECRET) {
  const warnings: Array<Record<string, unknown>> = []
  const connection = redis.client()
  connections.push(connection)
  const created = new ClusterBus(
    connection,
    instanceId,
    secret,
    createLogger('warn', (line) => warnings.push(JSON.parse(line))),
    300,
  )
  buses.push(created)
  await created.start()
  return { bus: created, warnings, connection }
}

const signed = (body: object, secret = SECRET) => {
  const text = JSON.stringify(body)
  return `${createHmac('sha256', secret).update(text).digest('hex')}.${text}`
}

describe('the cluster bus', () => {
  test('broadcasts reach the others, not the sender; direct messages only their instance; requests get answers or errors', async () => {
    const [a, b, c] = [await bus('a'), await bus('b'), await bus('c')]
    const heard: string[] = []
    for (const [name, { bus: each }] of Object.entries({ a, b, c })) {
      each.on(
        'note',
        Type.Object({ text: Type.String() }),
        (data, from) => void heard.push(`${name} got ${data.text} from ${from}`),
      )
      each.on('double', Type.Object({ n: Type.Integer() }), (data) => {
        if (data.n < 0) throw new Error('negative')
        return { n: data.n * 2 }
      })
    }
    a.bus.broadcast('note', { text: 'hello' })
    b.bus.sendTo('c', 'note', { text: 'psst' })
    expect(await a.bus.request('b', 'double', { n: 21 })).toEqual({ n: 42 })
    await expect(a.bus.request('c', 'double', { n: -1 })).rejects.toThrow('negative')
    await expect(a.bus.request('nobody', 'double', { n: 1 })).rejects.toThrow('did not answer')
    expect(heard.sort()).toEqual(['b got hello from a', 'c got hello from a', 'c got psst from b'])
  })

  test('a message without the secret’s signature, tampered with or replayed late is dropped and logged', async () => {
    const target = await bus('target')
    const intruder = await bus('intruder', 'some other secret altogether')
    let obeyed = 0
    target.bus.on('room:close', Type.Object({ room: Type.String() }), () => void (obeyed += 1))
    intruder.bus.broadcast('room:close', { room: 'live:x', reason: 'forged' })
    const honest = { from: 'peer', at: Date.now(), type: 'room:close', data: { room: 'live:x' } }
    const raw = redis.client()
    connections.push(raw)
    await raw.publish('majlis:cluster', JSON.stringify(honest))
    await raw.publish('majlis:cluster', signed(honest).replace('live:x', 'live:y'))
    await raw.publish('majlis:cluster', signed({ ...honest, at: Date.now() - 120_000 }))
    await raw.publish('majlis:cluster:target', 'not even json')
    await raw.publish('majlis:cluster', signed(honest))
    await Bun.sleep(300)
    expect(obeyed).toBe(1)
    const refused = target.warnings.filter(
      (line) => line.msg === 'cluster message refused: bad or missing signature, or too old',
    )
    expect(refused).toHaveLength(5)
  })

  test('signed data that does not fit the handler’s schema (another version, a bug) is refused, not half obeyed', async () => {
    const [asker, answerer] = [await bus('asker'), await bus('answerer')]
    const seen: unknown[] = []
    answerer.bus.on(
      'grant',
      Type.Object({ userId: Type.String(), canPublish: Type.Array(Type.String()) }),
      (data) => void seen.push(data),
    )
    await expect(asker.bus.request('answerer', 'grant', { userId: 'u1', canPublish: 'microphone' })).rejects.toThrow(
      'malformed grant data: /canPublish',
    )
    asker.bus.broadcast('grant', { user: 'u1' })
    asker.bus.broadcast('grant', { userId: 'u1', canPublish: ['microphone'] })
    await waitFor(
      'the well-formed grant',
      async () => seen.length,
      (count) => count > 0,
      2000,
    )
    expect(seen).toEqual([{ userId: 'u1', canPublish: ['microphone'] }])
    expect(
      answerer.warnings.filter(
        (line) => line.msg === 'cluster message failed' && String(line.err).startsWith('malformed grant data'),
      ),
    ).toHaveLength(2)
  })
})
