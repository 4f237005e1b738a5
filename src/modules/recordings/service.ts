import { and, eq, inArray, sql } from 'drizzle-orm'
import { t } from 'elysia'
import { readdir, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { AppMedia } from '../../core.ts'
import {
  assembleRecording,
  recordingFormat,
  stopOrphanedFfmpeg,
  thumbnail,
  type MediaTools,
  type RoomEgress,
} from '../../../media/index.ts'
import type { Cluster } from '../../cluster/index.ts'
import type { Clock } from '../../clock.ts'
import type { Config } from '../../config.ts'
import type { Database } from '../../db/client.ts'
import { dbErrorMentions } from '../../db/errors.ts'
import { recordingConsents, recordings, type RecordingSubject } from '../../db/schema/recordings.ts'
import type { AuthUser } from '../../access/policy.ts'
import { DomainError, conflict, notFound } from '../../errors/domain.ts'
import { PRIVATE_FOLDER } from '../../http/private-files.ts'
import { newId } from '../../ids.ts'
import type { JobScheduler } from '../../jobs/scheduler.ts'
import { errorFields, logEvent, type Logger } from '../../logger.ts'

export type RecordingRow = typeof recordings.$inferSelect

/** Which room a start or stop is about, and (for calls) whose consent it needs first. */
interface RecordingTarget {
  room: string
  consentFrom?: string[]
}

/** What the module owning a call, stream or class decides about its recordings. */
export interface RecordingSubjectHandler {
  /** Who may start or stop recording it: the room, or a 403/404/409 error. */
  authorize(user: AuthUser, subjectId: string): Promise<RecordingTarget>
  mayView(user: AuthUser, subjectId: string): Promise<boolean>
  /** The recording has its file (ready, or partial after an interruption). */
  onFinished?(recording: RecordingRow): Promise<void>
}

const JOB_FINALIZE = 'recordings.finalize'
/** How long the job waits for an assembly under way before it looks again. */
const ASSEMBLY_WATCH_MS = 15 * 60_000
const finalizeKey = (id: string) => `recording:${id}`

/**
 * Recordings of media rooms: one ffmpeg egress per running recording, writing parts that are joined
 * into one file when it stops. A durable job per recording stops it at MAX_RECORDING_MINUTES and,
 * after a restart, assembles what an interrupted run left on disk, so no row stays `recording`.
 */
export class RecordingService {
  readonly counters = { bytesWritten: 0 }
  private readonly subjects = new Map<RecordingSubject, RecordingSubjectHandler>()
  private readonly running = new Map<string, RoomEgress>()
  private readonly assembling = new Map<string, Promise<void>>()
  private readonly root: string
  private readonly tools: MediaTools

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly config: Config,
    private readonly scheduler: JobScheduler,
    private readonly logger: Logger,
    private readonly media: AppMedia | undefined,
    private readonly cluster: Cluster | undefined,
  ) {
    this.root = join(config.uploads.dir, PRIVATE_FOLDER, 'recordings')
    this.tools = { ffmpeg: config.ffmpeg.path, ffprobe: config.ffmpeg.probePath }
    scheduler.register(JOB_FINALIZE, (payload) => this.finalizeJob(String(payload.recordingId)))
    media?.rooms.events.on('ended', (room) => void this.stopRoom(room))
    cluster?.bus.on('recording:stop', t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) }), async ({ id }) => {
      await this.finish(id)
      return {}
    })
  }

  register(subject: RecordingSubject, handler: RecordingSubjectHandler): void {
    this.subjects.set(subject, handler)
  }

  get runningCount(): number {
    return this.running.size
  }

  /** A participant's start: begins at once, or (calls) once every participant has asked. */
  async requestStart(
    user: AuthUser,
    subject: RecordingSubject,
    subjectId: string,
  ): Promise<RecordingRow | 'awaiting_consent'> {
    const target = await this.handler(subject).authorize(user, subjectId)
    await this.assertNotRunning(target.room)
    if (target.consentFrom) {
      await this.db
        .insert(recordingConsents)
        .values({ room: target.room, userId: user.id, createdAt: new Date(this.clock.now()) })
        .onConflictDoNothing()
      const given = await this.db
        .select({ userId: recordingConsents.userId })
        .from(recordingConsents)
        .where(eq(recordingConsents.room, target.room))
      if (!target.consentFrom.every((id) => given.some((consent) => consent.userId === id))) return 'awaiting_consent'
    }
    return this.start(subject, subjectId, target.room, user.id)
  }

  /** Starts recording a room (also the automatic recording of a class going live). */
  async start(subject: RecordingSubject, subjectId: string, room: string, startedBy: string): Promise<RecordingRow> {
    const media = this.media
    if (!media?.egresses.available)
      throw new DomainError(
        'RECORDING_UNAVAILABLE',
        'Recording needs the media server and ffmpeg, and this server has not got both',
      )
    const now = new Date(this.clock.now())
    const id = newId('rec')
    let recording: RecordingRow
    try {
      ;[[recording]] = (await this.db.batch([
        this.db
          .insert(recordings)
          .values({
            id,
            room,
            subject,
            subjectId,
            startedBy,
            status: 'recording',
            instanceId: this.config.cluster.instanceId,
            startedAt: now,
            updatedAt: now,
          })
          .returning(),
        this.db.delete(recordingConsents).where(eq(recordingConsents.room, room)),
      ])) as [[RecordingRow], unknown]
    } catch (error) {
      if (dbErrorMentions(error, 'recordings.room'))
        throw conflict('RECORDING_IN_PROGRESS', 'This room is already being recorded')
      throw error
    }
    this.running.set(
      id,
      media.egresses.start(room, this.dir(id), recordingFormat, () => void this.finish(id)),
    )
    await this.scheduleFinalize(id, now.getTime() + this.config.ffmpeg.maxRecordingMs)
    logEvent(this.logger, 'recording.started', startedBy, { recordingId: id, room })
    return recording
  }

  /** Stops the room's running recording; its file is assembled in the background (`processing`). */
  async requestStop(user: AuthUser, subject: RecordingSubject, subjectId: string): Promise<RecordingRow> {
    const { room } = await this.handler(subject).authorize(user, subjectId)
    const running = await this.runningIn(room)
    const owner = running && (await this.liveOwnerElsewhere(running))
    if (owner) {
      await this.cluster!.bus.request(owner, 'recording:stop', { id: running.id })
      const stopped = await this.find(running.id)
      if (stopped?.status === 'recording') throw conflict('NOT_RECORDING', 'This room is not being recorded')
      return stopped!
    }
    const stopped = running && (await this.finish(running.id))
    if (!stopped) throw conflict('NOT_RECORDING', 'This room is not being recorded')
    return stopped
  }

  /** The other live instance whose ffmpeg records this, if any (none without a cluster). */
  private async liveOwnerElsewhere(recording: Pick<RecordingRow, 'instanceId'>): Promise<string | null> {
    const owner = recording.instanceId
    if (!this.cluster || !owner || owner === this.config.cluster.instanceId) return null
    return (await this.cluster.members.whichLive([owner])).has(owner) ? owner : null
  }

  /** The recording, for someone who may see its room's recordings (404 otherwise, as its existence is private). */
  async get(user: AuthUser, id: string): Promise<RecordingRow> {
    const [recording] = await this.db.select().from(recordings).where(eq(recordings.id, id))
    if (!recording || !(await this.handler(recording.subject).mayView(user, recording.subjectId)))
      throw notFound('Recording')
    return recording
  }

  /** A recording's row without an access check, for links already signed. */
  async find(id: string): Promise<RecordingRow | undefined> {
    const [recording] = await this.db.select().from(recordings).where(eq(recordings.id, id))
    return recording
  }

  listFor(subject: RecordingSubject, subjectId: string): Promise<RecordingRow[]> {
    return this.db
      .select()
      .from(recordings)
      .where(and(eq(recordings.subject, subject), eq(recordings.subjectId, subjectId)))
      .orderBy(recordings.startedAt)
  }

  filePath(recording: RecordingRow, name: string): string {
    return join(this.dir(recording.id), basename(name))
  }

  /** At boot: recordings a previous run left `recording` or `processing` are finished from their files on disk. */
  async recoverInterrupted(): Promise<void> {
    const orphans = await this.db
      .select({ id: recordings.id, instanceId: recordings.instanceId })
      .from(recordings)
      .where(inArray(recordings.status, ['recording', 'processing']))
    for (const orphan of orphans) {
      if (this.running.has(orphan.id) || this.assembling.has(orphan.id) || (await this.liveOwnerElsewhere(orphan)))
        continue
      await this.scheduleFinalize(orphan.id, this.clock.now())
    }
  }

  private async stopRoom(room: string): Promise<void> {
    for (const [id, egress] of this.running) if (egress.roomName === room) await this.finish(id)
  }

  private async assertNotRunning(room: string): Promise<void> {
    if (await this.runningIn(room)) throw conflict('RECORDING_IN_PROGRESS', 'This room is already being recorded')
  }

  private async runningIn(room: string): Promise<{ id: string; instanceId: string | null } | undefined> {
    const [running] = await this.db
      .select({ id: recordings.id, instanceId: recordings.instanceId })
      .from(recordings)
      .where(and(eq(recordings.room, room), eq(recordings.status, 'recording')))
    return running
  }

  /** recording → processing (once), then the parts are joined in the background. */
  private async finish(id: string): Promise<RecordingRow | null> {
    const now = new Date(this.clock.now())
    const [stopped] = await this.db
      .update(recordings)
      .set({ status: 'processing', endedAt: now, updatedAt: now })
      .where(and(eq(recordings.id, id), eq(recordings.status, 'recording')))
      .returning()
    if (!stopped) return null
    logEvent(this.logger, 'recording.stopped', stopped.startedBy, { recordingId: id, room: stopped.room })
    const egress = this.running.get(id)
    this.running.delete(id)
    const parts = egress && this.media ? await this.media.egresses.stop(egress) : null
    const files = parts ? parts.flatMap((part) => (part.file ? [part.file] : [])) : await this.partFilesOnDisk(id)
    this.assembleInBackground(stopped, files, egress ? egress.interrupted : true)
    return stopped
  }

  private assembleInBackground(recording: RecordingRow, files: string[], interrupted: boolean): void {
    const work = this.assemble(recording, files, interrupted).finally(() => this.assembling.delete(recording.id))
    this.assembling.set(recording.id, work)
  }

  private async assemble(recording: RecordingRow, files: string[], interrupted: boolean): Promise<void> {
    const dir = this.dir(recording.id)
    try {
      const result = await assembleRecording(this.tools, files, dir, recording.id)
      const now = new Date(this.clock.now())
      if (!result) {
        await this.db
          .update(recordings)
          .set({
            status: 'failed',
            interrupted,
            error: 'Nothing playable was recorded (no audio and video reached the recorder)',
            updatedAt: now,
          })
          .where(eq(recordings.id, recording.id))
      } else {
        const thumbnailName = `${recording.id}.jpg`
        const hasThumbnail = await thumbnail(this.tools, result.file, result.durationSec, join(dir, thumbnailName))
        const [finished] = await this.db
          .update(recordings)
          .set({
            status: interrupted ? 'partial' : 'ready',
            interrupted,
            durationSec: result.durationSec,
            sizeBytes: result.sizeBytes,
            fileName: basename(result.file),
            mimeType: result.mimeType,
            thumbnailName: hasThumbnail ? thumbnailName : null,
            updatedAt: now,
          })
          .where(eq(recordings.id, recording.id))
          .returning()
        this.counters.bytesWritten += result.sizeBytes
        if (finished) await this.handler(finished.subject).onFinished?.(finished)
      }
      await Promise.all(files.map((file) => rm(file, { force: true })))
      await this.scheduler.cancel([finalizeKey(recording.id)])
      const outcome = !result ? 'failed' : interrupted ? 'partial' : 'ready'
      logEvent(this.logger, `recording.${outcome}`, recording.startedBy, {
        recordingId: recording.id,
        room: recording.room,
        durationSec: result?.durationSec ?? null,
      })
    } catch (error) {
      this.logger.error('recording could not be assembled', { recordingId: recording.id, ...errorFields(error) })
      // A failed recording names no file: its parts and a half-written result (a full disk) would be orphans.
      await rm(dir, { recursive: true, force: true })
      await this.db
        .update(recordings)
        .set({
          status: 'failed',
          interrupted,
          error: error instanceof Error ? error.message.slice(0, 500) : String(error),
          updatedAt: new Date(this.clock.now()),
        })
        .where(eq(recordings.id, recording.id))
        // Left `processing`, the finalize job finds no parts and marks it failed when it can.
        .catch((failure: unknown) => this.logger.error('recording not marked failed', errorFields(failure)))
    }
  }

  /** The durable job: stops a recording at its maximum length, or finishes one an earlier run left behind. */
  private async finalizeJob(id: string): Promise<void | { runAgainAt: Date }> {
    const [recording] = await this.db.select().from(recordings).where(eq(recordings.id, id))
    if (!recording || (recording.status !== 'recording' && recording.status !== 'processing')) return
    if (this.assembling.has(id)) return { runAgainAt: new Date(this.clock.now() + ASSEMBLY_WATCH_MS) }
    if (this.running.has(id)) {
      await this.finish(id)
      return
    }
    const owner = await this.liveOwnerElsewhere(recording)
    if (owner) {
      await this.cluster!.bus.request(owner, 'recording:stop', { id })
      return
    }
    const now = new Date(this.clock.now())
    const [orphan] = await this.db
      .update(recordings)
      .set({
        status: 'processing',
        interrupted: true,
        endedAt: sql`coalesce(${recordings.endedAt}, ${now.getTime()})`,
        updatedAt: now,
      })
      .where(eq(recordings.id, id))
      .returning()
    this.logger.warn('finishing a recording an earlier run left behind', { recordingId: id })
    await stopOrphanedFfmpeg(this.dir(id))
    this.assembleInBackground(orphan!, await this.partFilesOnDisk(id), true)
    await this.assembling.get(id)
  }

  private async partFilesOnDisk(id: string): Promise<string[]> {
    const names = await readdir(this.dir(id)).catch(() => [] as string[])
    return names
      .filter((name) => /^part-\d+\.mkv$/.test(name))
      .sort()
      .map((name) => join(this.dir(id), name))
  }

  private scheduleFinalize(id: string, at: number) {
    return this.scheduler.schedule({
      kind: JOB_FINALIZE,
      key: finalizeKey(id),
      runAt: new Date(at),
      payload: { recordingId: id },
    })
  }

  private dir(id: string): string {
    return join(this.root, id)
  }

  private handler(subject: RecordingSubject): RecordingSubjectHandler {
    const handler = this.subjects.get(subject)
    if (!handler) throw new Error(`no recording subject "${subject}" is registered`)
    return handler
  }
}
