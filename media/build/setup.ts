/**
 * What the server needs on the machine at run time, installed before `npm start` (and the tests):
 * the mediasoup worker, built offline, and Debian's ffmpeg for recording, HLS and ingest (skipped
 * when FFMPEG_PATH points at another build).
 *
 * Usage: bun media/build/setup.ts
 */
import { ensureDebianPackages } from './debian.ts'

const build = Bun.spawnSync([process.execPath, `${import.meta.dir}/build-worker.ts`], {
  stdout: 'inherit',
  stderr: 'inherit',
})
if (build.exitCode !== 0) process.exit(build.exitCode ?? 1)
if ((process.env.FFMPEG_PATH ?? 'ffmpeg') === 'ffmpeg') ensureDebianPackages(['ffmpeg'], 'recording, HLS and ingest')
