import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { applyMigrations } from '../../src/db/migrate.ts'
import { createTestApp, ManualClock, type TestApp } from '../helpers/app.ts'
import { tempDir } from '../helpers/server-process.ts'
import { connectWs } from '../helpers/ws-client.ts'
import { makeCatalogue, makeProvider, type Account } from './helpers.ts'

let t: TestApp
let clock: ManualClock
beforeEach(async () => {
  clock = new ManualClock()
  t = await createTestApp({ clock })
})
afterEach(() => t.close())

const newRequest = (client: Account, body: Record<string, unknown>) =>
  t.api(client, 'POST', '/service-requests', {
    title: 'Kitchen leak',
    description: 'Water under the sink',
    city: 'Riyadh',
    ...body,
  })
const noticeTypes = async (who: Account) =>
  (await t.api(who, 'GET', '/notifications?limit=100')).body.items.map((n: { type: string }) => n.type)

describe('normal requests', () => {
  test('sent to one provider: accept, start, complete, review; each step in the history and told to the other side', async () => {
    const { leaks } = await makeCatalogue(t)
    const plumber = await makeProvider(t, [leaks.id])
    const client = await t.register()
    const created = await newRequest(client, {
      type: 'normal',
      subcategoryId: leaks.id,
      providerId: plumber.provider.id,
      budget: 20000,
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      status: 'sent',
      type: 'normal',
      providerId: plumber.provider.id,
      budget: 20000,
      currency: 'SAR',
      expiresAt: null,
    })
    const id = created.body.id
    expect(await noticeTypes(plumber)).toContain('request.new')

    clock.advance(1000)
    expect((await t.api(plumber, 'POST', `/service-requests/${id}/start`)).body.error.code).toBe('INVALID_TRANSITION')
    expect((await t.api(plumber, 'POST', `/service-requests/${id}/accept`)).body.status).toBe('accepted')
    expect((await t.api(plumber, 'POST', `/service-requests/${id}/accept`)).status).toBe(409)
    clock.advance(1000)
    expect((await t.api(plumber, 'POST', `/service-requests/${id}/start`, { note: 'On my way' })).body.status).toBe(
      'in_progress',
    )
    expect((await t.api(client, 'POST', `/service-requests/${id}/cancel`)).body.error.code).toBe('INVALID_TRANSITION')
    expect((await t.api(client, 'POST', `/service-requests/${id}/review`, { rating: 5 })).body.error.code).toBe(
      'INVALID_STATE',
    )
    clock.advance(1000)
    expect((await t.api(plumber, 'POST', `/service-requests/${id}/complete`)).body.status).toBe('completed')
    expect((await t.api(plumber, 'POST', `/service-requests/${id}/complete`)).status).toBe(409)

    const history = (await t.api(client, 'GET', `/service-requests/${id}/history`)).body
    expect(history.map((entry: { status: string; actorId: string }) => [entry.status, entry.actorId])).toEqual([
      ['sent', client.user.id],
      ['accepted', plumber.user.id],
      ['in_progress', plumber.user.id],
      ['completed', plumber.user.id],
    ])
    expect(history[2].note).toBe('On my way')
    expect(await noticeTypes(client)).toEqual(['request.completed', 'request.started', 'request.accepted'])

    expect((await t.api(client, 'POST', `/service-requests/${id}/review`, { rating: 6 })).status).toBe(422)
    expect((await t.api(plumber, 'POST', `/service-requests/${id}/review`, { rating: 1 })).status).toBe(403)
    const review = await t.api(client, 'POST', `/service-requests/${id}/review`, {
      rating: 4,
      comment: 'Quick and clean',
    })
    expect(review.status).toBe(201)
    expect(review.body).toMatchObject({
      rating: 4,
      comment: 'Quick and clean',
      clientId: client.user.id,
      clientName: client.user.name,
      providerId: plumber.provider.id,
    })
    expect((await t.api(client, 'POST', `/service-requests/${id}/review`, { rating: 5 })).body.error.code).toBe(
      'ALREADY_REVIEWED',
    )
    expect((await t.api(null, 'GET', `/providers/${plumber.provider.id}/rating`)).body).toEqual({
      average: 4,
      count: 1,
      distribution: { 1: 0, 2: 0, 3: 0, 4: 1, 5: 0 },
    })
    expect((await t.api(null, 'GET', `/providers/${plumber.provider.id}/reviews`)).body.items).toMatchObject([
      { id: review.body.id },
    ])
    expect((await t.api(null, 'GET', `/providers/${plumber.provider.id}`)).body.rating).toEqual({
      average: 4,
      count: 1,
    })
    expect(await noticeTypes(plumber)).toContain('request.reviewed')
  })

  test('rejection and cancellation; bad input; someone else’s request is 404 and a wrong actor 403', async () => {
    const { leaks, retired } = await makeCatalogue(t)
    const plumber = await makeProvider(t, [leaks.id])
    const otherPlumber = await makeProvider(t, [leaks.id])
    const [client, stranger] = [await t.register(), await t.register()]
    expect((await newRequest(client, { type: 'normal', subcategoryId: leaks.id })).body.error.details[0].path).toBe(
      '/providerId',
    )
    expect(
      (await newRequest(client, { type: 'urgent', subcategoryId: leaks.id, providerId: plumber.provider.id })).status,
    ).toBe(422)
    expect(
      (await newRequest(client, { type: 'normal', subcategoryId: retired.id, providerId: plumber.provider.id })).body
        .error.code,
    ).toBe('INVALID_SUBCATEGORY')
    expect(
      (await newRequest(client, { type: 'normal', subcategoryId: leaks.id, providerId: 'prv_nope' })).body.error.code,
    ).toBe('INVALID_PROVIDER')
    expect(
      (await newRequest(plumber, { type: 'normal', subcategoryId: leaks.id, providerId: plumber.provider.id })).body
        .error.code,
    ).toBe('OWN_REQUEST')
    expect((await newRequest(client, { type: 'weekly', subcategoryId: leaks.id })).status).toBe(422)
    expect((await newRequest(client, { type: 'competitive', subcategoryId: leaks.id, budget: -5 })).status).toBe(422)
    expect((await newRequest(client, { type: 'competitive', subcategoryId: leaks.id, title: '' })).status).toBe(422)

    const first = (
      await newRequest(client, { type: 'normal', subcategoryId: leaks.id, providerId: plumber.provider.id })
    ).body
    expect((await t.api(stranger, 'GET', `/service-requests/${first.id}`)).status).toBe(404)
    expect((await t.api(stranger, 'GET', `/service-requests/${first.id}/history`)).status).toBe(404)
    expect((await t.api(otherPlumber, 'GET', `/service-requests/${first.id}`)).status).toBe(404)
    expect((await t.api(otherPlumber, 'POST', `/service-requests/${first.id}/accept`)).status).toBe(404)
    expect((await t.api(plumber, 'POST', `/service-requests/${first.id}/cancel`)).status).toBe(403)
    expect((await t.api(client, 'POST', `/service-requests/${first.id}/accept`)).body.error.code).toBe('NOT_A_PROVIDER')
    expect(
      (await t.api(plumber, 'POST', `/service-requests/${first.id}/reject`, { note: 'Fully booked' })).body.status,
    ).toBe('rejected')
    expect((await t.api(plumber, 'POST', `/service-requests/${first.id}/accept`)).status).toBe(409)
    expect((await t.api(client, 'GET', `/notifications?type=request.rejected`)).body.items[0]).toMatchObject({
      body: 'Fully booked',
    })

    const second = (
      await newRequest(client, { type: 'normal', subcategoryId: leaks.id, providerId: plumber.provider.id })
    ).body
    await t.api(plumber, 'POST', `/service-requests/${second.id}/accept`)
    expect(
      (await t.api(client, 'POST', `/service-requests/${second.id}/cancel`, { note: 'Fixed it myself' })).body.status,
    ).toBe('cancelled')
    expect(await noticeTypes(plumber)).toContain('request.cancelled')
    expect((await t.api(client, 'POST', `/service-requests/${second.id}/cancel`)).status).toBe(409)
    expect(
      (await t.api(client, 'GET', '/service-requests?status=cancelled')).body.items.map((r: { id: string }) => r.id),
    ).toEqual([second.id])
    expect((await t.api(client, 'GET', '/service-requests?q=kitchen')).body.items).toHaveLength(2)
    expect((await t.api(client, 'GET', '/service-requests?type=urgent')).body.items).toEqual([])
    expect((await t.api(stranger, 'GET', '/service-requests')).body.items).toEqual([])
    expect(
      (await t.api(plumber, 'GET', '/provider/requests?status=cancelled')).body.items.map((r: { id: string }) => r.id),
    ).toEqual([second.id])
  })
})

