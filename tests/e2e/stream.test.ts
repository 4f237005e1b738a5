import { expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import { consumerStats, openDemoPage, serverAndBrowserPerFile, videoFrames, waitFor } from '../helpers/browser.ts'

const ctx = serverAndBrowserPerFile({ workers: 2 })

type Account = { accessToken: string; user: { id: string; name: string } }
const rest = (who: Account, method: string, path: string, body?: unknown) =>
  ctx.server.call(method, `/api/v1${path}`, { token: who.accessToken, body })

async function goLive(host: Account, type: 'audio' | 'video'): Promise<{ page: Page; streamId: string }> {
  const page = await openDemoPage(ctx.browser, ctx.server.baseUrl)
  const streamId = await page.evaluate(
    ([token, type]) =>
      (window as any).majlisDemo
        .goLive(token, { title: 'From the browser', type })
        .then((stream: any) => stream.streamId),
    [host.accessToken, type] as const,
  )
  return { page, streamId }
}

/** What a person sees in the page's video elements: those showing frames, with their size and how many they have painted. */
const shownVideos = (page: Page) =>
  page.$$eval('#videos video', (videos) =>
    (videos as HTMLVideoElement[]).map((video) => ({
      id: video.id,
      width: video.videoWidth,
      frames: video.getVideoPlaybackQuality().totalVideoFrames,
    })),
  )

async function watch(viewer: Account, streamId: string): Promise<Page> {
  const page = await openDemoPage(ctx.browser, ctx.server.baseUrl)
  await page.evaluate(([token, id]) => (window as any).majlisDemo.watch(token, id).then(() => undefined), [
    viewer.accessToken,
    streamId,
  ] as const)
  return page
}

test('a host goes live in Chromium; two Chromium viewers decode the video and chat; a banned viewer loses the stream', async () => {
  const host = await ctx.server.register()
  const { page: hostPage, streamId } = await goLive(host, 'video')
  const [alice, bob] = [await ctx.server.register(), await ctx.server.register()]
  const alicePage = await watch(alice, streamId)
  const bobPage = await watch(bob, streamId)

  for (const page of [alicePage, bobPage]) {
    await waitFor(
      "the host's video at a viewer",
      () => consumerStats(page),
      (stats) => videoFrames(stats) > 30,
    )
    // On screen, not only decoded: a video element of the page paints the host's frames.
    const first = await waitFor(
      "the host's video on a viewer's screen",
      () => shownVideos(page),
      (videos) => videos.some((video) => video.width > 0 && video.frames > 10),
    )
    const painting = first.find((video) => video.width > 0)!
    await waitFor(
      'more frames painted',
      () => shownVideos(page),
      (videos) => videos.some((video) => video.id === painting.id && video.frames > painting.frames + 10),
    )
    expect(await page.isDisabled('#end-stream')).toBe(true)
  }
  // The host sees their own camera, and may end the stream.
  await waitFor(
    "the host's own preview",
    () => shownVideos(hostPage),
    (videos) => videos.some((video) => video.id === 'track-local-camera' && video.width > 0 && video.frames > 10),
  )
  expect(await hostPage.isDisabled('#end-stream')).toBe(false)
  await waitFor(
    "the viewer count on a viewer's page",
    () => alicePage.textContent('#viewer-count'),
    (text) => text === '2',
  )
  expect(await bobPage.textContent('#viewer-count')).not.toBe('0')
  expect((await rest(host, 'GET', `/streams/${streamId}`)).body).toMatchObject({ viewerCount: 2, totalViewers: 2 })
  await waitFor(
    'the viewer count on the host page',
    () => hostPage.textContent('#viewer-count'),
    (text) => text === '2',
  )

  await alicePage.evaluate(() => (window as any).majlisDemo.stream().send('salam from Alice'))
  await waitFor(
    'the chat line at the host',
    () => hostPage.textContent('#chat'),
    (text) => text?.includes('salam from Alice') ?? false,
  )

  expect(
    (await rest(host, 'POST', `/streams/${streamId}/moderation`, { userId: bob.user.id, action: 'ban' })).status,
  ).toBe(200)
  await waitFor(
    "the banned viewer's consumers closed",
    () => consumerStats(bobPage),
    (stats) => stats.length === 0,
  )
  const placement = ctx.server.media.rooms.get(`stream:${streamId}`)!.placement()
  expect(placement.map((peer) => peer.userId)).not.toContain(bob.user.id)
  expect(placement.map((peer) => peer.userId)).toContain(alice.user.id)
  expect(videoFrames(await consumerStats(alicePage))).toBeGreaterThan(30)

  const stats = await rest(host, 'POST', `/streams/${streamId}/end`)
  expect(stats.body).toMatchObject({ peakViewers: 2, totalViewers: 2, messages: 1 })
  await waitFor(
    'the stream to end at the viewer',
    () => consumerStats(alicePage),
    (stats) => stats.length === 0,
  )
})

test('an audio stream publishes the microphone; the camera is refused', async () => {
  const host = await ctx.server.register()
  const { page, streamId } = await goLive(host, 'audio')
  const refused = await page.evaluate(() =>
    (window as any).majlisDemo
      .current()
      .publishCamera()
      .then(
        () => 'published',
        (error: any) => error.code,
      ),
  )
  expect(refused).toBe('FORBIDDEN')
  const viewerPage = await watch(await ctx.server.register(), streamId)
  await waitFor(
    'the host audio at the viewer',
    () => consumerStats(viewerPage),
    (stats) => stats.some((s) => s.kind === 'audio' && s.bytesReceived > 1000),
  )
  expect((await consumerStats(viewerPage)).some((s) => s.kind === 'video')).toBe(false)
})
