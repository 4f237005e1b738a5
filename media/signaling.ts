import { t, type Static, type TSchema } from 'elysia'
import type { DtlsParameters, RtpCapabilities, RtpParameters } from 'mediasoup/types'
import { mediaSources, type MediaAccess, type MediaUser } from './access.ts'
import type { MediaCascade } from './cascade.ts'
import { MediaError, MediaRoomError } from './errors.ts'
import type { MediaRoom } from './room.ts'
import type { MediaRooms } from './rooms.ts'
import type { PeerLink } from './types.ts'
import type { WorkerPool } from './workers.ts'

/** The connection a media:* message came on: who sent it, and the link the room answers through. */
export interface SignalingClient<User extends MediaUser = MediaUser> extends PeerLink {
  readonly id: string
  readonly user: User
}

/** One media:* message: its data schema and what it does; failures a client can act on are MediaErrors. */
export interface MediaMessageHandler<User extends MediaUser = MediaUser> {
  type: string
  schema: TSchema
  handle(client: SignalingClient<User>, data: unknown): unknown
}

/** A required enum without t.UnionEnum's implicit default (which would fill in an absent field). */
const oneOf = <const Values extends readonly [string, ...string[]]>(values: Values) =>
  t.UnionEnum(values, { default: undefined })

const Id = t.String({ minLength: 1, maxLength: 64 })
// mediasoup validates these structures in depth; the schemas check their shape.
const DtlsParametersSchema = t.Object(
  {
    role: t.Optional(oneOf(['auto', 'client', 'server'])),
    fingerprints: t.Array(t.Object({ algorithm: t.String(), value: t.String() }), { minItems: 1 }),
  },
  { additionalProperties: true },
)
const RtpParametersSchema = t.Object(
  {
    codecs: t.Array(t.Object({}, { additionalProperties: true }), { minItems: 1 }),
    encodings: t.Optional(t.Array(t.Object({}, { additionalProperties: true }))),
  },
  { additionalProperties: true },
)
const RtpCapabilitiesSchema = t.Object(
  {
    codecs: t.Optional(t.Array(t.Object({}, { additionalProperties: true }))),
    headerExtensions: t.Optional(t.Array(t.Object({}, { additionalProperties: true }))),
  },
  { additionalProperties: true },
)

const mediaMessages = {
  'media:join': t.Object({
    room: t.String({ minLength: 3, maxLength: 80 }),
    /** Also create the recv transport and return it as `recvTransport` (saves a round trip). */
    recvTransport: t.Optional(t.Boolean()),
  }),
  'media:leave': t.Object({}),
  'media:createTransport': t.Object({ direction: oneOf(['send', 'recv']) }),
  'media:connectTransport': t.Object({ transportId: Id, dtlsParameters: DtlsParametersSchema }),
  'media:restartIce': t.Object({ transportId: Id }),
  'media:produce': t.Object({
    transportId: Id,
    kind: oneOf(['audio', 'video']),
    rtpParameters: RtpParametersSchema,
    appData: t.Object({ source: oneOf(mediaSources) }, { additionalProperties: true }),
  }),
  'media:consume': t.Object({ producerId: Id, rtpCapabilities: RtpCapabilitiesSchema }),
  /** Consumers of every producer in the room not consumed yet; started unless `paused`. */
  'media:consumeAll': t.Object({ rtpCapabilities: RtpCapabilitiesSchema, paused: t.Optional(t.Boolean()) }),
  'media:resumeConsumer': t.Object({ consumerId: Id }),
  'media:setPreferredLayers': t.Object({
    consumerId: Id,
    spatialLayer: t.Integer({ minimum: 0, maximum: 3 }),
    temporalLayer: t.Optional(t.Integer({ minimum: 0, maximum: 3 })),
  }),
  'media:pauseProducer': t.Object({ producerId: Id }),
  'media:resumeProducer': t.Object({ producerId: Id }),
  'media:closeProducer': t.Object({ producerId: Id }),
}

interface Membership {
  room: MediaRoom
  peerId: string
}

/**
 * Turns media layer failures into MediaErrors a client can act on. mediasoup's TypeErrors mean bad parameters; the
 * plain Errors its worker answers with mean the request does not fit the object's state
 * ("connect() already called"): the client's conflict, not our failure.
 */
async function asReply<T>(work: () => T | Promise<T>): Promise<T> {
  try {
    return await work()
  } catch (error) {
    if (error instanceof MediaError || !(error instanceof Error)) throw error
    if (error instanceof TypeError || error.name === 'UnsupportedError')
      throw new MediaError('INVALID_MEDIA_PARAMETERS', error.message)
    if (error.name === 'NotFoundError') throw new MediaError('NOT_FOUND', error.message)
    if (error.name === 'WorkerClosedError')
      throw new MediaError('MEDIA_UNAVAILABLE', 'The media worker is restarting; join again shortly')
    if (error.constructor === Error) throw new MediaError('CONFLICT', error.message)
    throw error
  }
}

