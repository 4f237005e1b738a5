import { join } from 'node:path'
import type { EgressFormat, PartPlan } from './room-egress.ts'

/**
 * The inputs beside the room's RTP (input 0): a generated picture when nobody shows video and
 * silence when nobody speaks, so every part has one video and one audio track and the parts join
 * up. `-re` paces them in real time, as the RTP arrives.
 */
function fillerInputs(plan: PartPlan) {
  const args: string[] = []
  let next = 1
  let videoInput: string | null = null
  let audioInput: string | null = null
  if (!plan.videoCodec) {
    args.push('-re', '-f', 'lavfi', '-i', 'color=c=black:s=640x360:r=15')
    videoInput = `${next++}:v:0`
  }
  if (plan.audioInputs === 0) {
    args.push('-re', '-f', 'lavfi', '-i', 'anullsrc=r=48000:cl=stereo')
    audioInput = `${next++}:a:0`
  }
  return { args, videoInput, audioInput }
}

/** One audio track: the only microphone as it comes, or the microphones mixed (re-encoded with `codec`). */
function audioArgs(plan: PartPlan, filler: string | null, encode: string[], copy: boolean): string[] {
  if (filler) return ['-map', filler, ...encode]
  if (plan.audioInputs === 1) return ['-map', '0:a:0', ...(copy ? ['-c:a', 'copy'] : encode)]
  const inputs = Array.from({ length: plan.audioInputs }, (_, i) => `[0:a:${i}]`).join('')
  return [
    '-filter_complex',
    `${inputs}amix=inputs=${plan.audioInputs}:normalize=0[mixed]`,
    '-map',
    '[mixed]',
    ...encode,
  ]
}

const recordingPartFile = (plan: PartPlan) => join(plan.dir, `part-${String(plan.index).padStart(4, '0')}.mkv`)

/**
 * Recording: each part a Matroska file (readable up to the last cluster even after a kill -9),
 * VP8 or H264 and Opus copied as they arrive; only fillers and mixes are encoded.
 */
export const recordingFormat: EgressFormat = {
  keyFrameIntervalMs: 5000,
  partFile: recordingPartFile,
  outputArgs(plan) {
    const filler = fillerInputs(plan)
    const video = filler.videoInput
      ? ['-map', filler.videoInput, '-c:v', 'libvpx', '-deadline', 'realtime', '-cpu-used', '8', '-b:v', '150k']
      : ['-map', '0:v:0', '-c:v', 'copy']
    return [
      ...filler.args,
      ...video,
      ...audioArgs(plan, filler.audioInput, ['-c:a', 'libopus', '-b:a', '96k'], true),
      // Written out as it comes, so a killed ffmpeg leaves everything up to the last second.
      '-flush_packets',
      '1',
      '-f',
      'matroska',
      '-cluster_time_limit',
      '1000',
      '-y',
      recordingPartFile(plan),
    ]
  },
}

export const HLS_PLAYLIST = 'index.m3u8'
const HLS_SEGMENT_SEC = 2

/**
 * HLS: H264 + AAC in 2-second MPEG-TS segments, the last six listed (ffmpeg 5's HLS muxer has no
 * partial segments). H264 from WHIP/OBS is copied; VP8 from browsers is encoded with x264's
 * low-latency settings. Each part appends to the same playlist after a discontinuity.
 */
export const hlsFormat: EgressFormat = {
  keyFrameIntervalMs: HLS_SEGMENT_SEC * 1000,
  partFile: () => null,
  outputArgs(plan) {
    const filler = fillerInputs(plan)
    const encodeVideo = [
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-tune',
      'zerolatency',
      '-pix_fmt',
      'yuv420p',
      '-force_key_frames',
      `expr:gte(t,n_forced*${HLS_SEGMENT_SEC})`,
      '-b:v',
      '2500k',
      '-maxrate',
      '3000k',
      '-bufsize',
      '3000k',
    ]
    const video = filler.videoInput
      ? ['-map', filler.videoInput, ...encodeVideo]
      : ['-map', '0:v:0', ...(plan.videoCodec === 'h264' ? ['-c:v', 'copy'] : encodeVideo)]
    return [
      ...filler.args,
      ...video,
      ...audioArgs(plan, filler.audioInput, ['-c:a', 'aac', '-b:a', '128k', '-ar', '48000', '-ac', '2'], false),
      '-f',
      'hls',
      '-hls_time',
      String(HLS_SEGMENT_SEC),
      '-hls_list_size',
      '6',
      '-hls_flags',
      'delete_segments+append_list+discont_start+independent_segments+omit_endlist',
      '-hls_segment_filename',
      join(plan.dir, `p${plan.index}-%05d.ts`),
      '-y',
      join(plan.dir, HLS_PLAYLIST),
    ]
  },
}
