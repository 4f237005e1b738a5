import { afterEach, describe, expect, test } from 'bun:test'
import { connect } from 'node:net'
import { join } from 'node:path'
import { connectWs } from './helpers/ws-client.ts'
import { admin, apiClient, killStartedServers, startServer, tempDir } from './helpers/server-process.ts'

afterEach(killStartedServers)

/** The real entry point (bun src/index.ts), a file database and the real clock, as a new user meets it. */
async function realServer(extraEnv: Record<string, string> = {}) {
  const env = { DATABASE_URL: `file:${join(tempDir(), 'majlis.db')}`, ...extraEnv }
  const server = startServer(env)
  await server.waitUntilUp()
  const api = apiClient(server.baseUrl)
  /** Stops the server and returns its log lines at warn level and above. */
  const stop = async () => {
    server.child.kill('SIGTERM')
    await server.child.exited
    const { stdout } = await server.output()
    return stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((line) => line.level === 'warn' || line.level === 'error')
  }
  return { server, env, api, stop }
}

/** Sends bytes on a raw TCP connection and returns everything the server answers until it closes. */
function rawExchange(port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.end(request))
    let answer = ''
    socket.on('data', (chunk) => (answer += chunk.toString('utf8')))
    socket.on('close', () => resolve(answer))
    socket.on('error', reject)
  })
}

