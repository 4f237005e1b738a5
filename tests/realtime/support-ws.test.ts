import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startMediaServer, type MediaServer } from '../helpers/media-server.ts'
import { connectWs } from '../helpers/ws-client.ts'

let server: MediaServer
beforeAll(async () => {
  server = await startMediaServer({ workers: 1 })
})
afterAll(() => server.stop())

type Account = Awaited<ReturnType<MediaServer['register']>>
const rest = (who: Account, method: string, path: string, body?: unknown) =>
  server.call(method, `/api/v1${path}`, { token: who.accessToken, body })

async function ticketWithAgent() {
  const customer = await server.register()
  const supporter = await server.register('supporter')
  const ticket = (await rest(customer, 'POST', '/tickets', { subject: 'Refund' })).body
  await rest(supporter, 'POST', `/tickets/${ticket.id}/assign`, {})
  const customerWs = await connectWs(server.wsUrl, customer.accessToken)
  const supporterWs = await connectWs(server.wsUrl, supporter.accessToken)
  return { customer, supporter, ticket, customerWs, supporterWs }
}

describe('tickets over /ws', () => {
  test('staff need the tickets module to join a ticket, and more than qa to write in it', async () => {
    const { ticket, customerWs, supporterWs } = await ticketWithAgent()
    const outsider = await connectWs(server.wsUrl, (await server.registerStaff('power', ['support'])).accessToken)
    expect(await outsider.request('join_ticket', { ticketId: ticket.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
    const qa = await connectWs(server.wsUrl, (await server.registerStaff('qa', ['tickets'])).accessToken)
    expect(await qa.request('join_ticket', { ticketId: ticket.id })).toMatchObject({ ok: true })
    expect(await qa.request('send_message', { ticketId: ticket.id, content: 'hello' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await qa.request('ticket_status_change', { ticketId: ticket.id, status: 'closed' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    for (const ws of [outsider, qa, customerWs, supporterWs]) ws.close()
  })

  test('join, chat with the sender from the token, typing, status change, presence and leaving', async () => {
    const { customer, supporter, ticket, customerWs, supporterWs } = await ticketWithAgent()
    const joined = await supporterWs.request('join_ticket', { ticketId: ticket.id })
    expect(joined).toMatchObject({
      ok: true,
      data: { ticket: { id: ticket.id }, presence: [{ userId: supporter.user.id }] },
    })
    await customerWs.request('join_ticket', { ticketId: ticket.id })
    expect((await supporterWs.event('user_joined')).data).toMatchObject({
      ticketId: ticket.id,
      userId: customer.user.id,
    })

    const sent = await customerWs.request('send_message', {
      ticketId: ticket.id,
      content: 'Where is my refund?',
      clientMsgId: 'm-1',
      senderId: supporter.user.id,
    })
    expect(sent).toMatchObject({
      ok: true,
      data: { duplicate: false, message: { senderId: customer.user.id, content: 'Where is my refund?' } },
    })
    const received = await supporterWs.event('message_received')
    expect(received.data).toMatchObject({ id: sent.data.message.id, senderId: customer.user.id })

    const retried = await customerWs.request('send_message', {
      ticketId: ticket.id,
      content: 'Where is my refund?',
      clientMsgId: 'm-1',
    })
    expect(retried.data).toMatchObject({ duplicate: true, message: { id: sent.data.message.id } })
    const history = (await rest(customer, 'GET', `/tickets/${ticket.id}/messages`)).body.items
    expect(history).toHaveLength(1)

    await customerWs.request('typing', { ticketId: ticket.id, isTyping: true })
    expect((await supporterWs.event('typing_indicator')).data).toMatchObject({
      userId: customer.user.id,
      isTyping: true,
    })
    expect(customerWs.messages.some((m) => m.type === 'typing_indicator')).toBe(false)

    const changed = await supporterWs.request('ticket_status_change', { ticketId: ticket.id, status: 'pending' })
    expect(changed.data.ticket.status).toBe('pending')
    expect((await customerWs.event('ticket_updated')).data).toMatchObject({ id: ticket.id, status: 'pending' })
    expect((await customerWs.event('notification')).data).toMatchObject({ type: 'ticket.status_changed' })

    const viaRest = await rest(supporter, 'POST', `/tickets/${ticket.id}/messages`, { content: 'Processing now' })
    expect(
      (await customerWs.next((m) => m.type === 'message_received' && m.data.id === viaRest.body.id)).data.content,
    ).toBe('Processing now')

    customerWs.close()
    expect((await supporterWs.event('user_left')).data).toMatchObject({ ticketId: ticket.id, userId: customer.user.id })
    supporterWs.close()
  })

  test('another customer cannot join, and receives nothing of the ticket', async () => {
    const { ticket, customerWs, supporterWs } = await ticketWithAgent()
    const stranger = await server.register()
    const strangerWs = await connectWs(server.wsUrl, stranger.accessToken)
    expect(await strangerWs.request('join_ticket', { ticketId: ticket.id })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
    expect(await strangerWs.request('send_message', { ticketId: ticket.id, content: 'hi' })).toMatchObject({
      ok: false,
      error: { code: 'NOT_FOUND' },
    })
    expect(await strangerWs.request('typing', { ticketId: ticket.id, isTyping: true })).toMatchObject({
      ok: false,
      error: { code: 'NOT_JOINED' },
    })

    await customerWs.request('join_ticket', { ticketId: ticket.id })
    await supporterWs.request('send_message', { ticketId: ticket.id, content: 'private' })
    await customerWs.event('message_received')
    expect(strangerWs.messages.filter((m) => m.type)).toEqual([])
    for (const client of [strangerWs, customerWs, supporterWs]) client.close()
  })

  test('invalid payloads get error replies and the connection stays up', async () => {
    const { ticket, customerWs, supporterWs } = await ticketWithAgent()
    expect(await customerWs.request('send_message', { ticketId: ticket.id })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    })
    expect(await customerWs.request('send_message', { ticketId: ticket.id, content: '' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    })
    expect(await customerWs.request('ticket_status_change', { ticketId: ticket.id, status: 'solved' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    })
    expect(await customerWs.request('join_ticket', {})).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    })
    expect(await customerWs.request('ping')).toMatchObject({ type: 'pong' })
    customerWs.close()
    supporterWs.close()
  })
})

describe('support calls over /ws', () => {
  async function acceptedCall() {
    const customer = await server.register()
    const supporter = await server.register('supporter')
    const customerWs = await connectWs(server.wsUrl, customer.accessToken)
    const request = (
      await rest(customer, 'POST', '/support-requests', { subject: 'Router setup', description: 'Blinking light' })
    ).body
    const { videoCall } = (await rest(supporter, 'POST', `/support-requests/${request.id}/accept`)).body
    return { customer, supporter, customerWs, videoCall }
  }

  test('accepting pushes a notification; join-room, call-started, call-ended, user-left', async () => {
    const { customer, supporter, customerWs, videoCall } = await acceptedCall()
    expect((await customerWs.event('notification')).data).toMatchObject({
      type: 'support_request.accepted',
      data: { videoCallId: videoCall.id },
    })
    const supporterWs = await connectWs(server.wsUrl, supporter.accessToken)

    expect((await customerWs.request('join-room', { roomId: videoCall.roomId })).data.participants).toEqual([
      { userId: customer.user.id, name: customer.user.name },
    ])
    await supporterWs.request('join-room', { roomId: videoCall.roomId })
    expect((await customerWs.event('user-joined')).data).toMatchObject({
      roomId: videoCall.roomId,
      userId: supporter.user.id,
    })

    await rest(supporter, 'POST', `/video-calls/${videoCall.id}/start`)
    for (const ws of [customerWs, supporterWs])
      expect((await ws.event('call-started')).data).toMatchObject({ callId: videoCall.id })

    const media = await supporterWs.request('media:join', { room: videoCall.roomId })
    expect(media.data.grant.canPublish).toEqual(expect.arrayContaining(['camera', 'microphone']))

    await rest(customer, 'POST', `/video-calls/${videoCall.id}/end`)
    for (const ws of [customerWs, supporterWs])
      expect((await ws.event('call-ended')).data).toMatchObject({
        callId: videoCall.id,
        durationSec: expect.any(Number),
      })
    expect((await supporterWs.event('media:roomClosed')).data).toMatchObject({
      room: videoCall.roomId,
      reason: 'call ended',
    })
    expect(await supporterWs.request('media:join', { room: videoCall.roomId })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })

    await customerWs.request('leave-room', { roomId: videoCall.roomId })
    expect((await supporterWs.event('user-left')).data).toMatchObject({ userId: customer.user.id })
    expect(await customerWs.request('join-room', { roomId: videoCall.roomId })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    customerWs.close()
    supporterWs.close()
  })

  test('only the two participants may join the call room or its media room', async () => {
    const { customerWs, videoCall } = await acceptedCall()
    const otherSupporter = await server.register('supporter')
    const intruder = await connectWs(server.wsUrl, otherSupporter.accessToken)
    expect(await intruder.request('join-room', { roomId: videoCall.roomId })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await intruder.request('media:join', { room: videoCall.roomId })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    })
    expect(await intruder.request('join-room', { roomId: 'not-a-call' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    })
    intruder.close()
    customerWs.close()
  })
})
