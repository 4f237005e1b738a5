import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startMediaServer, type MediaServer } from '../helpers/media-server.ts'
import { connectWs } from '../helpers/ws-client.ts'

let server: MediaServer
let token: string
let userId: string

beforeAll(async () => {
  server = await startMediaServer({ workers: 1, wsAuthTimeoutMs: 300 })
  const account = await server.register()
  token = account.accessToken
  userId = account.user.id
})
afterAll(() => server.stop())

describe('/ws connection auth', () => {
  test('a token in the subprotocol header: the server selects "bearer"', async () => {
    const client = await connectWs(server.wsUrl, token)
    expect(client.ws.protocol).toBe('bearer')
    expect(await client.request('ping')).toMatchObject({ type: 'pong' })
    client.close()
  })

  test('an invalid token in the header is refused before the upgrade', async () => {
    const response = await fetch(`${server.baseUrl}/ws`, {
      headers: {
        upgrade: 'websocket',
        connection: 'Upgrade',
        'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
        'sec-websocket-version': '13',
        'sec-websocket-protocol': 'bearer, forged.token.value',
      },
    })
    expect(response.status).toBe(401)
    expect((await response.json()).error.code).toBe('INVALID_TOKEN')
  })

  test('a plain request to /ws is told to upgrade', async () => {
    const response = await fetch(`${server.baseUrl}/ws`)
    expect(response.status).toBe(426)
    expect(response.headers.get('upgrade')).toBe('websocket')
    expect((await response.json()).error.code).toBe('UPGRADE_REQUIRED')
  })

  test('without a header token, the first message must be auth', async () => {
    const client = await connectWs(server.wsUrl)
    const early = await client.request('media:leave')
    expect(early).toMatchObject({ ok: false, error: { code: 'UNAUTHENTICATED' } })
    expect(await client.request('auth', { token: 'garbage' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_TOKEN' },
    })
    expect(await client.request('auth', { token })).toEqual({ id: expect.any(String), ok: true, data: { userId } })
    expect(await client.request('auth', { token })).toMatchObject({
      ok: false,
      error: { code: 'ALREADY_AUTHENTICATED' },
    })
    expect(await client.request('media:leave')).toMatchObject({ ok: true })
    client.close()
  })

  test('a connection that never authenticates is closed', async () => {
    const client = await connectWs(server.wsUrl)
    expect(await client.closed).toEqual({ code: 4401, reason: 'authentication timeout' })
  })
})

describe('/ws message handling', () => {
  test('bad frames get error replies and the connection stays up', async () => {
    const client = await connectWs(server.wsUrl, token)
    client.sendRaw('not json at all')
    expect(await client.event('error')).toMatchObject({ data: { code: 'MALFORMED_MESSAGE' } })
    client.sendRaw(JSON.stringify({ id: 'x1', data: {} }))
    expect(await client.next((m) => m.id === 'x1')).toMatchObject({ ok: false, error: { code: 'MALFORMED_MESSAGE' } })
    expect(await client.request('no:such-type')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_TYPE' } })
    const invalid = await client.request('media:createTransport', { direction: 'sideways' })
    expect(invalid).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED', details: [{ path: '/direction', message: 'must be one of send, recv' }] },
    })
    expect(await client.request('media:join', { room: 42 })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    })
    expect(await client.request('ping')).toMatchObject({ type: 'pong' })
    client.close()
  })

  test('connecting a transport twice is a CONFLICT, also when both arrive at once', async () => {
    const client = await connectWs(server.wsUrl, token)
    expect((await client.request('media:join', { room: 'demo:twice' })).ok).toBe(true)
    const dtlsParameters = {
      role: 'client',
      fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, () => 'AB').join(':') }],
    }
    const first = (await client.request('media:createTransport', { direction: 'recv' })).data.transportId
    expect(await client.request('media:connectTransport', { transportId: first, dtlsParameters })).toMatchObject({
      ok: true,
    })
    expect(await client.request('media:connectTransport', { transportId: first, dtlsParameters })).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT' },
    })

    const second = (await client.request('media:createTransport', { direction: 'recv' })).data.transportId
    const racing = await Promise.all([
      client.request('media:connectTransport', { transportId: second, dtlsParameters }),
      client.request('media:connectTransport', { transportId: second, dtlsParameters }),
    ])
    expect(racing.map((reply) => reply.ok).sort()).toEqual([false, true])
    expect(racing.find((reply) => !reply.ok).error.code).toBe('CONFLICT')
    client.close()
  })

  test('a flood is rate limited per connection, without closing it', async () => {
    const client = await connectWs(server.wsUrl, token)
    for (let i = 0; i < 80; i++) client.sendRaw(JSON.stringify({ id: `f${i}`, type: 'ping' }))
    await client.next((m) => m.id === 'f79')
    const limited = client.messages.filter((m) => m.error?.code === 'RATE_LIMITED')
    expect(limited.length).toBeGreaterThan(0)
    expect(limited.length).toBeLessThan(80)
    await Bun.sleep(1000)
    expect(await client.request('ping')).toMatchObject({ type: 'pong' })
    client.close()
  })

  test('messages of one connection are answered in order', async () => {
    const client = await connectWs(server.wsUrl, token)
    client.sendRaw(JSON.stringify({ id: 'a', type: 'media:join', data: { room: 'demo:ordering' } }))
    client.sendRaw(JSON.stringify({ id: 'b', type: 'media:createTransport', data: { direction: 'recv' } }))
    expect(await client.next((m) => m.id === 'b')).toMatchObject({
      ok: true,
      data: { transportId: expect.any(String) },
    })
    client.close()
  })
})

