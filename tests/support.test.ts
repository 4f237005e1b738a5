import { describe, expect, test } from 'bun:test'
import { freshAppPerTest, type TestApp } from './helpers/app.ts'

const ctx = freshAppPerTest()

type Account = Awaited<ReturnType<TestApp['register']>>

async function ask(customer: Account, subject = 'My camera does not work') {
  const response = await ctx.t.call('POST', '/api/v1/support-requests', {
    token: customer.accessToken,
    body: { subject, description: 'Details', priority: 'high' },
  })
  expect(response.status).toBe(201)
  return response.body as { id: string; status: string }
}
const act = (account: { accessToken: string }, id: string, verb: string, body?: unknown) =>
  ctx.t.call('POST', `/api/v1/support-requests/${id}/${verb}`, { token: account.accessToken, body })
const idsOf = (page: { items: Array<{ id: string }> }) => page.items.map((item) => item.id).sort()

describe('support requests', () => {
  test('a customer creates one; bad input is 422', async () => {
    const customer = await ctx.t.register()
    const request = await ask(customer)
    expect(request).toMatchObject({
      status: 'pending',
      customerId: customer.user.id,
      supporterId: null,
      priority: 'high',
    })
    const bad = await ctx.t.call('POST', '/api/v1/support-requests', {
      token: customer.accessToken,
      body: { subject: '', priority: 'whenever' },
    })
    expect(bad.status).toBe(422)
    expect(bad.body.error.details.map((d: { path: string }) => d.path)).toEqual(
      expect.arrayContaining(['/subject', '/description', '/priority']),
    )
  })

  test('lists by role: customer own, supporter pending + assigned, staff all', async () => {
    const [alice, bob] = [await ctx.t.register(), await ctx.t.register()]
    const [sup1, sup2] = [await ctx.t.register('supporter'), await ctx.t.register('supporter')]
    const staff = await ctx.t.registerStaff()
    const a1 = await ask(alice)
    const a2 = await ask(alice)
    const b1 = await ask(bob)
    await act(sup1, a1.id, 'accept')
    await act(sup2, a2.id, 'accept')

    const list = async (who: { accessToken: string }, query = '') =>
      (await ctx.t.call('GET', `/api/v1/support-requests${query}`, { token: who.accessToken })).body
    expect(idsOf(await list(alice))).toEqual([a1.id, a2.id].sort())
    expect(idsOf(await list(bob))).toEqual([b1.id])
    expect(idsOf(await list(sup1))).toEqual([a1.id, b1.id].sort())
    expect(idsOf(await list(staff))).toEqual([a1.id, a2.id, b1.id].sort())
    expect(idsOf(await list(staff, '?status=accepted'))).toEqual([a1.id, a2.id].sort())
    expect(
      (await ctx.t.call('GET', '/api/v1/support-requests?status=bogus', { token: staff.accessToken })).status,
    ).toBe(422)

    const page = await list(staff, '?limit=2')
    expect(page.items).toHaveLength(2)
    expect(idsOf(await list(staff, `?limit=2&cursor=${page.nextCursor}`))).toHaveLength(1)
  })

  test("another customer cannot see, cancel or accept someone else's request", async () => {
    const [owner, stranger] = [await ctx.t.register(), await ctx.t.register()]
    const request = await ask(owner)
    expect(
      (await ctx.t.call('GET', `/api/v1/support-requests/${request.id}`, { token: stranger.accessToken })).status,
    ).toBe(404)
    expect((await act(stranger, request.id, 'cancel')).status).toBe(404)
    expect((await act(stranger, request.id, 'accept')).status).toBe(403)
    expect(
      (await ctx.t.call('GET', `/api/v1/support-requests/${request.id}`, { token: owner.accessToken })).body.status,
    ).toBe('pending')
  })

  test('accept: exactly one of twelve concurrent supporters wins, the rest get 409', async () => {
    const customer = await ctx.t.register()
    const request = await ask(customer)
    const supporters = await Promise.all(Array.from({ length: 12 }, () => ctx.t.register('supporter')))
    const results = await Promise.all(supporters.map((supporter) => act(supporter, request.id, 'accept')))
    const winners = results.filter((r) => r.status === 200)
    expect(winners).toHaveLength(1)
    expect(results.filter((r) => r.status === 409)).toHaveLength(11)
    expect(results.find((r) => r.status === 409)!.body.error.code).toBe('INVALID_STATE')

    const { request: accepted, videoCall } = winners[0]!.body
    expect(accepted.status).toBe('accepted')
    expect(videoCall).toMatchObject({
      requestId: request.id,
      customerId: customer.user.id,
      supporterId: accepted.supporterId,
      status: 'created',
    })
    expect(videoCall.roomId).toBe(`call:${videoCall.id}`)
    const winner = supporters[results.indexOf(winners[0]!)]!
    expect(accepted.supporterId).toBe(winner.user.id)

    const notes = await ctx.t.call('GET', '/api/v1/notifications', { token: customer.accessToken })
    expect(notes.body.items).toHaveLength(1)
    expect(notes.body.items[0]).toMatchObject({
      type: 'support_request.accepted',
      data: { requestId: request.id, videoCallId: videoCall.id },
    })
  })

  test('reject: supporters and staff, pending only, with a reason the customer hears of', async () => {
    const customer = await ctx.t.register()
    const supporter = await ctx.t.register('supporter')
    const request = await ask(customer)
    expect((await act(customer, request.id, 'reject', {})).status).toBe(403)
    const rejected = await act(supporter, request.id, 'reject', { reason: 'Out of scope' })
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectReason: 'Out of scope' })
    expect((await act(supporter, request.id, 'reject', {})).status).toBe(409)
    expect((await act(supporter, request.id, 'accept')).status).toBe(409)
    const [note] = (await ctx.t.call('GET', '/api/v1/notifications', { token: customer.accessToken })).body.items
    expect(note).toMatchObject({ type: 'support_request.rejected', data: { reason: 'Out of scope' } })
    expect((await act(supporter, request.id, 'reject', { reason: '' })).status).toBe(422)
  })

  test('complete: only the assigned supporter, only when accepted; it ends the call', async () => {
    const customer = await ctx.t.register()
    const [assigned, other] = [await ctx.t.register('supporter'), await ctx.t.register('supporter')]
    const request = await ask(customer)
    expect((await act(assigned, request.id, 'complete')).status).toBe(403)
    const { videoCall } = (await act(assigned, request.id, 'accept')).body
    expect((await act(other, request.id, 'complete')).status).toBe(403)
    expect((await act(customer, request.id, 'complete')).status).toBe(403)
    ctx.clock.advance(1000)
    expect((await act(assigned, request.id, 'complete')).body.status).toBe('completed')
    expect((await act(assigned, request.id, 'complete')).status).toBe(409)
    const call = await ctx.t.call('GET', `/api/v1/video-calls/${videoCall.id}`, { token: customer.accessToken })
    expect(call.body.status).toBe('ended')
    const types = (await ctx.t.call('GET', '/api/v1/notifications', { token: customer.accessToken })).body.items.map(
      (n: { type: string }) => n.type,
    )
    expect(types).toEqual(['support_request.completed', 'support_request.accepted'])
  })

  test('cancel: the owner, while pending or accepted; the supporter hears of it', async () => {
    const customer = await ctx.t.register()
    const supporter = await ctx.t.register('supporter')
    const pending = await ask(customer)
    expect((await act(customer, pending.id, 'cancel')).body.status).toBe('cancelled')
    expect((await act(customer, pending.id, 'cancel')).status).toBe(409)

    const accepted = await ask(customer)
    const { videoCall } = (await act(supporter, accepted.id, 'accept')).body
    expect((await act(customer, accepted.id, 'cancel')).body.status).toBe('cancelled')
    expect(
      (await ctx.t.call('GET', `/api/v1/video-calls/${videoCall.id}`, { token: supporter.accessToken })).body.status,
    ).toBe('ended')
    const [note] = (await ctx.t.call('GET', '/api/v1/notifications', { token: supporter.accessToken })).body.items
    expect(note.type).toBe('support_request.cancelled')
  })
})

