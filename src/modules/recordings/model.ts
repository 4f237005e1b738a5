import { t } from 'elysia'
import { oneOf } from '../../http/enums.ts'
import { recordingStatuses } from '../../db/schema/recordings.ts'

export const Recording = t.Object({
  id: t.String(),
  room: t.String({ description: 'the media room recorded: live:<id>, stream:<id> or call:<id>' }),
  status: oneOf(recordingStatuses, {
    description:
      'recording → processing → ready; partial when a part ended abnormally (ffmpeg crash, worker death, restart) but a file was kept; failed when nothing playable was recorded',
  }),
  durationSec: t.Union([t.Integer(), t.Null()]),
  sizeBytes: t.Union([t.Integer(), t.Null()]),
  startedAt: t.Date(),
  endedAt: t.Union([t.Date(), t.Null()]),
  fileUrl: t.Union([t.String(), t.Null()], {
    description: 'a signed link valid for 6 hours (works in <video src>); null until ready or partial',
  }),
  thumbnailUrl: t.Union([t.String(), t.Null()]),
})

export const AwaitingConsent = t.Object({ status: t.Literal('awaiting_consent') })
export const StoppedRecording = t.Object({ id: t.String(), status: oneOf(['processing', 'ready'] as const) })
export const RecordingIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) })
export const SubjectIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) })
