import { RequestError, type SocketOptions } from './socket.ts'

/** The REST API beside a /ws endpoint: `wss://host/ws` → `https://host/api/v1`. */
export function apiUrlBeside(wsUrl: string): string {
  const url = new URL(wsUrl)
  url.protocol = url.protocol === 'wss:' ? 'https:' : 'http:'
  url.pathname = '/api/v1'
  return url.toString().replace(/\/$/, '')
}

/** Bearer-token calls to /api/v1; an error envelope becomes a RequestError with its code. */
export class MajlisApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: SocketOptions['token'],
    private readonly language?: string,
  ) {}

  async request<T = any>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.fetch(method, path, body)
    return (response.status === 204 ? null : await response.json()) as T
  }

  /** A file the API serves (a CSV), as a Blob to save. */
  async download(path: string): Promise<Blob> {
    return (await this.fetch('GET', path)).blob()
  }

  private async fetch(method: string, path: string, body?: unknown): Promise<Response> {
    const token = typeof this.token === 'function' ? await this.token() : this.token
    const headers: Record<string, string> = { authorization: `Bearer ${token}` }
    if (this.language) headers['accept-language'] = this.language
    if (body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    if (response.ok) return response
    const envelope = (await response.json().catch(() => null)) as {
      error?: { code: string; message: string; details?: unknown }
    } | null
    throw new RequestError(
      envelope?.error?.code ?? `HTTP_${response.status}`,
      envelope?.error?.message ?? response.statusText,
      envelope?.error?.details,
    )
  }
}
