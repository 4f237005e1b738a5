import { mkdir, rm, writeFile } from 'node:fs/promises'
import type { MediaLogger } from '../ports.ts'
import type { EgressCandidate, MediaRoom } from '../room.ts'
import { FfmpegProcess, type FfmpegExit } from './ffmpeg.ts'
import { pidFileOf, sdpFileOf } from './orphans.ts'
import { freeUdpPortPair } from './ports.ts'
import { sdpForInputs } from './sdp.ts'
import { tapProducer, type Tap } from './taps.ts'

type VideoCodec = 'vp8' | 'h264'

/** What one ffmpeg run receives: its video (none: a filler is generated) and how many audio tracks to mix. */
export interface PartPlan {
  index: number
  /** ffmpeg writes its output(s) here. */
  dir: string
  videoCodec: VideoCodec | null
  audioInputs: number
}

/** How an egress turns the room's media into files: the ffmpeg arguments after the SDP input (input 0). */
export interface EgressFormat {
  outputArgs(plan: PartPlan): string[]
  /** The file a part leaves behind (null when it writes into a shared output, as HLS does). */
  partFile(plan: PartPlan): string | null
  /** Senders only send a key frame when asked; ffmpeg needs one to start and one per segment or seek point. */
  keyFrameIntervalMs: number
}

export interface EndedPart {
  index: number
  file: string | null
  videoCodec: VideoCodec | null
  /** ffmpeg died on its own (crash, kill -9): the file ends abruptly and lacks its index. */
  crashed: boolean
}

export interface EgressStats {
  ffmpegRestarts: number
}

interface RunningPart {
  plan: PartPlan
  key: string
  taps: Tap[]
  /** Lets go of the remote producers the part had piped in. */
  releases: Array<() => void>
  ffmpeg: FfmpegProcess
  keyFrames: Timer
}

const MAX_AUDIO_INPUTS = 4
const SETTLE_MS = 400
const LISTEN_DELAY_MS = 300
const MAX_CRASHES = 5

const codecOf = (candidate: EgressCandidate): VideoCodec | null => {
  const mimeType = candidate.mimeType.toLowerCase()
  return mimeType === 'video/vp8' ? 'vp8' : mimeType === 'video/h264' ? 'h264' : null
}

/**
 * What of a room goes out: the shared screen, else the first camera; every microphone (mixed).
 * Paused producers send nothing, so they are left out rather than stalling ffmpeg's mixer.
 */
function selectMedia(candidates: EgressCandidate[]): {
  video: EgressCandidate | null
  audio: EgressCandidate[]
} {
  const live = candidates.filter((candidate) => !candidate.paused)
  const video =
    live.find((candidate) => candidate.source === 'screen' && codecOf(candidate)) ??
    live.find((candidate) => candidate.source === 'camera' && codecOf(candidate)) ??
    null
  const audio = live.filter((candidate) => candidate.kind === 'audio').slice(0, MAX_AUDIO_INPUTS)
  return { video, audio }
}

/**
 * Sends a media room (by name, across its re-openings) to ffmpeg. ffmpeg's inputs are fixed when
 * it starts, so whenever what should go out changes (a camera starts, a speaker mutes, a worker
 * restarts) the current part is finished and a new one begins; a part whose ffmpeg crashes is
 * replaced the same way. The format decides what the parts write.
 */
export class RoomEgress {
  private room: MediaRoom | null = null
  private letGo: (() => void) | null = null
  private running: RunningPart | null = null
  private readonly ended: EndedPart[] = []
  private nextIndex = 1
  private crashes = 0
  private stopped = false
  private interruptedFlag = false
  /** The room's owner ended it (a class, stream or call over): its closing is the end, not a failure. */
  private roomEnded = false
  private settleTimer: Timer | undefined
  private work: Promise<void> = Promise.resolve()
  private readonly onProducers = () => {
    clearTimeout(this.settleTimer)
    this.settleTimer = setTimeout(() => this.reconcile(), SETTLE_MS)
  }
  private readonly onRoomClosed = () => {
    if (this.running && !this.roomEnded) this.interruptedFlag = true
    this.detach()
    this.reconcile()
  }

  constructor(
    readonly roomName: string,
    private readonly options: {
      ffmpegPath: string
      dir: string
      format: EgressFormat
      logger: MediaLogger
      stats: EgressStats
      onGaveUp?: () => void
    },
  ) {}

  /** Whether a part ended abnormally (ffmpeg crashed, or a worker died under the room). */
  get interrupted(): boolean {
    return this.interruptedFlag || this.ended.some((part) => part.crashed)
  }

  /** Its room is about to close because its owner ended it. */
  roomEnding(): void {
    this.roomEnded = true
  }

  /** Finishes the current part and returns every part, oldest first. */
  async stop(): Promise<EndedPart[]> {
    if (!this.stopped) {
      this.stopped = true
      clearTimeout(this.settleTimer)
      this.detach()
      this.work = this.work.then(() => this.finishRunning())
    }
    await this.work
    return [...this.ended]
  }