describe('competitive requests', () => {
  test('providers in the subcategory and city offer once each; the client accepts exactly one, even when two accepts race', async () => {
    const { leaks, maths } = await makeCatalogue(t)
    const [a, b, c] = [
      await makeProvider(t, [leaks.id]),
      await makeProvider(t, [leaks.id]),
      await makeProvider(t, [leaks.id]),
    ]
    const elsewhere = await makeProvider(t, [leaks.id], { city: 'Jeddah' })
    const tutor = await makeProvider(t, [maths.id])
    const client = await t.register()
    const request = (await newRequest(client, { type: 'competitive', subcategoryId: leaks.id })).body
    for (const provider of [a, b, c]) expect(await noticeTypes(provider)).toEqual(['request.available'])
    expect(await noticeTypes(elsewhere)).toEqual([])
    expect((await t.api(a, 'GET', '/provider/requests/available')).body.items.map((r: { id: string }) => r.id)).toEqual(
      [request.id],
    )
    expect((await t.api(elsewhere, 'GET', '/provider/requests/available')).body.items).toEqual([])

    const offerA = await t.api(a, 'POST', `/service-requests/${request.id}/offers`, {
      price: 15000,
      etaDays: 2,
      note: 'Tomorrow',
    })
    expect(offerA.status).toBe(201)
    expect(offerA.body).toMatchObject({ price: 15000, currency: 'SAR', status: 'pending', providerId: a.provider.id })
    expect((await t.api(a, 'POST', `/service-requests/${request.id}/offers`, { price: 1 })).body.error.code).toBe(
      'ALREADY_OFFERED',
    )
    const offerB = (await t.api(b, 'POST', `/service-requests/${request.id}/offers`, { price: 12000 })).body
    expect((await t.api(tutor, 'POST', `/service-requests/${request.id}/offers`, { price: 1 })).status).toBe(404)
    expect((await t.api(elsewhere, 'POST', `/service-requests/${request.id}/offers`, { price: 1 })).status).toBe(404)
    expect((await t.api(c, 'POST', `/service-requests/${request.id}/offers`, { price: -1 })).status).toBe(422)
    expect(await noticeTypes(client)).toEqual(['request.offer', 'request.offer'])

    expect(
      (await t.api(client, 'GET', `/service-requests/${request.id}/offers`)).body.map((o: { id: string }) => o.id),
    ).toEqual([offerB.id, offerA.body.id])
    expect(
      (await t.api(a, 'GET', `/service-requests/${request.id}/offers`)).body.map((o: { id: string }) => o.id),
    ).toEqual([offerA.body.id])
    expect((await t.api(b, 'POST', `/offers/${offerA.body.id}/accept`)).status).toBe(403)

    const [first, second] = await Promise.all([
      t.api(client, 'POST', `/offers/${offerA.body.id}/accept`),
      t.api(client, 'POST', `/offers/${offerB.id}/accept`),
    ])
    expect([first.status, second.status].sort()).toEqual([200, 409])
    const winner = first.status === 200 ? first.body : second.body
    const settled = (await t.api(client, 'GET', `/service-requests/${request.id}/offers`)).body
    expect(settled.filter((o: { status: string }) => o.status === 'accepted').map((o: { id: string }) => o.id)).toEqual(
      [winner.offer.id],
    )
    expect(settled.filter((o: { status: string }) => o.status === 'rejected')).toHaveLength(1)
    expect(winner.request).toMatchObject({ status: 'accepted', acceptedOfferId: winner.offer.id })
    expect((await t.api(client, 'POST', `/offers/${winner.offer.id}/accept`)).status).toBe(409)
    expect((await t.api(c, 'POST', `/service-requests/${request.id}/offers`, { price: 1 })).status).toBe(404)
    const winnerAccount = winner.offer.id === offerA.body.id ? a : b
    const loserAccount = winnerAccount === a ? b : a
    expect(await noticeTypes(winnerAccount)).toContain('request.offer_accepted')
    expect(await noticeTypes(loserAccount)).toContain('request.offer_rejected')
    expect((await t.api(loserAccount, 'GET', `/service-requests/${request.id}`)).status).toBe(404)
    expect((await t.api(winnerAccount, 'POST', `/service-requests/${request.id}/start`)).body.status).toBe(
      'in_progress',
    )
  })
})

