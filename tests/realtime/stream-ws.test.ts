import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { RtpParameters } from 'mediasoup/types'
import { startMediaServer, type MediaServer } from '../helpers/media-server.ts'
import { connectWs } from '../helpers/ws-client.ts'

const HOST_GONE_MS = 400
let server: MediaServer
beforeAll(async () => {
  server = await startMediaServer({ workers: 1, hostGoneMs: HOST_GONE_MS })
})
afterAll(() => server.stop())

type Account = { accessToken: string; user: { id: string; name: string } }
const rest = (who: Account, method: string, path: string, body?: unknown) =>
  server.call(method, `/api/v1${path}`, { token: who.accessToken, body })
const audio: RtpParameters = {
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }],
  encodings: [{ ssrc: 4242 }],
}
const video: RtpParameters = {
  codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }],
  encodings: [{ ssrc: 5252 }],
}
const dtls = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: `${'AB:'.repeat(31)}AB` }] }

async function goLive(type: 'audio' | 'video' = 'video') {
  const host = await server.register()
  const stream = (await rest(host, 'POST', '/streams', { title: 'Live', type })).body as { id: string; roomId: string }
  return { host, stream }
}

async function grantCoins(user: Account, amount: number) {
  const staff = await server.registerStaff('admin')
  await rest(staff, 'POST', `/backoffice/users/${user.user.id}/coins`, { amount, reason: 'test' })
}