describe('journeys on the real entry point with the real clock', () => {
  test('the marketplace: signed in by OTP, a client asks; urgent is claimed, competitive takes offers; both end reviewed and rated', async () => {
    // Three sign-ins from one address in a second would trip the per-address sign-in limit.
    const { env, api, stop } = await realServer({ RATE_LIMIT_FACTOR: '10' })
    expect(admin(['seed-catalog'], env).exitCode).toBe(0)
    const plumbing = (await api('GET', '/categories')).body.find(
      (category: { nameEn: string }) => category.nameEn === 'Plumbing',
    )
    const leaks = plumbing.subcategories.find((sub: { nameEn: string }) => sub.nameEn === 'Leak repair')
    const signIn = async (phone: string, name: string) => {
      const sent = (await api('POST', '/auth/otp/send', undefined, { phone })).body
      const session = (await api('POST', '/auth/otp/verify', undefined, { phone, code: sent.devCode })).body
      expect(session.user.role).toBe('phone_only')
      const completed = await api('POST', '/me/complete', session.accessToken, { name })
      expect(completed.status).toBe(200)
      return session as { accessToken: string; user: { id: string } }
    }
    const client = await signIn('+966500001001', 'Client')
    const plumbers = [await signIn('+966500001002', 'Plumber One'), await signIn('+966500001003', 'Plumber Two')]
    for (const [index, plumber] of plumbers.entries()) {
      const registered = await api('POST', '/providers/register', plumber.accessToken, {
        displayName: `سبّاك ${index + 1}`,
        city: 'الرياض',
        subcategoryIds: [leaks.id],
      })
      expect(registered.status).toBe(201)
    }
    const [first, second] = plumbers as [(typeof plumbers)[0], (typeof plumbers)[0]]
    const ask = async (type: string) =>
      (
        await api('POST', '/service-requests', client.accessToken, {
          type,
          title: 'تسريب في المطبخ',
          description: 'ماء تحت المغسلة',
          subcategoryId: leaks.id,
          city: 'الرياض',
        })
      ).body

    const urgent = await ask('urgent')
    expect(urgent.status).toBe('sent')
    const claims = await Promise.all(
      plumbers.map((plumber) => api('POST', `/service-requests/${urgent.id}/claim`, plumber.accessToken)),
    )
    expect(claims.map((claim) => claim.status).sort()).toEqual([200, 409])
    const taker = claims[0]!.status === 200 ? first : second
    expect((await api('POST', `/service-requests/${urgent.id}/start`, taker.accessToken)).body.status).toBe(
      'in_progress',
    )
    expect((await api('POST', `/service-requests/${urgent.id}/complete`, taker.accessToken)).body.status).toBe(
      'completed',
    )
    expect(
      (await api('POST', `/service-requests/${urgent.id}/review`, client.accessToken, { rating: 5, comment: 'ممتاز' }))
        .status,
    ).toBe(201)

    const competitive = await ask('competitive')
    const offers = [
      (await api('POST', `/service-requests/${competitive.id}/offers`, first.accessToken, { price: 20000, etaDays: 1 }))
        .body,
      (
        await api('POST', `/service-requests/${competitive.id}/offers`, second.accessToken, {
          price: 15000,
          etaDays: 2,
        })
      ).body,
    ]
    const accepted = await api('POST', `/offers/${offers[1]!.id}/accept`, client.accessToken)
    expect(accepted.body.request).toMatchObject({ status: 'accepted', providerId: offers[1]!.providerId })
    const message = await api('POST', `/service-requests/${competitive.id}/messages`, client.accessToken, {
      body: 'متى تصل؟',
      clientMsgId: 'c-1',
    })
    expect(message.status).toBe(201)
    expect((await api('GET', `/service-requests/${competitive.id}/thread`, second.accessToken)).body.unread).toBe(1)
    expect((await api('POST', `/service-requests/${competitive.id}/start`, second.accessToken)).body.status).toBe(
      'in_progress',
    )
    expect((await api('POST', `/service-requests/${competitive.id}/complete`, second.accessToken)).body.status).toBe(
      'completed',
    )
    expect(
      (await api('POST', `/service-requests/${competitive.id}/review`, client.accessToken, { rating: 3 })).status,
    ).toBe(201)

    const history = (await api('GET', `/service-requests/${competitive.id}/history`, client.accessToken)).body
    expect(history.map((entry: { status: string }) => entry.status)).toEqual([
      'sent',
      'accepted',
      'in_progress',
      'completed',
    ])
    expect(new Set(history.map((entry: { at: string }) => entry.at)).size).toBeGreaterThan(1)
    // The urgent job was rated 5 and the competitive one 3: whoever did each carries those ratings.
    const takerId = (await api('GET', '/providers/me', taker.accessToken)).body.id
    const ratingsOf = (providerId: string) =>
      [takerId === providerId ? [5] : [], offers[1]!.providerId === providerId ? [3] : []].flat()
    for (const providerId of new Set([takerId, offers[1]!.providerId])) {
      const given = ratingsOf(providerId)
      expect((await api('GET', `/providers/${providerId}/rating`)).body).toMatchObject({
        average: given.reduce((a, b) => a + b, 0) / given.length,
        count: given.length,
      })
    }
    const found = (await api('GET', `/providers?q=${encodeURIComponent('سباك')}&city=${encodeURIComponent('الرياض')}`))
      .body.items
    expect(found).toHaveLength(2)
    expect((await api('GET', '/service-requests/req_nope', client.accessToken)).body.error.message).toBe(
      'لم يُعثر على المطلوب',
    )
    expect(await stop()).toEqual([])
  })

  test('a support call: a supporter approved by staff accepts, the call starts and ends with a whole-second duration', async () => {
    const { server, env, api, stop } = await realServer()
    expect(
      admin(
        ['create-staff', '--email', 'ops@example.com', '--name', 'Ops', '--profile', 'power', '--modules', 'support'],
        { ...env, STAFF_PASSWORD: 'ops password' },
      ).exitCode,
    ).toBe(0)
    const staff = (await api('POST', '/auth/login', undefined, { email: 'ops@example.com', password: 'ops password' }))
      .body
    const customer = (
      await api('POST', '/auth/register', undefined, {
        email: 'c@example.com',
        password: 'customer pw',
        name: 'Customer',
      })
    ).body
    const applicant = (
      await api('POST', '/auth/register', undefined, {
        email: 's@example.com',
        password: 'supporter pw',
        name: 'Supporter',
        role: 'supporter',
      })
    ).body
    expect(applicant.user).toMatchObject({ role: 'customer', pendingRole: 'supporter' })

    const request = (
      await api('POST', '/support-requests', customer.accessToken, { subject: 'Router', description: 'No internet' })
    ).body
    expect((await api('POST', `/support-requests/${request.id}/accept`, applicant.accessToken)).status).toBe(403)
    expect(
      (await api('GET', '/backoffice/users/pending-supporters', staff.accessToken)).body.items.map(
        (u: { id: string }) => u.id,
      ),
    ).toEqual([applicant.user.id])
    expect(
      (await api('POST', `/backoffice/users/${applicant.user.id}/approve-supporter`, staff.accessToken)).body,
    ).toMatchObject({ role: 'supporter', pendingRole: null })

    const accepted = await api('POST', `/support-requests/${request.id}/accept`, applicant.accessToken)
    expect(accepted.status).toBe(200)
    const callId = accepted.body.videoCall.id
    const customerWs = await connectWs(`${server.baseUrl.replace('http', 'ws')}/ws`, customer.accessToken)
    expect((await api('POST', `/video-calls/${callId}/start`, applicant.accessToken)).body.status).toBe('active')
    await customerWs.event('call-started')
    await Bun.sleep(1300)

    const ended = await api('POST', `/video-calls/${callId}/end`, customer.accessToken)
    expect(ended.status).toBe(200)
    expect(Number.isInteger(ended.body.durationSec)).toBe(true)
    expect(ended.body.durationSec).toBeGreaterThanOrEqual(1)
    expect((await customerWs.event('call-ended')).data).toMatchObject({ callId, durationSec: ended.body.durationSec })
    expect((await api('GET', `/video-calls/${callId}`, customer.accessToken)).body.durationSec).toBe(
      ended.body.durationSec,
    )
    expect((await api('GET', `/video-calls/room/call:${callId}`, applicant.accessToken)).status).toBe(200)
    expect((await api('POST', `/support-requests/${request.id}/complete`, applicant.accessToken)).body.status).toBe(
      'completed',
    )
    customerWs.close()
    expect(await stop()).toEqual([])
  })

  test('raw protocol abuse gets the envelope or a plain close, never a stack or a development page', async () => {
    const { server, api, stop } = await realServer()
    const port = Number(new URL(server.baseUrl).port)

    const noHost = await rawExchange(port, 'GET / HTTP/1.0\r\n\r\n')
    expect(noHost).toStartWith('HTTP/1.1 404')
    expect(noHost).toContain('"code":"NOT_FOUND"')
    expect(noHost).not.toContain('src/')

    const chunkedBody = `POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${`10000\r\n${' '.repeat(0x10000)}\r\n`.repeat(6)}0\r\n\r\n`
    const tooLarge = await rawExchange(port, chunkedBody)
    expect(tooLarge).toStartWith('HTTP/1.1 413')
    expect(tooLarge).toContain('"code":"PAYLOAD_TOO_LARGE"')

    const user = (
      await api('POST', '/auth/register', undefined, { email: 'w@example.com', password: 'ws password', name: 'W' })
    ).body
    const ws = await connectWs(`${server.baseUrl.replace('http', 'ws')}/ws`, user.accessToken)
    expect((await ws.request('ping')).type).toBe('pong')
    ws.sendRaw(JSON.stringify({ type: 'ping', data: { padding: 'x'.repeat(70 * 1024) } }))
    expect((await ws.closed).code).toBe(1009)

    const deep = await connectWs(`${server.baseUrl.replace('http', 'ws')}/ws`, user.accessToken)
    deep.sendRaw(`{"id":"d","type":"join_ticket","data":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`)
    expect((await deep.next((m) => m.id === 'd')).error.code).toBe('VALIDATION_FAILED')
    expect((await deep.request('ping')).type).toBe('pong')
    deep.close()

    expect((await fetch(`${server.baseUrl}/health/live`)).status).toBe(200)
    expect(await stop()).toEqual([])
  })

  test('a live stream: followers notified, a viewer chats and sends a gift, the stats are whole seconds and survive a restart', async () => {
    const uploadDir = tempDir('majlis-uploads-')
    const { server, env, api, stop } = await realServer({ UPLOAD_DIR: uploadDir })
    const register = async (name: string) =>
      (
        await api('POST', '/auth/register', undefined, {
          email: `${name}@example.com`,
          password: `${name} password`,
          name,
        })
      ).body
    const [host, fan] = [await register('host'), await register('fan')]
    await api('POST', `/users/${host.user.id}/follow`, fan.accessToken)
    expect(admin(['adjust-coins', '--user', fan.user.id, '--amount', '60', '--reason', 'welcome'], env).exitCode).toBe(
      0,
    )

    const stream = (await api('POST', '/streams', host.accessToken, { title: 'Night talk', type: 'audio' })).body
    expect((await api('GET', '/notifications?type=stream.live', fan.accessToken)).body.items[0].data.streamId).toBe(
      stream.id,
    )
    const wsUrl = `${server.baseUrl.replace('http', 'ws')}/ws`
    const hostWs = await connectWs(wsUrl, host.accessToken)
    await hostWs.request('join_session', { sessionId: stream.id })
    const fanWs = await connectWs(wsUrl, fan.accessToken)
    expect((await fanWs.request('join_session', { sessionId: stream.id })).data).toMatchObject({
      role: 'viewer',
      viewers: 1,
    })
    expect((await hostWs.event('viewer_joined')).data.userId).toBe(fan.user.id)
    await fanWs.request('send_stream_message', { sessionId: stream.id, message: 'good evening' })
    expect((await hostWs.event('new_message')).data.message).toBe('good evening')
    const gift = await api('POST', `/streams/${stream.id}/gifts`, fan.accessToken, {
      giftId: 'gift_star',
      idempotencyKey: 'evening-star',
    })
    expect(gift.body.balance).toBe(10)
    expect((await hostWs.event('gift_animation')).data.transaction.id).toBe(gift.body.transaction.id)
    await Bun.sleep(1300)

    const ended = await api('POST', `/streams/${stream.id}/end`, host.accessToken)
    expect(ended.status).toBe(200)
    expect(Number.isInteger(ended.body.durationSec)).toBe(true)
    expect(ended.body).toMatchObject({ peakViewers: 1, totalViewers: 1, messages: 1, gifts: 1, coins: 50 })
    expect(ended.body.durationSec).toBeGreaterThanOrEqual(1)
    expect((await fanWs.event('session_ended')).data.stats).toEqual(ended.body)

    const form = new FormData()
    form.append('title', 'Highlights')
    form.append('category', 'talk')
    form.append(
      'file',
      new Blob([new Uint8Array([0, 0, 0, 0x18, ...new TextEncoder().encode('ftypisom'), ...new Array(500).fill(1)])], {
        type: 'video/mp4',
      }),
      'h.mp4',
    )
    const uploaded = await fetch(`${server.baseUrl}/api/v1/videos`, {
      method: 'POST',
      headers: { authorization: `Bearer ${host.accessToken}` },
      body: form,
    })
    expect(uploaded.status).toBe(201)
    const video = (await uploaded.json()) as { videoUrl: string }
    const range = await fetch(video.videoUrl, { headers: { range: 'bytes=4-7' } })
    expect(range.status).toBe(206)
    expect(await range.text()).toBe('ftyp')
    expect(await stop()).toEqual([])

    const again = await realServer({ ...env, UPLOAD_DIR: uploadDir })
    expect((await again.api('GET', `/streams/${stream.id}`, host.accessToken)).body).toMatchObject({
      status: 'ended',
      durationSec: ended.body.durationSec,
      peakViewers: 1,
    })
    expect((await again.api('GET', '/analytics/streams?period=day', host.accessToken)).body).toMatchObject({
      streams: 1,
      coinsEarned: 50,
      messages: 1,
    })
    expect((await again.api('GET', '/me/wallet', host.accessToken)).body.balance).toBe(50)
    expect((await fetch(video.videoUrl.replace(server.baseUrl, again.server.baseUrl))).status).toBe(200)
    expect(await again.stop()).toEqual([])
  })
})
