import { describe, expect, test } from 'bun:test'
import { notifications } from '../src/db/schema/notifications.ts'
import { createTestApp, freshAppPerTest } from './helpers/app.ts'

const ctx = freshAppPerTest()

const DAY = 24 * 60 * 60 * 1000

async function seed(userId: string, rows: Array<{ id: string; type: string; read?: boolean; daysAgo?: number }>) {
  await ctx.t.db.insert(notifications).values(
    rows.map((row, i) => ({
      id: row.id,
      userId,
      type: row.type,
      title: `Title ${row.id}`,
      createdAt: new Date(ctx.clock.now() - (row.daysAgo ?? 0) * DAY + i),
      readAt: row.read ? new Date(ctx.clock.now()) : null,
    })),
  )
}

describe('/notifications', () => {
  test('lists mine newest first with type and unread filters and cursor pages', async () => {
    const me = await ctx.t.register()
    const other = await ctx.t.register()
    await seed(me.user.id, [
      { id: 'n1', type: 'ticket.reply' },
      { id: 'n2', type: 'support_request.accepted', read: true },
      { id: 'n3', type: 'ticket.reply' },
    ])
    await seed(other.user.id, [{ id: 'n9', type: 'ticket.reply' }])
    const token = me.accessToken

    const all = await ctx.t.call('GET', '/api/v1/notifications', { token })
    expect(all.body.items.map((n: { id: string }) => n.id)).toEqual(['n3', 'n2', 'n1'])
    expect(all.body.items[1]).toMatchObject({ read: true, type: 'support_request.accepted' })
    expect(all.body.items[0].userId).toBeUndefined()

    const replies = await ctx.t.call('GET', '/api/v1/notifications?type=ticket.reply', { token })
    expect(replies.body.items.map((n: { id: string }) => n.id)).toEqual(['n3', 'n1'])
    const unread = await ctx.t.call('GET', '/api/v1/notifications?unreadOnly=true', { token })
    expect(unread.body.items.map((n: { id: string }) => n.id)).toEqual(['n3', 'n1'])

    const page1 = await ctx.t.call('GET', '/api/v1/notifications?limit=2', { token })
    const page2 = await ctx.t.call('GET', `/api/v1/notifications?limit=2&cursor=${page1.body.nextCursor}`, { token })
    expect([...page1.body.items, ...page2.body.items].map((n: { id: string }) => n.id)).toEqual(['n3', 'n2', 'n1'])
    expect(page2.body.nextCursor).toBeNull()
  })

  test('unread count, mark one read (idempotent), mark all read', async () => {
    const me = await ctx.t.register()
    await seed(me.user.id, [
      { id: 'a', type: 'x' },
      { id: 'b', type: 'x' },
      { id: 'c', type: 'x' },
    ])
    const token = me.accessToken
    expect((await ctx.t.call('GET', '/api/v1/notifications/unread-count', { token })).body).toEqual({ count: 3 })
    const read = await ctx.t.call('POST', '/api/v1/notifications/a/read', { token })
    expect(read.body).toMatchObject({ id: 'a', read: true })
    expect((await ctx.t.call('POST', '/api/v1/notifications/a/read', { token })).status).toBe(200)
    expect((await ctx.t.call('GET', '/api/v1/notifications/unread-count', { token })).body).toEqual({ count: 2 })
    expect((await ctx.t.call('POST', '/api/v1/notifications/read-all', { token })).body).toEqual({ updated: 2 })
    expect((await ctx.t.call('GET', '/api/v1/notifications/unread-count', { token })).body).toEqual({ count: 0 })
  })

  test("someone else's notification is 404 and stays unread", async () => {
    const owner = await ctx.t.register()
    const other = await ctx.t.register()
    await seed(owner.user.id, [{ id: 'private', type: 'x' }])
    expect((await ctx.t.call('POST', '/api/v1/notifications/private/read', { token: other.accessToken })).status).toBe(
      404,
    )
    expect((await ctx.t.call('GET', '/api/v1/notifications/unread-count', { token: owner.accessToken })).body).toEqual({
      count: 1,
    })
  })

  test('delete-old removes only my notifications past the retention period', async () => {
    const me = await ctx.t.register()
    const other = await ctx.t.register()
    await seed(me.user.id, [
      { id: 'old', type: 'x', daysAgo: 91 },
      { id: 'recent', type: 'x', daysAgo: 89 },
    ])
    await seed(other.user.id, [{ id: 'others-old', type: 'x', daysAgo: 200 }])
    expect((await ctx.t.call('POST', '/api/v1/notifications/delete-old', { token: me.accessToken })).body).toEqual({
      deleted: 1,
    })
    expect(
      (await ctx.t.call('GET', '/api/v1/notifications', { token: me.accessToken })).body.items.map(
        (n: { id: string }) => n.id,
      ),
    ).toEqual(['recent'])
    expect((await ctx.t.call('GET', '/api/v1/notifications', { token: other.accessToken })).body.items).toHaveLength(1)
  })

  test('retention comes from NOTIFICATION_RETENTION_DAYS', async () => {
    const short = await createTestApp({ clock: ctx.clock, env: { NOTIFICATION_RETENTION_DAYS: '7' } })
    const me = await short.register()
    await short.db.insert(notifications).values({
      id: 'week-old',
      userId: me.user.id,
      type: 'x',
      title: 'x',
      createdAt: new Date(ctx.clock.now() - 8 * DAY),
    })
    expect((await short.call('POST', '/api/v1/notifications/delete-old', { token: me.accessToken })).body).toEqual({
      deleted: 1,
    })
    short.close()
  })

  test('device tokens: registered, moved to the latest owner, validated', async () => {
    const first = await ctx.t.register()
    const second = await ctx.t.register()
    const body = { token: 'fcm-token-0123456789', platform: 'android' }
    const created = await ctx.t.call('POST', '/api/v1/notifications/device-tokens', { token: first.accessToken, body })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ token: body.token, platform: 'android' })
    const moved = await ctx.t.call('POST', '/api/v1/notifications/device-tokens', {
      token: second.accessToken,
      body: { ...body, platform: 'ios' },
    })
    expect(moved.body.id).toBe(created.body.id)
    expect(moved.body.platform).toBe('ios')
    expect(
      (
        await ctx.t.call('POST', '/api/v1/notifications/device-tokens', {
          token: first.accessToken,
          body: { token: 'x', platform: 'pager' },
        })
      ).status,
    ).toBe(422)
  })

  test('all routes need a signed-in user; bad query values are 422', async () => {
    expect((await ctx.t.call('GET', '/api/v1/notifications')).status).toBe(401)
    expect((await ctx.t.call('POST', '/api/v1/notifications/read-all')).status).toBe(401)
    const me = await ctx.t.register()
    expect((await ctx.t.call('GET', '/api/v1/notifications?unreadOnly=maybe', { token: me.accessToken })).status).toBe(
      422,
    )
    expect((await ctx.t.call('GET', '/api/v1/notifications?limit=500', { token: me.accessToken })).status).toBe(422)
  })
})
