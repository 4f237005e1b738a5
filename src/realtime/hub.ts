import { Type, type Static } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import type { TSchema } from 'elysia'
import type { AuthUser } from '../access/policy.ts'
import { MediaError } from '../../media/index.ts'
import { storageUnavailable } from '../db/errors.ts'
import { DomainError } from '../errors/domain.ts'
import { issueMessage } from '../http/errors.ts'
import { localizedMessage, type Language } from '../errors/messages.ts'
import { depthExceeds, MAX_JSON_DEPTH } from '../http/json-body.ts'
import type { Logger } from '../logger.ts'
import { errorFields } from '../logger.ts'
import type { Cluster } from '../cluster/index.ts'
import {
  InboundEnvelope,
  replyError,
  replyOk,
  serverEvent,
  WsError,
  type MessageHandler,
  type MessageId,
  type WsClient,
} from './protocol.ts'

/** The transport under a connection: Bun's ServerWebSocket, with its native topics for channels. */
export interface Socket {
  send(text: string): unknown
  close(code?: number, reason?: string): unknown
  subscribe(topic: string): unknown
  unsubscribe(topic: string): unknown
  /** To every subscriber of the topic but this socket. */
  publish(topic: string, text: string): unknown
}

/** Bun's server, which publishes to every subscriber of a topic. */
export interface TopicServer {
  publish(topic: string, text: string): unknown
}

const envelopeCheck = TypeCompiler.Compile(InboundEnvelope)

/** A hub event for the other instances: to a channel's members or to all of a user's connections. */
const FanoutEvent = Type.Object({
  target: Type.Union([
    Type.Object({ channel: Type.String(), exceptConnectionId: Type.Optional(Type.String()) }),
    Type.Object({ user: Type.String() }),
  ]),
  type: Type.String(),
  data: Type.Unknown(),
})
type FanoutEvent = Static<typeof FanoutEvent>

/** Who is in a channel, and who is connected at all, across the cluster. */
const presenceKey = (channel: string) => `majlis:presence:${channel}`
const onlineKey = (userId: string) => `majlis:online:${userId}`

/** Per-connection token bucket: sustained messages per second with a burst (scaled by RATE_LIMIT_FACTOR). */
const WS_RATE = { perSecond: 20, burst: 40 }

export class Connection {
  user: AuthUser | null = null
  readonly channels = new Set<string>()
  private tokens: number
  private refilledAt = performance.now()
  /** Messages of one connection are handled in the order they arrived. */
  queue: Promise<void> = Promise.resolve()
  /** Closes the connection when its access token expires. */
  expiryTimer: Timer | undefined

  constructor(
    readonly id: string,
    private readonly socket: Socket,
    private readonly rate: { perSecond: number; burst: number },
    readonly language: Language = 'en',
  ) {
    this.tokens = rate.burst
  }

  send(type: string, data: unknown): void {
    this.write(serverEvent(type, data))
  }

  write(message: unknown): void {
    this.socket.send(JSON.stringify(message))
  }

  close(code: number, reason: string): void {
    this.socket.close(code, reason)
  }

  subscribe(channel: string): void {
    this.channels.add(channel)
    this.socket.subscribe(channel)
  }

  unsubscribe(channel: string): boolean {
    if (!this.channels.delete(channel)) return false
    this.socket.unsubscribe(channel)
    return true
  }

  listen(group: string, listening: boolean): void {
    if (listening) this.socket.subscribe(group)
    else this.socket.unsubscribe(group)
  }

  sendToOthers(group: string, type: string, data: unknown): void {
    this.publishToOthers(group, JSON.stringify(serverEvent(type, data)))
  }

  /** To the channel's (or group's) other members, without this connection. */
  publishToOthers(channel: string, text: string): void {
    this.socket.publish(channel, text)
  }

  takeToken(): boolean {
    const now = performance.now()
    this.tokens = Math.min(this.rate.burst, this.tokens + ((now - this.refilledAt) / 1000) * this.rate.perSecond)
    this.refilledAt = now
    if (this.tokens < 1) return false
    this.tokens -= 1
    return true
  }
}

interface RegisteredHandler {
  handler: MessageHandler
  check: TypeCheck<TSchema>
}

type DisconnectListener = (connection: Connection) => void

/** A verified access token: whose it is and when it stops being valid. */
export interface WsSession {
  user: AuthUser
  expiresAt: number
}