describe('urgent requests', () => {
  test('20 concurrent claims: exactly one wins, the rest 409; a provider outside the field cannot claim', async () => {
    const { leaks, maths } = await makeCatalogue(t)
    const providers = await Promise.all(Array.from({ length: 20 }, () => makeProvider(t, [leaks.id])))
    const tutor = await makeProvider(t, [maths.id])
    const client = await t.register()
    const request = (await newRequest(client, { type: 'urgent', subcategoryId: leaks.id })).body
    expect(new Date(request.expiresAt).getTime() - new Date(request.createdAt).getTime()).toBe(30 * 60 * 1000)
    const answers = await Promise.all(
      providers.map((provider) => t.api(provider, 'POST', `/service-requests/${request.id}/claim`)),
    )
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(1)
    const losers = answers.filter((answer) => answer.status === 409)
    expect(losers).toHaveLength(19)
    // Each loser hears that someone else was first, not that the request cannot change state.
    expect(new Set(losers.map((answer) => answer.body.error.code))).toEqual(new Set(['ALREADY_TAKEN']))
    const winner = answers.find((answer) => answer.status === 200)!.body
    const loser = providers.find((candidate) => candidate.provider.id !== winner.providerId)!
    const late = await t.call('POST', `/api/v1/service-requests/${request.id}/claim`, {
      token: loser.accessToken,
      headers: { 'accept-language': 'ar' },
    })
    expect(late.body.error).toMatchObject({ code: 'ALREADY_TAKEN', message: 'سبقك مقدّم خدمة آخر إلى هذا الطلب' })
    expect(providers.map((p) => p.provider.id)).toContain(winner.providerId)
    expect(
      (await t.api(client, 'GET', `/service-requests/${request.id}/history`)).body.map(
        (entry: { status: string }) => entry.status,
      ),
    ).toEqual(['sent', 'accepted'])
    expect(await noticeTypes(client)).toEqual(['request.claimed'])

    const another = (await newRequest(client, { type: 'urgent', subcategoryId: leaks.id })).body
    expect((await t.api(tutor, 'POST', `/service-requests/${another.id}/claim`)).body.error.code).toBe('NOT_ELIGIBLE')
    expect((await t.api(client, 'POST', `/service-requests/${another.id}/claim`)).body.error.code).toBe(
      'NOT_A_PROVIDER',
    )
    const competitive = (await newRequest(client, { type: 'competitive', subcategoryId: leaks.id })).body
    expect((await t.api(providers[0]!, 'POST', `/service-requests/${competitive.id}/claim`)).status).toBe(409)
  })

  test('unclaimed for 30 minutes it expires through a durable job, the client is told, and claims are refused', async () => {
    const { leaks } = await makeCatalogue(t)
    const plumber = await makeProvider(t, [leaks.id])
    const client = await t.register()
    const request = (await newRequest(client, { type: 'urgent', subcategoryId: leaks.id })).body
    clock.advance(29 * 60 * 1000)
    await t.app.decorator.scheduler.runDue()
    expect((await t.api(client, 'GET', `/service-requests/${request.id}`)).body.status).toBe('sent')
    clock.advance(60 * 1000 + 1)
    expect((await t.api(plumber, 'POST', `/service-requests/${request.id}/claim`)).body.error.message).toBe(
      'This urgent request has expired',
    )
    await t.app.decorator.scheduler.runDue()
    expect((await t.api(client, 'GET', `/service-requests/${request.id}`)).body.status).toBe('expired')
    expect((await t.api(client, 'GET', `/service-requests/${request.id}/history`)).body.at(-1)).toMatchObject({
      status: 'expired',
      actorId: null,
    })
    expect(await noticeTypes(client)).toEqual(['request.expired'])
    expect((await t.api(client, 'POST', `/service-requests/${request.id}/cancel`)).status).toBe(409)
  })

  test('the expiry survives a restart on the same database file', async () => {
    t.close()
    const file = `file:${join(tempDir(), 'marketplace.db')}`
    t = await createTestApp({ clock, env: { DATABASE_URL: file } })
    const { leaks } = await makeCatalogue(t)
    await makeProvider(t, [leaks.id])
    const client = await t.register()
    const request = (await newRequest(client, { type: 'urgent', subcategoryId: leaks.id })).body
    t.close()

    t = await createTestApp({ clock, env: { DATABASE_URL: file } })
    await applyMigrations(t.db)
    clock.advance(31 * 60 * 1000)
    await t.app.decorator.scheduler.runDue()
    expect((await t.api(client, 'GET', `/service-requests/${request.id}`)).body.status).toBe('expired')
    expect(await noticeTypes(client)).toEqual(['request.expired'])
  })
})