/** The media:* messages (docs/api.md, "Realtime: /ws"): one media room per connection at a time. */
export class MediaSignaling<User extends MediaUser = MediaUser> {
  private readonly memberships = new Map<string, Membership>()

  constructor(
    private readonly rooms: MediaRooms,
    private readonly access: MediaAccess<User>,
    private readonly pool: WorkerPool,
    private readonly cascade: () => MediaCascade | undefined,
  ) {}

  /** A connection that vanished leaves its room. */
  disconnect(connectionId: string): void {
    const membership = this.memberships.get(connectionId)
    this.memberships.delete(connectionId)
    membership?.room.leave(membership.peerId)
  }

  handlers(): MediaMessageHandler<User>[] {
    type Client = SignalingClient<User>
    const define = <Type extends keyof typeof mediaMessages>(
      type: Type,
      handle: (client: Client, data: Static<(typeof mediaMessages)[Type]>) => unknown,
    ): MediaMessageHandler<User> => ({
      type,
      schema: mediaMessages[type],
      handle: (client, data) => asReply(() => handle(client, data as Static<(typeof mediaMessages)[Type]>)),
    })
    const on = <Type extends keyof typeof mediaMessages>(
      type: Type,
      handle: (client: Client, data: Static<(typeof mediaMessages)[Type]>, membership: Membership) => unknown,
    ) => define(type, (client, data) => handle(client, data, this.membership(client)))

    return [
      define('media:join', (client, data) => this.join(client, data.room, data.recvTransport ?? false)),
      define('media:leave', (client) => {
        this.disconnect(client.id)
        return {}
      }),
      on('media:createTransport', (_, data, { room, peerId }) => room.createTransport(peerId, data.direction)),
      on('media:connectTransport', async (_, data, { room, peerId }) => {
        await room.connectTransport(peerId, data.transportId, data.dtlsParameters as DtlsParameters)
        return {}
      }),
      on('media:restartIce', (_, data, { room, peerId }) => room.restartIce(peerId, data.transportId)),
      on('media:produce', (_, data, { room, peerId }) =>
        room.produce(peerId, data.transportId, data.kind, data.rtpParameters as RtpParameters, data.appData.source),
      ),
      on('media:consume', (_, data, { room, peerId }) =>
        room.consume(peerId, data.producerId, data.rtpCapabilities as RtpCapabilities),
      ),
      on('media:consumeAll', (_, data, { room, peerId }) =>
        room.consumeAll(peerId, data.rtpCapabilities as RtpCapabilities, data.paused ?? false),
      ),
      on('media:resumeConsumer', async (_, data, { room, peerId }) => {
        await room.resumeConsumer(peerId, data.consumerId)
        return {}
      }),
      on('media:setPreferredLayers', async (_, data, { room, peerId }) => {
        await room.setPreferredLayers(peerId, data.consumerId, data.spatialLayer, data.temporalLayer)
        return {}
      }),
      on('media:pauseProducer', async (_, data, { room, peerId }) => {
        await room.pauseProducer(peerId, data.producerId)
        return {}
      }),
      on('media:resumeProducer', async (_, data, { room, peerId }) => {
        await room.resumeProducer(peerId, data.producerId)
        return {}
      }),
      on('media:closeProducer', (_, data, { room, peerId }) => {
        room.closeProducer(peerId, data.producerId)
        return {}
      }),
    ]
  }

  private async join(client: SignalingClient<User>, roomName: string, withRecvTransport: boolean) {
    const grant = await this.access.grantFor(client.user, roomName)
    this.disconnect(client.id)
    if (this.pool.isFull) {
      throw new MediaError(
        'INSTANCE_FULL',
        'This instance takes no more participants; connect to one of details.instances (or through the load balancer again)',
        {
          instances: (await this.cascade()?.spareInstances()) ?? [],
        },
      )
    }
    const room = this.rooms.open(roomName)
    const joined = await room.join(client.user, grant, client)
    this.memberships.set(client.id, { room, peerId: joined.peerId })
    const recvTransport = withRecvTransport ? { recvTransport: await room.createTransport(joined.peerId, 'recv') } : {}
    return { room: roomName, ...joined, ...recvTransport }
  }

  private membership(client: SignalingClient<User>): Membership {
    const membership = this.memberships.get(client.id)
    if (!membership || membership.room.isClosed) {
      this.memberships.delete(client.id)
      throw new MediaRoomError('NOT_IN_ROOM', 'Join a media room first (media:join)')
    }
    return membership
  }
}
