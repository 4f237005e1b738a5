import type { MediaKind, RtpParameters } from 'mediasoup/types'

/** One RTP stream that mediasoup sends to ffmpeg: RTP on `port`, RTCP on `port + 1`. */
export interface RtpInput {
  kind: MediaKind
  port: number
  rtpParameters: RtpParameters
}

/** The SDP ffmpeg reads to receive the inputs (one m-section each, in order: ffmpeg's streams 0:0, 0:1, …). */
export function sdpForInputs(inputs: RtpInput[], address = '127.0.0.1'): string {
  const lines = ['v=0', `o=- 0 0 IN IP4 ${address}`, 's=majlis egress', `c=IN IP4 ${address}`, 't=0 0']
  for (const { kind, port, rtpParameters } of inputs) {
    const codec = rtpParameters.codecs.find((candidate) => !candidate.mimeType.toLowerCase().endsWith('/rtx'))
    if (!codec) throw new Error('an RTP input without a media codec')
    const name = codec.mimeType.split('/')[1]
    const pt = codec.payloadType
    lines.push(
      `m=${kind} ${port} RTP/AVPF ${pt}`,
      `a=rtcp:${port + 1}`,
      `a=rtpmap:${pt} ${name}/${codec.clockRate}${codec.channels ? `/${codec.channels}` : ''}`,
    )
    const fmtp = Object.entries(codec.parameters ?? {}).map(([key, value]) => `${key}=${value}`)
    if (fmtp.length > 0) lines.push(`a=fmtp:${pt} ${fmtp.join(';')}`)
    lines.push('a=recvonly')
  }
  return `${lines.join('\r\n')}\r\n`
}