describe('request chat', () => {
  test('client and assigned provider talk over REST and /ws; stored once per clientMsgId; read receipts; nobody else joins; staff read and write', async () => {
    const { leaks } = await makeCatalogue(t)
    const plumber = await makeProvider(t, [leaks.id])
    const [client, stranger] = [await t.register(), await t.register()]
    const request = (
      await newRequest(client, { type: 'normal', subcategoryId: leaks.id, providerId: plumber.provider.id })
    ).body
    const path = `/service-requests/${request.id}`
    const open = (await newRequest(client, { type: 'competitive', subcategoryId: leaks.id })).body
    expect(
      (await t.api(client, 'POST', `/service-requests/${open.id}/messages`, { body: 'Hello' })).body.error.code,
    ).toBe('NOT_ASSIGNED')
    await t.api(plumber, 'POST', `${path}/accept`)

    const { port } = t.app.listen(0).server!
    const clientWs = await connectWs(`ws://localhost:${port}/ws`, client.accessToken)
    const providerWs = await connectWs(`ws://localhost:${port}/ws`, plumber.accessToken)
    const strangerWs = await connectWs(`ws://localhost:${port}/ws`, stranger.accessToken)
    try {
      expect((await clientWs.request('join_request', { requestId: request.id })).ok).toBe(true)
      const joined = await providerWs.request('join_request', { requestId: request.id })
      expect(joined.data.thread).toEqual({ unread: 0, lastMessage: null })
      const refused = await strangerWs.request('join_request', { requestId: request.id })
      expect(refused).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } })

      const sent = await clientWs.request('send_request_message', {
        requestId: request.id,
        body: 'When can you come?',
        clientMsgId: 'm1',
      })
      expect(sent.data).toMatchObject({
        duplicate: false,
        message: { body: 'When can you come?', senderId: client.user.id },
      })
      expect((await providerWs.event('request_message')).data).toMatchObject({ id: sent.data.message.id })
      expect(
        (
          await clientWs.request('send_request_message', {
            requestId: request.id,
            body: 'When can you come?',
            clientMsgId: 'm1',
          })
        ).data.duplicate,
      ).toBe(true)
      expect((await t.api(client, 'POST', `${path}/messages`, { body: 'again', clientMsgId: 'm1' })).status).toBe(200)
      expect((await strangerWs.request('send_request_message', { requestId: request.id, body: 'hi' })).ok).toBe(false)
      expect((await clientWs.request('send_request_message', { requestId: request.id, body: '' })).error.code).toBe(
        'VALIDATION_FAILED',
      )

      clock.advance(1000)
      expect((await t.api(plumber, 'GET', `${path}/thread`)).body).toMatchObject({
        unread: 1,
        lastMessage: { id: sent.data.message.id },
      })
      clock.advance(1000)
      expect((await t.api(plumber, 'POST', `${path}/messages/read`)).body).toEqual({ marked: 1 })
      expect((await clientWs.event('request_read')).data).toMatchObject({
        requestId: request.id,
        userId: plumber.user.id,
      })
      expect((await t.api(plumber, 'POST', `${path}/messages/read`)).body).toEqual({ marked: 0 })
      expect((await t.api(plumber, 'GET', `${path}/thread`)).body.unread).toBe(0)
      clock.advance(1000)
      const reply = await t.api(plumber, 'POST', `${path}/messages`, { body: 'After Asr' })
      expect(reply.status).toBe(201)
      expect((await clientWs.next((m) => m.type === 'request_message' && m.data.id === reply.body.id)).data.body).toBe(
        'After Asr',
      )
      expect((await t.api(client, 'GET', `${path}/thread`)).body.unread).toBe(1)
      expect(await noticeTypes(client)).toContain('request.message')

      await t.api(plumber, 'POST', `${path}/start`)
      expect((await clientWs.event('request_updated')).data).toMatchObject({ id: request.id, status: 'in_progress' })

      expect((await t.api(stranger, 'GET', `${path}/messages`)).status).toBe(404)
      expect((await t.api(client, 'GET', `${path}/messages?limit=1`)).body).toMatchObject({
        items: [{ body: 'After Asr' }],
        nextCursor: expect.any(String),
      })
      const reader = await t.registerStaff('qa', ['marketplace'])
      expect((await t.api(reader, 'GET', `${path}/messages`)).body.items).toHaveLength(2)
      expect((await t.api(reader, 'POST', `/backoffice${path}/messages`, { body: 'Hi' })).status).toBe(403)
      const agent = await t.registerStaff('user', ['marketplace'])
      const staffMessage = await t.api(agent, 'POST', `/backoffice${path}/messages`, { body: 'Staff here: all good?' })
      expect(staffMessage.status).toBe(201)
      expect(
        (await clientWs.next((m) => m.type === 'request_message' && m.data.id === staffMessage.body.id)).data.senderId,
      ).toBe(agent.user.id)
      expect((await t.api(await t.registerStaff('power', ['tickets']), 'GET', `${path}/messages`)).status).toBe(403)
    } finally {
      for (const ws of [clientWs, providerWs, strangerWs]) ws.close()
      await t.app.stop()
    }
  })
})

