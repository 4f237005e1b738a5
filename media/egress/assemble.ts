import { rm, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { runTool } from './ffmpeg.ts'

export interface MediaTools {
  ffmpeg: string
  ffprobe: string
}

export interface ProbedFile {
  durationSec: number
  videoCodec: string | null
  audioCodec: string | null
}

export interface AssembledRecording {
  file: string
  mimeType: 'video/webm' | 'video/mp4'
  durationSec: number
  sizeBytes: number
}

/** Duration and codecs as ffprobe reads them; null when the file holds nothing playable. */
export async function probe(tools: MediaTools, file: string): Promise<ProbedFile | null> {
  const output = await runTool(
    tools.ffprobe,
    ['-show_entries', 'format=duration:stream=codec_type,codec_name', '-of', 'json', file],
    60_000,
  ).catch(() => null)
  if (!output) return null
  const parsed = JSON.parse(output) as {
    format?: { duration?: string }
    streams?: Array<{ codec_type: string; codec_name: string }>
  }
  const codec = (type: string) => parsed.streams?.find((stream) => stream.codec_type === type)?.codec_name ?? null
  const durationSec = Number(parsed.format?.duration ?? 0)
  return {
    durationSec: Number.isFinite(durationSec) ? durationSec : 0,
    videoCodec: codec('video'),
    audioCodec: codec('audio'),
  }
}

/**
 * Joins a recording's parts into one file with its index (duration, cues), in the parts' own codecs
 * when they share them (WebM for VP8, MP4 for H264), re-encoded to VP8 + Opus WebM when they do not.
 * A part that ended abruptly is readable up to its last cluster. Null when no part holds video.
 */
export async function assembleRecording(
  tools: MediaTools,
  partFiles: string[],
  dir: string,
  name: string,
): Promise<AssembledRecording | null> {
  const usable: string[] = []
  const indexed: string[] = []
  const codecs = new Set<string>()
  try {
    for (const part of partFiles) {
      const probed = await probe(tools, part)
      if (!probed?.videoCodec || !probed.audioCodec) continue
      codecs.add(probed.videoCodec)
      if (probed.durationSec > 0) {
        usable.push(part)
        continue
      }
      // Cut off before its trailer: a copy gets the duration the concatenation needs to place the next part.
      const copy = part.replace(/\.mkv$/, '.indexed.mkv')
      await runTool(tools.ffmpeg, ['-y', '-i', part, '-c', 'copy', copy])
      indexed.push(copy)
      usable.push(copy)
    }
    return usable.length === 0 ? null : await concatenate(tools, usable, codecs, dir, name)
  } finally {
    await Promise.all(indexed.map((copy) => rm(copy, { force: true })))
  }
}

async function concatenate(
  tools: MediaTools,
  usable: string[],
  codecs: Set<string>,
  dir: string,
  name: string,
): Promise<AssembledRecording | null> {
  const copy = codecs.size === 1 && (codecs.has('vp8') || codecs.has('h264'))
  const mp4 = copy && codecs.has('h264')
  const file = join(dir, `${name}.${mp4 ? 'mp4' : 'webm'}`)
  const list = join(dir, 'parts.txt')
  await writeFile(list, usable.map((part) => `file '${part.replaceAll("'", "'\\''")}'`).join('\n'))
  try {
    const output = mp4
      ? ['-c', 'copy', '-movflags', '+faststart', '-f', 'mp4']
      : copy
        ? ['-c', 'copy', '-f', 'webm']
        : reencodeArgs(usable.length)
    const inputs = copy ? ['-f', 'concat', '-safe', '0', '-i', list] : usable.flatMap((part) => ['-i', part])
    await runTool(tools.ffmpeg, ['-y', ...inputs, ...output, file])
  } finally {
    await rm(list, { force: true })
  }
  const probed = await probe(tools, file)
  if (!probed) return null
  return {
    file,
    mimeType: mp4 ? 'video/mp4' : 'video/webm',
    durationSec: Math.round(probed.durationSec),
    sizeBytes: (await stat(file)).size,
  }
}

/** Parts in different codecs or sizes: each scaled into 1280x720 and concatenated, encoded once. */
function reencodeArgs(parts: number): string[] {
  const scaled = Array.from(
    { length: parts },
    (_, i) =>
      `[${i}:v]scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=30[v${i}]`,
  )
  const joined = Array.from({ length: parts }, (_, i) => `[v${i}][${i}:a]`).join('')
  return [
    '-filter_complex',
    `${scaled.join(';')};${joined}concat=n=${parts}:v=1:a=1[v][a]`,
    '-map',
    '[v]',
    '-map',
    '[a]',
    '-c:v',
    'libvpx',
    '-deadline',
    'good',
    '-cpu-used',
    '4',
    '-b:v',
    '1500k',
    '-c:a',
    'libopus',
    '-b:a',
    '96k',
    '-f',
    'webm',
  ]
}

/** A JPEG still from a second in (or the middle of a shorter file), 320 px wide. */
export async function thumbnail(
  tools: MediaTools,
  file: string,
  durationSec: number,
  output: string,
): Promise<boolean> {
  const at = Math.min(1, durationSec / 2).toFixed(2)
  return runTool(
    tools.ffmpeg,
    ['-y', '-ss', at, '-i', file, '-frames:v', '1', '-vf', 'scale=320:-2', output],
    60_000,
  ).then(
    () => true,
    () => false,
  )
}
