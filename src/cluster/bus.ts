import { createHmac, timingSafeEqual } from 'node:crypto'
import type { Static, TSchema } from '@sinclair/typebox'
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler'
import type Redis from 'ioredis'
import type { Logger } from '../logger.ts'
import { redisUp } from '../redis.ts'

const BROADCAST = 'majlis:cluster'
const directChannel = (instanceId: string) => `majlis:cluster:${instanceId}`
/** A message older than this is a replay (or a clock far off) and is refused like a forged one. */
const MAX_AGE_MS = 30_000
const REQUEST_TIMEOUT_MS = 5_000

interface Envelope {
  from: string
  at: number
  type: string
  data: unknown
  /** Set on a request; the answer comes back as a `reply` with the same id. */
  requestId?: string
}

interface Reply {
  requestId: string
  ok: boolean
  data?: unknown
  error?: string
}

/** What a handler returns is the answer to a request (ignored for a broadcast). */
// biome-ignore lint/suspicious/noExplicitAny: each handler is registered with the schema its data was checked against
type ClusterHandler = (data: any, from: string) => unknown

class ClusterRequestError extends Error {
  override name = 'ClusterRequestError'
}

/**
 * Messages between the instances of a cluster over Redis pub/sub: to all others or to one, and
 * requests with an answer. Each message carries an HMAC-SHA256 under CLUSTER_SECRET; one without
 * a valid signature, or too old, is dropped and logged, so Redis access alone cannot forge a
 * pipe or a grant.
 */
export class ClusterBus {
  private readonly subscriber: Redis
  private readonly handlers = new Map<string, { check: TypeCheck<TSchema>; handle: ClusterHandler }>()
  private readonly waiting = new Map<
    string,
    { resolve(data: unknown): void; reject(error: Error): void; timer: Timer }
  >()
  private nextRequest = 0

  constructor(
    private readonly redis: Redis,
    readonly instanceId: string,
    private readonly secret: string,
    private readonly logger: Logger,
    private readonly requestTimeoutMs = REQUEST_TIMEOUT_MS,
    /** Told of every instance a valid message came from (it is alive). */
    private readonly heardFrom: (instanceId: string) => void = () => undefined,
  ) {
    // A connection in subscriber mode cannot run other commands, so it gets its own.
    this.subscriber = redis.duplicate()
    this.subscriber.on('error', (error: Error) => logger.warn('cluster bus connection error', { err: error.message }))
  }

  /**
   * Handles one message type. Its data is checked against the schema first, so an instance
   * running another version (a rolling upgrade) is refused with a log line, not half obeyed.
   */
  on<Schema extends TSchema>(
    type: string,
    schema: Schema,
    handle: (data: Static<Schema>, from: string) => unknown,
  ): void {
    if (this.handlers.has(type)) throw new Error(`a cluster handler for "${type}" is already registered`)
    this.handlers.set(type, { check: TypeCompiler.Compile(schema), handle })
  }

  async start(): Promise<void> {
    this.subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => void this.receive(message.toString()))
    await this.subscriber.subscribe(BROADCAST, directChannel(this.instanceId))
  }

  async close(): Promise<void> {
    for (const { reject, timer } of this.waiting.values()) {
      clearTimeout(timer)
      reject(new ClusterRequestError('the cluster bus closed'))
    }
    this.waiting.clear()
    await this.subscriber.quit().catch(() => undefined)
  }

  /** To every other instance. */
  broadcast(type: string, data: unknown): void {
    this.send(BROADCAST, { type, data })
  }

  /** To one instance. */
  sendTo(instanceId: string, type: string, data: unknown): void {
    this.send(directChannel(instanceId), { type, data })
  }

  /** Asks one instance and waits for its handler's answer (rejects on its error, or after 5 s without one). */
  request<T>(instanceId: string, type: string, data: unknown): Promise<T> {
    if (!redisUp(this.redis))
      return Promise.reject(
        new ClusterRequestError(`the cluster is unreachable (Redis is down): cannot ask ${instanceId}`),
      )
    const requestId = `${this.instanceId}/${++this.nextRequest}`
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(requestId)
        reject(new ClusterRequestError(`instance ${instanceId} did not answer ${type}`))
      }, this.requestTimeoutMs)
      this.waiting.set(requestId, { resolve: resolve as (data: unknown) => void, reject, timer })
      this.send(directChannel(instanceId), { type, data, requestId })
    })
  }

  /** Dropped while Redis is away (the outage is logged once, by the cluster); the state they carried is read again after it. */
  private send(channel: string, message: Omit<Envelope, 'from' | 'at'>): void {
    if (!redisUp(this.redis)) return
    const body = JSON.stringify({ ...message, from: this.instanceId, at: Date.now() })
    void this.redis
      .publish(channel, `${this.sign(body)}.${body}`)
      .catch((error: Error) => this.logger.warn('cluster publish failed', { err: error.message }))
  }

  private sign(body: string): string {
    return createHmac('sha256', this.secret).update(body).digest('hex')
  }

  private verified(message: string): Envelope | null {
    const dot = message.indexOf('.')
    const signature = Buffer.from(message.slice(0, dot), 'hex')
    const body = message.slice(dot + 1)
    const expected = Buffer.from(this.sign(body), 'hex')
    if (dot < 1 || signature.length !== expected.length || !timingSafeEqual(signature, expected)) return null
    try {
      const envelope = JSON.parse(body) as Envelope
      return typeof envelope.type === 'string' &&
        typeof envelope.from === 'string' &&
        Math.abs(Date.now() - envelope.at) <= MAX_AGE_MS
        ? envelope
        : null
    } catch {
      return null
    }
  }

  private async receive(message: string): Promise<void> {
    const envelope = this.verified(message)
    if (!envelope) {
      this.logger.warn('cluster message refused: bad or missing signature, or too old', {
        sample: message.slice(0, 120),
      })
      return
    }
    if (envelope.from === this.instanceId) return
    this.heardFrom(envelope.from)
    if (envelope.type === 'reply') return this.settle(envelope.data as Reply)
    const handler = this.handlers.get(envelope.type)
    if (!handler) return
    try {
      if (!handler.check.Check(envelope.data))
        throw new Error(`malformed ${envelope.type} data: ${[...handler.check.Errors(envelope.data)][0]?.path ?? '/'}`)
      const answer = await handler.handle(envelope.data, envelope.from)
      if (envelope.requestId)
        this.sendTo(envelope.from, 'reply', { requestId: envelope.requestId, ok: true, data: answer } satisfies Reply)
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      this.logger.warn('cluster message failed', { type: envelope.type, from: envelope.from, err: reason })
      if (envelope.requestId)
        this.sendTo(envelope.from, 'reply', { requestId: envelope.requestId, ok: false, error: reason } satisfies Reply)
    }
  }

  private settle(reply: Reply): void {
    const waiting = this.waiting.get(reply.requestId)
    if (!waiting) return
    this.waiting.delete(reply.requestId)
    clearTimeout(waiting.timer)
    if (reply.ok) waiting.resolve(reply.data)
    else waiting.reject(new ClusterRequestError(reply.error ?? 'failed'))
  }
}
