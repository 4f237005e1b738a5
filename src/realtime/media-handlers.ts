import { type MediaMessageHandler, MediaError } from '../../media/index.ts'
import type { AuthUser } from '../access/policy.ts'
import { type MessageHandler, WsError } from './protocol.ts'

/** The SFU's media:* messages as hub handlers: a MediaError becomes the error reply with its code. */
export const mediaHandlers = (handlers: MediaMessageHandler<AuthUser>[]): MessageHandler[] =>
  handlers.map(({ type, schema, handle }) => ({
    type,
    schema,
    async handle(client, data) {
      try {
        return await handle(client, data)
      } catch (error) {
        if (error instanceof MediaError) throw new WsError(error.code, error.message, error.details)
        throw error
      }
    },
  }))
