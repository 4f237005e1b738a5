import { beforeAll, describe, expect, test } from 'bun:test'
import type { Page } from 'playwright-core'
import {
  audioBytes,
  consumerStats,
  openDemo,
  serverAndBrowserPerFile,
  videoFrames,
  waitFor,
} from '../helpers/browser.ts'

const ctx = serverAndBrowserPerFile({ workers: 2 })
beforeAll(() => {
  ctx.server.media.access.register('subscribeonly', async () => ({ canPublish: [] }))
})

describe('media rooms in real Chromium', () => {
  test("one browser's camera and microphone reach another on the other worker, and survive killing the workers", async () => {
    const alice = await ctx.server.register()
    const bob = await ctx.server.register()
    const room = 'demo:e2e-main'

    const publisher = await openDemo(ctx.browser, ctx.server.baseUrl, alice.accessToken, room)
    await publisher.evaluate(async () => {
      const media = (window as any).majlisDemo.current()
      ;(window as any).speakers = []
      media.on('activeSpeaker', (event: unknown) => (window as any).speakers.push(event))
      await media.publishCamera()
      await media.publishMicrophone()
    })
    const viewer = await openDemo(ctx.browser, ctx.server.baseUrl, bob.accessToken, room)

    const placement = ctx.server.media.rooms.get(room)!.placement()
    const workerOf = (userId: string) => placement.find((peer) => peer.userId === userId)!.worker
    expect(workerOf(alice.user.id)).not.toBe(workerOf(bob.user.id))

    const first = await waitFor(
      'video decoded and audio received',
      () => consumerStats(viewer),
      (s) => videoFrames(s) > 30 && audioBytes(s) > 2000,
    )
    const later = await waitFor(
      'video keeps decoding',
      () => consumerStats(viewer),
      (s) => videoFrames(s) > videoFrames(first) + 20,
    )
    expect(audioBytes(later)).toBeGreaterThan(audioBytes(first))
    const alicePeerId = placement.find((peer) => peer.userId === alice.user.id)!.peerId
    const speakers = await waitFor(
      'the active speaker event',
      () => publisher.evaluate(() => (window as any).speakers),
      (list) => list.length > 0,
    )
    expect(speakers[0].peerId).toBe(alicePeerId)

    // kill -9 every worker the room sits on; the pool replaces them and the pages re-join by themselves.
    for (const index of new Set(placement.map((peer) => peer.worker)))
      process.kill(ctx.server.media.pool.slot(index).worker.pid, 'SIGKILL')
    const killedAt = Date.now()
    await waitFor(
      'the viewer to notice the restart',
      () => consumerStats(viewer),
      (s) => videoFrames(s) < videoFrames(later),
      5_000,
    )
    await waitFor(
      'video decoding again after the restart',
      () => consumerStats(viewer),
      (s) => videoFrames(s) > 10,
      5_000 - (Date.now() - killedAt),
    )
    expect(await publisher.evaluate(() => location.pathname)).toBe('/demo')

    // A dropped socket: both pages reconnect, re-join and re-publish without a reload.
    const beforeDrop = videoFrames(await consumerStats(viewer))
    ctx.server.app.decorator.hub.closeAll(1012, 'test drops every socket')
    await waitFor(
      'the viewer to re-join after the drop',
      () => consumerStats(viewer),
      (s) => videoFrames(s) < beforeDrop,
      10_000,
    )
    await waitFor(
      'video decoding after the drop',
      () => consumerStats(viewer),
      (s) => videoFrames(s) > 10,
      10_000,
    )

    await publisher.context().close()
    await viewer.context().close()
  })

  test('a room the user has no grant for cannot be joined, and a subscribe-only grant cannot publish', async () => {
    const mallory = await ctx.server.register()
    const page = await (await ctx.browser.newContext()).newPage()
    await page.goto(`${ctx.server.baseUrl}/demo`)
    await page.waitForFunction(() => 'majlisDemo' in window)
    const refused = await page.evaluate(
      ([token]) =>
        (window as any).majlisDemo.start(token, 'call:someone-elses-call').then(
          () => 'joined',
          (error: any) => error.code,
        ),
      [mallory.accessToken] as const,
    )
    expect(refused).toBe('FORBIDDEN')

    const publishRefused = await page.evaluate(
      ([token]) =>
        (window as any).majlisDemo
          .start(token, 'subscribeonly:lecture')
          .then((media: any) => media.publishCamera())
          .then(
            () => 'published',
            (error: any) => error.code,
          ),
      [mallory.accessToken] as const,
    )
    expect(publishRefused).toBe('FORBIDDEN')
    await page.context().close()
  })

  test('every viewer reaches the top simulcast layer within 5 s, a small tile gets a small layer, and media is AES-GCM', async () => {
    const [teacher, ...students] = await Promise.all([1, 2, 3, 4].map(() => ctx.server.register()))
    const room = 'demo:e2e-simulcast'
    const publisher = await openDemo(ctx.browser, ctx.server.baseUrl, teacher!.accessToken, room)
    await publisher.evaluate(() => (window as any).majlisDemo.current().publishCamera())

    const videoSize = (page: Page) => consumerStats(page).then((stats) => stats.find((s) => s.kind === 'video'))
    const viewers: Page[] = []
    for (const student of students) {
      const viewer = await openDemo(ctx.browser, ctx.server.baseUrl, student.accessToken, room)
      // The fake camera is 640×360: Chromium sends it as two layers, 320×180 and 640×360 (cameraEncodings).
      await waitFor(
        'the top layer at every viewer',
        () => videoSize(viewer),
        (video) => video?.frameWidth === 640,
        5_000,
      )
      viewers.push(viewer)
    }

    const thumbnail = viewers[0]!
    await thumbnail.evaluate(async () => {
      const media = (window as any).majlisDemo.current()
      await media.preferHeight(media.remoteTracks()[0].producerId, 120)
    })
    expect(
      await waitFor(
        'the small layer for a thumbnail',
        () => videoSize(thumbnail),
        (video) => video?.frameWidth === 320,
        5_000,
      ),
    ).toMatchObject({ frameWidth: 320, frameHeight: 180 })
    expect((await videoSize(viewers[1]!))?.frameWidth).toBe(640)

    // Chromium offers the AEAD suites and the worker's DTLS picks AES-256-GCM (AES-NI through OpenSSL).
    const security = async (page: Page) => page.evaluate(() => (window as any).majlisDemo.current().transportSecurity())
    expect(await security(publisher)).toContainEqual({
      direction: 'send',
      srtpCipher: 'SRTP_AEAD_AES_256_GCM',
      dtlsCipher: expect.any(String),
      dtlsState: 'connected',
    })
    expect(await security(viewers[1]!)).toContainEqual({
      direction: 'recv',
      srtpCipher: 'SRTP_AEAD_AES_256_GCM',
      dtlsCipher: expect.any(String),
      dtlsState: 'connected',
    })
    await Promise.all([publisher, ...viewers].map((page) => page.context().close()))
  })
})
