import { describe, expect, test } from 'bun:test'
import { openDemo, serverAndBrowserPerFile, waitFor } from '../helpers/browser.ts'

const ctx = serverAndBrowserPerFile({ workers: 2 })

/**
 * A viewer whose join is held right after the reply to one of its own requests: while it waits,
 * the publisher starts a track, so its media:newProducer lands in that exact window of the join.
 */
async function joinHeldAt(step: string, room: string, publishWhileHeld: () => Promise<void>, viewerToken: string) {
  const page = await (await ctx.browser.newContext()).newPage()
  await page.goto(`${ctx.server.baseUrl}/demo`)
  await page.exposeFunction('publishWhileHeld', publishWhileHeld)
  await page.evaluate(
    async ([token, wsUrl, room, step]) => {
      const sdkUrl = '/sdk/majlis-media.js' // served by Majlis to the page; a variable keeps tsc from resolving it here
      const { MajlisMedia } = await import(sdkUrl)
      const media = new MajlisMedia({ url: wsUrl, token })
      const w = window as any
      w.received = []
      w.announced = 0
      media.on('track', ({ kind, source }: { kind: string; source: string }) => w.received.push(`${kind}:${source}`))
      media.socket.on('media:newProducer', () => w.announced++)
      const request = media.socket.request.bind(media.socket)
      let held = false
      media.socket.request = async (type: string, data: Record<string, unknown>) => {
        const reply = await request(type, data)
        if (type === step && !held) {
          held = true
          const before = w.announced
          await w.publishWhileHeld()
          // Hold until the announcement has reached this page, inside the window under test.
          while (w.announced === before) await new Promise((resolve) => setTimeout(resolve, 20))
        }
        return reply
      }
      w.media = media
      await media.join(room)
    },
    [viewerToken, ctx.server.wsUrl, room, step] as const,
  )
  return page
}

describe('a viewer never misses a producer that appears while it joins', () => {
  for (const step of ['media:join', 'media:consumeAll']) {
    test(`a track published right after the ${step} reply is received`, async () => {
      const publisherAccount = await ctx.server.register()
      const viewerAccount = await ctx.server.register()
      const room = `demo:race-${step.replace(':', '-')}`
      const publisher = await openDemo(ctx.browser, ctx.server.baseUrl, publisherAccount.accessToken, room)
      // For the consumeAll step there must be something to consume first: the camera is already on.
      if (step === 'media:consumeAll')
        await publisher.evaluate(() => (window as any).majlisDemo.current().publishCamera())
      const publishLate = () =>
        publisher.evaluate((step) => {
          const media = (window as any).majlisDemo.current()
          return step === 'media:consumeAll'
            ? media.publishMicrophone()
            : Promise.all([media.publishCamera(), media.publishMicrophone()])
        }, step)

      const viewer = await joinHeldAt(step, room, async () => void (await publishLate()), viewerAccount.accessToken)
      const received = await waitFor(
        'both tracks at the viewer',
        () => viewer.evaluate(() => (window as any).received as string[]),
        (tracks) => tracks.length >= 2,
        10_000,
      )
      expect(received.sort()).toEqual(['audio:microphone', 'video:camera'])
      await viewer.context().close()
      await publisher.context().close()
    })
  }
})
