import { Elysia } from 'elysia'
import type { Hub, WsSession } from './hub.ts'

export const DEFAULT_AUTH_TIMEOUT_MS = 10_000

/**
 * Bun has one WebSocket configuration per server, so these go into the app's `websocket` config
 * (options on the route are ignored): a larger frame closes the connection with 1009.
 */
export const wsServerOptions = { maxPayloadLength: 64 * 1024, idleTimeout: 120 }

/** `Sec-WebSocket-Protocol: bearer, <token>`: browsers cannot set Authorization on a WebSocket. */
export function tokenFromProtocols(header: string | undefined): string | null {
  const [scheme, token] = (header ?? '').split(',').map((part) => part.trim())
  return scheme === 'bearer' && token ? token : null
}

/**
 * The `/ws` endpoint. A token in the subprotocol header is checked before the upgrade (401
 * when invalid); without one the first message must be `auth`, within 10 seconds.
 */
export const wsRoute = (hub: Hub, authenticate: (token: string) => Promise<WsSession | null>, authTimeoutMs = DEFAULT_AUTH_TIMEOUT_MS) =>
  new Elysia({ name: 'ws-route' })
    .derive(async ({ headers }) => {
      const token = tokenFromProtocols(headers['sec-websocket-protocol'])
      return { wsToken: token, wsSession: token ? await authenticate(token) : null }
    })
    .ws('/ws', {
      detail: { tags: ['realtime'], summary: 'The WebSocket endpoint (see API.md for the messages)' },
      beforeHandle({ wsToken, wsSession, set }) {
        if (wsToken && !wsSession) {
          set.status = 401
          return { error: { code: 'INVALID_TOKEN', message: 'The access token is invalid or has expired' } }
        }
      },
      upgrade: ({ headers }) => (tokenFromProtocols(headers['sec-websocket-protocol']) ? { 'sec-websocket-protocol': 'bearer' } : {}),
      open(ws) {
        const connection = hub.connect(ws.id, ws.raw, ws.data.wsSession)
        if (!connection.user) {
          setTimeout(() => {
            if (hub.get(ws.id) === connection && !connection.user) connection.close(4401, 'authentication timeout')
          }, authTimeoutMs)
        }
      },
      async message(ws, message) {
        const connection = hub.get(ws.id)
        if (connection) await hub.receive(connection, message)
      },
      close(ws) {
        hub.disconnect(ws.id)
      },
    })
