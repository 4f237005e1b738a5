/**
 * The media layer's failures a client can act on, each with the code the API answers with. The
 * layer above maps them onto its transport (a WS error reply, an HTTP status); media knows neither.
 */
export type MediaErrorCode =
  | 'NOT_IN_ROOM'
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'CONFLICT'
  | 'CANNOT_CONSUME'
  | 'MEDIA_UNAVAILABLE'
  | 'ROOM_CLOSED'
  | 'INVALID_ROOM'
  | 'INVALID_MEDIA_PARAMETERS'
  | 'INSTANCE_FULL'

export class MediaError extends Error {
  constructor(
    readonly code: MediaErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(message)
  }
}

/** A room refused an operation (not in it, no such producer, worker gone…). */
export class MediaRoomError extends MediaError {}

/** A room name that names nothing, or a grant that was refused. */
export class MediaAccessError extends MediaError {}
