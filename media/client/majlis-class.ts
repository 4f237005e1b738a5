import { Listeners } from './listeners.ts'
import { MajlisMedia, type MediaSource, type RemoteTrack } from './majlis-media.ts'
import { apiUrlBeside, MajlisApi } from './rest.ts'
import type { SocketOptions } from './socket.ts'

export type ClassRole = 'teacher' | 'student'
export type Reaction = '👍' | '❤️' | '😂' | '👏' | '🎉' | '❓'
export const REACTIONS: readonly Reaction[] = ['👍', '❤️', '😂', '👏', '🎉', '❓']

export interface ClassSession {
  id: string
  courseId: string
  title: string
  status: 'scheduled' | 'live' | 'ended' | 'canceled'
  roomCode: string
  chatSlowSeconds: number
  recordingUrl: string | null
  scheduledAt: string
  startedAt: string | null
  endedAt: string | null
}

export interface ChatMessage {
  id: string
  sessionId: string
  userId: string
  name: string
  content: string
  createdAt: string
}

export interface RaisedHand {
  userId: string
  name: string
  raisedAt: string
}

export interface Poll {
  id: string
  sessionId: string
  question: string
  options: Array<{ id: string; text: string }>
  multiple: boolean
  anonymous: boolean
  status: 'draft' | 'open' | 'closed'
  totalVoters: number
  results: Array<{ optionId: string; votes: number }> | null
  myVote: string[] | null
  createdAt: string
}

export interface Question {
  id: string
  sessionId: string
  userId: string | null
  name: string | null
  content: string
  anonymous: boolean
  votes: number
  myVote: boolean | null
  status: 'open' | 'answered' | 'dismissed'
  createdAt: string
}

export interface AttendanceRow {
  userId: string
  name: string
  firstJoinedAt: string | null
  lastLeftAt: string | null
  minutesPresent: number
  secondsPresent: number
  joins: number
  present: boolean
}

export interface Participant {
  userId: string
  name: string
}

type ClassEvents = {
  /** The session went live (a student waiting before the start is in the class now). */
  live: { session: ClassSession }
  chat: ChatMessage
  chatDeleted: { messageId: string }
  chatMuted: { muted: boolean }
  slowMode: { seconds: number }
  /** The teacher's queue, oldest first. */
  hands: { hands: RaisedHand[] }
  /** The student's own hand. */
  handChanged: { raised: boolean }
  pollOpened: { poll: Poll }
  /** Teacher: the tally while votes arrive (at most twice a second). */
  pollResults: { pollId: string; totalVoters: number; results: Poll['results'] }
  pollClosed: { poll: Poll }
  question: { question: Question }
  /** Everyone's reactions of the last second. */
  reactions: { counts: Partial<Record<Reaction, number>> }
  participantJoined: Participant & { role: ClassRole }
  participantLeft: Participant
  speakerChanged: { userId: string; canSpeak: boolean }
  /** Whom the SFU hears speaking now. */
  activeSpeaker: { peerId: string }
  track: RemoteTrack
  trackEnded: { peerId: string; producerId: string }
  /** The teacher removed this student: media and channel are closed. */
  removed: Record<string, never>
  ended: { endedAt: string }
  /** The connection dropped and is coming back (`state: 'joined'` again once it did). */
  connection: { state: 'joining' | 'joined' | 'reconnecting' | 'left' | 'closed' }
  error: { code: string; message: string; type?: string }
}

export interface ClassJoinOptions extends SocketOptions {
  /** The session's id, or its room code (the class link). */
  sessionId?: string
  roomCode?: string
  /** The REST API (default: beside the first /ws URL). */
  apiUrl?: string
  /** Error messages' language ('ar' or 'en'). */
  language?: string
}

interface JoinReply {
  session: ClassSession
  role: ClassRole
  participants: Participant[]
  canSpeak: boolean
  classroom: {
    handRaised: boolean
    chatMuted: boolean
    hands: RaisedHand[] | null
    polls: Poll[]
    questions: Question[]
  }
}

/**
 * A live class from the browser, for the teacher and for students: the session's channel (chat,
 * hands, polls, questions, reactions, attendance) and its media room in one object, with typed
 * events. `MajlisClass.open()` works before the class starts: a student waits (the `live` event
 * says when they are in), the teacher calls `goLive()`. After a dropped connection it joins again
 * and refreshes its state.
 */
export class MajlisClass {
  private readonly listeners = new Listeners<ClassEvents>()
  role: ClassRole = 'student'
  canSpeak = false
  handRaised = false
  chatMuted = false
  /** Who is in the class now (kept current from the join on). */
  participants: Participant[] = []
  /** Students the teacher invited to speak during this page's life. */
  speakers: string[] = []
  hands: RaisedHand[] = []
  openPolls: Poll[] = []
  openQuestions: Question[] = []
  private joined = false

