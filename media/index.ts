import type { Cluster } from '../src/cluster/index.ts'
import type { Config } from '../src/config.ts'
import type { Logger } from '../src/logger.ts'
import { demoRoomResolver, MediaAccess } from './access.ts'
import { MediaCascade } from './cascade.ts'
import { Egresses } from './egress/index.ts'
import { MediaRooms } from './rooms.ts'
import { MediaSignaling } from './signaling.ts'
import { WorkerPool } from './workers.ts'

export interface MediaOptions {
  emptyGraceMs?: number
  workerBin?: string
}

/** The embedded SFU: worker pool, rooms, access registry, the media:* signaling and ffmpeg egress. */
export async function startMedia(config: Config, logger: Logger, options: MediaOptions = {}) {
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
  const access = new MediaAccess()
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
    joinCluster(cluster: Cluster) {
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

export type Media = Awaited<ReturnType<typeof startMedia>>
