import type { Language } from './i18n.ts'

const TOKEN_KEY = 'majlis.staff.token'

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/**
 * The JSON API with the staff member's bearer token. The token lives in sessionStorage (gone when
 * the tab closes), never in a cookie, so no request can carry it without this script.
 */
export class Api {
  constructor(
    private readonly language: () => Language,
    private readonly onSignedOut: () => void,
  ) {}

  get signedIn(): boolean {
    return sessionStorage.getItem(TOKEN_KEY) !== null
  }

  async signIn(email: string, password: string): Promise<{ role: string; name: string }> {
    const result = await this.call<{ user: { role: string; name: string }; accessToken: string }>(
      'POST',
      '/auth/login',
      { email, password },
    )
    if (result.user.role !== 'staff') throw new ApiFailure(403, 'FORBIDDEN', '')
    sessionStorage.setItem(TOKEN_KEY, result.accessToken)
    return result.user
  }

  signOut(): void {
    sessionStorage.removeItem(TOKEN_KEY)
    this.onSignedOut()
  }

  async call<Result>(method: string, path: string, body?: unknown): Promise<Result> {
    const response = await this.send(method, path, body)
    return (response.status === 204 ? undefined : await response.json()) as Result
  }

  /** A file behind the token (a document, the CSV) as a blob: URL the page can show or download. */
  async blobUrl(url: string): Promise<{ url: string; type: string }> {
    const response = await this.send('GET', url)
    const blob = await response.blob()
    return { url: URL.createObjectURL(blob), type: blob.type }
  }

  private async send(method: string, path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { 'accept-language': this.language() }
    const token = sessionStorage.getItem(TOKEN_KEY)
    if (token) headers.authorization = `Bearer ${token}`
    if (body !== undefined) headers['content-type'] = 'application/json'
    const url = path.startsWith('http') ? path : `/api/v1${path}`
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
    if (response.ok) return response
    const failure = (await response.json().catch(() => null)) as { error?: { code: string; message: string } } | null
    if (response.status === 401 && token) this.signOut()
    throw new ApiFailure(
      response.status,
      failure?.error?.code ?? 'ERROR',
      failure?.error?.message ?? response.statusText,
    )
  }
}
