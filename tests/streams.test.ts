import { describe, expect, test } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
import { users, walletTransactions } from '../src/db/schema/auth.ts'
import { freshAppPerTest } from './helpers/app.ts'

const ctx = freshAppPerTest()

type Account = { accessToken: string; user: { id: string; name: string } }

async function goLive(host: Account, body: Record<string, unknown> = { title: 'Evening oud', type: 'video' }) {
  const response = await ctx.t.api(host, 'POST', '/streams', body)
  expect(response.status).toBe(201)
  return response.body as { id: string; roomId: string }
}

async function grantCoins(user: Account, amount: number) {
  const staff = await ctx.t.registerStaff('power', ['users'])
  const response = await ctx.t.api(staff, 'POST', `/backoffice/users/${user.user.id}/coins`, {
    amount,
    reason: 'test credit',
  })
  expect(response.status).toBe(200)
  return response.body.balance as number
}

describe('streams', () => {
  test('going live: 201 with the stream, followers notified before the answer, one live stream per host', async () => {
    const [host, follower, stranger] = [await ctx.t.register(), await ctx.t.register(), await ctx.t.register()]
    await ctx.t.api(follower, 'POST', `/users/${host.user.id}/follow`)
    await ctx.t.api(follower, 'PATCH', '/me', { preferences: { language: 'en' } })
    const created = await ctx.t.api(host, 'POST', '/streams', {
      title: 'Evening oud',
      description: 'maqam bayati',
      type: 'audio',
      category: 'music',
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      hostId: host.user.id,
      title: 'Evening oud',
      description: 'maqam bayati',
      type: 'audio',
      category: 'music',
      isPrivate: false,
      status: 'live',
      roomId: `stream:${created.body.id}`,
      viewerCount: 0,
      slowModeSec: 0,
    })

    const inbox = (await ctx.t.api(follower, 'GET', '/notifications?type=stream')).body.items
    expect(inbox).toHaveLength(1)
    expect(inbox[0]).toMatchObject({
      type: 'stream.live',
      data: { streamId: created.body.id },
      title: `${host.user.name} is live now`,
    })
    expect((await ctx.t.api(stranger, 'GET', '/notifications?type=stream')).body.items).toHaveLength(0)

    const again = await ctx.t.api(host, 'POST', '/streams', { title: 'Second', type: 'video' })
    expect(again).toMatchObject({ status: 409, body: { error: { code: 'ALREADY_LIVE' } } })
    expect((await ctx.t.api(host, 'POST', '/streams', { title: '', type: 'video' })).status).toBe(422)
    expect((await ctx.t.api(host, 'POST', '/streams', { title: 'x', type: 'radio' })).status).toBe(422)
    expect((await ctx.t.call('POST', '/api/v1/streams', { body: { title: 'x', type: 'video' } })).status).toBe(401)
  })

  test('private streams are seen and joined only by the host, followers, invited co-hosts and staff', async () => {
    const [host, follower, guest, stranger] = [
      await ctx.t.register(),
      await ctx.t.register(),
      await ctx.t.register(),
      await ctx.t.register(),
    ]
    await ctx.t.api(follower, 'POST', `/users/${host.user.id}/follow`)
    const stream = await goLive(host, { title: 'Inner circle', type: 'video', isPrivate: true })
    await ctx.t.api(host, 'POST', `/streams/${stream.id}/co-hosts`, { userId: guest.user.id })
    const staff = await ctx.t.registerStaff('qa', ['streams'])

    for (const who of [host, follower, guest, staff])
      expect((await ctx.t.api(who, 'GET', `/streams/${stream.id}`)).status).toBe(200)
    expect((await ctx.t.api(stranger, 'GET', `/streams/${stream.id}`)).status).toBe(404)
    expect((await ctx.t.api(stranger, 'POST', `/streams/${stream.id}/join`, {})).status).toBe(404)
    expect((await ctx.t.api(stranger, 'GET', '/streams')).body.items).toEqual([])
    expect((await ctx.t.api(follower, 'GET', '/streams')).body.items.map((s: { id: string }) => s.id)).toEqual([
      stream.id,
    ])
    expect((await ctx.t.api(stranger, 'GET', `/streams/${stream.id}/messages`)).status).toBe(404)
  })

  test('lists filter by status, type, category and host, newest first, in pages', async () => {
    const hosts = [await ctx.t.register(), await ctx.t.register(), await ctx.t.register()]
    const a = await goLive(hosts[0]!, { title: 'a', type: 'video', category: 'music' })
    ctx.clock.advance(1000)
    const b = await goLive(hosts[1]!, { title: 'b', type: 'audio', category: 'talk' })
    ctx.clock.advance(1000)
    const c = await goLive(hosts[2]!, { title: 'c', type: 'video', category: 'music' })
    await ctx.t.api(hosts[1]!, 'POST', `/streams/${b.id}/end`)
    const viewer = await ctx.t.register()
    const ids = async (query: string) =>
      (await ctx.t.api(viewer, 'GET', `/streams${query}`)).body.items.map((s: { id: string }) => s.id)
    expect(await ids('')).toEqual([c.id, b.id, a.id])
    expect(await ids('?status=live')).toEqual([c.id, a.id])
    expect(await ids('?status=ended')).toEqual([b.id])
    expect(await ids('?type=audio')).toEqual([b.id])
    expect(await ids('?category=music')).toEqual([c.id, a.id])
    expect(await ids(`?hostId=${hosts[0]!.user.id}`)).toEqual([a.id])
    const first = (await ctx.t.api(viewer, 'GET', '/streams?limit=2')).body
    expect(first.items).toHaveLength(2)
    expect(
      (await ctx.t.api(viewer, 'GET', `/streams?limit=2&cursor=${first.nextCursor}`)).body.items.map(
        (s: { id: string }) => s.id,
      ),
    ).toEqual([a.id])
    expect((await ctx.t.api(viewer, 'GET', '/streams?status=paused')).status).toBe(422)
    expect((await ctx.t.api(viewer, 'GET', '/streams?cursor=garbage')).status).toBe(422)
  })

  test('joins count each user once; leaving lowers viewerCount but not the totals', async () => {
    const host = await ctx.t.register()
    const stream = await goLive(host)
    const viewers = [await ctx.t.register(), await ctx.t.register(), await ctx.t.register()]
    for (const viewer of viewers) {
      const joined = await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/join`, { role: 'viewer' })
      expect(joined.status).toBe(200)
      expect(joined.body).toMatchObject({ role: 'viewer', roomId: stream.roomId, iceServers: expect.any(Array) })
    }
    await ctx.t.api(viewers[0]!, 'POST', `/streams/${stream.id}/join`, {})
    expect((await ctx.t.api(host, 'POST', `/streams/${stream.id}/join`, {})).body.role).toBe('host')
    expect((await ctx.t.api(host, 'GET', `/streams/${stream.id}`)).body).toMatchObject({
      viewerCount: 3,
      peakViewers: 3,
      totalViewers: 3,
    })

    await ctx.t.api(viewers[0]!, 'POST', `/streams/${stream.id}/leave`)
    await ctx.t.api(viewers[1]!, 'POST', `/streams/${stream.id}/leave`)
    await ctx.t.api(viewers[0]!, 'POST', `/streams/${stream.id}/join`, {})
    expect((await ctx.t.api(host, 'GET', `/streams/${stream.id}`)).body).toMatchObject({
      viewerCount: 2,
      peakViewers: 3,
      totalViewers: 3,
    })
    expect((await ctx.t.api(viewers[0]!, 'POST', `/streams/${stream.id}/join`, { role: 'host' })).status).toBe(422)
    expect((await ctx.t.api(viewers[0]!, 'POST', '/streams/str_nope/join', {})).status).toBe(404)
  })

  test('100 concurrent joins give exactly totalViewers 100 and peakViewers 100', async () => {
    const host = await ctx.t.register()
    const stream = await goLive(host)
    const viewers = await Promise.all(Array.from({ length: 100 }, () => ctx.t.register()))
    const answers = await Promise.all(
      viewers.map((viewer) => ctx.t.api(viewer, 'POST', `/streams/${stream.id}/join`, {})),
    )
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    await Promise.all(viewers.slice(0, 40).map((viewer) => ctx.t.api(viewer, 'POST', `/streams/${stream.id}/leave`)))
    expect((await ctx.t.api(host, 'GET', `/streams/${stream.id}`)).body).toMatchObject({
      viewerCount: 60,
      peakViewers: 100,
      totalViewers: 100,
    })
  })

  test('co-hosts: only invited users join as co-host; only the host invites', async () => {
    const [host, guest, viewer] = [await ctx.t.register(), await ctx.t.register(), await ctx.t.register()]
    const stream = await goLive(host)
    expect((await ctx.t.api(guest, 'POST', `/streams/${stream.id}/join`, { role: 'co-host' })).status).toBe(403)
    expect((await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/co-hosts`, { userId: guest.user.id })).status).toBe(
      403,
    )
    expect((await ctx.t.api(host, 'POST', `/streams/${stream.id}/co-hosts`, { userId: 'usr_missing' })).status).toBe(
      404,
    )
    expect((await ctx.t.api(host, 'POST', `/streams/${stream.id}/co-hosts`, { userId: host.user.id })).status).toBe(422)
    expect((await ctx.t.api(host, 'POST', `/streams/${stream.id}/co-hosts`, { userId: guest.user.id })).body).toEqual({
      streamId: stream.id,
      userId: guest.user.id,
      invited: true,
    })
    expect((await ctx.t.api(guest, 'POST', `/streams/${stream.id}/join`, { role: 'co-host' })).body.role).toBe(
      'co-host',
    )
    expect((await ctx.t.api(host, 'DELETE', `/streams/${stream.id}/co-hosts/${guest.user.id}`)).body.invited).toBe(
      false,
    )
    expect((await ctx.t.api(guest, 'POST', `/streams/${stream.id}/join`, { role: 'co-host' })).status).toBe(403)
  })

  test('ending: host or staff only, stats stored, then 409 for joins, chat and a second end', async () => {
    const [host, viewer, other] = [await ctx.t.register(), await ctx.t.register(), await ctx.t.register()]
    const stream = await goLive(host)
    await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/join`, {})
    await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/messages`, { message: 'hello' })
    await grantCoins(viewer, 100)
    await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/gifts`, { giftId: 'gift_heart', quantity: 3 })
    ctx.clock.advance(90_400)

    expect((await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/end`)).status).toBe(403)
    expect(
      (await ctx.t.registerStaff('qa', ['streams']).then((qa) => ctx.t.api(qa, 'POST', `/streams/${stream.id}/end`)))
        .status,
    ).toBe(403)
    const ended = await ctx.t.api(host, 'POST', `/streams/${stream.id}/end`)
    expect(ended.body).toEqual({ durationSec: 90, peakViewers: 1, totalViewers: 1, messages: 1, gifts: 3, coins: 30 })
    expect((await ctx.t.api(host, 'GET', `/streams/${stream.id}`)).body).toMatchObject({
      status: 'ended',
      durationSec: 90,
      viewerCount: 0,
    })
    expect((await ctx.t.api(host, 'POST', `/streams/${stream.id}/end`)).body.error.code).toBe('STREAM_ENDED')
    expect((await ctx.t.api(other, 'POST', `/streams/${stream.id}/join`, {})).status).toBe(409)
    expect((await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/messages`, { message: 'late' })).status).toBe(409)
    expect((await ctx.t.api(host, 'POST', '/streams', { title: 'Again', type: 'audio' })).status).toBe(201)

    const staffStream = await goLive(other)
    const staff = await ctx.t.registerStaff('user', ['streams'])
    expect((await ctx.t.api(staff, 'POST', `/streams/${staffStream.id}/end`)).status).toBe(200)
  })

  test('a stream whose host has had no connection for 60 s ends by itself, with its stats', async () => {
    const host = await ctx.t.register()
    const stream = await goLive(host)
    ctx.clock.advance(59_000)
    await ctx.t.app.decorator.scheduler.runDue()
    expect((await ctx.t.api(host, 'GET', `/streams/${stream.id}`)).body.status).toBe('live')
    ctx.clock.advance(1_000)
    expect(await ctx.t.app.decorator.scheduler.runDue()).toBe(1)
    expect((await ctx.t.api(host, 'GET', `/streams/${stream.id}`)).body).toMatchObject({
      status: 'ended',
      durationSec: 60,
    })
    expect((await ctx.t.api(host, 'POST', '/streams', { title: 'Back', type: 'video' })).status).toBe(201)
  })

  test('chat: stored, idempotent on clientMsgId, paginated, emoji; muted, banned and slow mode refused', async () => {
    const [host, viewer, other] = [await ctx.t.register(), await ctx.t.register(), await ctx.t.register()]
    const stream = await goLive(host)
    const first = await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/messages`, {
      message: 'salam',
      clientMsgId: 'm1',
    })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({
      streamId: stream.id,
      userId: viewer.user.id,
      name: viewer.user.name,
      message: 'salam',
      type: 'text',
      clientMsgId: 'm1',
    })
    const retry = await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/messages`, {
      message: 'salam',
      clientMsgId: 'm1',
    })
    expect(retry).toMatchObject({ status: 200, body: { id: first.body.id } })
    ctx.clock.advance(10)
    expect(
      (await ctx.t.api(other, 'POST', `/streams/${stream.id}/messages`, { message: '👏', type: 'emoji' })).body.type,
    ).toBe('emoji')
    expect(
      (await ctx.t.api(other, 'POST', `/streams/${stream.id}/messages`, { message: 'x', type: 'gif' })).status,
    ).toBe(422)
    expect((await ctx.t.api(other, 'POST', `/streams/${stream.id}/messages`, { message: '' })).status).toBe(422)
    expect(
      (await ctx.t.api(other, 'POST', `/streams/${stream.id}/messages`, { message: 'y'.repeat(501) })).status,
    ).toBe(422)

    const page = (await ctx.t.api(viewer, 'GET', `/streams/${stream.id}/messages?limit=1`)).body
    expect(page.items.map((m: { message: string }) => m.message)).toEqual(['👏'])
    expect(
      (await ctx.t.api(viewer, 'GET', `/streams/${stream.id}/messages?cursor=${page.nextCursor}`)).body.items.map(
        (m: { message: string }) => m.message,
      ),
    ).toEqual(['salam'])

    expect((await ctx.t.api(host, 'PATCH', `/streams/${stream.id}`, { slowModeSec: 30 })).body.slowModeSec).toBe(30)
    expect((await ctx.t.api(viewer, 'PATCH', `/streams/${stream.id}`, { slowModeSec: 0 })).status).toBe(403)
    expect((await ctx.t.api(host, 'PATCH', `/streams/${stream.id}`, {})).status).toBe(422)
    ctx.clock.advance(1_000)
    const slowed = await ctx.t.api(other, 'POST', `/streams/${stream.id}/messages`, { message: 'again' })
    expect(slowed.status).toBe(429)
    expect(slowed.headers.get('retry-after')).toBe('29')
    expect(
      (await ctx.t.api(host, 'POST', `/streams/${stream.id}/messages`, { message: 'hosts are not slowed' })).status,
    ).toBe(201)
    expect((await ctx.t.api(host, 'POST', `/streams/${stream.id}/messages`, { message: 'twice' })).status).toBe(201)
    ctx.clock.advance(29_000)
    expect((await ctx.t.api(other, 'POST', `/streams/${stream.id}/messages`, { message: 'again' })).status).toBe(201)

    await ctx.t.api(host, 'POST', `/streams/${stream.id}/moderation`, { userId: viewer.user.id, action: 'mute' })
    expect((await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/messages`, { message: 'muted?' })).status).toBe(403)
    await ctx.t.api(host, 'POST', `/streams/${stream.id}/moderation`, { userId: viewer.user.id, action: 'unmute' })
    ctx.clock.advance(30_000)
    expect((await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/messages`, { message: 'back' })).status).toBe(201)
  })

  test('moderation: host, co-hosts and staff; ban refuses joins, chat and gifts until unban; any user id', async () => {
    const [host, coHost, viewer, other] = [
      await ctx.t.register(),
      await ctx.t.register(),
      await ctx.t.register(),
      await ctx.t.register(),
    ]
    const stream = await goLive(host)
    await ctx.t.api(host, 'POST', `/streams/${stream.id}/co-hosts`, { userId: coHost.user.id })
    await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/join`, {})

    expect(
      (await ctx.t.api(other, 'POST', `/streams/${stream.id}/moderation`, { userId: viewer.user.id, action: 'ban' }))
        .status,
    ).toBe(403)
    expect(
      (await ctx.t.api(coHost, 'POST', `/streams/${stream.id}/moderation`, { userId: host.user.id, action: 'ban' }))
        .status,
    ).toBe(403)
    expect(
      (await ctx.t.api(host, 'POST', `/streams/${stream.id}/moderation`, { userId: host.user.id, action: 'mute' }))
        .status,
    ).toBe(403)
    expect(
      (await ctx.t.api(coHost, 'POST', `/streams/${stream.id}/moderation`, { userId: viewer.user.id, action: 'shout' }))
        .status,
    ).toBe(422)
    const banned = await ctx.t.api(coHost, 'POST', `/streams/${stream.id}/moderation`, {
      userId: viewer.user.id,
      action: 'ban',
    })
    expect(banned.body).toEqual({
      streamId: stream.id,
      userId: viewer.user.id,
      action: 'ban',
      muted: false,
      banned: true,
    })
    expect((await ctx.t.api(host, 'GET', `/streams/${stream.id}`)).body.viewerCount).toBe(0)
    expect((await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/join`, {})).status).toBe(403)
    expect((await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/messages`, { message: 'hi' })).status).toBe(403)
    await grantCoins(viewer, 10)
    expect((await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/gifts`, { giftId: 'gift_rose' })).status).toBe(403)

    const absent = await ctx.t.api(host, 'POST', `/streams/${stream.id}/moderation`, {
      userId: 'usr_never_seen',
      action: 'ban',
    })
    expect(absent.body.banned).toBe(true)
    const staff = await ctx.t.registerStaff('user', ['streams'])
    expect(
      (await ctx.t.api(staff, 'POST', `/streams/${stream.id}/moderation`, { userId: viewer.user.id, action: 'unban' }))
        .body.banned,
    ).toBe(false)
    expect((await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/join`, {})).status).toBe(200)
    expect(
      (await ctx.t.api(host, 'POST', `/streams/${stream.id}/moderation`, { userId: viewer.user.id, action: 'kick' }))
        .body,
    ).toMatchObject({ action: 'kick', banned: false })
    expect((await ctx.t.api(host, 'GET', `/streams/${stream.id}`)).body.viewerCount).toBe(0)
    expect((await ctx.t.api(viewer, 'POST', `/streams/${stream.id}/join`, {})).status).toBe(200)
  })
})

