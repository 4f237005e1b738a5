import type { ErrorCode, Language } from '../errors/messages.ts'
import { t, type Static, type TSchema } from 'elysia'
import type { AuthUser } from '../access/policy.ts'

/** Client → server: `{ id?, type, data }`. A message with an id gets a reply with that id. */
export const InboundEnvelope = t.Object({
  id: t.Optional(t.Union([t.String({ minLength: 1, maxLength: 64 }), t.Number()])),
  type: t.String({ minLength: 1, maxLength: 64 }),
  data: t.Optional(t.Record(t.String(), t.Unknown())),
})
type Inbound = Static<typeof InboundEnvelope>
export type MessageId = Inbound['id']

export interface WsErrorBody {
  code: string
  message: string
  details?: unknown
}

/** An error a handler means to show the client; anything else becomes INTERNAL_ERROR. */
export class WsError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

export const replyOk = (id: MessageId, data: unknown) => ({ id, ok: true as const, data: data ?? {} })
export const replyError = (id: MessageId, error: WsErrorBody) => ({ id, ok: false as const, error })
export const serverEvent = (type: string, data: unknown) => ({ type, data })

/** What a handler sees of the connection that sent the message. */
export interface WsClient {
  readonly id: string
  readonly user: AuthUser
  /** The language of this connection's error messages and events (Accept-Language at connect). */
  readonly language: Language
  send(type: string, data: unknown): void
  /** Starts or stops receiving what is sent to a group (a native topic, not a hub channel). */
  listen(group: string, listening: boolean): void
  /** To every other listener of the group. */
  sendToOthers(group: string, type: string, data: unknown): void
}

export interface MessageHandler<Schema extends TSchema = TSchema> {
  type: string
  schema: Schema
  handle(client: WsClient, data: Static<Schema>): unknown | Promise<unknown>
}

/** Declares a handler with its data schema, keeping the handler's data typed. */
export const defineHandler = <Schema extends TSchema>(handler: MessageHandler<Schema>) =>
  handler as unknown as MessageHandler
