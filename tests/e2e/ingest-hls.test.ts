import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Browser } from 'playwright-core'
import {
  consumerStats,
  launchChromium,
  openDemoPage,
  serverAndBrowserPerFile,
  videoFrames,
  waitFor,
} from '../helpers/browser.ts'
import { tempDir } from '../helpers/server-process.ts'

const ctx = serverAndBrowserPerFile({ workers: 1, env: { UPLOAD_DIR: tempDir('majlis-hls-') } })
let encoder: Browser

// Debian's ffmpeg 5.1 has no WHIP muxer (it arrived in FFmpeg 8), so the WHIP client is Chromium
// sending what ffmpeg generated (testsrc + sine), as OBS would send its own picture.
beforeAll(async () => {
  const dir = tempDir('majlis-source-')
  const generate = (args: string[]) => expect(Bun.spawnSync(['ffmpeg', '-v', 'error', '-y', ...args]).exitCode).toBe(0)
  generate(['-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30', '-t', '3', '-pix_fmt', 'yuv420p', `${dir}/source.y4m`])
  generate(['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000', '-t', '3', `${dir}/source.wav`])
  encoder = await launchChromium([
    `--use-file-for-fake-video-capture=${dir}/source.y4m`,
    `--use-file-for-fake-audio-capture=${dir}/source.wav`,
  ])
})
afterAll(() => encoder?.close())

