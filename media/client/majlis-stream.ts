import { Listeners } from './listeners.ts'
import { MajlisMedia, type MediaSource } from './majlis-media.ts'
import type { SocketOptions } from './socket.ts'

export interface StreamMessage {
  id: string
  streamId: string
  userId: string
  name: string
  message: string
  type: 'text' | 'emoji'
  createdAt: string
}

export interface GiftAnimation {
  streamId: string
  transaction: {
    id: string
    giftId: string
    quantity: number
    coins: number
    senderId: string
    recipientId: string
    message: string | null
  }
  gift: { id: string; name: string; icon: string; animation: string }
  sender: { id: string; name: string }
}

export interface StreamStats {
  durationSec: number
  peakViewers: number
  totalViewers: number
  messages: number
  gifts: number
  coins: number
}

type StreamEvents = {
  message: StreamMessage
  gift: GiftAnimation
  viewerCount: { viewerCount: number }
  viewerJoined: { userId: string; name: string; role: string; viewerCount: number }
  viewerLeft: { userId: string; name: string; viewerCount: number }
  moderation: { userId: string; action: string; moderatorId: string }
  ended: { stats: StreamStats }
}

export interface StreamJoinOptions extends SocketOptions {
  streamId: string
  /** co-host only when the host invited you. */
  role?: 'viewer' | 'co-host'
}

/**
 * A live stream from the browser: joins its channel (chat, gifts, viewer counts) and its media
 * room in one call; the host and co-hosts publish with goOnStage(), viewers just watch. After a
 * dropped connection it joins the channel again (MajlisMedia rejoins the media room by itself).
 */
export class MajlisStream {
  private readonly listeners = new Listeners<StreamEvents>()
  role: 'host' | 'viewer' | 'co-host' = 'viewer'
  type: 'audio' | 'video' = 'video'
  /** Viewers now (host not counted): from the join, then from each `viewerCount` event. */
  viewerCount = 0

  private constructor(
    readonly media: MajlisMedia,
    readonly streamId: string,
    private readonly options: StreamJoinOptions,
  ) {
    const socket = media.socket
    const mine = (data: { streamId: string }) => data.streamId === streamId
    socket.on('new_message', (data) => mine(data) && this.listeners.emit('message', data))
    socket.on('gift_animation', (data) => mine(data) && this.listeners.emit('gift', data))
    socket.on('viewer_count', (data) => {
      if (!mine(data)) return
      this.viewerCount = data.viewerCount
      this.listeners.emit('viewerCount', data)
    })
    socket.on('viewer_joined', (data) => mine(data) && this.listeners.emit('viewerJoined', data))
    socket.on('viewer_left', (data) => mine(data) && this.listeners.emit('viewerLeft', data))
    socket.on('moderation', (data) => mine(data) && this.listeners.emit('moderation', data))
    socket.on('session_ended', (data) => mine(data) && this.listeners.emit('ended', data))
    // A new connection (after a drop, or moved off a full instance) is in no channel yet; after a
    // Redis outage (server:resync) the server missed other instances' events, so the state is read again.
    for (const event of ['reconnected', 'moved', 'server:resync'])
      socket.on(event, () => void this.enter().catch(() => undefined))
  }

  static async join(options: StreamJoinOptions): Promise<MajlisStream> {
    const stream = new MajlisStream(new MajlisMedia(options), options.streamId, options)
    await stream.media.socket.connect()
    await stream.enter()
    await stream.media.join(`stream:${options.streamId}`)
    return stream
  }

  on<E extends keyof StreamEvents>(event: E, listener: (data: StreamEvents[E]) => void): () => void {
    return this.listeners.on(event, listener)
  }

  /** Host or joined co-host: camera and microphone for a video stream, the microphone for an audio one. */
  async goOnStage(): Promise<MediaSource[]> {
    if (this.type === 'video') await this.media.publishCamera()
    await this.media.publishMicrophone()
    return this.type === 'video' ? ['camera', 'microphone'] : ['microphone']
  }

  /** Chat; a retry after a dropped connection is stored once (clientMsgId). */
  async send(message: string, type: 'text' | 'emoji' = 'text'): Promise<StreamMessage> {
    const reply = await this.media.socket.request<{ message: StreamMessage }>('send_stream_message', {
      sessionId: this.streamId,
      message,
      type,
      clientMsgId: crypto.randomUUID(),
    })
    return reply.message
  }

  async leave(): Promise<void> {
    await this.media.socket.request('leave_session', { sessionId: this.streamId }).catch(() => undefined)
    await this.media.leave()
  }

  close(): void {
    this.media.close()
  }

  private async enter(): Promise<void> {
    const joined = await this.media.socket.request<{
      role: MajlisStream['role']
      viewers: number
      stream: { type: 'audio' | 'video' }
    }>('join_session', {
      sessionId: this.streamId,
      role: this.options.role ?? 'viewer',
    })
    this.role = joined.role
    this.type = joined.stream.type
    this.viewerCount = joined.viewers
  }
}
