import { describe, expect, test } from 'bun:test'
import { appsOverRedisPerFile } from '../helpers/redis.ts'
import { connectWs } from '../helpers/ws-client.ts'

// Two instances behind one REDIS_URL and one database, each with its own sockets.
const { instances } = appsOverRedisPerFile(2)

describe('with REDIS_URL, WS fan-out crosses instances', () => {
  test('a ticket chat with one side on each instance', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]]
    const customer = await a.app.register()
    const supporter = await b.app.register('supporter')
    const ticket = (
      await a.app.call('POST', '/api/v1/tickets', {
        token: customer.accessToken,
        body: { subject: 'Across instances' },
      })
    ).body

    const customerWs = await connectWs(a.wsUrl, customer.accessToken)
    const supporterWs = await connectWs(b.wsUrl, supporter.accessToken)
    await customerWs.request('join_ticket', { ticketId: ticket.id })
    await supporterWs.request('join_ticket', { ticketId: ticket.id })
    expect((await customerWs.event('user_joined')).data.userId).toBe(supporter.user.id)

    const sent = await supporterWs.request('send_message', { ticketId: ticket.id, content: 'Hello from instance B' })
    const received = await customerWs.event('message_received')
    expect(received.data).toMatchObject({
      id: sent.data.message.id,
      content: 'Hello from instance B',
      senderId: supporter.user.id,
    })
    // The sender's own instance delivered it once, not once more through Redis.
    await Bun.sleep(200)
    expect(supporterWs.messages.filter((m) => m.type === 'message_received')).toHaveLength(1)

    // A notification stored by instance A reaches the supporter's socket on instance B.
    await a.app.call('POST', `/api/v1/tickets/${ticket.id}/assign`, {
      token: (await a.app.registerStaff()).accessToken,
      body: { agentId: supporter.user.id },
    })
    expect((await supporterWs.event('notification')).data).toMatchObject({ type: 'ticket.assigned' })
    customerWs.close()
    supporterWs.close()
  })

  test('another instance’s room stays private: a socket outside the channel hears nothing', async () => {
    const [a, b] = instances as [(typeof instances)[0], (typeof instances)[0]]
    const customer = await a.app.register()
    const outsider = await b.app.register()
    const ticket = (
      await a.app.call('POST', '/api/v1/tickets', { token: customer.accessToken, body: { subject: 'Private' } })
    ).body
    const outsiderWs = await connectWs(b.wsUrl, outsider.accessToken)
    await a.app.call('POST', `/api/v1/tickets/${ticket.id}/messages`, {
      token: customer.accessToken,
      body: { content: 'secret' },
    })
    await Bun.sleep(200)
    expect(outsiderWs.messages).toEqual([])
    outsiderWs.close()
  })
})
