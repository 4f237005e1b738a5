import { describe, expect, test } from 'bun:test'
import { freshAppPerTest } from './helpers/app.ts'

const ctx = freshAppPerTest()

type Account = { accessToken: string; user: { id: string } }

async function open(customer: Account, body: Record<string, unknown> = { subject: 'Invoice is wrong' }) {
  const response = await ctx.t.call('POST', '/api/v1/tickets', { token: customer.accessToken, body })
  expect(response.status).toBe(201)
  ctx.clock.advance(1000)
  return response.body as { id: string }
}
const post = (who: Account, ticketId: string, body: unknown) =>
  ctx.t.call('POST', `/api/v1/tickets/${ticketId}/messages`, { token: who.accessToken, body })
const ids = (page: { items: Array<{ id: string }> }) => page.items.map((item) => item.id)

describe('tickets', () => {
  test('create with defaults; bad input is 422', async () => {
    const customer = await ctx.t.register()
    const response = await ctx.t.call('POST', '/api/v1/tickets', {
      token: customer.accessToken,
      body: { subject: 'Help', description: 'Long story' },
    })
    expect(response.body).toMatchObject({
      subject: 'Help',
      status: 'open',
      priority: 'normal',
      assigneeId: null,
      customerId: customer.user.id,
    })
    expect(
      (await ctx.t.call('POST', '/api/v1/tickets', { token: customer.accessToken, body: { subject: '' } })).status,
    ).toBe(422)
    expect(
      (
        await ctx.t.call('POST', '/api/v1/tickets', {
          token: customer.accessToken,
          body: { subject: 'x', priority: 'asap' },
        })
      ).status,
    ).toBe(422)
  })

  test('customers list their own; supporters and staff all, with filters and pages', async () => {
    const [alice, bob] = [await ctx.t.register(), await ctx.t.register()]
    const supporter = await ctx.t.register('supporter')
    const staff = await ctx.t.registerStaff()
    const a1 = await open(alice, { subject: 'a1', priority: 'urgent' })
    const b1 = await open(bob, { subject: 'b1' })
    const a2 = await open(alice, { subject: 'a2' })
    await ctx.t.call('POST', `/api/v1/tickets/${a1.id}/assign`, { token: supporter.accessToken, body: {} })
    await ctx.t.call('PATCH', `/api/v1/tickets/${a2.id}`, { token: alice.accessToken, body: { status: 'closed' } })

    const list = async (who: Account, query = '') =>
      (await ctx.t.call('GET', `/api/v1/tickets${query}`, { token: who.accessToken })).body
    expect(ids(await list(alice))).toEqual([a2.id, a1.id])
    expect(ids(await list(bob))).toEqual([b1.id])
    expect(ids(await list(supporter))).toEqual([a2.id, b1.id, a1.id])
    expect(ids(await list(staff, '?status=open'))).toEqual([b1.id, a1.id])
    expect(ids(await list(staff, `?assigneeId=${supporter.user.id}`))).toEqual([a1.id])
    expect(ids(await list(staff, '?priority=urgent'))).toEqual([a1.id])
    const page = await list(staff, '?limit=2')
    expect(ids(await list(staff, `?limit=2&cursor=${page.nextCursor}`))).toEqual([a1.id])
    expect((await ctx.t.call('GET', '/api/v1/tickets?status=done', { token: staff.accessToken })).status).toBe(422)
  })

  test("another customer gets 404 for someone else's ticket, its messages and writes", async () => {
    const [owner, stranger] = [await ctx.t.register(), await ctx.t.register()]
    const ticket = await open(owner)
    for (const [method, path, body] of [
      ['GET', `/api/v1/tickets/${ticket.id}`, undefined],
      ['GET', `/api/v1/tickets/${ticket.id}/messages`, undefined],
      ['POST', `/api/v1/tickets/${ticket.id}/messages`, { content: 'sneaky' }],
      ['PATCH', `/api/v1/tickets/${ticket.id}`, { status: 'closed' }],
    ] as const) {
      expect((await ctx.t.call(method, path, { token: stranger.accessToken, body })).status).toBe(404)
    }
    expect(
      (await ctx.t.call('POST', `/api/v1/tickets/${ticket.id}/assign`, { token: stranger.accessToken, body: {} }))
        .status,
    ).toBe(403)
    const stored = await ctx.t.call('GET', `/api/v1/tickets/${ticket.id}`, { token: owner.accessToken })
    expect(stored.body.status).toBe('open')
    expect(
      (await ctx.t.call('GET', `/api/v1/tickets/${ticket.id}/messages`, { token: owner.accessToken })).body.items,
    ).toEqual([])
  })

  test('PATCH: customers change status of their own ticket; priority is for agents', async () => {
    const customer = await ctx.t.register()
    const supporter = await ctx.t.register('supporter')
    const ticket = await open(customer)
    await ctx.t.call('POST', `/api/v1/tickets/${ticket.id}/assign`, { token: supporter.accessToken, body: {} })

    const forbidden = await ctx.t.call('PATCH', `/api/v1/tickets/${ticket.id}`, {
      token: customer.accessToken,
      body: { priority: 'urgent' },
    })
    expect(forbidden.status).toBe(403)
    const prioritised = await ctx.t.call('PATCH', `/api/v1/tickets/${ticket.id}`, {
      token: supporter.accessToken,
      body: { priority: 'high' },
    })
    expect(prioritised.body).toMatchObject({ priority: 'high', status: 'open' })

    const closed = await ctx.t.call('PATCH', `/api/v1/tickets/${ticket.id}`, {
      token: customer.accessToken,
      body: { status: 'closed' },
    })
    expect(closed.body.status).toBe('closed')
    expect(closed.body.closedAt).toBe(new Date(ctx.clock.now()).toISOString())
    const reopened = await ctx.t.call('PATCH', `/api/v1/tickets/${ticket.id}`, {
      token: customer.accessToken,
      body: { status: 'open' },
    })
    expect(reopened.body.closedAt).toBeNull()

    const notes = (await ctx.t.call('GET', '/api/v1/notifications', { token: supporter.accessToken })).body.items
    expect(notes.filter((n: { type: string }) => n.type === 'ticket.status_changed')).toHaveLength(2)
    expect(
      (await ctx.t.call('PATCH', `/api/v1/tickets/${ticket.id}`, { token: customer.accessToken, body: {} })).status,
    ).toBe(422)
    expect(
      (
        await ctx.t.call('PATCH', `/api/v1/tickets/${ticket.id}`, {
          token: customer.accessToken,
          body: { status: 'solved' },
        })
      ).status,
    ).toBe(422)
  })

  test('assign: yourself by default, or another agent; never a customer', async () => {
    const customer = await ctx.t.register()
    const [first, second] = [await ctx.t.register('supporter'), await ctx.t.register('supporter')]
    const ticket = await open(customer)
    expect(
      (await ctx.t.call('POST', `/api/v1/tickets/${ticket.id}/assign`, { token: first.accessToken, body: {} })).body
        .assigneeId,
    ).toBe(first.user.id)
    const handedOver = await ctx.t.call('POST', `/api/v1/tickets/${ticket.id}/assign`, {
      token: first.accessToken,
      body: { agentId: second.user.id },
    })
    expect(handedOver.body.assigneeId).toBe(second.user.id)
    expect((await ctx.t.call('GET', '/api/v1/notifications', { token: second.accessToken })).body.items[0].type).toBe(
      'ticket.assigned',
    )
    const toCustomer = await ctx.t.call('POST', `/api/v1/tickets/${ticket.id}/assign`, {
      token: first.accessToken,
      body: { agentId: customer.user.id },
    })
    expect(toCustomer.status).toBe(422)
    expect(toCustomer.body.error.code).toBe('INVALID_AGENT')
    expect(
      (
        await ctx.t.call('POST', `/api/v1/tickets/${ticket.id}/assign`, {
          token: first.accessToken,
          body: { agentId: 'usr_nobody' },
        })
      ).status,
    ).toBe(422)
    expect(
      (await ctx.t.call('POST', '/api/v1/tickets/tkt_nope/assign', { token: first.accessToken, body: {} })).status,
    ).toBe(404)
  })

  test('messages: stored with the sender from the token, paged newest first, idempotent on clientMsgId', async () => {
    const customer = await ctx.t.register()
    const supporter = await ctx.t.register('supporter')
    const ticket = await open(customer)
    await ctx.t.call('POST', `/api/v1/tickets/${ticket.id}/assign`, { token: supporter.accessToken, body: {} })

    const first = await post(customer, ticket.id, { content: 'hello', clientMsgId: 'c-1', senderId: supporter.user.id })
    expect(first.status).toBe(201)
    expect(first.body).toMatchObject({ content: 'hello', senderId: customer.user.id, clientMsgId: 'c-1' })
    const retried = await post(customer, ticket.id, { content: 'hello', clientMsgId: 'c-1' })
    expect(retried.status).toBe(200)
    expect(retried.body.id).toBe(first.body.id)
    ctx.clock.advance(1000)
    await post(supporter, ticket.id, { content: 'hi, how can I help?', clientMsgId: 'c-1' })
    ctx.clock.advance(1000)
    await post(customer, ticket.id, { content: 'third' })

    const page1 = await ctx.t.call('GET', `/api/v1/tickets/${ticket.id}/messages?limit=2`, {
      token: supporter.accessToken,
    })
    expect(page1.body.items.map((m: { content: string }) => m.content)).toEqual(['third', 'hi, how can I help?'])
    const page2 = await ctx.t.call(
      'GET',
      `/api/v1/tickets/${ticket.id}/messages?limit=2&cursor=${page1.body.nextCursor}`,
      { token: customer.accessToken },
    )
    expect(page2.body.items.map((m: { content: string }) => m.content)).toEqual(['hello'])
    expect(page2.body.nextCursor).toBeNull()

    const customerNotes = (
      await ctx.t.call('GET', '/api/v1/notifications?type=ticket.reply', { token: customer.accessToken })
    ).body.items
    const supporterNotes = (
      await ctx.t.call('GET', '/api/v1/notifications?type=ticket.reply', { token: supporter.accessToken })
    ).body.items
    expect(customerNotes).toHaveLength(1)
    expect(supporterNotes).toHaveLength(2)

    expect((await post(customer, ticket.id, { content: '' })).status).toBe(422)
    expect((await post(customer, ticket.id, { content: 'x'.repeat(4001) })).status).toBe(422)
  })

  test('a closed ticket takes no messages until reopened', async () => {
    const customer = await ctx.t.register()
    const ticket = await open(customer)
    await ctx.t.call('PATCH', `/api/v1/tickets/${ticket.id}`, {
      token: customer.accessToken,
      body: { status: 'closed' },
    })
    const refused = await post(customer, ticket.id, { content: 'anyone?' })
    expect(refused.status).toBe(409)
    expect(refused.body.error.code).toBe('TICKET_CLOSED')
  })

  test('stats/counts by status for what the caller can see', async () => {
    const [alice, bob] = [await ctx.t.register(), await ctx.t.register()]
    const staff = await ctx.t.registerStaff()
    const a1 = await open(alice)
    await open(alice)
    await open(bob)
    await ctx.t.call('PATCH', `/api/v1/tickets/${a1.id}`, { token: staff.accessToken, body: { status: 'pending' } })
    expect((await ctx.t.call('GET', '/api/v1/tickets/stats/counts', { token: alice.accessToken })).body).toEqual({
      open: 1,
      pending: 1,
      closed: 0,
      total: 2,
    })
    expect((await ctx.t.call('GET', '/api/v1/tickets/stats/counts', { token: staff.accessToken })).body).toEqual({
      open: 2,
      pending: 1,
      closed: 0,
      total: 3,
    })
    expect((await ctx.t.call('GET', '/api/v1/tickets/stats/counts')).status).toBe(401)
  })
})