describe('gifts and coins', () => {
  test('the catalogue exists on a fresh database; staff with the streams module manage it', async () => {
    const viewer = await ctx.t.register()
    const catalogue = (await ctx.t.api(viewer, 'GET', '/gifts')).body
    expect(catalogue.length).toBeGreaterThanOrEqual(5)
    expect(catalogue[0]).toMatchObject({
      id: 'gift_rose',
      name: 'Rose',
      coins: 1,
      animation: expect.any(String),
      icon: expect.any(String),
    })

    const manager = await ctx.t.registerStaff('power', ['streams'])
    expect(
      (
        await ctx.t.api(viewer, 'POST', '/backoffice/gifts', {
          name: 'Falcon',
          icon: '🦅',
          coins: 250,
          animation: 'soar',
        })
      ).status,
    ).toBe(403)
    expect(
      (
        await ctx.t.api(await ctx.t.registerStaff('user', ['streams']), 'POST', '/backoffice/gifts', {
          name: 'Falcon',
          icon: '🦅',
          coins: 250,
          animation: 'soar',
        })
      ).status,
    ).toBe(403)
    expect(
      (
        await ctx.t.api(manager, 'POST', '/backoffice/gifts', {
          name: 'Falcon',
          icon: '🦅',
          coins: 0,
          animation: 'soar',
        })
      ).status,
    ).toBe(422)
    const falcon = await ctx.t.api(manager, 'POST', '/backoffice/gifts', {
      name: 'Falcon',
      icon: '🦅',
      coins: 250,
      animation: 'soar',
    })
    expect(falcon.status).toBe(201)
    expect(
      (await ctx.t.api(manager, 'PATCH', `/backoffice/gifts/${falcon.body.id}`, { active: false })).body.active,
    ).toBe(false)
    expect((await ctx.t.api(viewer, 'GET', '/gifts')).body.map((g: { id: string }) => g.id)).not.toContain(
      falcon.body.id,
    )
    expect((await ctx.t.api(manager, 'GET', '/backoffice/gifts')).body.map((g: { id: string }) => g.id)).toContain(
      falcon.body.id,
    )
    expect((await ctx.t.api(manager, 'PATCH', '/backoffice/gifts/gift_nope', { coins: 3 })).status).toBe(404)
  })

  test('a gift moves coins × quantity from sender to host with one ledger row each; leaderboard; notification', async () => {
    const [host, fan, rich] = [await ctx.t.register(), await ctx.t.register(), await ctx.t.register()]
    expect((await ctx.t.api(host, 'PATCH', '/me', { preferences: { language: 'ar' } })).status).toBe(200)
    const stream = await goLive(host)
    await grantCoins(fan, 100)
    await grantCoins(rich, 1000)
    const sent = await ctx.t.api(fan, 'POST', `/streams/${stream.id}/gifts`, {
      giftId: 'gift_heart',
      quantity: 3,
      message: 'mashallah',
    })
    expect(sent.status).toBe(201)
    expect(sent.body).toMatchObject({
      transaction: {
        giftId: 'gift_heart',
        quantity: 3,
        coins: 30,
        senderId: fan.user.id,
        recipientId: host.user.id,
        streamId: stream.id,
      },
      balance: 70,
    })
    ctx.clock.advance(1000)
    await ctx.t.api(rich, 'POST', `/streams/${stream.id}/gifts`, { giftId: 'gift_crown' })
    const hostWallet = (await ctx.t.api(host, 'GET', '/me/wallet')).body
    expect(hostWallet.balance).toBe(130)
    expect(hostWallet.transactions.map((tx: { amount: number; kind: string }) => [tx.amount, tx.kind])).toEqual([
      [100, 'gift_received'],
      [30, 'gift_received'],
    ])
    expect((await ctx.t.api(fan, 'GET', '/me/wallet')).body.transactions[0]).toMatchObject({
      amount: -30,
      balanceAfter: 70,
      kind: 'gift_sent',
      reference: sent.body.transaction.id,
    })
    expect((await ctx.t.api(fan, 'GET', `/streams/${stream.id}/gifts/leaderboard`)).body).toEqual([
      { userId: rich.user.id, name: rich.user.name, coins: 100 },
      { userId: fan.user.id, name: fan.user.name, coins: 30 },
    ])
    const notices = (await ctx.t.api(host, 'GET', '/notifications?type=gift.received')).body.items
    expect(notices).toHaveLength(2)
    expect(notices[1]).toMatchObject({
      body: 'mashallah',
      data: { transactionId: sent.body.transaction.id, coins: 30 },
    })
    // The host reads Arabic: the whole title is Arabic, the gift's name too.
    expect(notices[1].title).toBe(`${fan.user.name} أرسل لك 3 × قلب`)
    expect(notices[0].title).toBe(`${rich.user.name} أرسل لك تاج`)
    expect(
      (await ctx.t.api(fan, 'GET', '/gifts')).body.find((gift: { id: string }) => gift.id === 'gift_heart'),
    ).toMatchObject({ name: 'Heart', nameAr: 'قلب' })
  })

  test('bad gifts: unknown gift 404, quantity out of range 422, recipient not on stage 422, not enough coins 409', async () => {
    const [host, fan, coHost, stranger] = [
      await ctx.t.register(),
      await ctx.t.register(),
      await ctx.t.register(),
      await ctx.t.register(),
    ]
    const stream = await goLive(host)
    await grantCoins(fan, 5)
    const send = (body: Record<string, unknown>) => ctx.t.api(fan, 'POST', `/streams/${stream.id}/gifts`, body)
    expect((await send({ giftId: 'gift_nope' })).status).toBe(404)
    expect((await send({ giftId: 'gift_rose', quantity: 0 })).status).toBe(422)
    expect((await send({ giftId: 'gift_rose', quantity: 100 })).status).toBe(422)
    // A number in a string only as plain decimal digits: hex, exponents, padding and fractions are 422.
    for (const quantity of ['0x10', '1e1', ' 5 ', '0b11', '2.0', '+3', ''])
      expect([quantity, (await send({ giftId: 'gift_rose', quantity })).status]).toEqual([quantity, 422])
    expect((await send({ giftId: 'gift_rose', recipientId: stranger.user.id })).body.error.code).toBe(
      'INVALID_RECIPIENT',
    )
    expect(
      (await ctx.t.api(host, 'POST', `/streams/${stream.id}/gifts`, { giftId: 'gift_rose' })).body.error.code,
    ).toBe('INVALID_RECIPIENT')
    const poor = await send({ giftId: 'gift_heart' })
    expect(poor).toMatchObject({ status: 409, body: { error: { code: 'INSUFFICIENT_COINS' } } })
    expect((await ctx.t.api(fan, 'GET', '/me/wallet')).body).toMatchObject({
      balance: 5,
      transactions: [{ amount: 5, kind: 'adjustment' }],
    })

    await ctx.t.api(host, 'POST', `/streams/${stream.id}/co-hosts`, { userId: coHost.user.id })
    expect((await send({ giftId: 'gift_coffee', recipientId: coHost.user.id })).body.transaction.recipientId).toBe(
      coHost.user.id,
    )
    expect((await ctx.t.api(coHost, 'GET', '/me/wallet')).body.balance).toBe(5)
  })

  test('50 concurrent sends from a wallet that affords 10: exactly 10 succeed, balance 0, ledger sums match', async () => {
    const [host, fan] = [await ctx.t.register(), await ctx.t.register()]
    const stream = await goLive(host)
    await grantCoins(fan, 100)
    const answers = await Promise.all(
      Array.from({ length: 50 }, () => ctx.t.api(fan, 'POST', `/streams/${stream.id}/gifts`, { giftId: 'gift_heart' })),
    )
    expect(answers.filter((a) => a.status === 201)).toHaveLength(10)
    expect(answers.filter((a) => a.status === 409 && a.body.error.code === 'INSUFFICIENT_COINS')).toHaveLength(40)

    const balance = async (id: string) =>
      (await ctx.t.db.select({ b: users.coinBalance }).from(users).where(eq(users.id, id)))[0]!.b
    const ledger = async (id: string) =>
      (
        await ctx.t.db
          .select({ sum: sql<number>`sum(${walletTransactions.amount})`, n: sql<number>`count(*)` })
          .from(walletTransactions)
          .where(eq(walletTransactions.userId, id))
      )[0]!
    expect(await balance(fan.user.id)).toBe(0)
    expect(await balance(host.user.id)).toBe(100)
    expect(await ledger(fan.user.id)).toEqual({ sum: 0, n: 11 })
    expect(await ledger(host.user.id)).toEqual({ sum: 100, n: 10 })
  })

  test('the same idempotencyKey twice, even at once, charges once and answers with the same transaction', async () => {
    const [host, fan] = [await ctx.t.register(), await ctx.t.register()]
    const stream = await goLive(host)
    await grantCoins(fan, 100)
    const body = { giftId: 'gift_star', idempotencyKey: 'tap-1' }
    const [a, b] = await Promise.all([
      ctx.t.api(fan, 'POST', `/streams/${stream.id}/gifts`, body),
      ctx.t.api(fan, 'POST', `/streams/${stream.id}/gifts`, body),
    ])
    expect([a.status, b.status].sort()).toEqual([200, 201])
    expect(a.body.transaction.id).toBe(b.body.transaction.id)
    const later = await ctx.t.api(fan, 'POST', `/streams/${stream.id}/gifts`, body)
    expect(later).toMatchObject({ status: 200, body: { transaction: { id: a.body.transaction.id }, balance: 50 } })
    expect((await ctx.t.api(host, 'GET', '/me/wallet')).body.balance).toBe(50)
  })

  test('staff adjust wallets with a reason (users module); a debit below zero is 409', async () => {
    const fan = await ctx.t.register()
    const clerk = await ctx.t.registerStaff('power', ['users'])
    const adjust = (who: Account, body: unknown) =>
      ctx.t.api(who, 'POST', `/backoffice/users/${fan.user.id}/coins`, body)
    expect((await adjust(clerk, { amount: 40, reason: 'welcome bonus' })).body).toEqual({ balance: 40 })
    expect((await adjust(clerk, { amount: -50, reason: 'chargeback' })).body.error.code).toBe('INSUFFICIENT_COINS')
    ctx.clock.advance(1000)
    expect((await adjust(clerk, { amount: -15, reason: 'chargeback' })).body).toEqual({ balance: 25 })
    expect((await adjust(clerk, { amount: 0, reason: 'nothing' })).status).toBe(422)
    expect((await adjust(clerk, { amount: 5 })).status).toBe(422)
    expect((await adjust(fan, { amount: 5, reason: 'self' })).status).toBe(403)
    expect((await adjust(await ctx.t.registerStaff('user', ['users']), { amount: 5, reason: 'x' })).status).toBe(403)
    expect(
      (await ctx.t.api(clerk, 'POST', '/backoffice/users/usr_missing/coins', { amount: 5, reason: 'x' })).status,
    ).toBe(404)
    const ledger = (await ctx.t.api(fan, 'GET', '/me/wallet')).body.transactions
    expect(ledger.map((tx: { amount: number; reference: string }) => [tx.amount, tx.reference])).toEqual([
      [-15, `${clerk.user.id}: chargeback`],
      [40, `${clerk.user.id}: welcome bonus`],
    ])
  })
})

