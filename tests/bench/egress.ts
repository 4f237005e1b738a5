/**
 * What one recording and one HLS output of a 720p stream cost, so an operator can size a machine:
 * a Chromium host publishes ffmpeg's 720p testsrc (VP8) + a sine tone into a stream room, and the
 * CPU of the mediasoup worker and of the ffmpeg processes is sampled over the same window with
 * nothing, a recording, and HLS running. Recording copies VP8/Opus; HLS encodes H264 (x264 veryfast).
 */
import { tempDir } from '../helpers/server-process.ts'
import { launchChromium, openDemoPage } from '../helpers/browser.ts'
import { startMediaServer } from '../helpers/media-server.ts'

const WINDOW_MS = 10_000
const ticksPerSecond = 100

function processCpuMs(pid: number): number {
  const stat = require('node:fs').readFileSync(`/proc/${pid}/stat`, 'utf8') as string
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond
}
const ffmpegPids = (dir: string) =>
  Bun.spawnSync(['pgrep', '-f', dir]).stdout.toString().trim().split('\n').filter(Boolean).map(Number)

const dir = tempDir('majlis-bench-egress-')
Bun.spawnSync([
  'ffmpeg',
  '-v',
  'error',
  '-y',
  '-f',
  'lavfi',
  '-i',
  'testsrc2=size=1280x720:rate=30',
  '-t',
  '4',
  '-pix_fmt',
  'yuv420p',
  `${dir}/720p.y4m`,
])
Bun.spawnSync([
  'ffmpeg',
  '-v',
  'error',
  '-y',
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=440:sample_rate=48000',
  '-t',
  '4',
  `${dir}/tone.wav`,
])
const server = await startMediaServer({ workers: 1, env: { UPLOAD_DIR: `${dir}/uploads` } })
const browser = await launchChromium([
  `--use-file-for-fake-video-capture=${dir}/720p.y4m`,
  `--use-file-for-fake-audio-capture=${dir}/tone.wav`,
])
try {
  const host = await server.register()
  const page = await openDemoPage(browser, server.baseUrl)
  const streamId: string = await page.evaluate(
    (token) => (window as any).majlisDemo.goLive(token, { title: 'bench', type: 'video' }).then((s: any) => s.streamId),
    host.accessToken,
  )
  await Bun.sleep(3000)

  async function measure(label: string, start: () => Promise<unknown>, stop: () => Promise<unknown>) {
    await start()
    await Bun.sleep(2000)
    const pids = ffmpegPids(`${dir}/uploads`)
    const workerBefore = (await server.media.pool.stats())[0]!.cpuMs
    const ffmpegBefore = pids.reduce((sum, pid) => sum + processCpuMs(pid), 0)
    await Bun.sleep(WINDOW_MS)
    const worker = ((await server.media.pool.stats())[0]!.cpuMs - workerBefore) / WINDOW_MS
    const ffmpeg = (pids.reduce((sum, pid) => sum + processCpuMs(pid), 0) - ffmpegBefore) / WINDOW_MS
    await stop()
    return { label, worker, ffmpeg }
  }
  const call = (path: string) => server.call('POST', `/api/v1/streams/${streamId}${path}`, { token: host.accessToken })
  const rows = [
    await measure(
      'publishing only',
      async () => undefined,
      async () => undefined,
    ),
    await measure(
      '+ recording (copy)',
      () => call('/recording/start'),
      () => call('/recording/stop'),
    ),
    await measure(
      '+ HLS (x264)',
      () => call('/hls/start'),
      () => call('/hls/stop'),
    ),
  ]
  console.log('\nEgress of one 720p30 stream (CPU in cores: 1.00 = one core busy)')
  console.log('| scenario | worker | ffmpeg | total |\n|---|---:|---:|---:|')
  for (const row of rows)
    console.log(
      `| ${row.label} | ${row.worker.toFixed(2)} | ${row.ffmpeg.toFixed(2)} | ${(row.worker + row.ffmpeg).toFixed(2)} |`,
    )
  const [base, recording, hls] = rows
  console.log(
    `recording adds ${(recording!.worker + recording!.ffmpeg - base!.worker).toFixed(2)} cores; HLS adds ${(hls!.worker + hls!.ffmpeg - base!.worker).toFixed(2)} cores (ratio HLS/recording ${((hls!.ffmpeg + hls!.worker - base!.worker) / Math.max(0.001, recording!.ffmpeg + recording!.worker - base!.worker)).toFixed(1)}×)`,
  )
} finally {
  await browser.close()
  await server.stop()
}
