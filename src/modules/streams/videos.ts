import { and, desc, eq, gte, lt, or, sql, type SQL } from 'drizzle-orm'
import { mkdir, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { videoLikes, videos, videoViews } from '../../db/schema/videos.ts'
import { staffMay, type AuthUser } from '../../access/policy.ts'
import { forbidden, notFound } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { API_PREFIX } from '../../http/paths.ts'
import { UPLOADS_PATH } from '../../http/uploads.ts'
import { newId } from '../../ids.ts'
import type { videoSorts } from './video-model.ts'

export type VideoRow = typeof videos.$inferSelect
export type VideoSort = (typeof videoSorts)[number]

const TRENDING_WINDOW_MS = 7 * 24 * 60 * 60 * 1000
const VIDEO_FOLDER = 'videos'

export interface NewVideo {
  title: string
  description?: string
  category: string
  tags?: string[]
  duration?: number
}

export interface StoredFile {
  /** The upload names its file after the video it becomes. */
  videoId: string
  fileName: string
  mimeType: string
  sizeBytes: number
}

/** Video metadata, uploaded files under UPLOAD_DIR/videos, views, likes and the three orderings. */
export class VideoService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly uploadDir: string,
  ) {}

  /** The folder uploads are streamed into (created on first use). */
  async folder(): Promise<string> {
    const folder = join(this.uploadDir, VIDEO_FOLDER)
    await mkdir(folder, { recursive: true })
    return folder
  }

  async create(owner: AuthUser, input: NewVideo & { videoUrl: string }, file?: StoredFile): Promise<VideoRow> {
    const now = new Date(this.clock.now())
    const [video] = await this.db
      .insert(videos)
      .values({
        id: file?.videoId ?? newId('vid'),
        ownerId: owner.id,
        title: input.title,
        description: input.description ?? null,
        category: input.category,
        tags: input.tags ?? [],
        videoUrl: input.videoUrl,
        duration: input.duration ?? 0,
        fileName: file?.fileName ?? null,
        mimeType: file?.mimeType ?? null,
        sizeBytes: file?.sizeBytes ?? null,
        createdAt: now,
        updatedAt: now,
      })
      .returning()
    return video!
  }

  /** The stored URL of an uploaded file (made absolute in responses). */
  uploadedUrl(fileName: string): string {
    return `${UPLOADS_PATH}/${VIDEO_FOLDER}/${fileName}`
  }

  /** A stream's recording as a video of its host, private when the stream was. */
  async createFromRecording(
    stream: { hostId: string; title: string; category: string | null; isPrivate: boolean },
    recording: { id: string; durationSec: number | null; sizeBytes: number | null; mimeType: string | null },
  ) {
    const now = new Date(this.clock.now())
    await this.db.insert(videos).values({
      id: newId('vid'),
      ownerId: stream.hostId,
      title: stream.title,
      category: stream.category ?? 'live',
      tags: [],
      videoUrl: `${API_PREFIX}/recordings/${recording.id}/file`,
      duration: recording.durationSec ?? 0,
      mimeType: recording.mimeType,
      sizeBytes: recording.sizeBytes,
      isPrivate: stream.isPrivate,
      recordingId: recording.id,
      createdAt: now,
      updatedAt: now,
    })
  }

  async list(
    user: AuthUser,
    filter: { category?: string; hostId?: string; sortBy?: VideoSort; cursor?: string; limit: number },
  ) {
    const sortBy = filter.sortBy ?? 'recent'
    const matching = and(
      this.visibleTo(user),
      filter.category ? eq(videos.category, filter.category) : undefined,
      filter.hostId ? eq(videos.ownerId, filter.hostId) : undefined,
    )
    const position = decodeCursor(filter.cursor)
    if (sortBy === 'recent') {
      const rows = await this.db
        .select()
        .from(videos)
        .where(and(matching, afterCursor(videos.createdAt, videos.id, position)))
        .orderBy(desc(videos.createdAt), desc(videos.id))
        .limit(filter.limit + 1)
      return toPage(rows, filter.limit)
    }
    const score = sortBy === 'popular' ? sql<number>`(${videos.views} + ${videos.likes})` : this.recentScore()
    const rows = await this.db
      .select({ video: videos, score })
      .from(videos)
      .where(
        and(
          matching,
          position ? or(lt(score, position.at), and(eq(score, position.at), lt(videos.id, position.id))) : undefined,
        ),
      )
      .orderBy(desc(score), desc(videos.id))
      .limit(filter.limit + 1)
    const scores = new Map(rows.map((row) => [row.video.id, row.score]))
    return toPage(
      rows.map((row) => row.video),
      filter.limit,
      (video) => scores.get(video.id)!,
    )
  }

  /** The video if the user may see it (a private one is its owner's and staff's only). */
  async require(user: AuthUser, id: string): Promise<VideoRow> {
    const [video] = await this.db
      .select()
      .from(videos)
      .where(and(eq(videos.id, id), this.visibleTo(user)))
    if (!video) throw notFound('Video')
    return video
  }

  private visibleTo(user: AuthUser): SQL | undefined {
    return staffMay(user, ['streams', 'read'])
      ? undefined
      : or(eq(videos.isPrivate, false), eq(videos.ownerId, user.id))
  }

  /** Reading a video counts a view (kept per view for "trending"). */
  async view(viewer: AuthUser, id: string): Promise<VideoRow> {
    await this.require(viewer, id)
    const [, [video]] = await this.db.batch([
      this.db
        .insert(videoViews)
        .values({ id: newId('vview'), videoId: id, userId: viewer.id, createdAt: new Date(this.clock.now()) }),
      this.db
        .update(videos)
        .set({ views: sql`${videos.views} + 1` })
        .where(eq(videos.id, id))
        .returning(),
    ])
    return video!
  }

  /** Idempotent: liking twice is one like. The count is recomputed in the same batch, so it is exact. */
  async setLiked(user: AuthUser, id: string, liked: boolean) {
    await this.require(user, id)
    const mine = and(eq(videoLikes.videoId, id), eq(videoLikes.userId, user.id))
    const [, [video]] = await this.db.batch([
      liked
        ? this.db
            .insert(videoLikes)
            .values({ videoId: id, userId: user.id, createdAt: new Date(this.clock.now()) })
            .onConflictDoNothing()
        : this.db.delete(videoLikes).where(mine),
      this.db
        .update(videos)
        .set({ likes: sql`(select count(*) from ${videoLikes} where ${videoLikes.videoId} = ${id})` })
        .where(eq(videos.id, id))
        .returning({ likes: videos.likes }),
    ])
    return { liked, likes: video!.likes }
  }

  /** The owner or staff (streams module) delete a video; an uploaded file goes with it. */
  async delete(user: AuthUser, id: string): Promise<void> {
    const video = await this.require(user, id)
    if (video.ownerId !== user.id && !staffMay(user, ['streams', 'routine']))
      throw forbidden('Only the owner or staff delete a video')
    await this.db.delete(videos).where(eq(videos.id, id))
    if (video.fileName) await rm(join(this.uploadDir, VIDEO_FOLDER, video.fileName), { force: true })
  }

  private recentScore(): SQL<number> {
    const since = new Date(this.clock.now() - TRENDING_WINDOW_MS)
    const views = sql`select count(*) from ${videoViews}
      where ${videoViews.videoId} = ${videos.id} and ${gte(videoViews.createdAt, since)}`
    const likes = sql`select count(*) from ${videoLikes}
      where ${videoLikes.videoId} = ${videos.id} and ${gte(videoLikes.createdAt, since)}`
    return sql<number>`((${views}) + (${likes}))`
  }
}