// setTimeout's limit; tokens live far shorter (JWT_ACCESS_MIN).
const MAX_TIMER_MS = 2 ** 31 - 1
/** Whether a user may be in channel `<kind>:<id>` (the owning module decides). */
export type ChannelAuthorizer = (user: AuthUser, id: string) => Promise<boolean>
/**
 * Told when a user is no longer in a channel of its kind on any instance: their last connection
 * left it or disconnected (for presence events).
 */
export type ChannelLeaveListener = (user: AuthUser, channel: string) => void
/** Told of each connection of this instance entering and leaving a channel of its kind (attendance per connection). */
export interface ChannelConnectionListener {
  joined(connection: Connection, channel: string): void
  left(connection: Connection, channel: string): void
}

/**
 * The one WebSocket endpoint: dispatches validated messages to handlers that modules register,
 * keeps channels (with presence) and each user's open connections.
 */
export class Hub {
  private readonly handlers = new Map<string, RegisteredHandler>()
  private readonly connections = new Map<string, Connection>()
  /** Each user's open connections, so per-user events do not scan every socket. */
  private readonly byUser = new Map<string, Set<Connection>>()
  /** Who is in each channel: per user, their name and how many of their connections are in it. */
  private readonly channels = new Map<string, Map<string, { name: string; connections: number }>>()
  private readonly disconnectListeners: DisconnectListener[] = []
  private readonly channelKinds = new Map<
    string,
    { authorize: ChannelAuthorizer; onLeave?: ChannelLeaveListener; connections?: ChannelConnectionListener }
  >()
  /** Users present without a socket (publishing over WHIP), with how many such holds each has. */
  private readonly socketless = new Map<string, number>()
  private nextHold = 0

  private readonly messageRate: { perSecond: number; burst: number }
  private server: TopicServer | undefined

  /** Open WebSocket connections on this instance. */
  get connectionCount(): number {
    return this.connections.size
  }

  constructor(
    private readonly logger: Logger,
    private readonly authenticate: (token: string) => Promise<WsSession | null>,
    rateLimitFactor = 1,
    private readonly cluster?: Cluster,
  ) {
    this.messageRate = { perSecond: WS_RATE.perSecond * rateLimitFactor, burst: WS_RATE.burst * rateLimitFactor }
  }

  /** Joins the cluster (with REDIS_URL) and starts taking the other instances' events. */
  async start(): Promise<void> {
    if (!this.cluster) return
    this.cluster.bus.on('ws', FanoutEvent, (event) => {
      if ('user' in event.target) this.deliverToUser(event.target.user, event.type, event.data)
      else this.deliverToChannel(event.target.channel, event.type, event.data, event.target.exceptConnectionId)
    })
    // Events of the other instances were lost during a Redis outage: clients read their state again.
    this.cluster.members.on('rejoined', () => {
      for (const connection of this.connections.values()) connection.send('server:resync', {})
    })
    await this.cluster.start()
  }

  /** Leaves the cluster: this instance's presence entries go with it. */
  async close(): Promise<void> {
    await this.cluster?.close()
  }

  register(...handlers: MessageHandler[]): void {
    for (const handler of handlers) {
      if (this.handlers.has(handler.type)) throw new Error(`a WS handler for "${handler.type}" is already registered`)
      this.handlers.set(handler.type, { handler, check: TypeCompiler.Compile(handler.schema) })
    }
  }

  /** Every client → server message type with the schema of its data (for the API document). */
  messageSchemas(): Record<string, TSchema> {
    return Object.fromEntries([...this.handlers].map(([type, { handler }]) => [type, handler.schema]))
  }

  onDisconnect(listener: DisconnectListener): void {
    this.disconnectListeners.push(listener)
  }

  registerChannelKind(
    kind: string,
    authorize: ChannelAuthorizer,
    onLeave?: ChannelLeaveListener,
    connections?: ChannelConnectionListener,
  ): void {
    if (this.channelKinds.has(kind)) throw new Error(`channel kind "${kind}" is already registered`)
    this.channelKinds.set(kind, { authorize, onLeave, connections })
  }

  /** The server whose sockets join channels as native topics; channel events are published through it. */
  attachServer(server: TopicServer): void {
    this.server = server
  }

  connect(id: string, socket: Socket, session: WsSession | null, language?: Language): Connection {
    const connection = new Connection(id, socket, this.messageRate, language)
    this.connections.set(id, connection)
    if (session) this.authenticated(connection, session)
    return connection
  }

  get(id: string): Connection | undefined {
    return this.connections.get(id)
  }

