/**
 * What a burst of joins costs the teacher: a Chromium teacher publishes its simulcast camera into
 * an in-process server, then `viewers` consumers start on the teacher's router, spread evenly over
 * one second (as browsers' handshakes finish). Each is an SRTP plain transport to a UDP sink, connected at once, so each consumer asks
 * the producer for a key frame exactly as a browser's join does (the worker holds a new consumer
 * back until a key frame of its layer arrives, so browsers add no requests of their own).
 *
 * The teacher's own `getStats` (outbound-rtp of every layer: keyFramesEncoded, bytesSent) gives
 * the key frames each layer encoded in each second of the burst (the most of any layer) and the
 * sent bitrate against the steady rate before it.
 */
import type { PlainTransport } from 'mediasoup/types'
import type { PublisherStats } from '../../../media/client/index.ts'
import { launchChromium, openDemo } from '../../helpers/browser.ts'
import { startMediaServer } from '../../helpers/media-server.ts'
import { plainViewer, startSink } from './sfu.ts'

interface SenderSample {
  at: number
  /** keyFramesEncoded by layer rid. */
  keyFrames: Map<string, number>
  bytesSent: number
}

export interface KeyFrameStormResult {
  steadyKbps: number
  burstKbps: number
  /** Key frames encoded in each second from the first join on, by the layer that encoded the most. */
  keyFramesPerSecond: number[]
  /** Key frame requests (PLI and FIR, all layers) the worker sent the teacher over the burst. */
  requestsSent: number
  joinSpanMs: number
}

const STEADY_MS = 3000
const BURST_WATCH_MS = 3000
const JOIN_SPREAD_MS = 1000

export async function keyFrameStorm(viewers: number, keyFrameRequestDelayMs: number): Promise<KeyFrameStormResult> {
  const server = await startMediaServer({
    workers: 1,
    env: { MEDIA_KEYFRAME_REQUEST_DELAY_MS: String(keyFrameRequestDelayMs) },
  })
  const browser = await launchChromium()
  const sink = await startSink()
  const transports: PlainTransport[] = []
  try {
    const teacher = await server.register('teacher')
    const room = 'demo:keyframe-storm'
    const page = await openDemo(browser, server.baseUrl, teacher.accessToken, room)
    await page.evaluate(() => (window as any).majlisDemo.current().publishCamera())
    const { producer, router } = server.media.rooms
      .get(room)!
      .liveProducers()
      .find(({ producer }) => producer.kind === 'video')!

    const keyFrameRequests = async () =>
      (await producer.getStats()).reduce((sum, stream) => sum + stream.pliCount + stream.firCount, 0)
    const sample = async (): Promise<SenderSample> => {
      const layers: PublisherStats[] = await page.evaluate(() => (window as any).majlisDemo.current().publisherStats())
      const video = layers.filter((layer) => layer.kind === 'video')
      return {
        at: performance.now(),
        keyFrames: new Map(video.map((layer) => [layer.rid ?? '', layer.keyFramesEncoded])),
        bytesSent: video.reduce((sum, layer) => sum + layer.bytesSent, 0),
      }
    }
    const kbps = (from: SenderSample, to: SenderSample) => ((to.bytesSent - from.bytesSent) * 8) / (to.at - from.at)

    // The encoder ramps its layers up over the first seconds on loopback; one consumer warms the router.
    const warm = await plainViewer(router, [producer], sink.port)
    transports.push(warm.transport)
    await Bun.sleep(8000)
    const steadyFrom = await sample()
    await Bun.sleep(STEADY_MS)
    const burstFrom = await sample()
    const requestsBefore = await keyFrameRequests()

    const started = performance.now()
    const samples: SenderSample[] = [burstFrom]
    const sampling = (async () => {
      while (performance.now() - started < BURST_WATCH_MS) {
        await Bun.sleep(250)
        samples.push(await sample())
      }
    })()
    await Promise.all(
      Array.from({ length: viewers }, async (_, i) => {
        await Bun.sleep((i * JOIN_SPREAD_MS) / viewers)
        transports.push((await plainViewer(router, [producer], sink.port)).transport)
      }),
    )
    const joinSpanMs = performance.now() - started
    await sampling

    const keyFramesPerSecond: number[] = []
    for (let second = 0; second * 1000 < BURST_WATCH_MS; second++) {
      const inSecond = (s: SenderSample) => s.at - started <= (second + 1) * 1000
      const last = samples.filter(inSecond).at(-1)!
      const first = samples.filter((s) => s.at - started <= second * 1000).at(-1) ?? burstFrom
      keyFramesPerSecond.push(
        Math.max(...[...last.keyFrames].map(([rid, count]) => count - (first.keyFrames.get(rid) ?? 0))),
      )
    }
    return {
      steadyKbps: kbps(steadyFrom, burstFrom),
      burstKbps: kbps(burstFrom, samples.at(-1)!),
      keyFramesPerSecond,
      requestsSent: (await keyFrameRequests()) - requestsBefore,
      joinSpanMs,
    }
  } finally {
    for (const transport of transports) transport.close()
    sink.stop()
    await browser.close()
    await server.stop()
  }
}