describe('stream analytics', () => {
  test('per-day series and totals for a period; yourself, or staff with the analytics module', async () => {
    const [host, fan, other] = [await ctx.t.register(), await ctx.t.register(), await ctx.t.register()]
    await grantCoins(fan, 1000)
    const day1 = await goLive(host)
    await ctx.t.api(fan, 'POST', `/streams/${day1.id}/join`, {})
    await ctx.t.api(fan, 'POST', `/streams/${day1.id}/gifts`, { giftId: 'gift_crown' })
    ctx.clock.advance(600_000)
    await ctx.t.api(host, 'POST', `/streams/${day1.id}/end`)
    ctx.clock.advance(24 * 3600_000)
    const day2 = await goLive(host)
    await ctx.t.api(fan, 'POST', `/streams/${day2.id}/join`, {})
    await ctx.t.api(other, 'POST', `/streams/${day2.id}/join`, {})
    await ctx.t.api(fan, 'POST', `/streams/${day2.id}/messages`, { message: 'hi' })
    await ctx.t.api(fan, 'POST', `/streams/${day2.id}/gifts`, { giftId: 'gift_star', quantity: 2 })

    const week = (await ctx.t.api(host, 'GET', '/analytics/streams?period=week')).body
    expect(week).toMatchObject({
      period: 'week',
      from: '2025-12-27',
      to: '2026-01-02',
      streams: 2,
      totalDurationSec: 600,
      totalViewers: 3,
      peakViewers: 2,
      messages: 1,
      gifts: 3,
      coinsEarned: 200,
    })
    expect(week.series).toHaveLength(7)
    expect(week.series.slice(-2)).toEqual([
      { date: '2026-01-01', streams: 1, viewers: 1, coins: 100 },
      { date: '2026-01-02', streams: 1, viewers: 2, coins: 100 },
    ])
    expect((await ctx.t.api(host, 'GET', '/analytics/streams?period=day')).body).toMatchObject({
      from: '2026-01-02',
      streams: 1,
      series: [{ date: '2026-01-02' }],
    })
    expect((await ctx.t.api(host, 'GET', '/analytics/streams')).body.period).toBe('week')
    expect((await ctx.t.api(host, 'GET', '/analytics/streams?period=year')).body.series).toHaveLength(365)
    expect((await ctx.t.api(host, 'GET', '/analytics/streams?period=decade')).status).toBe(422)
    expect((await ctx.t.api(fan, 'GET', `/analytics/streams?userId=${host.user.id}`)).status).toBe(403)
    const analyst = await ctx.t.registerStaff('qa', ['analytics'])
    expect(
      (await ctx.t.api(analyst, 'GET', `/analytics/streams?userId=${host.user.id}&period=month`)).body,
    ).toMatchObject({
      streams: 2,
      coinsEarned: 200,
    })
    expect((await ctx.t.api(analyst, 'GET', '/analytics/streams?userId=usr_missing')).status).toBe(404)
  })
})

