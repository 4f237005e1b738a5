import { t } from 'elysia'
import type { MediaRooms } from '../../../../media/index.ts'
import type { Cluster } from '../../../cluster/index.ts'
import type { AuthUser } from '../../../access/policy.ts'
import type { Hub } from '../../../realtime/hub.ts'
import { liveRoomName, type LiveSessionService } from '../sessions.ts'
import { requireLive, type ClassroomAccess } from './access.ts'
import type { HandQueue } from './hands.ts'
import type { ParticipantStore } from './participants.ts'

/** The teacher's hold on the room: who may speak, mute-all, and removing a student for the rest of the session. */
export class RoomControl {
  constructor(
    private readonly access: ClassroomAccess,
    private readonly sessions: LiveSessionService,
    private readonly participants: ParticipantStore,
    private readonly hands: HandQueue,
    private readonly hub: Hub,
    private readonly rooms: MediaRooms | undefined,
    private readonly cluster: Cluster | undefined,
  ) {
    cluster?.bus.on(
      'classroom:remove',
      t.Object({ sessionId: t.String({ maxLength: 64 }), userId: t.String({ maxLength: 64 }) }),
      ({ sessionId, userId }) => {
        hub.removeUser(liveRoomName(sessionId), userId)
      },
    )
  }

  /** Inviting a student to speak lowers their hand; revoking closes their microphone. */
  async setSpeaker(
    teacher: AuthUser,
    sessionId: string,
    userId: string,
    canSpeak: boolean,
  ): Promise<Record<string, never>> {
    const { session, teacherId } = await this.access.teacher(teacher, sessionId, 'invites speakers')
    requireLive(session)
    await this.access.requireStudent(userId, sessionId)
    await this.grant(sessionId, userId, canSpeak)
    if (canSpeak) await this.hands.lowerFor(sessionId, teacherId, userId)
    return {}
  }

  async muteAll(teacher: AuthUser, sessionId: string): Promise<{ revoked: number }> {
    const { session } = await this.access.teacher(teacher, sessionId, 'mutes the class')
    requireLive(session)
    const speakers = await this.sessions.speakerIds(sessionId)
    for (const userId of speakers) await this.grant(sessionId, userId, false)
    return { revoked: speakers.length }
  }

  /** Out of the channel and the media room on every instance; live:join refuses them until the session ends. */
  async remove(teacher: AuthUser, sessionId: string, userId: string): Promise<Record<string, never>> {
    const { teacherId } = await this.access.teacher(teacher, sessionId, 'removes students')
    await this.access.requireStudent(userId, sessionId)
    await this.participants.remove(sessionId, userId)
    if (await this.sessions.isSpeaker(sessionId, userId)) await this.grant(sessionId, userId, false)
    await this.hands.lowerFor(sessionId, teacherId, userId)
    this.hub.sendToUser(userId, 'live:removed', { sessionId })
    this.rooms?.removeUser(liveRoomName(sessionId), userId, 'removed by the teacher')
    this.hub.removeUser(liveRoomName(sessionId), userId)
    this.cluster?.bus.broadcast('classroom:remove', { sessionId, userId })
    return {}
  }

  private async grant(sessionId: string, userId: string, canSpeak: boolean): Promise<void> {
    await this.sessions.setSpeaker(sessionId, userId, canSpeak)
    this.rooms?.setGrant(liveRoomName(sessionId), userId, { canPublish: canSpeak ? ['microphone'] : [] })
    this.hub.publish(liveRoomName(sessionId), 'live:speaker-changed', { sessionId, userId, canSpeak })
  }
}
