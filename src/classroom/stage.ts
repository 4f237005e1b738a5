import type { MajlisClass, MediaSource, RemoteTrack } from '@majlis/sdk'
import { h } from '../ui/dom.ts'
import type { TextKey } from './i18n.ts'

/**
 * What the class sees: the teacher's screen large when shared (camera small beside it), else the
 * camera; students who speak are heard. Each video asks for the simulcast layer of its size.
 */
export class Stage {
  readonly element: HTMLElement
  private readonly main: HTMLVideoElement
  private readonly corner: HTMLVideoElement
  private readonly placeholder: HTMLParagraphElement
  private readonly audio = h('div', { hidden: true })
  private readonly videos = new Map<string, { track: RemoteTrack; producerId: string; source: MediaSource }>()
  private readonly sized = new Map<HTMLVideoElement, string>()

  constructor(
    private readonly lesson: MajlisClass,
    t: (key: TextKey) => string,
  ) {
    this.main = h('video', {
      id: 'main-video',
      autoplay: true,
      playsinline: true,
      muted: true,
      'aria-label': t('teacherVideo'),
    })
    this.corner = h('video', {
      id: 'corner-video',
      class: 'corner',
      autoplay: true,
      playsinline: true,
      muted: true,
      hidden: true,
      'aria-label': t('yourPreview'),
    })
    this.placeholder = h('p', { class: 'placeholder' }, t('waitingVideo'))
    this.element = h(
      'section',
      { class: 'stage', 'aria-label': t('teacherVideo') },
      this.main,
      this.corner,
      this.placeholder,
      this.audio,
    )
    lesson.on('track', (track) => this.add(track))
    lesson.on('trackEnded', ({ producerId }) => this.drop(producerId))
    for (const track of lesson.media.remoteTracks())
      this.add({ ...track, consumerId: '', kind: track.track.kind as 'audio' | 'video' })
    new ResizeObserver(() => this.fitLayers()).observe(this.element)
  }

  /** The teacher's own camera (or screen) in the stage, so they see what the class sees. */
  showLocal(): void {
    const screen = this.lesson.media.localTrack('screen')
    const camera = this.lesson.media.localTrack('camera')
    this.setVideo(this.main, screen ?? camera)
    this.setVideo(this.corner, screen ? camera : null)
    this.placeholder.hidden = screen !== null || camera !== null
  }

  private add(track: RemoteTrack): void {
    if (track.kind === 'audio') {
      const player = h('audio', { autoplay: true, 'data-producer': track.producerId })
      player.srcObject = new MediaStream([track.track])
      this.audio.append(player)
      return
    }
    this.videos.set(track.producerId, { track, producerId: track.producerId, source: track.source })
    this.layout()
  }

  private drop(producerId: string): void {
    this.audio.querySelector(`[data-producer="${CSS.escape(producerId)}"]`)?.remove()
    if (this.videos.delete(producerId)) this.layout()
  }

  private layout(): void {
    const all = [...this.videos.values()]
    const screen = all.find((video) => video.source === 'screen')
    const camera = all.find((video) => video.source === 'camera')
    const large = screen ?? camera
    const small = screen ? camera : undefined
    this.setVideo(this.main, large?.track.track ?? null, large?.producerId)
    this.setVideo(this.corner, small?.track.track ?? null, small?.producerId)
    this.placeholder.hidden = large !== undefined
    this.fitLayers()
  }

  private setVideo(video: HTMLVideoElement, track: MediaStreamTrack | null, producerId?: string): void {
    const current = (video.srcObject as MediaStream | null)?.getVideoTracks()[0] ?? null
    if (current !== track) video.srcObject = track ? new MediaStream([track]) : null
    video.hidden = track === null
    if (producerId) this.sized.set(video, producerId)
    else this.sized.delete(video)
  }

  /** Each received video at the layer its element's height needs (a corner tile takes a small one). */
  private fitLayers(): void {
    for (const [video, producerId] of this.sized) {
      if (!video.hidden)
        void this.lesson.showAt(producerId, video.clientHeight * devicePixelRatio).catch(() => undefined)
    }
  }
}
