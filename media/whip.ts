import type { MediaKind, RtpCodecParameters, RtpHeaderExtensionParameters, RtpParameters } from 'mediasoup/types'
import * as sdpTransform from 'sdp-transform'
import type { MediaSource } from './access.ts'
import { MediaRoomError } from './errors.ts'
import type { MediaRoom } from './room.ts'

export class WhipOfferError extends Error {}

type MediaSection = sdpTransform.MediaDescription

/** The router's codecs a WHIP publisher may send: H264 (what OBS sends), VP8, and Opus. */
const H264_PROFILES = new Set(['42e01f', '42001f'])

function chooseCodec(section: MediaSection): sdpTransform.MediaAttributes['rtp'][number] | null {
  const fmtpOf = (payload: number) => section.fmtp.find((fmtp) => fmtp.payload === payload)?.config ?? ''
  const candidates = section.rtp.filter((rtp) => {
    const codec = rtp.codec.toLowerCase()
    if (section.type === 'audio') return codec === 'opus'
    if (codec === 'vp8') return true
    if (codec !== 'h264') return false
    const params = parameters(fmtpOf(rtp.payload))
    return (
      params['packetization-mode'] === 1 &&
      H264_PROFILES.has(String(params['profile-level-id'] ?? '42001f').toLowerCase())
    )
  })
  return candidates.find((rtp) => rtp.codec.toLowerCase() === 'h264') ?? candidates[0] ?? null
}

function parameters(config: string): Record<string, string | number> {
  return Object.fromEntries(
    config
      .split(';')
      .filter(Boolean)
      .map((pair) => {
        const [key, value = ''] = pair.split('=')
        return [key!.trim(), /^\d+$/.test(value) ? Number(value) : value.trim()]
      }),
  )
}

function rtpParametersOf(
  section: MediaSection,
  codec: NonNullable<ReturnType<typeof chooseCodec>>,
  supported: Set<string>,
): RtpParameters {
  const fmtp = section.fmtp.find((candidate) => candidate.payload === codec.payload)?.config ?? ''
  const rtcpFeedback = (section.rtcpFb ?? [])
    .filter((feedback) => Number(feedback.payload) === codec.payload || feedback.payload === '*')
    .map((feedback) => ({ type: feedback.type, parameter: feedback.subtype ?? '' }))
  const codecParameters: RtpCodecParameters = {
    mimeType: `${section.type}/${codec.codec}`,
    payloadType: codec.payload,
    clockRate: codec.rate ?? 90000,
    ...(section.type === 'audio' ? { channels: Number(codec.encoding ?? 2) } : {}),
    parameters: parameters(fmtp),
    rtcpFeedback,
  }
  const headerExtensions: RtpHeaderExtensionParameters[] = (section.ext ?? [])
    .filter((extension) => supported.has(extension.uri))
    .map((extension) => ({ uri: extension.uri as RtpHeaderExtensionParameters['uri'], id: extension.value }))
  const rids = (section.rids ?? []).filter((rid) => rid.direction === 'send')
  const ssrc = section.ssrcs?.[0]?.id
  const encodings =
    rids.length > 0 ? rids.map((rid) => ({ rid: String(rid.id) })) : [ssrc === undefined ? {} : { ssrc: Number(ssrc) }]
  const cname = section.ssrcs?.find((attribute) => attribute.attribute === 'cname')?.value
  return {
    mid: String(section.mid),
    codecs: [codecParameters],
    headerExtensions,
    encodings,
    rtcp: { cname, reducedSize: true },
  }
}

/** What the offer asked for that the room or mediasoup refused is the offer's fault; a worker restarting is not. */
const refused =
  (what: string) =>
  (error: unknown): never => {
    if (error instanceof MediaRoomError && error.code === 'MEDIA_UNAVAILABLE') throw error
    throw new WhipOfferError(`${what}: ${error instanceof Error ? error.message : String(error)}`)
  }

/**
 * Answers a WHIP publisher's SDP offer (RFC 9725) for a peer already in the room: one bundled
 * send transport, a producer per audio/video section, ICE-lite with our candidates, DTLS passive.
 * Sections we cannot take (no shared codec, data channels) are rejected with port 0.
 */
