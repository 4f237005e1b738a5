import type { AuthUser } from '../src/http/auth.ts'

/** What a participant may send into a media room: the LiveKit-style grant. */
export const mediaSources = ['camera', 'microphone', 'screen', 'screen-audio'] as const
export type MediaSource = (typeof mediaSources)[number]

export interface MediaGrant {
  canPublish: MediaSource[]
}

/** The signed-in user asking, as the auth guard and the WS hub know them. */
export type MediaUser = AuthUser

/** Decides for one room kind whether a user may join room `<kind>:<id>` and with which grant; null refuses. */
export type RoomAccessResolver = (user: MediaUser, roomId: string) => Promise<MediaGrant | null>

export class MediaAccessError extends Error {
  constructor(
    readonly code: 'INVALID_ROOM' | 'FORBIDDEN',
    message: string,
  ) {
    super(message)
  }
}

const roomName = /^([a-z]+):([A-Za-z0-9_-]{1,64})$/

/** Domain modules register a resolver for their room kind (`call`, `stream`, `live`). */
export class MediaAccess {
  private readonly resolvers = new Map<string, RoomAccessResolver>()

  register(kind: string, resolver: RoomAccessResolver): void {
    if (this.resolvers.has(kind)) throw new Error(`a media room resolver for "${kind}" is already registered`)
    this.resolvers.set(kind, resolver)
  }

  async grantFor(user: MediaUser, room: string): Promise<MediaGrant> {
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
