/**
 * A synthetic teacher: Opus-sized audio (64 kbit/s, 50 packets/s) and VP8-framed video
 * (~1 Mbit/s, 30 fps, 4 packets per frame, a keyframe every second) sent as plain RTP. The SFU
 * never decodes media, so generated payloads cost it exactly what real ones do, and nothing
 * here competes with the workers for CPU the way an encoder would.
 */
export const AUDIO = { ssrc: 1111, payloadType: 100 }
export const VIDEO = { ssrc: 2222, payloadType: 101 }

const VIDEO_PACKETS_PER_FRAME = 4
/** What the source sends when it gets the CPU it needs: 50 audio + 120 video packets a second. */
export const NOMINAL_PACKETS_PER_SECOND = 50 + 30 * VIDEO_PACKETS_PER_FRAME
const VIDEO_PAYLOAD = 1050 // ≈ 1 Mbit/s at 30 fps
const AUDIO_PAYLOAD = 160 // 64 kbit/s at 20 ms

function rtp(
  payloadType: number,
  ssrc: number,
  seq: number,
  timestamp: number,
  marker: boolean,
  payload: Uint8Array,
): Uint8Array {
  const packet = new Uint8Array(12 + payload.length)
  const view = new DataView(packet.buffer)
  packet[0] = 0x80
  packet[1] = (marker ? 0x80 : 0) | payloadType
  view.setUint16(2, seq & 0xffff)
  view.setUint32(4, timestamp >>> 0)
  view.setUint32(8, ssrc)
  packet.set(payload, 12)
  return packet
}

export async function startRtpSource(port: number) {
  const socket = await Bun.udpSocket({})
  let audioSeq = 0
  let videoSeq = 0
  let frame = 0
  let sent = 0
  const audioPayload = crypto.getRandomValues(new Uint8Array(AUDIO_PAYLOAD))
  const videoPayload = crypto.getRandomValues(new Uint8Array(VIDEO_PAYLOAD))
  const send = (packet: Uint8Array) => {
    socket.send(packet, port, '127.0.0.1')
    sent += 1
  }
  const audio = setInterval(
    () => send(rtp(AUDIO.payloadType, AUDIO.ssrc, audioSeq++, audioSeq * 960, false, audioPayload)),
    20,
  )
  const video = setInterval(() => {
    const keyframe = frame % 30 === 0
    for (let i = 0; i < VIDEO_PACKETS_PER_FRAME; i++) {
      // VP8 payload descriptor: S bit on a frame's first packet; its first payload byte's
      // lowest bit is the inverse keyframe flag, which the SFU reads to resync viewers.
      videoPayload[0] = i === 0 ? 0x10 : 0x00
      videoPayload[1] = keyframe ? 0x00 : 0x01
      send(
        rtp(VIDEO.payloadType, VIDEO.ssrc, videoSeq++, frame * 3000, i === VIDEO_PACKETS_PER_FRAME - 1, videoPayload),
      )
    }
    frame += 1
  }, 1000 / 30)
  return {
    get sent() {
      return sent
    },
    stop() {
      clearInterval(audio)
      clearInterval(video)
      socket.close()
    },
  }
}
