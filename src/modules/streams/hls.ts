import { t } from 'elysia'
import { existsSync } from 'node:fs'
import { mkdir, readdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { AppMedia } from '../../core.ts'
import { HLS_PLAYLIST, hlsFormat, stopOrphanedFfmpeg, type RoomEgress } from '../../../media/index.ts'
import type { Cluster } from '../../cluster/index.ts'
import type { Clock } from '../../clock.ts'
import type { Config } from '../../config.ts'
import { DomainError, conflict, notFound } from '../../errors/domain.ts'
import { API_PREFIX } from '../../http/paths.ts'
import { PRIVATE_FOLDER } from '../../http/private-files.ts'
import type { UrlSigner } from '../../access/signed-urls.ts'
import { ShortLivedCache } from '../../short-lived-cache.ts'
import { streamIdOf, streamRoomName, type StreamRow } from './service.ts'

/** How long a private stream's signed playlist link works; players refetch the playlist with it. */
const PLAYLIST_LINK_MS = 6 * 60 * 60_000
const SEGMENT_NAME = /^p\d+-\d+\.ts$/
/** A segment lasts 2 s: a new publisher elsewhere is found within one. */
const PUBLISHER_CACHE_MS = 2000

const hlsScope = (streamId: string) => `${API_PREFIX}/hls/${streamId}/`

/**
 * A stream published as HLS beside WebRTC: ffmpeg writes 2-second segments and a playlist per
 * stream, served at /hls/<streamId>/index.m3u8 (for a CDN in front). Private streams get a signed,
 * expiring playlist link, and the playlist served carries the same signature on each segment.
 *
 * Each instance writes under its own folder of the (shared) UPLOAD_DIR, so in a cluster any
 * instance serves a stream's files, finds which instance runs its ffmpeg, and hands a stop to it.
 */
export class StreamHls {
  private readonly running = new Map<string, RoomEgress>()
  /** The folder of every instance's HLS output. */
  private readonly base: string
  private readonly instanceId: string
  private readonly leftoversCleared: Promise<void>
  /** Which instance publishes a stream, as file requests on other instances look it up (every player polls the playlist). */
  private readonly publishers: ShortLivedCache<string | null>

  constructor(
    private readonly media: AppMedia | undefined,
    config: Config,
    private readonly signer: UrlSigner,
    private readonly clock: Clock,
    private readonly cluster: Cluster | undefined,
  ) {
    this.base = join(config.uploads.dir, PRIVATE_FOLDER, 'hls')
    this.instanceId = config.cluster.instanceId
    this.leftoversCleared = this.clearLeftovers()
    this.publishers = new ShortLivedCache(PUBLISHER_CACHE_MS, clock.now)
    cluster?.bus.on('hls:stop', t.Object({ streamId: t.String({ minLength: 1, maxLength: 64 }) }), ({ streamId }) =>
      this.stop(streamId).then(() => ({})),
    )
    // A killed instance's ffmpeg outlives it on its host: whoever sweeps the instance stops it.
    cluster?.members.on('swept', (instanceId) => void this.clearInstance(instanceId))
    media?.rooms.events.on('ended', (room) => {
      const streamId = streamIdOf(room)
      if (streamId && this.running.has(streamId)) void this.stop(streamId)
    })
  }

  isRunning(streamId: string): boolean {
    return this.running.has(streamId)
  }

  async start(stream: StreamRow): Promise<string> {
    if (!this.media?.egresses.available)
      throw new DomainError(
        'RECORDING_UNAVAILABLE',
        'HLS needs the media server and ffmpeg, and this server has not got both',
      )
    if (this.running.has(stream.id) || (await this.runningElsewhere(stream.id)))
      throw conflict('HLS_ALREADY_RUNNING', 'This stream is already published as HLS')
    await this.leftoversCleared
    await rm(this.dir(stream.id), { recursive: true, force: true })
    // The folder exists from the start, before ffmpeg writes into it: the other instances see HLS running.
    await mkdir(this.dir(stream.id), { recursive: true })
    this.running.set(stream.id, this.media.egresses.start(streamRoomName(stream.id), this.dir(stream.id), hlsFormat))
    return this.playlistPath(stream)
  }

  async stop(streamId: string): Promise<void> {
    const egress = this.running.get(streamId)
    const owner = egress ? null : await this.runningElsewhere(streamId)
    if (owner) return void (await this.cluster!.bus.request(owner, 'hls:stop', { streamId }))
    if (!egress || !this.media) throw conflict('HLS_NOT_RUNNING', 'This stream is not published as HLS')
    this.running.delete(streamId)
    await this.media.egresses.stop(egress)
    await rm(this.dir(streamId), { recursive: true, force: true })
  }

  /** The playlist's path; signed when the stream is private. */
  playlistPath(stream: Pick<StreamRow, 'id' | 'isPrivate'>): string {
    const path = `${hlsScope(stream.id)}${HLS_PLAYLIST}`
    return stream.isPrivate
      ? `${path}?${this.signer.sign(hlsScope(stream.id), this.clock.now() + PLAYLIST_LINK_MS)}`
      : path
  }

  /** A playlist or segment, if the stream is public or the link is signed; 404 otherwise (and while nothing is written yet). */
  async file(
    stream: Pick<StreamRow, 'id' | 'isPrivate'>,
    name: string,
    query: { expires?: string; signature?: string },
  ): Promise<Response> {
    const signed = this.signer.verify(hlsScope(stream.id), query, this.clock.now())
    if ((stream.isPrivate && !signed) || (name !== HLS_PLAYLIST && !SEGMENT_NAME.test(name))) throw notFound('HLS file')
    const owner = this.running.has(stream.id)
      ? this.instanceId
      : await this.publishers.get(stream.id, () => this.runningElsewhere(stream.id))
    if (!owner) throw notFound('HLS file')
    const file = Bun.file(join(this.dir(stream.id, owner), name))
    if (!(await file.exists())) throw notFound('HLS file')
    if (name !== HLS_PLAYLIST)
      return new Response(file, { headers: { 'content-type': 'video/mp2t', 'cache-control': 'public, max-age=60' } })
    let playlist = await file.text()
    if (stream.isPrivate) {
      const signature = `?expires=${query.expires}&signature=${query.signature}`
      playlist = playlist.replace(/^(p\d+-\d+\.ts)$/gm, `$1${signature}`)
    }
    return new Response(playlist, {
      headers: { 'content-type': 'application/vnd.apple.mpegurl', 'cache-control': 'no-cache' },
    })
  }

  /** The live instance (not this one) whose ffmpeg publishes the stream, if any. */
  private async runningElsewhere(streamId: string): Promise<string | null> {
    if (!this.cluster) return null
    const instances = await readdir(this.base).catch(() => [] as string[])
    const publishing = instances.filter(
      (instance) => instance !== this.instanceId && existsSync(this.dir(streamId, instance)),
    )
    const [live] = await this.cluster.members.whichLive(publishing)
    return live ?? null
  }

  /**
   * HLS does not outlive its process: what an earlier run left (files, a still-running ffmpeg)
   * goes at start. Alone, that is every folder; in a cluster, those of instances no longer alive.
   */
  private async clearLeftovers(): Promise<void> {
    const instances = await readdir(this.base).catch(() => [] as string[])
    const live = this.cluster ? await this.cluster.members.whichLive(instances) : new Set<string>()
    for (const instance of instances)
      if (instance === this.instanceId || !live.has(instance)) await this.clearInstance(instance)
  }

  private async clearInstance(instanceId: string): Promise<void> {
    const folder = join(this.base, instanceId)
    for (const streamId of await readdir(folder).catch(() => [] as string[]))
      await stopOrphanedFfmpeg(join(folder, streamId))
    await rm(folder, { recursive: true, force: true })
  }

  private dir(streamId: string, instanceId = this.instanceId): string {
    return join(this.base, instanceId, streamId)
  }
}
