import { expect, test } from 'bun:test'
import { consumerStats, openDemo, serverAndBrowserPerFile, videoFrames, waitFor } from '../helpers/browser.ts'

const ctx = serverAndBrowserPerFile({ workers: 2 })

test("a support call: the supporter decodes the customer's camera; ending the call closes the room", async () => {
  const customer = await ctx.server.register()
  const supporter = await ctx.server.register('supporter')
  const request = await ctx.server.call('POST', '/api/v1/support-requests', {
    token: customer.accessToken,
    body: { subject: 'Show me the error', description: 'On screen' },
  })
  const { videoCall } = (
    await ctx.server.call('POST', `/api/v1/support-requests/${request.body.id}/accept`, {
      token: supporter.accessToken,
    })
  ).body

  const customerPage = await openDemo(ctx.browser, ctx.server.baseUrl, customer.accessToken, videoCall.roomId)
  await customerPage.evaluate(async () => {
    const media = (window as any).majlisDemo.current()
    await media.publishCamera()
    await media.publishMicrophone()
  })
  const supporterPage = await openDemo(ctx.browser, ctx.server.baseUrl, supporter.accessToken, videoCall.roomId)
  await supporterPage.evaluate(() => {
    const media = (window as any).majlisDemo.current()
    ;(window as any).states = []
    media.on('state', ({ state }: { state: string }) => (window as any).states.push(state))
  })
  await waitFor(
    "the customer's video at the supporter",
    () => consumerStats(supporterPage),
    (stats) => videoFrames(stats) > 30,
  )

  const ended = await ctx.server.call('POST', `/api/v1/video-calls/${videoCall.id}/end`, {
    token: customer.accessToken,
  })
  expect(ended.body.status).toBe('ended')
  const states = await waitFor(
    'the room to close at the supporter',
    () => supporterPage.evaluate(() => (window as any).states),
    (list: string[]) => list.includes('closed'),
  )
  expect(states).toContain('closed')
  expect(await consumerStats(supporterPage)).toEqual([])
})