describe('back office', () => {
  test('staff list every request and move one along the state machine as the actor; qa only read', async () => {
    const { leaks } = await makeCatalogue(t)
    const plumber = await makeProvider(t, [leaks.id])
    const client = await t.register()
    const request = (await newRequest(client, { type: 'competitive', subcategoryId: leaks.id })).body
    const power = await t.registerStaff('power', ['marketplace'])
    const qa = await t.registerStaff('qa', ['marketplace'])
    expect(
      (await t.api(qa, 'GET', '/backoffice/service-requests?type=competitive')).body.items.map(
        (r: { id: string }) => r.id,
      ),
    ).toEqual([request.id])
    expect((await t.api(qa, 'GET', `/service-requests/${request.id}`)).status).toBe(200)
    expect(
      (await t.api(qa, 'POST', `/backoffice/service-requests/${request.id}/transition`, { to: 'cancelled' })).status,
    ).toBe(403)
    expect(
      (await t.api(power, 'POST', `/backoffice/service-requests/${request.id}/transition`, { to: 'in_progress' }))
        .status,
    ).toBe(409)
    expect(
      (await t.api(power, 'POST', `/backoffice/service-requests/${request.id}/transition`, { to: 'accepted' })).body
        .error.code,
    ).toBe('NOT_ASSIGNED')
    expect(
      (await t.api(power, 'POST', `/backoffice/service-requests/${request.id}/transition`, { to: 'sent' })).status,
    ).toBe(422)
    const cancelled = await t.api(power, 'POST', `/backoffice/service-requests/${request.id}/transition`, {
      to: 'cancelled',
      note: 'Duplicate',
    })
    expect(cancelled.body.status).toBe('cancelled')
    expect((await t.api(client, 'GET', `/service-requests/${request.id}/history`)).body.at(-1)).toMatchObject({
      status: 'cancelled',
      actorId: power.user.id,
      note: 'Duplicate',
    })
    expect(await noticeTypes(client)).toContain('request.cancelled')
    expect(
      (await t.api(power, 'POST', '/backoffice/service-requests/req_nope/transition', { to: 'cancelled' })).status,
    ).toBe(404)
    expect((await t.api(plumber, 'GET', '/backoffice/service-requests')).status).toBe(403)
  })
})
