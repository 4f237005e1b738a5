import type { Clock } from '../../clock.ts'
import type { Config } from '../../config.ts'
import type { recordings } from '../../db/schema/recordings.ts'
import { API_PREFIX } from '../../http/paths.ts'
import type { UrlSigner } from '../../access/signed-urls.ts'
import { absoluteUrl } from '../../http/uploads.ts'

/** How long a signed recording link works: a sitting's worth of watching and seeking. */
const LINK_LIFETIME_MS = 6 * 60 * 60_000

/** One signature covers a recording's file and thumbnail. */
export const recordingScope = (id: string) => `${API_PREFIX}/recordings/${id}/`

/** The path (with its signed query) of a recording's file or thumbnail, for players without a bearer token. */
export const signedRecordingPath = (signer: UrlSigner, nowMs: number, id: string, what: 'file' | 'thumbnail') =>
  `${recordingScope(id)}${what}?${signer.sign(recordingScope(id), nowMs + LINK_LIFETIME_MS)}`

export interface RecordingLinkDeps {
  config: Config
  signer: UrlSigner
  clock: Clock
}

/** An absolute, signed link to a recording's file or thumbnail that a `<video>` or `<img>` plays as it is. */
export const signedRecordingUrl = (
  { config, signer, clock }: RecordingLinkDeps,
  request: Request,
  id: string,
  what: 'file' | 'thumbnail',
) => absoluteUrl(config, request, signedRecordingPath(signer, clock.now(), id, what))

/** The recording id in a stored file path (`/api/v1/recordings/<id>/file`). */
export const recordingIdInPath = (path: string) => /\/recordings\/([^/]+)\/file$/.exec(path)?.[1] ?? null

/** A recording as the API shows it (schema `Recording`), its file and thumbnail as signed links. */
export const recordingView =
  (deps: RecordingLinkDeps) => (request: Request) => (recording: typeof recordings.$inferSelect) => {
    const signed = (name: string | null, what: 'file' | 'thumbnail') =>
      name ? signedRecordingUrl(deps, request, recording.id, what) : null
    return {
      id: recording.id,
      room: recording.room,
      status: recording.status,
      durationSec: recording.durationSec,
      sizeBytes: recording.sizeBytes,
      startedAt: recording.startedAt,
      endedAt: recording.endedAt,
      fileUrl: signed(recording.fileName, 'file'),
      thumbnailUrl: signed(recording.thumbnailName, 'thumbnail'),
    }
  }
