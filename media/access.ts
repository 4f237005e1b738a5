import { MediaAccessError } from './errors.ts'

/** What a participant may send into a media room: the LiveKit-style grant. */
export const mediaSources = ['camera', 'microphone', 'screen', 'screen-audio'] as const
export type MediaSource = (typeof mediaSources)[number]

export interface MediaGrant {
  canPublish: MediaSource[]
}

/**
 * The signed-in user asking, as much of them as media reads. The application's user type fills
 * the `User` parameters below, so its resolvers get back the very object its WS hub handed over.
 */
export interface MediaUser {
  id: string
  name: string
}

/** Decides for one room kind whether a user may join room `<kind>:<id>` and with which grant; null refuses. */
export type RoomAccessResolver<User extends MediaUser = MediaUser> = (
  user: User,
  roomId: string,
) => Promise<MediaGrant | null>

const roomName = /^([a-z]+):([A-Za-z0-9_-]{1,64})$/

/** Domain modules register a resolver for their room kind (`call`, `stream`, `live`). */
export class MediaAccess<User extends MediaUser = MediaUser> {
  private readonly resolvers = new Map<string, RoomAccessResolver<User>>()

  register(kind: string, resolver: RoomAccessResolver<User>): void {
    if (this.resolvers.has(kind)) throw new Error(`a media room resolver for "${kind}" is already registered`)
    this.resolvers.set(kind, resolver)
  }

  async grantFor(user: User, room: string): Promise<MediaGrant> {
    const match = roomName.exec(room)
    if (!match) throw new MediaAccessError('INVALID_ROOM', 'A room is named <kind>:<id>, e.g. call:vc_123')
    const [, kind, id] = match
    const resolver = this.resolvers.get(kind!)
    if (!resolver) throw new MediaAccessError('INVALID_ROOM', `There are no media rooms of kind "${kind}"`)
    const grant = await resolver(user, id!)
    if (!grant) throw new MediaAccessError('FORBIDDEN', 'You may not join this room')
    return grant
  }
}

/** `demo:<name>` rooms for the demo page and tests: any signed-in user joins and publishes. Never in production. */
export const demoRoomResolver: RoomAccessResolver = async () => ({ canPublish: [...mediaSources] })
