/**
 * What the suites need beyond npm packages, installed on a fresh machine before `bun test`:
 * the mediasoup worker (built offline) and Debian's Chromium for the end-to-end tests.
 */
import { ensureDebianPackages } from '../../media/build/debian.ts'

const build = Bun.spawnSync([process.execPath, 'media/build/build-worker.ts'], { stdout: 'inherit', stderr: 'inherit' })
if (build.exitCode !== 0) process.exit(build.exitCode ?? 1)
ensureDebianPackages(['chromium'], 'the end-to-end browser tests')