  /** Follows the room (its first opening, or a re-opening after a worker died). */
  attach(room: MediaRoom): void {
    if (this.stopped || room.isClosed) return
    this.detach()
    this.room = room
    this.letGo = room.retain()
    room.events.on('producers', this.onProducers)
    room.events.once('closed', this.onRoomClosed)
    this.reconcile()
  }

  private detach(): void {
    this.room?.events.off('producers', this.onProducers)
    this.room?.events.off('closed', this.onRoomClosed)
    this.letGo?.()
    this.letGo = null
    this.room = null
  }

  private reconcile(): void {
    this.work = this.work
      .then(() => this.reconcileNow())
      .catch((error: unknown) => {
        this.options.logger.error('egress could not follow its room', {
          room: this.roomName,
          err: error instanceof Error ? error.message : String(error),
        })
      })
  }

  private async reconcileNow(): Promise<void> {
    if (this.stopped) return
    const room = this.room && !this.room.isClosed ? this.room : null
    const selection = room ? selectMedia(room.egressCandidates()) : { video: null, audio: [] }
    const key = [selection.video?.producerId ?? '-', ...selection.audio.map((audio) => audio.producerId)].join(',')
    if (this.running?.key === key) return
    await this.finishRunning()
    if (key === '-' || !room) return
    await this.startPart(room, key, selection.video, selection.audio)
  }

  private async startPart(
    room: MediaRoom,
    key: string,
    video: EgressCandidate | null,
    audio: EgressCandidate[],
  ): Promise<void> {
    const plan: PartPlan = {
      index: this.nextIndex++,
      dir: this.options.dir,
      videoCodec: video ? codecOf(video) : null,
      audioInputs: audio.length,
    }
    const taps: Tap[] = []
    const releases: Array<() => void> = []
    try {
      for (const candidate of [...(video ? [video] : []), ...audio]) {
        const { source, release } = await room.egressSource(candidate.producerId)
        releases.push(release)
        taps.push(await tapProducer(source, await freeUdpPortPair()))
      }
    } catch (error) {
      for (const tap of taps) tap.close()
      for (const release of releases) release()
      throw error
    }
    await mkdir(plan.dir, { recursive: true })
    const sdpFile = sdpFileOf(plan.dir, plan.index)
    await writeFile(sdpFile, sdpForInputs(taps.map((tap) => tap.input)))
    const ffmpeg = new FfmpegProcess(this.options.ffmpegPath, [
      '-protocol_whitelist',
      'file,udp,rtp',
      '-fflags',
      '+genpts',
      '-analyzeduration',
      '3000000',
      '-f',
      'sdp',
      '-i',
      sdpFile,
      ...this.options.format.outputArgs(plan),
    ])
    const requestKeyFrames = () => {
      for (const tap of taps)
        if (tap.consumer.kind === 'video') void tap.consumer.requestKeyFrame().catch(() => undefined)
    }
    const running: RunningPart = {
      plan,
      key,
      taps,
      releases,
      ffmpeg,
      keyFrames: setInterval(requestKeyFrames, this.options.format.keyFrameIntervalMs),
    }
    this.running = running
    void ffmpeg.exited.then((exit) => this.onExit(running, exit))
    await writeFile(pidFileOf(plan.dir, plan.index), String(ffmpeg.pid))
    // ffmpeg binds its ports right after it starts; what is sent before that is lost.
    await Bun.sleep(LISTEN_DELAY_MS)
    await Promise.all(taps.map((tap) => tap.consumer.resume().catch(() => undefined)))
    requestKeyFrames()
    setTimeout(requestKeyFrames, 1000)
  }

  private onExit(part: RunningPart, exit: FfmpegExit): void {
    if (exit.requested) return
    this.options.logger.error('ffmpeg exited on its own', {
      room: this.roomName,
      part: part.plan.index,
      code: exit.code,
      signal: exit.signal,
      stderr: exit.stderrTail.slice(-600),
    })
    this.work = this.work.then(() => {
      if (this.running !== part) return
      this.release(part, true)
      if (++this.crashes >= MAX_CRASHES) {
        this.options.logger.error('egress gave up after repeated ffmpeg crashes', { room: this.roomName })
        this.options.onGaveUp?.()
        return
      }
      this.options.stats.ffmpegRestarts += 1
      setTimeout(() => this.reconcile(), 1000)
    })
  }

  private async finishRunning(): Promise<void> {
    const part = this.running
    if (!part) return
    const exit = await part.ffmpeg.stop()
    if (this.running === part) this.release(part, !exit.requested || exit.signal === 'SIGKILL')
  }

  private release(part: RunningPart, crashed: boolean): void {
    clearInterval(part.keyFrames)
    for (const tap of part.taps) tap.close()
    for (const release of part.releases) release()
    void rm(pidFileOf(part.plan.dir, part.plan.index), { force: true })
    void rm(sdpFileOf(part.plan.dir, part.plan.index), { force: true })
    this.running = null
    this.ended.push({
      index: part.plan.index,
      file: this.options.format.partFile(part.plan),
      videoCodec: part.plan.videoCodec,
      crashed,
    })
  }
}