describe('media signaling over /ws', () => {
  test('join, peers hear of each other, and a vanished socket leaves the room', async () => {
    const other = await server.register()
    const first = await connectWs(server.wsUrl, token)
    const joined = await first.request('media:join', { room: 'demo:signaling' })
    expect(joined.ok).toBe(true)
    expect(joined.data.routerRtpCapabilities.codecs.map((c: { mimeType: string }) => c.mimeType)).toEqual(
      expect.arrayContaining(['audio/opus', 'video/VP8']),
    )
    expect(joined.data.grant.canPublish).toContain('camera')

    const second = await connectWs(server.wsUrl, other.accessToken)
    const secondJoin = await second.request('media:join', { room: 'demo:signaling' })
    expect(secondJoin.data.peers.map((p: { userId: string }) => p.userId)).toEqual([userId])
    const peerJoined = await first.event('media:peerJoined')
    expect(peerJoined.data.userId).toBe(other.user.id)

    second.ws.close()
    const peerLeft = await first.event('media:peerLeft')
    expect(peerLeft.data.peerId).toBe(secondJoin.data.peerId)
    expect(server.media.rooms.get('demo:signaling')!.peerCount).toBe(1)
    first.close()
  })

  test('rooms of unknown kinds cannot be joined', async () => {
    const client = await connectWs(server.wsUrl, token)
    expect(await client.request('media:join', { room: 'nokind:vc_123' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ROOM' },
    })
    expect(await client.request('media:join', { room: 'call:vc_not_mine' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await client.request('media:join', { room: 'no-kind' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ROOM' },
    })
    client.close()
  })

  test('bad media parameters are reported, not crashed on', async () => {
    const client = await connectWs(server.wsUrl, token)
    await client.request('media:join', { room: 'demo:params' })
    const transport = await client.request('media:createTransport', { direction: 'send' })
    const produced = await client.request('media:produce', {
      transportId: transport.data.transportId,
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/NOPE', payloadType: 1, clockRate: 1 }] },
      appData: { source: 'camera' },
    })
    expect(produced).toMatchObject({ ok: false, error: { code: 'INVALID_MEDIA_PARAMETERS' } })
    expect(await client.request('ping')).toMatchObject({ type: 'pong' })
    client.close()
  })

  test('the demo room kind is off in production', async () => {
    const production = await startMediaServer({
      workers: 1,
      env: { NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), PAYMENT_WEBHOOK_SECRET: 'q'.repeat(40) },
    })
    const account = await production.register()
    const client = await connectWs(production.wsUrl, account.accessToken)
    expect(await client.request('media:join', { room: 'demo:lobby' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_ROOM' },
    })
    client.close()
    await production.stop()
  })
})