test('a private stream ingested over WHIP (H264 + Opus): a follower decodes it, its signed HLS reads in ffprobe, its recording becomes a private video', async () => {
  const host = await ctx.server.register()
  const stranger = await ctx.server.register()
  const stream = (
    await ctx.server.call('POST', '/api/v1/streams', {
      token: host.accessToken,
      body: { title: 'From OBS', type: 'video', isPrivate: true },
    })
  ).body
  const ingest = await ctx.server.call('GET', `/api/v1/streams/${stream.id}/ingest`, { token: host.accessToken })
  expect(ingest.status).toBe(200)
  const whipUrl = `${ctx.server.baseUrl}${new URL(ingest.body.whipUrl).pathname}`
  expect(new URL(ingest.body.whipUrl).pathname).toBe(`/api/v1/whip/${stream.id}`)
  const viewer = await ctx.server.register()
  await ctx.server.call('POST', `/api/v1/users/${host.user.id}/follow`, { token: viewer.accessToken })
  expect(
    (await ctx.server.call('GET', `/api/v1/streams/${stream.id}/ingest`, { token: viewer.accessToken })).status,
  ).toBe(403)
  const wrongKey = await fetch(whipUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', authorization: 'Bearer nope' },
    body: 'v=0',
  })
  expect(wrongKey.status).toBe(401)
  const badOffer = await fetch(whipUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/sdp', authorization: `Bearer ${ingest.body.streamKey}` },
    body: 'not sdp',
  })
  expect(badOffer.status).toBe(422)

  const page = await encoder.newPage()
  await page.goto(`${ctx.server.baseUrl}/demo`)
  const published = await page.evaluate(
    async ({ whipUrl, streamKey }) => {
      const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 360 }, audio: true })
      const pc = new RTCPeerConnection()
      for (const track of media.getTracks()) pc.addTransceiver(track, { direction: 'sendonly' })
      const video = pc.getTransceivers().find((transceiver) => transceiver.sender.track?.kind === 'video')!
      const h264 = RTCRtpSender.getCapabilities('video')!.codecs.filter(
        (codec) =>
          codec.mimeType === 'video/H264' &&
          /packetization-mode=1/.test(codec.sdpFmtpLine ?? '') &&
          /profile-level-id=42e01f/.test(codec.sdpFmtpLine ?? ''),
      )
      if (h264.length > 0) video.setCodecPreferences(h264)
      await pc.setLocalDescription(await pc.createOffer())
      const response = await fetch(whipUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/sdp', authorization: `Bearer ${streamKey}` },
        body: pc.localDescription!.sdp,
      })
      const answer = await response.text()
      if (response.status !== 201) return { status: response.status, answer, codec: null, location: null }
      await pc.setRemoteDescription({ type: 'answer', sdp: answer })
      ;(window as any).whip = pc
      return {
        status: response.status,
        answer,
        codec: h264.length > 0 ? 'h264' : 'vp8',
        location: response.headers.get('location'),
      }
    },
    { whipUrl, streamKey: ingest.body.streamKey },
  )
  expect(published.status).toBe(201)
  expect(published.answer).toContain('a=setup:passive')
  expect(published.location).toStartWith(`${whipUrl}/`)

  const viewerPage = await openDemoPage(ctx.browser, ctx.server.baseUrl)
  await viewerPage.evaluate(([token, id]) => (window as any).majlisDemo.watch(token, id).then(() => undefined), [
    viewer.accessToken,
    stream.id,
  ] as const)
  await waitFor(
    'the ingested video at the viewer',
    () => consumerStats(viewerPage),
    (stats) => videoFrames(stats) > 30,
    20_000,
  )
  await waitFor(
    'the ingested audio at the viewer',
    () => consumerStats(viewerPage),
    (stats) => stats.some((s) => s.kind === 'audio' && s.bytesReceived > 1000),
  )

  const hls = await ctx.server.call('POST', `/api/v1/streams/${stream.id}/hls/start`, { token: host.accessToken })
  expect(hls.status).toBe(200)
  expect(
    (await ctx.server.call('POST', `/api/v1/streams/${stream.id}/hls/start`, { token: host.accessToken })).status,
  ).toBe(409)
  const signedPlaylist = `${ctx.server.baseUrl}${new URL(hls.body.playlistUrl).pathname}${new URL(hls.body.playlistUrl).search}`
  const playlist = signedPlaylist.split('?')[0]!
  expect(playlist).toEndWith(`/api/v1/hls/${stream.id}/index.m3u8`)
  expect(new URL(signedPlaylist).searchParams.get('signature')).toMatch(/^[0-9a-f]{64}$/)
  const listed = await waitFor(
    'three HLS segments',
    () => fetch(signedPlaylist).then((response) => (response.ok ? response.text() : '')),
    (text) => (text.match(/\.ts\?expires=/gm) ?? []).length >= 3,
    30_000,
  )
  expect((await fetch(playlist)).status).toBe(404)
  const segment = listed.split('\n').find((line) => line.includes('.ts?'))!
  expect((await fetch(`${ctx.server.baseUrl}/api/v1/hls/${stream.id}/${segment}`)).status).toBe(200)
  expect((await fetch(`${ctx.server.baseUrl}/api/v1/hls/${stream.id}/${segment.split('?')[0]}`)).status).toBe(404)
  // Asynchronously: the server answering ffprobe's requests runs in this process.
  const ffprobe = Bun.spawn(
    ['ffprobe', '-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', signedPlaylist],
    { stdout: 'pipe' },
  )
  const timer = setTimeout(() => ffprobe.kill(), 20_000)
  const codecs = [...new Set((await new Response(ffprobe.stdout).text()).split('\n').filter(Boolean))].sort()
  clearTimeout(timer)
  expect(codecs).toEqual(['aac', 'h264'])

  const recording = (
    await ctx.server.call('POST', `/api/v1/streams/${stream.id}/recording/start`, { token: host.accessToken })
  ).body
  await Bun.sleep(3000)
  await ctx.server.call('POST', `/api/v1/streams/${stream.id}/recording/stop`, { token: host.accessToken })
  const ready = await waitFor(
    'the stream recording',
    () =>
      ctx.server.call('GET', `/api/v1/recordings/${recording.id}`, { token: viewer.accessToken }).then((r) => r.body),
    (r) => r.status === 'ready',
    30_000,
  )
  expect(ready.durationSec).toBeGreaterThanOrEqual(2)
  expect(
    (await ctx.server.call('GET', `/api/v1/recordings/${recording.id}`, { token: stranger.accessToken })).status,
  ).toBe(404)
  const hostVideos = (
    await ctx.server.call('GET', `/api/v1/videos?hostId=${host.user.id}`, { token: host.accessToken })
  ).body.items
  expect(hostVideos).toEqual([
    expect.objectContaining({ recordingId: recording.id, isPrivate: true, duration: ready.durationSec }),
  ])
  expect(
    (await ctx.server.call('GET', `/api/v1/videos?hostId=${host.user.id}`, { token: stranger.accessToken })).body.items,
  ).toEqual([])
  expect(
    (await ctx.server.call('GET', `/api/v1/videos/${hostVideos[0].id}`, { token: stranger.accessToken })).status,
  ).toBe(404)
  const recorded = await fetch(
    `${ctx.server.baseUrl}${new URL(hostVideos[0].videoUrl).pathname}${new URL(hostVideos[0].videoUrl).search}`,
  )
  expect(recorded.headers.get('content-type')).toBe(published.codec === 'h264' ? 'video/mp4' : 'video/webm')

  expect(
    (
      await fetch(published.location!, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${ingest.body.streamKey}` },
      })
    ).status,
  ).toBe(200)
  await waitFor(
    'the viewer to lose the ingested producers',
    () => consumerStats(viewerPage),
    (stats) => stats.length === 0,
  )
  expect(
    (await ctx.server.call('POST', `/api/v1/streams/${stream.id}/hls/stop`, { token: host.accessToken })).status,
  ).toBe(200)
  expect((await fetch(playlist)).status).toBe(404)
  await page.close()
  await viewerPage.close()
}, 120_000)