  disconnect(id: string): void {
    const connection = this.connections.get(id)
    if (!connection) return
    clearTimeout(connection.expiryTimer)
    for (const channel of [...connection.channels]) this.leave(id, channel)
    this.connections.delete(id)
    if (connection.user) {
      const own = this.byUser.get(connection.user.id)
      own?.delete(connection)
      if (own?.size === 0) {
        this.byUser.delete(connection.user.id)
        this.cluster?.hashes.delete(onlineKey(connection.user.id), '')
      }
    }
    for (const listener of this.disconnectListeners) {
      try {
        listener(connection)
      } catch (error) {
        this.logger.error('disconnect listener failed', errorFields(error))
      }
    }
  }

  /**
   * Adds the connection to `<kind>:<id>` if the kind's authorizer lets its user in. Returns
   * whether its user was not present before (another device of theirs may already be in it).
   */
  async join(connectionId: string, channel: string): Promise<boolean> {
    const connection = this.connections.get(connectionId)
    if (!connection) throw new WsError('NOT_CONNECTED', 'The connection is gone')
    const separator = channel.indexOf(':')
    const kind = this.channelKinds.get(channel.slice(0, separator))
    if (separator < 1 || !kind) throw new WsError('INVALID_CHANNEL', `Unknown channel ${channel}`)
    if (!connection.user || !(await kind.authorize(connection.user, channel.slice(separator + 1)))) {
      throw new WsError('FORBIDDEN', 'You may not join this channel')
    }
    // It may have closed while the authorizer looked: a closed connection must not count as present.
    if (this.connections.get(connectionId) !== connection) throw new WsError('NOT_CONNECTED', 'The connection is gone')
    if (connection.channels.has(channel)) return false
    let present = this.channels.get(channel)
    if (!present) {
      present = new Map()
      this.channels.set(channel, present)
    }
    const user = present.get(connection.user.id)
    if (user) user.connections += 1
    else {
      present.set(connection.user.id, { name: connection.user.name, connections: 1 })
      this.cluster?.hashes.set(presenceKey(channel), connection.user.id, connection.user.name)
    }
    connection.subscribe(channel)
    kind.connections?.joined(connection, channel)
    if (user || !this.cluster) return user === undefined
    // New on this instance; the user may still be in the channel through another instance.
    return (await this.cluster.hashes.field(presenceKey(channel), connection.user.id)).length === 1
  }

  leave(connectionId: string, channel: string): void {
    const connection = this.connections.get(connectionId)
    if (!connection?.unsubscribe(channel)) return
    const kind = this.channelKinds.get(channel.slice(0, channel.indexOf(':')))
    kind?.connections?.left(connection, channel)
    const present = this.channels.get(channel)
    const leaving = connection.user!
    const user = present?.get(leaving.id)
    if (!user || --user.connections > 0) return
    present!.delete(leaving.id)
    if (present!.size === 0) this.channels.delete(channel)
    this.cluster?.hashes.delete(presenceKey(channel), leaving.id)
    const onLeave = kind?.onLeave
    if (!onLeave) return
    void this.isPresent(channel, leaving.id)
      .then((present) => present || onLeave(leaving, channel))
      .catch((error: unknown) => this.logger.error('channel leave listener failed', { ...errorFields(error), channel }))
  }

  /** Sends an event to every connection in the channel (but one, when given), on every instance. */
  publish(channel: string, type: string, data: unknown, exceptConnectionId?: string): void {
    this.deliverToChannel(channel, type, data, exceptConnectionId)
    this.cluster?.bus.broadcast('ws', { target: { channel, exceptConnectionId }, type, data } satisfies FanoutEvent)
  }

  /** Sends an event to the channel's connections on this instance only (each instance delivers its own aggregate). */
  publishHere(channel: string, type: string, data: unknown): void {
    this.deliverToChannel(channel, type, data)
  }

  /** To every listener of a media group (a native topic) on this instance: for peers without a socket (WHIP). */
  publishToGroup(group: string, type: string, data: unknown): void {
    this.server?.publish(group, JSON.stringify(serverEvent(type, data)))
  }

  /** Takes all of a user's connections on this instance out of a channel (kicked, banned). */
  removeUser(channel: string, userId: string): void {
    for (const connection of this.byUser.get(userId) ?? []) this.leave(connection.id, channel)
  }

