import { findBinary } from '../../../media/index.ts'
import type { ModuleContext } from '../shared-services.ts'
import { renderGauge } from '../../metrics/registry.ts'
import { recordingRoutes } from './routes.ts'

/**
 * Recordings of calls, streams and classes (the service is one of the shared services, as the courses, streams
 * and support modules register their subjects with it): routes, metrics, the ffmpeg readiness note,
 * and finishing what an earlier run left recording.
 */
export function recordingsModule({
  recordings,
  signer,
  config,
  clock,
  metrics,
  readinessChecks,
  media,
  logger,
  plugins,
}: ModuleContext) {
  readinessChecks.ffmpeg = async () =>
    findBinary(config.ffmpeg.path)
      ? 'ok'
      : `degraded: ffmpeg not found at "${config.ffmpeg.path}" (FFMPEG_PATH): recording, HLS and ingest recording are unavailable`
  metrics.register({
    render: () =>
      [
        renderGauge('majlis_recordings_in_progress', 'Recordings running on this instance', [
          [{}, recordings.runningCount],
        ]),
        renderGauge(
          'majlis_recording_bytes_written_total',
          'Bytes of finished recording files',
          [[{}, recordings.counters.bytesWritten]],
          'counter',
        ),
        renderGauge('majlis_egress_running', 'ffmpeg egresses (recordings and HLS) running', [
          [{}, media?.egresses.count ?? 0],
        ]),
        renderGauge(
          'majlis_ffmpeg_restarts_total',
          'ffmpeg processes restarted after crashing',
          [[{}, media?.egresses.stats.ffmpegRestarts ?? 0]],
          'counter',
        ),
      ].join('\n'),
  })
  void recordings
    .recoverInterrupted()
    .catch((error: unknown) => logger.error('could not look for interrupted recordings', { err: String(error) }))
  return recordingRoutes({ recordings, signer, config, clock, ...plugins })
}
