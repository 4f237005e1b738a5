import { DomainError } from '../../../errors/domain.ts'
import { t, type Static, type TSchema } from 'elysia'
import { oneOf } from '../../../http/enums.ts'
import { localizedMessage } from '../../../errors/messages.ts'
import type { Hub } from '../../../realtime/hub.ts'
import { defineHandler, WsError, type MessageHandler, type WsClient } from '../../../realtime/protocol.ts'
import { liveRoomName, type LiveSessionService } from '../sessions.ts'
import { notInSession, removedFromSession, requireLive, type ClassroomAccess } from './access.ts'
import type { ClassChat } from './chat.ts'
import type { HandQueue } from './hands.ts'
import type { ParticipantStore, Standing } from './participants.ts'
import type { PollService } from './polls.ts'
import type { QuestionService } from './questions.ts'
import { REACTIONS, type ReactionAggregator } from './reactions.ts'
import type { RoomControl } from './room-control.ts'

const Id = t.String({ minLength: 1, maxLength: 64 })
const InSession = { sessionId: Id }

export interface ClassroomParts {
  sessions: LiveSessionService
  access: ClassroomAccess
  participants: ParticipantStore
  chat: ClassChat
  hands: HandQueue
  polls: PollService
  questions: QuestionService
  reactions: ReactionAggregator
  control: RoomControl
}

/** A live:* handler whose failures also arrive as a `live:error` event in the connection's language. */
function liveHandler<Schema extends TSchema>(
  type: string,
  schema: Schema,
  handle: (client: WsClient, data: Static<Schema>) => Promise<unknown>,
) {
  return defineHandler({
    type,
    schema,
    async handle(client, data) {
      try {
        return await handle(client, data)
      } catch (error) {
        const shown =
          error instanceof DomainError
            ? { code: error.code, message: error.message }
            : error instanceof WsError
              ? { code: error.code, message: error.message }
              : null
        if (shown)
          client.send('live:error', {
            type,
            sessionId: (data as { sessionId?: string }).sessionId,
            code: shown.code,
            message: localizedMessage(shown.code, shown.message, client.language),
          })
        throw error
      }
    },
  })
}

/**
 * The class channel `live:<id>`: join and leave with the state a (re)joining participant needs, and
 * every message a participant sends in class. Sends need the sender in the channel.
 */
export function classroomRealtime(hub: Hub, parts: ClassroomParts): MessageHandler[] {
  const { access, participants, chat, hands, polls, questions, reactions, control } = parts

  /** Like liveHandler, for messages that only someone in the class may send. */
  const inClass = <Schema extends TSchema>(
    type: string,
    schema: Schema,
    handle: (client: WsClient, data: Static<Schema>) => Promise<unknown>,
  ) =>
    liveHandler(type, schema, async (client, data) => {
      if (!hub.isMember(client.id, liveRoomName((data as { sessionId: string }).sessionId))) throw notInSession()
      return handle(client, data)
    })

  /** What a (re)joining participant needs to pick up where the class is. */
  async function classState(sessionId: string, userId: string, role: 'teacher' | 'student', standing: Standing) {
    const [queue, openPolls, openQuestions] = await Promise.all([
      role === 'teacher' ? hands.queue(sessionId) : null,
      polls.openPolls(sessionId, role, userId),
      questions.open(sessionId, role, userId),
    ])
    return {
      handRaised: standing.handRaisedAt !== null,
      chatMuted: standing.chatMuted,
      hands: queue,
      polls: openPolls,
      questions: openQuestions,
    }
  }

  return [
    liveHandler('live:join', t.Object(InSession), async (client, { sessionId }) => {
      const { session, role } = await access.member(client.user, sessionId)
      if (role === 'staff')
        throw new DomainError('FORBIDDEN', 'Staff read a class; only its teacher and students join it')
      requireLive(session)
      const standing = await participants.standing(sessionId, client.user.id)
      if (standing.removedAt) throw removedFromSession()
      const channel = liveRoomName(sessionId)
      if (await hub.join(client.id, channel))
        hub.publish(
          channel,
          'live:peer-joined',
          { sessionId, userId: client.user.id, name: client.user.name, role },
          client.id,
        )
      const canSpeak = role === 'teacher' || (await parts.sessions.isSpeaker(sessionId, client.user.id))
      return {
        session: { ...session, chatSlowSeconds: await chat.slowSeconds(sessionId) },
        role,
        room: channel,
        participants: await hub.presence(channel),
        canSpeak,
        classroom: await classState(sessionId, client.user.id, role, standing),
      }
    }),
    liveHandler('live:leave', t.Object(InSession), async (client, { sessionId }) => {
      hub.leave(client.id, liveRoomName(sessionId))
      return {}
    }),
    inClass(
      'live:chat',
      t.Object({
        ...InSession,
        content: t.String({ minLength: 1, maxLength: 1000 }),
        clientMsgId: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
      }),
      async (client, { sessionId, ...input }) => ({
        message: await chat.post(client.user, sessionId, input),
      }),
    ),
    inClass('live:chat-delete', t.Object({ ...InSession, messageId: Id }), async (client, { sessionId, messageId }) => {
      await chat.delete(client.user, sessionId, messageId)
      return {}
    }),
    inClass(
      'live:chat-mute',
      t.Object({ ...InSession, userId: Id, muted: t.Boolean() }),
      async (client, { sessionId, userId, muted }) => {
        await chat.mute(client.user, sessionId, userId, muted)
        return { muted }
      },
    ),
    inClass(
      'live:chat-slow',
      t.Object({ ...InSession, seconds: t.Integer({ minimum: 0, maximum: 300 }) }),
      async (client, { sessionId, seconds }) => {
        await chat.slowMode(client.user, sessionId, seconds)
        return { seconds }
      },
    ),
    inClass('live:hand', t.Object({ ...InSession, raised: t.Boolean() }), (client, { sessionId, raised }) =>
      hands.set(client.user, sessionId, raised),
    ),
    inClass('live:lower-hand', t.Object({ ...InSession, userId: t.Optional(Id) }), (client, { sessionId, userId }) =>
      hands.lower(client.user, sessionId, userId),
    ),
    inClass('live:invite-speaker', t.Object({ ...InSession, userId: Id }), (client, { sessionId, userId }) =>
      control.setSpeaker(client.user, sessionId, userId, true),
    ),
    inClass('live:revoke-speaker', t.Object({ ...InSession, userId: Id }), (client, { sessionId, userId }) =>
      control.setSpeaker(client.user, sessionId, userId, false),
    ),
    inClass('live:mute-all', t.Object(InSession), (client, { sessionId }) => control.muteAll(client.user, sessionId)),
    inClass('live:remove', t.Object({ ...InSession, userId: Id }), (client, { sessionId, userId }) =>
      control.remove(client.user, sessionId, userId),
    ),
    inClass('live:react', t.Object({ ...InSession, emoji: oneOf(REACTIONS) }), async (client, { sessionId, emoji }) =>
      reactions.react(sessionId, client.user.id, emoji),
    ),
  ]
}
