import type { ServerWebSocket } from 'bun'
import { Elysia } from 'elysia'
import { preferredLanguage, type Language } from '../errors/messages.ts'
import { ApiError } from '../http/errors.ts'
import type { Hub, TopicServer, WsSession } from './hub.ts'

const DEFAULT_AUTH_TIMEOUT_MS = 10_000

/**
 * Bun has one WebSocket configuration per server, so these go into the app's `websocket` config
 * (options on the route are ignored): a larger frame closes the connection with 1009.
 */
export const wsServerOptions = { maxPayloadLength: 64 * 1024, idleTimeout: 120 }

/** `Sec-WebSocket-Protocol: bearer, <token>`: browsers cannot set Authorization on a WebSocket. */
function tokenFromProtocols(header: string | undefined): string | null {
  const [scheme, token] = (header ?? '').split(',').map((part) => part.trim())
  return scheme === 'bearer' && token ? token : null
}

/**
 * What a socket carries: Elysia's Bun adapter calls `data.open/message/close`. The handlers are
 * shared; per connection there is only its id and session (Elysia's own `.ws()` kept the whole
 * request context on every socket, a third of an idle connection's memory).
 */
interface SocketData {
  connectionId: string
  session: WsSession | null
  /** Of its error messages, from the upgrade request's Accept-Language. */
  language: Language
  open(ws: ServerWebSocket<SocketData>): void
  message(ws: ServerWebSocket<SocketData>, message: string | Buffer): void
  close(ws: ServerWebSocket<SocketData>): void
}

/**
 * The `/ws` endpoint. A token in the subprotocol header is checked before the upgrade (401
 * when invalid); without one the first message must be `auth`, within 10 seconds.
 */
export function wsRoute(
  hub: Hub,
  authenticate: (token: string) => Promise<WsSession | null>,
  { authTimeoutMs = DEFAULT_AUTH_TIMEOUT_MS, defaultLanguage }: { authTimeoutMs?: number; defaultLanguage: Language },
) {
  // Connection ids are unique across instances: another instance's "not to this connection" reaches all of ours.
  const idPrefix = `ws${crypto.randomUUID().slice(0, 8)}.`
  let connections = 0
  const handlers: Pick<SocketData, 'open' | 'message' | 'close'> = {
    open(ws) {
      const connection = hub.connect(ws.data.connectionId, ws, ws.data.session, ws.data.language)
      ws.data.session = null
      if (!connection.user) {
        setTimeout(() => {
          if (hub.get(connection.id) === connection && !connection.user)
            connection.close(4401, 'authentication timeout')
        }, authTimeoutMs)
      }
    },
    message(ws, message) {
      const connection = hub.get(ws.data.connectionId)
      if (connection) void hub.receive(connection, typeof message === 'string' ? message : message.toString())
    },
    close(ws) {
      hub.disconnect(ws.data.connectionId)
    },
  }

  return new Elysia({ name: 'ws-route' }).get(
    '/ws',
    async ({ request, server, headers }) => {
      if (headers.upgrade?.toLowerCase() !== 'websocket' || !server) {
        throw new ApiError(
          426,
          'UPGRADE_REQUIRED',
          'This is the WebSocket endpoint: open a WebSocket to it',
          undefined,
          { upgrade: 'websocket' },
        )
      }
      const token = tokenFromProtocols(headers['sec-websocket-protocol'])
      const session = token ? await authenticate(token) : null
      if (token && !session)
        throw new ApiError(401, 'INVALID_TOKEN', 'The access token is invalid or has expired', undefined, {
          'www-authenticate': 'Bearer',
        })
      hub.attachServer(server as TopicServer)
      const data: SocketData = {
        connectionId: `${idPrefix}${++connections}`,
        session,
        language: preferredLanguage(headers['accept-language'], defaultLanguage),
        ...handlers,
      }
      const upgraded = (server as unknown as { upgrade(request: Request, options: object): boolean }).upgrade(request, {
        headers: token ? { 'sec-websocket-protocol': 'bearer' } : undefined,
        data,
      })
      if (!upgraded) throw new ApiError(400, 'UPGRADE_FAILED', 'The WebSocket handshake is invalid')
    },
    {
      detail: {
        tags: ['realtime'],
        summary:
          'The WebSocket endpoint: every message type and the schema of its data are listed under x-websocket in this document',
      },
    },
  )
}
