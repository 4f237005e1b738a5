/**
 * Builds mediasoup's C++ worker from the sources inside the installed npm package, against
 * Debian bookworm's libraries and a libsrtp2 built on OpenSSL from Debian's source package
 * (./libsrtp.ts), with no download from anywhere but apt. mediasoup's own postinstall (prebuilt
 * binary from GitHub, pip, meson wraps) is never run.
 *
 * The worker finds its libsrtp2.so.1 beside itself (RUNPATH $ORIGIN). Cached by mediasoup version
 * + patch + recipe hash, so a second setup only copies the two files into
 * node_modules/mediasoup/worker/out/Release/, where mediasoup looks for the worker.
 *
 * Usage: bun media/build/build-worker.ts [--force]
 */
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { homedir, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { ensureDebianPackages } from './debian.ts'
import { buildLibsrtp, libsrtpRecipe } from './libsrtp.ts'

const buildDependencies = [
  'build-essential',
  'pkg-config',
  'patch',
  'xz-utils',
  'meson',
  'ninja-build',
  'libssl-dev',
  'libuv1-dev',
  'libabsl-dev',
  'flatbuffers-compiler',
  'libflatbuffers-dev',
]
const srtpLibrary = 'libsrtp2.so.1'

const repoRoot = join(import.meta.dir, '..', '..')
const mediasoupDir = join(repoRoot, 'node_modules', 'mediasoup')
const installedBinary = join(mediasoupDir, 'worker', 'out', 'Release', 'mediasoup-worker')
const installedKeyFile = `${installedBinary}.build-key`
const installedLibrary = join(dirname(installedBinary), srtpLibrary)

function log(message: string) {
  console.log(`[mediasoup-worker] ${message}`)
}

function run(command: string[], cwd: string, env: Record<string, string> = {}) {
  const result = Bun.spawnSync(command, { cwd, stdout: 'inherit', stderr: 'inherit', env: { ...process.env, ...env } })
  if (result.exitCode !== 0) throw new Error(`${command.join(' ')} failed with exit code ${result.exitCode}`)
}

function compile(patchFile: string, output: string) {
  const workDir = mkdtempSync(join(tmpdir(), 'mediasoup-worker-build-'))
  try {
    const srtpPrefix = join(workDir, 'libsrtp-openssl')
    mkdirSync(join(workDir, 'libsrtp-sources'))
    const library = buildLibsrtp(join(workDir, 'libsrtp-sources'), srtpPrefix, run)
    cpSync(join(mediasoupDir, 'worker'), join(workDir, 'worker'), { recursive: true })
    run(['patch', '-p1', '--forward', '--input', patchFile], workDir)
    const worker = join(workDir, 'worker')
    const prefix = join(worker, 'out', 'Release')
    const againstOurLibsrtp = { PKG_CONFIG_PATH: join(srtpPrefix, 'lib', 'pkgconfig'), LDFLAGS: '-Wl,-rpath,$ORIGIN' }
    run(
      [
        'meson',
        'setup',
        '--wrap-mode=nodownload',
        '--prefix',
        prefix,
        '--bindir',
        '',
        '--libdir',
        '',
        '--buildtype',
        'release',
        '-Db_ndebug=true',
        join(prefix, 'build'),
      ],
      worker,
      againstOurLibsrtp,
    )
    run(['ninja', '-C', join(prefix, 'build'), 'mediasoup-worker'], worker)
    run(['meson', 'install', '-C', join(prefix, 'build'), '--no-rebuild', '--tags', 'mediasoup-worker'], worker)
    mkdirSync(dirname(output), { recursive: true })
    copyFileSync(library, join(dirname(output), srtpLibrary))
    copyFileSync(join(prefix, 'mediasoup-worker'), `${output}.partial`)
    renameSync(`${output}.partial`, output)
  } finally {
    rmSync(workDir, { recursive: true, force: true })
  }
}

function main() {
  const force = process.argv.includes('--force')
  const version: string = JSON.parse(readFileSync(join(mediasoupDir, 'package.json'), 'utf8')).version
  const patchFile = join(import.meta.dir, 'patches', `mediasoup-${version}-debian-bookworm.patch`)
  if (!existsSync(patchFile)) {
    throw new Error(`no patch for mediasoup ${version} in media/build/patches/: port the previous one before upgrading`)
  }
  const recipeHash = new Bun.CryptoHasher('sha256')
    .update(readFileSync(patchFile))
    .update(libsrtpRecipe)
    .digest('hex')
    .slice(0, 16)
  const key = `${version}-${recipeHash}`
  const cacheRoot = process.env.MAJLIS_CACHE_DIR ?? join(homedir(), '.cache', 'majlis')
  const cachedBinary = join(cacheRoot, 'mediasoup-worker', key, 'mediasoup-worker')

  if (
    !force &&
    existsSync(installedBinary) &&
    existsSync(installedKeyFile) &&
    readFileSync(installedKeyFile, 'utf8') === key
  ) {
    log(`up to date (${key})`)
    return
  }
  const started = performance.now()
  if (force || !existsSync(cachedBinary) || !existsSync(join(dirname(cachedBinary), srtpLibrary))) {
    ensureDebianPackages(buildDependencies, 'the mediasoup worker build', log)
    log(
      `building mediasoup ${version} worker from the npm package sources (recipe ${recipeHash}); this takes a few minutes`,
    )
    compile(patchFile, cachedBinary)
  } else {
    log(`using the cached build ${cachedBinary}`)
  }
  mkdirSync(dirname(installedBinary), { recursive: true })
  copyFileSync(join(dirname(cachedBinary), srtpLibrary), installedLibrary)
  copyFileSync(cachedBinary, installedBinary)
  chmodSync(installedBinary, 0o755)
  writeFileSync(installedKeyFile, key)
  log(`ready in ${((performance.now() - started) / 1000).toFixed(1)} s: ${installedBinary}`)
}

main()