describe('profile fields of seed 002', () => {
  test('bio, avatar and preferences on PATCH /me; public profile counts streams', async () => {
    const host = await ctx.t.register()
    expect((await ctx.t.api(host, 'GET', '/me')).body.preferences).toEqual({ language: 'ar', theme: 'light' })
    const changed = await ctx.t.api(host, 'PATCH', '/me', {
      bio: 'Oud player',
      avatarUrl: 'https://cdn.example.com/a.png',
      preferences: { theme: 'dark' },
    })
    expect(changed.body).toMatchObject({
      bio: 'Oud player',
      avatarUrl: 'https://cdn.example.com/a.png',
      preferences: { language: 'ar', theme: 'dark' },
    })
    expect((await ctx.t.api(host, 'PATCH', '/me', { preferences: { language: 'en' } })).body.preferences).toEqual({
      language: 'en',
      theme: 'dark',
    })
    expect((await ctx.t.api(host, 'PATCH', '/me', { preferences: { language: 'fr' } })).status).toBe(422)
    expect((await ctx.t.api(host, 'PATCH', '/me', { preferences: {} })).status).toBe(422)
    await goLive(host)
    const viewer = await ctx.t.register()
    expect((await ctx.t.api(viewer, 'GET', `/users/${host.user.id}`)).body).toMatchObject({
      streams: 1,
      bio: 'Oud player',
      followers: 0,
    })
  })
})
