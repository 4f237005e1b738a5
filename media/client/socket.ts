import { Listeners } from './listeners.ts'

/**
 * The browser side of /ws: connects with the token in the subprotocol header, matches replies
 * to requests by id, hands server events to listeners and reconnects with backoff when the
 * connection drops.
 */
export interface SocketOptions {
  /**
   * The /ws endpoint, or several instances' endpoints: a dropped connection comes back on the next
   * one, so clients of a killed instance move to a live one without a load balancer.
   */
  url: string | string[]
  /** The access token, or a function that returns a fresh one before each (re)connect. */
  token: string | (() => string | Promise<string>)
  requestTimeoutMs?: number
}

export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly details?: any,
  ) {
    super(message)
  }
}

export class MajlisSocket {
  private ws: WebSocket | null = null
  private nextId = 1
  private readonly pending = new Map<
    string,
    { resolve(data: any): void; reject(error: Error): void; timer: ReturnType<typeof setTimeout> }
  >()
  private readonly listeners = new Listeners<Record<string, any>>()
  private closedByUser = false
  private readonly urls: string[]
  private current = 0
  private connecting: Promise<void> | null = null

  constructor(private readonly options: SocketOptions) {
    this.urls = typeof options.url === 'string' ? [options.url] : [...options.url]
    if (this.urls.length === 0) throw new Error('SocketOptions.url: give at least one endpoint')
  }

  /** The endpoint in use (or tried next). */
  get url(): string {
    return this.urls[this.current]!
  }

  /**
   * Closes this connection and opens one to another instance: the given endpoint (added to the
   * list if new), else the next of the list. For INSTANCE_FULL, whose details name instances with room.
   */
  async moveTo(url?: string): Promise<void> {
    if (url && !this.urls.includes(url)) this.urls.push(url)
    this.current = url ? this.urls.indexOf(url) : (this.current + 1) % this.urls.length
    const old = this.ws
    this.ws = null
    old?.close(1000, 'moving to another instance')
    await this.connect()
    this.listeners.emit('moved', { url: this.url })
  }

  /**
   * Opens the socket; resolves once it is open. Callers racing each other (the reconnect loop, a
   * media re-join) share one attempt, so no second connection is left open behind the first.
   */
  connect(): Promise<void> {
    if (this.connected) return Promise.resolve()
    this.connecting ??= this.open().finally(() => (this.connecting = null))
    return this.connecting
  }

  private async open(): Promise<void> {
    this.closedByUser = false
    const token = typeof this.options.token === 'function' ? await this.options.token() : this.options.token
    const ws = new WebSocket(this.url, ['bearer', token])
    this.ws = ws
    await new Promise<void>((resolve, reject) => {
      ws.onopen = () => resolve()
      ws.onerror = () => reject(new Error('WebSocket connection failed'))
    })
    ws.onmessage = (event) => this.receive(String(event.data))
    ws.onclose = () => this.dropped(ws)
  }

  get connected(): boolean {
    return this.ws?.readyState === WebSocket.OPEN
  }

  request<T = any>(type: string, data: Record<string, unknown> = {}): Promise<T> {
    const ws = this.ws
    if (!ws || ws.readyState !== WebSocket.OPEN)
      return Promise.reject(new RequestError('NOT_CONNECTED', 'The socket is not connected'))
    const id = String(this.nextId++)
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id)
        reject(new RequestError('TIMEOUT', `${type} got no reply`))
      }, this.options.requestTimeoutMs ?? 10_000)
      this.pending.set(id, { resolve, reject, timer })
      ws.send(JSON.stringify({ id, type, data }))
    })
  }

  /** Server events by type, plus `reconnected` after the socket came back by itself and `moved` after moveTo(). */
  on(type: string, listener: (data: any) => void): () => void {
    return this.listeners.on(type, listener)
  }

  close(): void {
    this.closedByUser = true
    this.ws?.close(1000, 'bye')
  }

  private receive(text: string): void {
    const message = JSON.parse(text)
    if (message.type === 'server:draining') this.preferOthers(message.data?.instances ?? [])
    if (message.id !== undefined && 'ok' in message) {
      const waiting = this.pending.get(String(message.id))
      if (!waiting) return
      this.pending.delete(String(message.id))
      clearTimeout(waiting.timer)
      if (message.ok) waiting.resolve(message.data)
      else waiting.reject(new RequestError(message.error.code, message.error.message, message.error.details))
      return
    }
    this.listeners.emit(message.type, message.data)
  }

  /**
   * The instance is shutting down (its close follows): the reconnect goes to the instances it named
   * first, then the others known, and to this one last (it may be back after a restart).
   */
  private preferOthers(instances: Array<{ url: string }>): void {
    const draining = this.url
    const named = instances.map((instance) => wsEndpoint(instance.url))
    const order = [...new Set([...named, ...this.urls])].filter((url) => url !== draining)
    this.urls.splice(0, this.urls.length, ...order, draining)
    // reconnect() moves on before each attempt: from the last entry, to the first.
    this.current = this.urls.length - 1
  }

  private dropped(ws: WebSocket): void {
    if (this.ws !== ws) return
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer)
      waiting.reject(new RequestError('DISCONNECTED', 'The connection dropped'))
      this.pending.delete(id)
    }
    if (!this.closedByUser) void this.reconnect()
  }

  private async reconnect(): Promise<void> {
    for (let attempt = 0; !this.closedByUser; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(5000, 250 * 2 ** attempt)))
      // The instance we were on may be gone: each attempt tries the next endpoint.
      this.current = (this.current + 1) % this.urls.length
      try {
        await this.connect()
        this.listeners.emit('reconnected', {})
        return
      } catch {
        // keep trying with a longer wait
      }
    }
  }
}

/** The /ws endpoint of an instance's base URL (as the server names instances: http(s)://host:port). */
export const wsEndpoint = (baseUrl: string) => `${baseUrl.replace(/^http/, 'ws').replace(/\/+$/, '')}/ws`