describe('video calls', () => {
  async function acceptedCall() {
    const customer = await ctx.t.register()
    const supporter = await ctx.t.register('supporter')
    const request = await ask(customer)
    const { videoCall } = (await act(supporter, request.id, 'accept')).body
    return { customer, supporter, videoCall: videoCall as { id: string; roomId: string } }
  }

  test('get by id and by room: participants and staff; strangers get 404', async () => {
    const { customer, supporter, videoCall } = await acceptedCall()
    const stranger = await ctx.t.register('supporter')
    const staff = await ctx.t.registerStaff()
    for (const who of [customer, supporter, staff]) {
      expect((await ctx.t.call('GET', `/api/v1/video-calls/${videoCall.id}`, { token: who.accessToken })).body.id).toBe(
        videoCall.id,
      )
    }
    expect(
      (await ctx.t.call('GET', `/api/v1/video-calls/room/${videoCall.roomId}`, { token: customer.accessToken })).body
        .id,
    ).toBe(videoCall.id)
    expect(
      (await ctx.t.call('GET', `/api/v1/video-calls/${videoCall.id}`, { token: stranger.accessToken })).status,
    ).toBe(404)
    expect(
      (await ctx.t.call('GET', `/api/v1/video-calls/room/${videoCall.roomId}`, { token: stranger.accessToken })).status,
    ).toBe(404)
    expect(
      (await ctx.t.call('POST', `/api/v1/video-calls/${videoCall.id}/start`, { token: staff.accessToken })).status,
    ).toBe(404)
  })

  test('start and end record the times and the duration', async () => {
    const { customer, supporter, videoCall } = await acceptedCall()
    const started = await ctx.t.call('POST', `/api/v1/video-calls/${videoCall.id}/start`, {
      token: supporter.accessToken,
    })
    expect(started.body).toMatchObject({ status: 'active', startedAt: new Date(ctx.clock.now()).toISOString() })
    ctx.clock.advance(5_000)
    const again = await ctx.t.call('POST', `/api/v1/video-calls/${videoCall.id}/start`, { token: customer.accessToken })
    expect(again.body.startedAt).toBe(started.body.startedAt)
    ctx.clock.advance(90_000)
    const ended = await ctx.t.call('POST', `/api/v1/video-calls/${videoCall.id}/end`, { token: customer.accessToken })
    expect(ended.body).toMatchObject({
      status: 'ended',
      durationSec: 95,
      endedAt: new Date(ctx.clock.now()).toISOString(),
    })
    expect(
      (await ctx.t.call('POST', `/api/v1/video-calls/${videoCall.id}/end`, { token: supporter.accessToken })).status,
    ).toBe(409)
    expect(
      (await ctx.t.call('POST', `/api/v1/video-calls/${videoCall.id}/start`, { token: supporter.accessToken })).status,
    ).toBe(409)
  })

  test('a call ended before it started lasted 0 s; non-participants cannot end it', async () => {
    const { customer, videoCall } = await acceptedCall()
    const stranger = await ctx.t.register()
    expect(
      (await ctx.t.call('POST', `/api/v1/video-calls/${videoCall.id}/end`, { token: stranger.accessToken })).status,
    ).toBe(404)
    expect(
      (await ctx.t.call('POST', `/api/v1/video-calls/${videoCall.id}/end`, { token: customer.accessToken })).body
        .durationSec,
    ).toBe(0)
    expect((await ctx.t.call('GET', '/api/v1/video-calls/vc_unknown', { token: customer.accessToken })).status).toBe(
      404,
    )
    expect((await ctx.t.call('GET', `/api/v1/video-calls/${videoCall.id}`)).status).toBe(401)
  })
})
