import { afterEach, expect, test } from 'bun:test'
import { join } from 'node:path'
import { apiClient, killStartedServers, startServer, tempDir } from '../helpers/server-process.ts'
import { connectWs } from '../helpers/ws-client.ts'

afterEach(killStartedServers)

test('a server killed with students in class: after the restart their stays end when it is noticed, and a student who comes back is one more join', async () => {
  const env = { DATABASE_URL: `file:${join(tempDir(), 'majlis.db')}` }
  const first = startServer(env)
  await first.waitUntilUp()
  const api = apiClient(first.baseUrl)
  const register = async (name: string, role = 'customer') =>
    (
      await api('POST', '/auth/register', undefined, {
        email: `${crypto.randomUUID().slice(0, 8)}@example.com`,
        password: 'a good password',
        name,
        role,
      })
    ).body
  const teacher = await register('Teacher', 'teacher')
  const [stays, returns] = [await register('Stays away'), await register('Comes back')]
  const course = (await api('POST', '/courses', teacher.accessToken, { title: 'Biology' })).body
  for (const student of [stays, returns]) await api('POST', `/courses/${course.id}/enroll`, student.accessToken)
  const session = (
    await api('POST', '/live-sessions', teacher.accessToken, {
      title: 'Cells',
      courseId: course.id,
      scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
    })
  ).body
  await api('POST', `/live-sessions/${session.id}/start`, teacher.accessToken)
  const wsUrl = `${first.baseUrl.replace('http', 'ws')}/ws`
  for (const student of [stays, returns])
    expect(
      (await (await connectWs(wsUrl, student.accessToken)).request('live:join', { sessionId: session.id })).ok,
    ).toBe(true)
  await Bun.sleep(1000)
  first.child.kill('SIGKILL')
  await first.child.exited

  const killedAt = Date.now()
  const second = startServer({ ...env, PORT: first.baseUrl.split(':').at(-1)! })
  await second.waitUntilUp()
  const back = await connectWs(wsUrl, returns.accessToken)
  expect((await back.request('live:join', { sessionId: session.id })).ok).toBe(true)
  const sheet = (await api('GET', `/live-sessions/${session.id}/attendance`, teacher.accessToken)).body
  const row = (who: { user: { id: string } }) =>
    sheet.items.find((item: { userId: string }) => item.userId === who.user.id)
  expect(row(stays)).toMatchObject({ present: false, joins: 1 })
  // Counted until the restarted server noticed, not until the end of the class.
  expect(new Date(row(stays).lastLeftAt).getTime()).toBeGreaterThanOrEqual(killedAt - 100)
  expect(new Date(row(stays).lastLeftAt).getTime()).toBeLessThan(Date.now())
  expect(row(returns)).toMatchObject({ present: true, joins: 2 })
  back.close()
}, 60_000)