  private constructor(
    readonly media: MajlisMedia,
    readonly api: MajlisApi,
    public session: ClassSession,
    readonly me: { id: string; name: string },
  ) {
    const socket = media.socket
    const mine = (data: { sessionId?: string; poll?: { sessionId: string }; question?: { sessionId: string } }) =>
      (data.sessionId ?? data.poll?.sessionId ?? data.question?.sessionId) === session.id
    const relay = <E extends keyof ClassEvents>(type: string, event: E, pick: (data: any) => ClassEvents[E]) =>
      socket.on(type, (data) => mine(data) && this.listeners.emit(event, pick(data)))
    relay('live:chat-message', 'chat', (data) => data)
    relay('live:chat-deleted', 'chatDeleted', ({ messageId }) => ({ messageId }))
    // These also keep the class's state current, before their listeners hear of it.
    relay('live:chat-muted', 'chatMuted', ({ muted }) => {
      this.chatMuted = muted
      return { muted }
    })
    relay('live:chat-slow', 'slowMode', ({ seconds }) => {
      this.session = { ...this.session, chatSlowSeconds: seconds }
      return { seconds }
    })
    relay('live:hands', 'hands', ({ hands }) => {
      this.hands = hands
      return { hands }
    })
    relay('live:hand-changed', 'handChanged', ({ raised }) => {
      this.handRaised = raised
      return { raised }
    })
    relay('live:poll-opened', 'pollOpened', ({ poll }) => ({ poll }))
    relay('live:poll-results', 'pollResults', ({ pollId, totalVoters, results }) => ({ pollId, totalVoters, results }))
    relay('live:poll-closed', 'pollClosed', ({ poll }) => ({ poll }))
    relay('live:question', 'question', ({ question }) => ({ question }))
    relay('live:reactions', 'reactions', ({ counts }) => ({ counts }))
    socket.on('live:peer-joined', (data) => {
      if (!mine(data)) return
      if (!this.participants.some((p) => p.userId === data.userId))
        this.participants = [...this.participants, { userId: data.userId, name: data.name }]
      this.listeners.emit('participantJoined', { userId: data.userId, name: data.name, role: data.role })
    })
    socket.on('live:peer-left', (data) => {
      if (!mine(data)) return
      this.participants = this.participants.filter((p) => p.userId !== data.userId)
      this.listeners.emit('participantLeft', { userId: data.userId, name: data.name })
    })
    socket.on('live:speaker-changed', (data) => {
      if (!mine(data)) return
      if (data.userId === me.id) this.canSpeak = data.canSpeak
      this.speakers = data.canSpeak
        ? [...new Set([...this.speakers, data.userId])]
        : this.speakers.filter((id) => id !== data.userId)
      this.listeners.emit('speakerChanged', { userId: data.userId, canSpeak: data.canSpeak })
    })
    relay('live:error', 'error', ({ code, message, type }) => ({ code, message, type }))
    socket.on('live:removed', (data) => {
      if (!mine(data)) return
      this.joined = false
      void media.leave()
      this.listeners.emit('removed', {})
    })
    socket.on('live:session-ended', (data) => {
      if (!mine(data)) return
      this.joined = false
      this.session = { ...this.session, status: 'ended', endedAt: data.endedAt }
      this.listeners.emit('ended', { endedAt: data.endedAt })
    })
    // A student waiting for the start hears of it by notification.
    socket.on('notification', (data) => {
      if (data?.type === 'live_session.live' && data.data?.sessionId === session.id && !this.joined)
        void this.enterWhenLive()
    })
    media.on('track', (track) => this.listeners.emit('track', track))
    media.on('trackEnded', (track) => this.listeners.emit('trackEnded', track))
    media.on('activeSpeaker', (speaker) => this.listeners.emit('activeSpeaker', speaker))
    media.on(
      'grantChanged',
      ({ canPublish }) => (this.canSpeak = this.role === 'teacher' || canPublish.includes('microphone')),
    )
    media.on('state', ({ state }) => this.listeners.emit('connection', { state }))
    socket.on('reconnected', () => this.joined && void this.enter().catch(() => undefined))
    socket.on('moved', () => this.joined && void this.enter().catch(() => undefined))
    // The server missed other instances' events (a Redis outage): hands, polls and participants are read again.
    socket.on('server:resync', () => this.joined && void this.enter().catch(() => undefined))
  }

