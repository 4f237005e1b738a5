// What the modules that record (calls, streams, classes) may use of recordings.
export {
  type RecordingLinkDeps,
  recordingIdInPath,
  recordingView,
  signedRecordingPath,
  signedRecordingUrl,
} from './links.ts'
export { Recording } from './model.ts'
export { RecordingService } from './service.ts'
