import { afterAll, beforeAll } from 'bun:test'
import { chromium, type Browser, type Page } from 'playwright-core'
import { startMediaServer, type MediaServer } from './media-server.ts'

/** Debian's Chromium, headless, with a fake camera and microphone and no outside network use. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      ...extraArgs,
    ],
  })
}

/** Polls a condition in the test process until it holds or the deadline passes. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: T | undefined
  while (Date.now() < deadline) {
    last = await probe()
    if (accept(last)) return last
    await Bun.sleep(200)
  }
  throw new Error(`timed out waiting for ${what}; last value: ${JSON.stringify(last)}`)
}

/** The demo page, loaded in a browser context of its own. */
export async function openDemoPage(browser: Browser, baseUrl: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage()
  page.on('pageerror', (error) => console.error('[page error]', error.message))
  await page.goto(`${baseUrl}/demo`)
  await page.waitForFunction(() => 'majlisDemo' in window)
  return page
}

/** A page of the demo, signed in with the given token and joined to a room. */
export async function openDemo(browser: Browser, baseUrl: string, token: string, room: string): Promise<Page> {
  const page = await openDemoPage(browser, baseUrl)
  await page.evaluate(([token, room]) => (window as any).majlisDemo.start(token, room).then(() => undefined), [
    token,
    room,
  ] as const)
  return page
}

export interface DecodeStats {
  source: string
  kind: string
  framesDecoded: number
  bytesReceived: number
  frameWidth: number
  frameHeight: number
}

export const consumerStats = (page: Page): Promise<DecodeStats[]> =>
  page.evaluate(() => (window as any).majlisDemo.current().consumerStats())

export const videoFrames = (stats: DecodeStats[]) =>
  stats.filter((s) => s.kind === 'video').reduce((sum, s) => sum + s.framesDecoded, 0)
export const audioBytes = (stats: DecodeStats[]) =>
  stats.filter((s) => s.kind === 'audio').reduce((sum, s) => sum + s.bytesReceived, 0)

/** One media server (real workers) and one Chromium for every test of the file. */
export function serverAndBrowserPerFile(options: Parameters<typeof startMediaServer>[0] = {}) {
  const ctx = {} as { server: MediaServer; browser: Browser }
  beforeAll(async () => {
    ctx.server = await startMediaServer(options)
    ctx.browser = await launchChromium()
  })
  afterAll(async () => {
    await ctx.browser?.close()
    await ctx.server?.stop()
  })
  return ctx
}

/** A live class whose teacher publishes camera and microphone from Chromium, with one enrolled student. */
export async function publishingClass(ctx: { server: MediaServer; browser: Browser }) {
  const teacher = await ctx.server.register('teacher')
  const student = await ctx.server.register()
  const course = (
    await ctx.server.call('POST', '/api/v1/courses', { token: teacher.accessToken, body: { title: 'Recorded' } })
  ).body
  await ctx.server.call('POST', `/api/v1/courses/${course.id}/enroll`, { token: student.accessToken })
  const scheduledAt = new Date(Date.now() + 3600_000).toISOString()
  const session = (
    await ctx.server.call('POST', '/api/v1/live-sessions', {
      token: teacher.accessToken,
      body: { title: 'Lesson', courseId: course.id, scheduledAt },
    })
  ).body
  await ctx.server.call('POST', `/api/v1/live-sessions/${session.id}/start`, { token: teacher.accessToken })
  const page = await openDemo(ctx.browser, ctx.server.baseUrl, teacher.accessToken, `live:${session.id}`)
  await page.evaluate(async () => {
    const media = (window as any).majlisDemo.current()
    await media.publishCamera()
    await media.publishMicrophone()
  })
  return { teacher, student, session, page }
}

/** Share of a screenshot's pixels that differ from its most common colour (0 for a blank page). */
export async function inkRatio(browser: Browser, png: Buffer): Promise<number> {
  const page = await browser.newPage()
  try {
    return await page.evaluate(async (base64) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }))
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height)
      const context = canvas.getContext('2d')!
      context.drawImage(bitmap, 0, 0)
      const { data } = context.getImageData(0, 0, bitmap.width, bitmap.height)
      const counts = new Map<number, number>()
      for (let index = 0; index < data.length; index += 4) {
        const colour = (data[index]! << 16) | (data[index + 1]! << 8) | data[index + 2]!
        counts.set(colour, (counts.get(colour) ?? 0) + 1)
      }
      const pixels = data.length / 4
      return 1 - Math.max(...counts.values()) / pixels
    }, png.toString('base64'))
  } finally {
    await page.close()
  }
}
