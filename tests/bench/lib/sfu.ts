/** Pieces the SFU benchmarks share: the synthetic teacher, plain-transport viewers, the UDP sink, counters. */
import type { Consumer, PlainTransport, Producer, Router } from 'mediasoup/types'
import { freePort } from '../../helpers/server-process.ts'
import { owned } from './child.ts'
import { AUDIO, startRtpSource, VIDEO } from './rtp-source.ts'

export type SrtpSuite = 'AEAD_AES_256_GCM' | 'AES_CM_128_HMAC_SHA1_80'
/** Master key + salt length of each suite. */
const keyBytes: Record<SrtpSuite, number> = { AEAD_AES_256_GCM: 44, AES_CM_128_HMAC_SHA1_80: 30 }
const srtpParameters = (cryptoSuite: SrtpSuite) => ({
  cryptoSuite,
  keyBase64: Buffer.from(crypto.getRandomValues(new Uint8Array(keyBytes[cryptoSuite]))).toString('base64'),
})

/** A UDP sink in its own process, where every viewer sends. */
export async function startSink() {
  const port = freePort()
  const child = owned(
    Bun.spawn([process.execPath, `${import.meta.dir}/udp-sink.ts`, String(port)], {
      stdout: 'pipe',
      stderr: 'inherit',
    }),
  )
  await child.stdout.getReader().read() // "ready"
  return { port, pid: child.pid, stop: () => child.kill() }
}

/** The teacher's audio and video producers on the router, fed by the synthetic RTP source. */
export async function syntheticTeacher(router: Router) {
  const ingest = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    rtcpMux: true,
    comedia: true,
  })
  const producers: Producer[] = [
    await ingest.produce({
      kind: 'audio',
      rtpParameters: {
        codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO.payloadType, clockRate: 48000, channels: 2 }],
        encodings: [{ ssrc: AUDIO.ssrc }],
      },
    }),
    await ingest.produce({
      kind: 'video',
      rtpParameters: {
        codecs: [{ mimeType: 'video/VP8', payloadType: VIDEO.payloadType, clockRate: 90000 }],
        encodings: [{ ssrc: VIDEO.ssrc }],
      },
    }),
  ]
  return { producers, source: await startRtpSource(ingest.tuple.localPort) }
}

/**
 * A viewer: an SRTP plain transport to the sink consuming every producer (the per-consumer work a
 * browser costs), by default with the suite Chromium negotiates with the worker.
 */
export async function plainViewer(
  router: Router,
  producers: Producer[],
  sinkPort: number,
  suite: SrtpSuite = 'AEAD_AES_256_GCM',
): Promise<{ transport: PlainTransport; consumers: Consumer[] }> {
  const transport = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    rtcpMux: true,
    comedia: false,
    enableSrtp: true,
    srtpCryptoSuite: suite,
  })
  await transport.connect({ ip: '127.0.0.1', port: sinkPort, srtpParameters: srtpParameters(suite) })
  const consumers: Consumer[] = []
  for (const producer of producers)
    consumers.push(await transport.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities }))
  return { transport, consumers }
}

/**
 * The producers' received and a sample of consumers' sent packet counters, read together, with
 * the moment they were read (the middle of the reading: a busy worker answers slowly). Reading
 * every consumer of a saturated worker would take longer than the measurement itself.
 */
export async function counters(producers: Producer[], consumers: Consumer[]) {
  const started = performance.now()
  const [inStats, outStats] = await Promise.all([
    Promise.all(producers.map((producer) => producer.getStats())),
    Promise.all(consumers.map((consumer) => consumer.getStats())),
  ])
  const sum = (
    stats: Array<Array<{ type: string; packetCount: number; byteCount: number }>>,
    type: string,
    field: 'packetCount' | 'byteCount',
  ) => stats.flat().reduce((total, stat) => total + (stat.type === type ? stat[field] : 0), 0)
  return {
    at: (started + performance.now()) / 2,
    packetsIn: sum(inStats, 'inbound-rtp', 'packetCount'),
    packetsOut: sum(outStats, 'outbound-rtp', 'packetCount'),
    bytesOut: sum(outStats, 'outbound-rtp', 'byteCount'),
  }
}