describe('streams over /ws', () => {
  test('a viewer in three tabs counts once; the host hears viewer_joined once and viewer_left when the last tab goes', async () => {
    const { host, stream } = await goLive()
    const hostWs = await connectWs(server.wsUrl, host.accessToken)
    expect((await hostWs.request('join_session', { sessionId: stream.id })).data).toMatchObject({
      role: 'host',
      viewers: 0,
      stream: { id: stream.id },
    })

    const viewer = await server.register()
    const tabs = [
      await connectWs(server.wsUrl, viewer.accessToken),
      await connectWs(server.wsUrl, viewer.accessToken),
      await connectWs(server.wsUrl, viewer.accessToken),
    ]
    for (const tab of tabs) expect((await tab.request('join_session', { sessionId: stream.id })).ok).toBe(true)
    expect((await hostWs.event('viewer_joined')).data).toMatchObject({
      streamId: stream.id,
      userId: viewer.user.id,
      viewerCount: 1,
    })
    expect((await rest(host, 'GET', `/streams/${stream.id}`)).body).toMatchObject({ viewerCount: 1, totalViewers: 1 })

    tabs[0]!.close()
    await tabs[1]!.request('leave_session', { sessionId: stream.id })
    await Bun.sleep(100)
    expect(hostWs.messages.filter((m) => m.type === 'viewer_joined')).toHaveLength(1)
    expect(hostWs.messages.filter((m) => m.type === 'viewer_left')).toHaveLength(0)
    tabs[2]!.close()
    expect((await hostWs.event('viewer_left')).data).toMatchObject({ userId: viewer.user.id, viewerCount: 0 })
    expect((await rest(host, 'GET', `/streams/${stream.id}`)).body).toMatchObject({
      viewerCount: 0,
      peakViewers: 1,
      totalViewers: 1,
    })

    // Viewers do not get each other's joins: per-viewer events go to the host and co-hosts only.
    const watcher = await connectWs(server.wsUrl, (await server.register()).accessToken)
    await watcher.request('join_session', { sessionId: stream.id })
    const late = await connectWs(server.wsUrl, (await server.register()).accessToken)
    await late.request('join_session', { sessionId: stream.id })
    await Bun.sleep(100)
    expect(watcher.messages.some((m) => m.type === 'viewer_joined')).toBe(false)
    for (const ws of [hostWs, watcher, late]) ws.close()
  })

  test('a join wave sends viewer_count at most once a second per stream, with the final count', async () => {
    const { stream } = await goLive()
    const watcher = await connectWs(server.wsUrl, (await server.register()).accessToken)
    await watcher.request('join_session', { sessionId: stream.id })
    const viewers = await Promise.all(Array.from({ length: 30 }, () => server.register()))
    const sockets = await Promise.all(viewers.map((viewer) => connectWs(server.wsUrl, viewer.accessToken)))
    const joinedAt = performance.now()
    await Promise.all(sockets.map((ws) => ws.request('join_session', { sessionId: stream.id })))
    await watcher.next((m) => m.type === 'viewer_count' && m.data.viewerCount === 31, 3000)
    const counts = watcher.messages.filter((m) => m.type === 'viewer_count')
    const elapsedSec = (performance.now() - joinedAt) / 1000
    expect(counts.length).toBeLessThanOrEqual(Math.ceil(elapsedSec) + 1)
    expect(counts.length).toBeLessThan(31)
    for (const ws of [watcher, ...sockets]) ws.close()
  })

  test('chat and gifts reach the channel; a repeated clientMsgId is stored once; bad data is an error reply', async () => {
    const { host, stream } = await goLive()
    const hostWs = await connectWs(server.wsUrl, host.accessToken)
    await hostWs.request('join_session', { sessionId: stream.id })
    const fan = await server.register()
    await grantCoins(fan, 50)
    const fanWs = await connectWs(server.wsUrl, fan.accessToken)
    await fanWs.request('join_session', { sessionId: stream.id })

    const sent = await fanWs.request('send_stream_message', {
      sessionId: stream.id,
      message: 'ahlan',
      clientMsgId: 'c1',
    })
    expect(sent.data).toMatchObject({
      duplicate: false,
      message: { message: 'ahlan', userId: fan.user.id, name: fan.user.name },
    })
    expect((await hostWs.event('new_message')).data).toMatchObject({ id: sent.data.message.id, message: 'ahlan' })
    expect(
      (await fanWs.request('send_stream_message', { sessionId: stream.id, message: 'ahlan', clientMsgId: 'c1' })).data,
    ).toMatchObject({ duplicate: true, message: { id: sent.data.message.id } })
    expect(await fanWs.request('send_stream_message', { sessionId: stream.id, message: '' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    })
    expect(await fanWs.request('send_stream_message', { sessionId: 'str_nope', message: 'x' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
    expect(await fanWs.request('join_session', { sessionId: 'str_nope' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })

    const gift = await rest(fan, 'POST', `/streams/${stream.id}/gifts`, { giftId: 'gift_heart', quantity: 2 })
    expect(gift.status).toBe(201)
    const animation = (await fanWs.event('gift_animation')).data
    expect(animation).toMatchObject({
      streamId: stream.id,
      transaction: { id: gift.body.transaction.id, coins: 20 },
      gift: { id: 'gift_heart', animation: 'pulse' },
      sender: { id: fan.user.id },
    })
    expect(animation.transaction.idempotencyKey).toBeUndefined()
    expect((await hostWs.event('notification')).data).toMatchObject({
      type: 'gift.received',
      data: { transactionId: gift.body.transaction.id },
    })
    hostWs.close()
    fanWs.close()
  })

  test('media: the host of an audio stream publishes a microphone only; viewers cannot open a send transport', async () => {
    const { host, stream } = await goLive('audio')
    const hostWs = await connectWs(server.wsUrl, host.accessToken)
    const joined = await hostWs.request('media:join', { room: stream.roomId })
    expect(joined.data.grant).toEqual({ canPublish: ['microphone'] })
    const send = (await hostWs.request('media:createTransport', { direction: 'send' })).data
    await hostWs.request('media:connectTransport', { transportId: send.transportId, dtlsParameters: dtls })
    expect(
      (
        await hostWs.request('media:produce', {
          transportId: send.transportId,
          kind: 'audio',
          rtpParameters: audio,
          appData: { source: 'microphone' },
        })
      ).ok,
    ).toBe(true)
    expect(
      await hostWs.request('media:produce', {
        transportId: send.transportId,
        kind: 'video',
        rtpParameters: video,
        appData: { source: 'camera' },
      }),
    ).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })

    const viewer = await server.register()
    const viewerWs = await connectWs(server.wsUrl, viewer.accessToken)
    expect((await viewerWs.request('media:join', { room: stream.roomId })).data.grant).toEqual({ canPublish: [] })
    expect(await viewerWs.request('media:createTransport', { direction: 'send' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect((await viewerWs.request('media:createTransport', { direction: 'recv' })).ok).toBe(true)

    // An invited co-host publishes once they joined as co-host.
    const guest = await server.register()
    const guestWs = await connectWs(server.wsUrl, guest.accessToken)
    await rest(host, 'POST', `/streams/${stream.id}/co-hosts`, { userId: guest.user.id })
    expect((await guestWs.request('media:join', { room: stream.roomId })).data.grant).toEqual({ canPublish: [] })
    expect((await guestWs.request('join_session', { sessionId: stream.id, role: 'co-host' })).data.role).toBe('co-host')
    expect((await guestWs.request('media:join', { room: stream.roomId })).data.grant).toEqual({
      canPublish: ['microphone'],
    })
    for (const ws of [hostWs, viewerWs, guestWs]) ws.close()
  })

  test('a ban takes the viewer out of the channel and the media room (their consumers close) and refuses them again', async () => {
    const { host, stream } = await goLive('video')
    const hostWs = await connectWs(server.wsUrl, host.accessToken)
    await hostWs.request('join_session', { sessionId: stream.id })
    await hostWs.request('media:join', { room: stream.roomId })
    const send = (await hostWs.request('media:createTransport', { direction: 'send' })).data
    await hostWs.request('media:connectTransport', { transportId: send.transportId, dtlsParameters: dtls })
    const producer = (
      await hostWs.request('media:produce', {
        transportId: send.transportId,
        kind: 'video',
        rtpParameters: video,
        appData: { source: 'camera' },
      })
    ).data

    const viewer = await server.register()
    const viewerWs = await connectWs(server.wsUrl, viewer.accessToken)
    await viewerWs.request('join_session', { sessionId: stream.id })
    const joined = await viewerWs.request('media:join', { room: stream.roomId, recvTransport: true })
    const consumed = await viewerWs.request('media:consume', {
      producerId: producer.producerId,
      rtpCapabilities: joined.data.routerRtpCapabilities,
    })
    expect(consumed.ok).toBe(true)
    const room = server.media.rooms.get(stream.roomId)!
    expect(room.placement().map((peer) => peer.userId)).toContain(viewer.user.id)

    const banned = await rest(host, 'POST', `/streams/${stream.id}/moderation`, {
      userId: viewer.user.id,
      action: 'ban',
    })
    expect(banned.body.banned).toBe(true)
    expect((await viewerWs.event('moderation')).data).toMatchObject({ userId: viewer.user.id, action: 'ban' })
    expect((await viewerWs.event('media:removed')).data).toMatchObject({ room: stream.roomId, reason: 'banned' })
    expect(room.placement().map((peer) => peer.userId)).not.toContain(viewer.user.id)
    expect(await viewerWs.request('media:resumeConsumer', { consumerId: consumed.data.consumerId })).toMatchObject({
      ok: false,
    })
    expect(await viewerWs.request('join_session', { sessionId: stream.id })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await viewerWs.request('media:join', { room: stream.roomId })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    await hostWs.request('send_stream_message', { sessionId: stream.id, message: 'after the ban' })
    await Bun.sleep(100)
    expect(viewerWs.messages.some((m) => m.type === 'new_message' && m.data.message === 'after the ban')).toBe(false)
    hostWs.close()
    viewerWs.close()
  })

  test('ending sends session_ended with the stats and closes the media room', async () => {
    const { host, stream } = await goLive()
    const viewerWs = await connectWs(server.wsUrl, (await server.register()).accessToken)
    await viewerWs.request('join_session', { sessionId: stream.id })
    await viewerWs.request('media:join', { room: stream.roomId })
    const ended = await rest(host, 'POST', `/streams/${stream.id}/end`)
    expect(ended.status).toBe(200)
    expect((await viewerWs.event('session_ended')).data).toMatchObject({
      streamId: stream.id,
      stats: { ...ended.body },
    })
    expect((await viewerWs.event('media:roomClosed')).data).toMatchObject({ room: stream.roomId })
    expect(await viewerWs.request('join_session', { sessionId: stream.id })).toMatchObject({
      ok: false,
      error: { code: 'STREAM_ENDED' },
    })
    viewerWs.close()
  })

  test('with the real clock: a host who stays connected keeps the stream; one gone for the grace period loses it', async () => {
    const { host, stream } = await goLive()
    const hostWs = await connectWs(server.wsUrl, host.accessToken)
    await hostWs.request('join_session', { sessionId: stream.id })
    await Bun.sleep(HOST_GONE_MS + 50)
    await server.app.decorator.scheduler.runDue()
    expect((await rest(host, 'GET', `/streams/${stream.id}`)).body.status).toBe('live')

    hostWs.close()
    await Bun.sleep(HOST_GONE_MS / 2)
    await server.app.decorator.scheduler.runDue()
    expect((await rest(host, 'GET', `/streams/${stream.id}`)).body.status).toBe('live')
    await Bun.sleep(HOST_GONE_MS)
    await server.app.decorator.scheduler.runDue()
    const after = (await rest(host, 'GET', `/streams/${stream.id}`)).body
    expect(after.status).toBe('ended')
    expect(Number.isInteger(after.durationSec)).toBe(true)
    expect(after.durationSec).toBeGreaterThanOrEqual(1)
  })
})