export async function answerWhipOffer(
  room: MediaRoom,
  peerId: string,
  offer: string,
): Promise<{ answer: string; transportId: string }> {
  let session: sdpTransform.SessionDescription
  try {
    session = sdpTransform.parse(offer)
  } catch {
    throw new WhipOfferError('The body is not an SDP offer')
  }
  const sections = session.media ?? []
  const fingerprint = session.fingerprint ?? sections.find((section) => section.fingerprint)?.fingerprint
  const iceUfrag = session.iceUfrag ?? sections[0]?.iceUfrag
  if (sections.length === 0 || !fingerprint || !iceUfrag)
    throw new WhipOfferError('The SDP offer needs media sections, ICE credentials and a DTLS fingerprint')
  const accepted = sections.map((section) => {
    const kind = section.type as MediaKind
    if (
      (kind !== 'audio' && kind !== 'video') ||
      section.direction === 'recvonly' ||
      section.direction === 'inactive' ||
      section.mid === undefined
    )
      return null
    const codec = chooseCodec(section)
    return codec ? { section, kind, codec } : null
  })
  if (!accepted.some(Boolean))
    throw new WhipOfferError(
      'The offer has no audio (Opus) or video (H264 packetization-mode 1, or VP8) this server takes',
    )

  const transport = await room.createTransport(peerId, 'send')
  const remoteRole = sections[0]?.setup ?? session.setup ?? 'actpass'
  await room
    .connectTransport(peerId, transport.transportId, {
      role: remoteRole === 'passive' ? 'server' : 'client',
      fingerprints: [{ algorithm: fingerprint.type.toLowerCase() as 'sha-256', value: fingerprint.hash }],
    })
    .catch(refused('The DTLS fingerprint cannot be used'))
  const supported = new Set<string>(
    room.routerCapabilitiesOf(peerId).headerExtensions?.map((extension) => extension.uri) ?? [],
  )
  const answered: MediaSection[] = []
  for (const [i, choice] of accepted.entries()) {
    const offered = sections[i]!
    if (!choice) {
      answered.push({
        type: offered.type,
        port: 0,
        protocol: offered.protocol,
        payloads: offered.payloads,
        mid: offered.mid,
        rtp: [],
        fmtp: [],
        direction: 'inactive',
      } as MediaSection)
      continue
    }
    const rtpParameters = rtpParametersOf(offered, choice.codec, supported)
    const source: MediaSource = choice.kind === 'audio' ? 'microphone' : 'camera'
    await room
      .produce(peerId, transport.transportId, choice.kind, rtpParameters, source)
      .catch(refused(`The ${choice.kind} section cannot be received`))
    const codec = rtpParameters.codecs[0]!
    const fmtp = (offered.fmtp ?? []).filter((candidate) => candidate.payload === codec.payloadType)
    answered.push({
      type: offered.type,
      port: 9,
      protocol: 'UDP/TLS/RTP/SAVPF',
      payloads: String(codec.payloadType),
      connection: { version: 4, ip: '0.0.0.0' },
      mid: offered.mid,
      direction: 'recvonly',
      rtp: [choice.codec],
      fmtp,
      rtcpFb: (offered.rtcpFb ?? []).filter((feedback) => Number(feedback.payload) === codec.payloadType),
      ext: (offered.ext ?? []).filter((extension) => supported.has(extension.uri)),
      rtcpMux: 'rtcp-mux',
      rtcpRsize: 'rtcp-rsize',
      iceUfrag: transport.iceParameters.usernameFragment,
      icePwd: transport.iceParameters.password,
      fingerprint: {
        type: 'sha-256',
        hash: transport.dtlsParameters.fingerprints.find((print) => print.algorithm === 'sha-256')!.value,
      },
      setup: remoteRole === 'passive' ? 'active' : 'passive',
      candidates: transport.iceCandidates.map((candidate) => ({
        foundation: candidate.foundation,
        component: 1,
        transport: candidate.protocol,
        priority: candidate.priority,
        ip: candidate.address,
        port: candidate.port,
        type: candidate.type,
        ...(candidate.tcpType ? { tcptype: candidate.tcpType } : {}),
      })),
      endOfCandidates: 'end-of-candidates',
      ...(offered.rids
        ? {
            rids: offered.rids.map((rid) => ({ ...rid, direction: 'recv' })),
            simulcast: offered.simulcast && { dir1: 'recv', list1: offered.simulcast.list1 },
          }
        : {}),
    } as MediaSection)
  }
  const answer = sdpTransform.write({
    version: 0,
    origin: { username: '-', sessionId: Date.now(), sessionVersion: 1, netType: 'IN', ipVer: 4, address: '127.0.0.1' },
    name: '-',
    timing: { start: 0, stop: 0 },
    icelite: 'ice-lite',
    groups: [
      {
        type: 'BUNDLE',
        mids: answered
          .filter((media) => media.port !== 0)
          .map((media) => media.mid)
          .join(' '),
      },
    ],
    msidSemantic: { semantic: 'WMS', token: '*' },
    media: answered,
  } as sdpTransform.SessionDescription)
  return { answer, transportId: transport.transportId }
}