  /**
   * Opens a class by id or room code: connects, and joins its channel and media room when it is
   * live. Otherwise the class is `session.status` ('scheduled'): the teacher may `goLive()`, a
   * student is let in by itself when the teacher starts (the `live` event).
   */
  static async open(options: ClassJoinOptions): Promise<MajlisClass> {
    const firstUrl = typeof options.url === 'string' ? options.url : options.url[0]!
    const api = new MajlisApi(options.apiUrl ?? apiUrlBeside(firstUrl), options.token, options.language)
    if (!options.sessionId && !options.roomCode) throw new TypeError('MajlisClass.open needs a sessionId or a roomCode')
    const session = await api.request<ClassSession>(
      'GET',
      options.sessionId
        ? `/live-sessions/${options.sessionId}`
        : `/live-sessions/by-code/${encodeURIComponent(options.roomCode!)}`,
    )
    const me = await api.request<{ id: string; name: string }>('GET', '/me')
    const course = await api.request<{ teacherId: string }>('GET', `/courses/${session.courseId}`)
    const lesson = new MajlisClass(new MajlisMedia(options), api, session, me)
    lesson.role = course.teacherId === me.id ? 'teacher' : 'student'
    await lesson.media.socket.connect()
    if (session.status === 'live') await lesson.enterWhenLive()
    return lesson
  }

  on<E extends keyof ClassEvents>(event: E, listener: (data: ClassEvents[E]) => void): () => void {
    return this.listeners.on(event, listener)
  }

  get isLive(): boolean {
    return this.session.status === 'live'
  }

  /** Teacher: starts the session (students are told and come in) and joins it. */
  async goLive(): Promise<void> {
    this.session = await this.api.request<ClassSession>('POST', `/live-sessions/${this.session.id}/start`)
    await this.enterWhenLive()
  }

  /** Teacher: ends the class for everyone. */
  async end(): Promise<ClassSession> {
    this.session = await this.api.request<ClassSession>('POST', `/live-sessions/${this.session.id}/end`)
    return this.session
  }

  /** The session as the server has it now (e.g. its recordingUrl once the recording is ready). */
  async refresh(): Promise<ClassSession> {
    this.session = await this.api.request<ClassSession>('GET', `/live-sessions/${this.session.id}`)
    return this.session
  }

  // Media -------------------------------------------------------------------------------------

  publishCamera(constraints?: MediaTrackConstraints): Promise<MediaStreamTrack> {
    return this.media.publishCamera(constraints)
  }

  /** The teacher always; a student once invited to speak. */
  publishMicrophone(): Promise<MediaStreamTrack> {
    return this.media.publishMicrophone()
  }

  publishScreen(): Promise<MediaStreamTrack> {
    return this.media.publishScreen()
  }

  unpublish(source: MediaSource): Promise<void> {
    return this.media.unpublish(source)
  }

  /** Swaps the camera or microphone for another device (the device picker). */
  async switchDevice(source: 'camera' | 'microphone', deviceId: string): Promise<MediaStreamTrack> {
    await this.media.unpublish(source)
    if (source === 'microphone')
      return this.media.publish(
        (await navigator.mediaDevices.getUserMedia({ audio: { deviceId: { exact: deviceId } } })).getAudioTracks()[0]!,
        'microphone',
      )
    return this.media.publishCamera({ width: 640, height: 360, deviceId: { exact: deviceId } })
  }

  /** Fits the simulcast layer of a received video to the height it is shown at. */
  showAt(producerId: string, height: number): Promise<void> {
    return this.media.preferHeight(producerId, height)
  }

  // Chat --------------------------------------------------------------------------------------

  async sendChat(content: string): Promise<ChatMessage> {
    return (await this.send<{ message: ChatMessage }>('live:chat', { content, clientMsgId: crypto.randomUUID() }))
      .message
  }

  /** Newest first. */
  chatHistory(
    page: { cursor?: string; limit?: number } = {},
  ): Promise<{ items: ChatMessage[]; nextCursor: string | null }> {
    return this.api.request('GET', `/live-sessions/${this.session.id}/messages${query(page)}`)
  }

  deleteChat(messageId: string): Promise<unknown> {
    return this.send('live:chat-delete', { messageId })
  }

  muteChat(userId: string, muted: boolean): Promise<unknown> {
    return this.send('live:chat-mute', { userId, muted })
  }

  setSlowMode(seconds: number): Promise<unknown> {
    return this.send('live:chat-slow', { seconds })
  }

  // Hands and the room ------------------------------------------------------------------------

  raiseHand(raised = true): Promise<unknown> {
    return this.send('live:hand', { raised })
  }

  /** Teacher: one student's hand, or every hand. */
  lowerHand(userId?: string): Promise<unknown> {
    return this.send('live:lower-hand', userId ? { userId } : {})
  }

  inviteToSpeak(userId: string): Promise<unknown> {
    return this.send('live:invite-speaker', { userId })
  }

