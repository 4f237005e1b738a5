import type { Consumer, PlainTransport } from 'mediasoup/types'
import type { RoomProducer } from '../room.ts'
import type { RtpInput } from './sdp.ts'

/** One producer sent over a PlainTransport to a local ffmpeg port; starts paused until ffmpeg listens. */
export interface Tap {
  input: RtpInput
  consumer: Consumer
  close(): void
}

/**
 * A consumer of the producer on its own router, sent as plain RTP + RTCP (no mux) to 127.0.0.1:port.
 * RTX is left out of the capabilities: ffmpeg cannot use retransmissions.
 */
export async function tapProducer({ producer, router }: RoomProducer, port: number): Promise<Tap> {
  const transport: PlainTransport = await router.createPlainTransport({
    listenInfo: { protocol: 'udp', ip: '127.0.0.1' },
    rtcpMux: false,
    comedia: false,
  })
  try {
    await transport.connect({ ip: '127.0.0.1', port, rtcpPort: port + 1 })
    const codecs = router.rtpCapabilities.codecs?.filter((codec) => !codec.mimeType.toLowerCase().endsWith('/rtx'))
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: { codecs, headerExtensions: [] },
      paused: true,
    })
    return {
      input: { kind: consumer.kind, port, rtpParameters: consumer.rtpParameters },
      consumer,
      close: () => transport.close(),
    }
  } catch (error) {
    transport.close()
    throw error
  }
}
