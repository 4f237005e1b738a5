import { afterAll, beforeAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import { admin, apiClient, startServer, tempDir } from './helpers/server-process.ts'
import { waitFor } from './helpers/browser.ts'

/**
 * What an operator reads in the logs of the real entry point: besides one line per request (with
 * the user id when signed in), one line per business event, named and with the user it concerns.
 */
const env = { DATABASE_URL: `file:${join(tempDir(), 'events.db')}`, UPLOAD_DIR: tempDir('majlis-events-') }
let server: ReturnType<typeof startServer>
let api: ReturnType<typeof apiClient>
beforeAll(async () => {
  server = startServer(env)
  await server.waitUntilUp()
  api = apiClient(server.baseUrl)
})
afterAll(() => server.child.kill('SIGKILL'))

const register = async (role = 'customer') =>
  (
    await api('POST', '/auth/register', undefined, {
      email: `${role}.${crypto.randomUUID().slice(0, 8)}@example.com`,
      password: 'a long password',
      name: role,
      role,
    })
  ).body

test('sign-in, payment, class, stream, recording and staff actions each log one event line with the user id', async () => {
  const buyer = await register()
  expect(
    (await api('POST', '/auth/login', undefined, { email: buyer.user.email, password: 'a long password' })).status,
  ).toBe(200)
  const phone = '+966500000777'
  const sent = (await api('POST', '/auth/otp/send', undefined, { phone })).body
  const otpUser = (await api('POST', '/auth/otp/verify', undefined, { phone, code: sent.devCode })).body.user

  // A coin pack paid on the mock checkout page.
  const invoice = (await api('POST', '/coin-packs/coins_100/buy', buyer.accessToken)).body.invoice
  const attempt = (await api('POST', `/billing/invoices/${invoice.id}/pay`, buyer.accessToken, { provider: 'mock' }))
    .body
  const page = await (await fetch(attempt.checkoutUrl)).text()
  const action = /action="([^"]+\/pay)"/.exec(page)![1]!
  expect((await fetch(new URL(action, attempt.checkoutUrl), { method: 'POST' })).status).toBe(200)

  const teacher = await register('teacher')
  const course = (await api('POST', '/courses', teacher.accessToken, { title: 'Logs 101' })).body
  const session = (
    await api('POST', '/live-sessions', teacher.accessToken, {
      title: 'Week 1',
      courseId: course.id,
      scheduledAt: new Date(Date.now() + 3_600_000).toISOString(),
    })
  ).body
  await api('POST', `/live-sessions/${session.id}/start`, teacher.accessToken)
  const recording = (await api('POST', `/live-sessions/${session.id}/recording/start`, teacher.accessToken)).body
  await api('POST', `/live-sessions/${session.id}/recording/stop`, teacher.accessToken)
  await waitFor(
    'the recording to settle',
    async () => (await api('GET', `/recordings/${recording.id}`, teacher.accessToken)).body.status,
    (status) => status !== 'processing',
  )
  await api('POST', `/live-sessions/${session.id}/end`, teacher.accessToken)

  const host = await register()
  const stream = (await api('POST', '/streams', host.accessToken, { title: 'Evening', type: 'audio' })).body
  await api('POST', `/streams/${stream.id}/end`, host.accessToken)

  expect(
    admin(['create-staff', '--email', 'events.staff@example.com', '--name', 'Staff', '--profile', 'admin'], {
      ...env,
      STAFF_PASSWORD: 'staff password',
    }).exitCode,
  ).toBe(0)
  const staff = (
    await api('POST', '/auth/login', undefined, { email: 'events.staff@example.com', password: 'staff password' })
  ).body
  const applicant = await register('supporter')
  expect(
    (await api('POST', `/backoffice/users/${applicant.user.id}/approve-supporter`, staff.accessToken)).status,
  ).toBe(200)
  expect((await api('GET', '/backoffice/users?limit=5', staff.accessToken)).status).toBe(200)

  server.child.kill('SIGTERM')
  await server.child.exited
  const lines = (await server.output()).stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line))
  const events = lines.filter((line) => line.event === true).map(({ msg, userId }) => [msg, userId])
  expect(events).toEqual(
    expect.arrayContaining([
      ['auth.signed_in', buyer.user.id],
      ['auth.signed_in', otpUser.id],
      ['billing.payment_settled', buyer.user.id],
      ['class.started', teacher.user.id],
      ['recording.started', teacher.user.id],
      ['recording.stopped', teacher.user.id],
      ['recording.failed', teacher.user.id],
      ['class.ended', teacher.user.id],
      ['stream.started', host.user.id],
      ['stream.ended', host.user.id],
      ['staff.action', staff.user.id],
    ]),
  )
  // A staff member's reads are not actions; each action is one line.
  expect(events.filter(([msg]) => msg === 'staff.action')).toHaveLength(1)
  expect(lines.find((line) => line.event === true && line.msg === 'staff.action')).toMatchObject({
    method: 'POST',
    route: '/api/v1/backoffice/users/:id/approve-supporter',
  })
  expect(lines.find((line) => line.event === true && line.msg === 'billing.payment_settled')).toMatchObject({
    invoice: invoice.code,
    amount: invoice.amount,
  })
  // Request lines carry the user id of a signed-in caller.
  expect(
    lines.some((line) => line.msg === 'request' && line.route === '/api/v1/streams' && line.userId === host.user.id),
  ).toBe(true)
})
