/** A test WebSocket client: records every message, awaits replies and events. */
export async function connectWs(url: string, token?: string, headers?: Record<string, string>) {
  const protocols = token ? ['bearer', token] : []
  const ws = headers ? new WebSocket(url, { protocols, headers } as unknown as string[]) : new WebSocket(url, protocols)
  const messages: any[] = []
  const waiters: Array<{ match: (m: any) => boolean; resolve: (m: any) => void }> = []
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    ws.addEventListener('close', (e) => resolve({ code: e.code, reason: e.reason })),
  )
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data))
    messages.push(message)
    for (const waiter of [...waiters]) {
      if (waiter.match(message)) {
        waiters.splice(waiters.indexOf(waiter), 1)
        waiter.resolve(message)
      }
    }
  })
  await new Promise<void>((resolve, reject) => {
    ws.addEventListener('open', () => resolve())
    ws.addEventListener('error', () => reject(new Error('WebSocket failed to open')))
  })
  let nextId = 0

  function next(match: (m: any) => boolean, timeoutMs = 5000): Promise<any> {
    const seen = messages.find(match)
    if (seen) return Promise.resolve(seen)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching WS message in time')), timeoutMs)
      waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) })
    })
  }

  return {
    ws,
    messages,
    closed,
    sendRaw: (text: string) => ws.send(text),
    /** Sends a message with a fresh id and resolves with its reply. */
    request(type: string, data: unknown = {}) {
      const id = `r${++nextId}`
      ws.send(JSON.stringify({ id, type, data }))
      return next((m) => m.id === id)
    },
    event: (type: string, timeoutMs?: number) => next((m) => m.type === type, timeoutMs),
    next,
    close: () => ws.close(),
  }
}
