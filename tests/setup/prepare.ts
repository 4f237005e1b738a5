/**
 * What the suites need beyond npm packages, installed on a fresh machine before `bun test`:
 * the mediasoup worker (built offline) and ffmpeg (both also installed by `npm start`), Debian's
 * Chromium (with an emoji font) for the end-to-end tests and Debian's redis-server for the scaled-out paths (tests
 * start their own server).
 */
import { ensureDebianPackages } from '../../media/build/debian.ts'

const build = Bun.spawnSync([process.execPath, 'media/build/setup.ts'], { stdout: 'inherit', stderr: 'inherit' })
if (build.exitCode !== 0) process.exit(build.exitCode ?? 1)
// The emoji font: pages show reactions as a user's browser does, not as empty boxes.
ensureDebianPackages(['chromium', 'fonts-noto-color-emoji', 'redis-server'], 'the browser and Redis tests')