  revokeSpeaker(userId: string): Promise<unknown> {
    return this.send('live:revoke-speaker', { userId })
  }

  muteAll(): Promise<unknown> {
    return this.send('live:mute-all')
  }

  remove(userId: string): Promise<unknown> {
    return this.send('live:remove', { userId })
  }

  react(emoji: Reaction): Promise<unknown> {
    return this.send('live:react', { emoji })
  }

  // Polls -------------------------------------------------------------------------------------

  createPoll(poll: { question: string; options: string[]; multiple?: boolean; anonymous?: boolean }): Promise<Poll> {
    return this.api.request('POST', `/live-sessions/${this.session.id}/polls`, poll)
  }

  openPoll(pollId: string): Promise<Poll> {
    return this.api.request('POST', `/polls/${pollId}/open`)
  }

  closePoll(pollId: string): Promise<Poll> {
    return this.api.request('POST', `/polls/${pollId}/close`)
  }

  vote(pollId: string, optionIds: string[]): Promise<Poll> {
    return this.api.request('POST', `/polls/${pollId}/votes`, { optionIds })
  }

  polls(): Promise<Poll[]> {
    return this.api.request('GET', `/live-sessions/${this.session.id}/polls`)
  }

  pollResultsCsv(pollId: string): Promise<Blob> {
    return this.api.download(`/polls/${pollId}/results.csv`)
  }

  // Questions ---------------------------------------------------------------------------------

  ask(content: string, anonymous = false): Promise<Question> {
    return this.api.request('POST', `/live-sessions/${this.session.id}/questions`, { content, anonymous })
  }

  voteQuestion(questionId: string, voting = true): Promise<Question> {
    return this.api.request(voting ? 'POST' : 'DELETE', `/questions/${questionId}/vote`)
  }

  answerQuestion(questionId: string): Promise<Question> {
    return this.api.request('POST', `/questions/${questionId}/answer`)
  }

  dismissQuestion(questionId: string): Promise<Question> {
    return this.api.request('POST', `/questions/${questionId}/dismiss`)
  }

  questions(
    filter: { status?: Question['status']; sort?: 'votes' | 'recent'; cursor?: string; limit?: number } = {},
  ): Promise<{ items: Question[]; nextCursor: string | null }> {
    return this.api.request('GET', `/live-sessions/${this.session.id}/questions${query(filter)}`)
  }

  // Recording and attendance (teacher) --------------------------------------------------------

  startRecording(): Promise<{ id: string; status: string }> {
    return this.api.request('POST', `/live-sessions/${this.session.id}/recording/start`)
  }

  stopRecording(): Promise<{ id: string; status: string }> {
    return this.api.request('POST', `/live-sessions/${this.session.id}/recording/stop`)
  }

  attendance(): Promise<{ startedAt: string | null; endedAt: string | null; items: AttendanceRow[] }> {
    return this.api.request('GET', `/live-sessions/${this.session.id}/attendance`)
  }

  attendanceCsv(): Promise<Blob> {
    return this.api.download(`/live-sessions/${this.session.id}/attendance.csv`)
  }

  // Leaving -----------------------------------------------------------------------------------

  async leave(): Promise<void> {
    this.joined = false
    await this.media.socket.request('live:leave', { sessionId: this.session.id }).catch(() => undefined)
    await this.media.leave()
  }

  close(): void {
    this.joined = false
    this.media.close()
  }

  private send<T = unknown>(type: string, data: Record<string, unknown> = {}): Promise<T> {
    return this.media.socket.request<T>(type, { sessionId: this.session.id, ...data })
  }

  private async enterWhenLive(): Promise<void> {
    if (this.joined) return
    await this.enter()
    await this.media.join(`live:${this.session.id}`)
    this.listeners.emit('live', { session: this.session })
  }

  /** live:join, and the state a (re)joining participant picks up: hands, open polls, questions, own hand. */
  private async enter(): Promise<void> {
    const joined = await this.media.socket.request<JoinReply>('live:join', { sessionId: this.session.id })
    this.joined = true
    this.session = joined.session
    this.role = joined.role
    this.canSpeak = joined.canSpeak
    this.participants = joined.participants
    this.handRaised = joined.classroom.handRaised
    this.chatMuted = joined.classroom.chatMuted
    this.hands = joined.classroom.hands ?? []
    this.openPolls = joined.classroom.polls
    this.openQuestions = joined.classroom.questions
  }
}

const query = (params: Record<string, string | number | undefined>) => {
  const defined = Object.entries(params).filter(([, value]) => value !== undefined) as Array<[string, string | number]>
  return defined.length ? `?${new URLSearchParams(defined.map(([key, value]) => [key, String(value)]))}` : ''
}
