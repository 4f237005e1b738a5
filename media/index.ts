import { demoRoomResolver, MediaAccess, type MediaUser } from './access.ts'
import { MediaCascade } from './cascade.ts'
import { Egresses } from './egress/index.ts'
import { MediaRooms } from './rooms.ts'
import type { MediaCluster, MediaConfig, MediaLogger } from './ports.ts'
import { MediaSignaling } from './signaling.ts'
import { WorkerPool } from './workers.ts'

export interface MediaOptions {
  emptyGraceMs?: number
  workerBin?: string
}

/** The embedded SFU: worker pool, rooms, access registry, the media:* signaling and ffmpeg egress. */
export async function startMedia<User extends MediaUser = MediaUser>(
  config: MediaConfig,
  logger: MediaLogger,
  options: MediaOptions = {},
) {
  const pool = new WorkerPool({
    count: config.media.workers,
    listenIp: config.media.listenIp,
    announcedIp: config.media.announcedIp,
    basePort: config.media.port,
    logger,
    workerBin: options.workerBin,
    maxPeersPerWorker: config.media.maxPeersPerWorker,
  })
  await pool.start()
  const rooms = new MediaRooms(pool, {
    emptyGraceMs: options.emptyGraceMs,
    keyFrameRequestDelayMs: config.media.keyFrameRequestDelayMs,
  })
  const access = new MediaAccess<User>()
  if (!config.isProduction) access.register('demo', demoRoomResolver)
  const egresses = new Egresses(rooms, config.ffmpeg.path, logger)
  let cascade: MediaCascade | undefined
  const signaling = new MediaSignaling(rooms, access, pool, () => cascade)
  return {
    pool,
    rooms,
    access,
    signaling,
    egresses,
    get cascade() {
      return cascade
    },
    /** Rooms span the cluster's instances: remote producers come in over pipe transports. */
    joinCluster(cluster: MediaCluster) {
      cascade = new MediaCascade(cluster, rooms, config.media, logger)
      rooms.useRelay(cascade)
    },
    /** Egress first: its ffmpeg processes finish their files while the media still flows. */
    async close() {
      await egresses.stopAll()
      rooms.closeAll()
      pool.close()
    },
  }
}

export type Media<User extends MediaUser = MediaUser> = Awaited<ReturnType<typeof startMedia<User>>>

// The one door: the application reaches the SFU only through what is exported here.
export type { MediaGrant, MediaUser } from './access.ts'
export { MediaError, MediaRoomError } from './errors.ts'
export { assembleRecording, type MediaTools, thumbnail } from './egress/assemble.ts'
export { findBinary } from './egress/ffmpeg.ts'
export { HLS_PLAYLIST, hlsFormat, recordingFormat } from './egress/formats.ts'
export { stopOrphanedFfmpeg } from './egress/orphans.ts'
export type { RoomEgress } from './egress/room-egress.ts'
export type { MediaCluster, MediaConfig, MediaLogger, MediaSettings } from './ports.ts'
export type { MediaRoom } from './room.ts'
export type { MediaRooms } from './rooms.ts'

export type { PeerLink } from './types.ts'
export { answerWhipOffer, WhipOfferError } from './whip.ts'
export type { WorkerPool } from './workers.ts'