  /**
   * Whether the user has a connection open (or a socketless hold) on any instance. While Redis is
   * away the other instances cannot be asked: then yes, so nothing ends (a stream whose host is
   * elsewhere) for an absence nobody can see.
   */
  async isConnected(userId: string): Promise<boolean> {
    const here = this.byUser.has(userId) || this.socketless.has(userId)
    if (here || !this.cluster) return here
    if (!this.cluster.connected) return true
    return (await this.cluster.hashes.entries(onlineKey(userId))).length > 0
  }

  /** Counts a user as connected without a socket (a WHIP publisher) on every instance, until the returned function is called. */
  holdConnected(user: { id: string; name: string }): () => void {
    const field = `hold:${++this.nextHold}`
    this.socketless.set(user.id, (this.socketless.get(user.id) ?? 0) + 1)
    this.cluster?.hashes.set(onlineKey(user.id), field, user.name)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.socketless.get(user.id) ?? 1) - 1
      if (left > 0) this.socketless.set(user.id, left)
      else this.socketless.delete(user.id)
      this.cluster?.hashes.delete(onlineKey(user.id), field)
    }
  }

  /** Whether the user is in the channel on any instance (while Redis is away: on this one). */
  async isPresent(channel: string, userId: string): Promise<boolean> {
    if (this.channels.get(channel)?.has(userId) || !this.cluster)
      return this.channels.get(channel)?.has(userId) ?? false
    return (await this.cluster.hashes.field(presenceKey(channel), userId)).length > 0
  }

  isMember(connectionId: string, channel: string): boolean {
    return this.connections.get(connectionId)?.channels.has(channel) ?? false
  }

  /** The distinct users present in a channel, on every instance. */
  async presence(channel: string): Promise<Array<{ userId: string; name: string }>> {
    if (!this.cluster) return [...(this.channels.get(channel) ?? [])].map(([userId, { name }]) => ({ userId, name }))
    const users = new Map<string, string>()
    for (const entry of await this.cluster.hashes.entries(presenceKey(channel))) users.set(entry.field, entry.value)
    return [...users].map(([userId, name]) => ({ userId, name }))
  }

  /** Whether the user has a connection on this instance. */
  hasConnectionHere(userId: string): boolean {
    return this.byUser.has(userId)
  }

  /** Whether any connection of this instance is in the channel. */
  hasChannelHere(channel: string): boolean {
    return this.channels.has(channel)
  }

  /** Sends an event to the user's connections on this instance only (the instance that computed it for them). */
  sendToUserHere(userId: string, type: string, data: unknown): void {
    this.deliverToUser(userId, type, data)
  }

  /** Sends an event to all of a user's connections, on every instance. */
  sendToUser(userId: string, type: string, data: unknown): void {
    this.deliverToUser(userId, type, data)
    this.cluster?.bus.broadcast('ws', { target: { user: userId }, type, data } satisfies FanoutEvent)
  }

  /**
   * Through Bun's topics: serialized once, queued natively per subscriber. "All but one" is the
   * excepted connection publishing to its own topic, which skips itself.
   */
  private deliverToChannel(channel: string, type: string, data: unknown, exceptConnectionId?: string): void {
    if (!this.channels.has(channel) || !this.server) return
    const text = JSON.stringify(serverEvent(type, data))
    const except = exceptConnectionId === undefined ? undefined : this.connections.get(exceptConnectionId)
    if (except?.channels.has(channel)) except.publishToOthers(channel, text)
    else this.server.publish(channel, text)
  }

  private deliverToUser(userId: string, type: string, data: unknown): void {
    for (const connection of this.byUser.get(userId) ?? []) connection.send(type, data)
  }

  /** Queues one inbound frame behind the connection's earlier ones. */
  receive(connection: Connection, raw: unknown): Promise<void> {
    connection.queue = connection.queue.then(() => this.handle(connection, raw))
    return connection.queue
  }

  /** Closes every connection, e.g. at shutdown (1001: going away). */
  closeAll(code: number, reason: string): void {
    for (const connection of this.connections.values()) connection.close(code, reason)
  }

  /**
   * Shutting down: every client is told where else to go (`server:draining` with the other live
   * instances; the SDK reconnects there), then its socket is closed with 1001.
   */
  async moveEveryone(): Promise<void> {
    const instances = this.cluster ? await this.cluster.otherInstances().catch(() => []) : []
    for (const connection of this.connections.values()) connection.send('server:draining', { instances })
    this.closeAll(1001, 'server shutting down')
  }

  /** Every failure becomes an error reply and the connection stays open. */
  private async handle(connection: Connection, raw: unknown): Promise<void> {
    const parsed = typeof raw === 'string' ? safeJson(raw) : raw
    // The id of a message we refuse, when it has a usable one, so the reply still reaches its sender.
    const refusedId =
      isRecord(parsed) && ((typeof parsed.id === 'string' && parsed.id.length <= 64) || typeof parsed.id === 'number')
        ? parsed.id
        : undefined
    if (depthExceeds(parsed)) {
      return this.fail(
        connection,
        refusedId,
        new WsError('VALIDATION_FAILED', `The message is nested deeper than ${MAX_JSON_DEPTH} levels`),
      )
    }
    if (!envelopeCheck.Check(parsed)) {
      return this.fail(
        connection,
        refusedId,
        new WsError('MALFORMED_MESSAGE', 'Send JSON { "id"?: string, "type": string, "data": object }'),
      )
    }
    const { id, type, data = {} } = parsed
    if (!connection.takeToken())
      return this.fail(connection, id, new WsError('RATE_LIMITED', 'Too many messages; slow down'))
    try {
      if (type === 'ping') return connection.write({ ...(id === undefined ? {} : { id }), type: 'pong', data: {} })
      if (type === 'auth') return this.succeed(connection, id, await this.authenticateConnection(connection, data))
      if (!connection.user)
        throw new WsError(
          'UNAUTHENTICATED',
          'Authenticate first: send { "type": "auth", "data": { "token": "<access token>" } }',
        )
      const registered = this.handlers.get(type)
      if (!registered) throw new WsError('UNKNOWN_TYPE', `Unknown message type "${type}"`)
      if (!registered.check.Check(data)) {
        const details = [...registered.check.Errors(data)]
          .slice(0, 10)
          .map((error) => ({ path: error.path || '/', message: issueMessage(error) }))
        throw new WsError('VALIDATION_FAILED', `Invalid data for ${type}`, details)
      }
      this.succeed(connection, id, await registered.handler.handle(connection as WsClient, data))
    } catch (error) {
      this.fail(connection, id, error)
    }
  }

  private async authenticateConnection(connection: Connection, data: Record<string, unknown>) {
    if (connection.user) throw new WsError('ALREADY_AUTHENTICATED', 'This connection is already authenticated')
    const token = typeof data.token === 'string' ? data.token : ''
    const session = token ? await this.authenticate(token) : null
    if (!session) throw new WsError('INVALID_TOKEN', 'The access token is invalid or has expired')
    this.authenticated(connection, session)
    return { userId: session.user.id }
  }

  /** A connection lives no longer than its token: it is closed (4401) when the token expires; clients reconnect with a fresh one. */
  private authenticated(connection: Connection, session: WsSession): void {
    connection.user = session.user
    let own = this.byUser.get(session.user.id)
    if (!own) {
      own = new Set()
      this.byUser.set(session.user.id, own)
    }
    own.add(connection)
    if (own.size === 1) this.cluster?.hashes.set(onlineKey(session.user.id), '', session.user.name)
    connection.expiryTimer = setTimeout(
      () => connection.close(4401, 'access token expired'),
      Math.min(MAX_TIMER_MS, Math.max(0, session.expiresAt - Date.now())),
    ).unref()
  }

  private succeed(connection: Connection, id: MessageId, data: unknown): void {
    if (id !== undefined) connection.write(replyOk(id, data))
  }

  private fail(connection: Connection, id: MessageId, error: unknown): void {
    // Domain, SFU and storage failures carry the code the client acts on; anything else is ours.
    const storage = storageUnavailable(error)
    if (storage)
      this.logger.warn('a write failed: storage unavailable', { ...errorFields(error), connection: connection.id })
    const meant = error instanceof DomainError || error instanceof MediaError ? error : storage
    const shown = meant ? new WsError(meant.code, meant.message, meant.details) : error
    const body =
      shown instanceof WsError
        ? {
            code: shown.code,
            message: localizedMessage(shown.code, shown.message, connection.language),
            ...(shown.details === undefined ? {} : { details: shown.details }),
          }
        : {
            code: 'INTERNAL_ERROR',
            message: localizedMessage('INTERNAL_ERROR', 'Something went wrong on our side', connection.language),
          }
    if (!(shown instanceof WsError))
      this.logger.error('ws handler failed', { ...errorFields(error), connection: connection.id })
    connection.write(id === undefined ? serverEvent('error', body) : replyError(id, body))
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null
