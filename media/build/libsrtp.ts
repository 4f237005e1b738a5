/**
 * Builds libsrtp2 on OpenSSL from Debian's own source package of the release the machine runs.
 *
 * Debian's binary libsrtp2 is built on NSS, which creates and destroys a crypto context for every
 * packet: a third of a busy worker's CPU. The same sources configured with `--enable-openssl` use
 * AES-NI and SHA extensions through libcrypto. The sources come through apt (a private deb-src list
 * beside the machine's own sources, so the system's apt configuration is left as it is), with
 * Debian's patches applied, and nothing is downloaded from anywhere else.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

/** What changes the library's build; part of the worker's cache key. */
export const libsrtpRecipe = 'libsrtp2 from the Debian source package, ./configure --enable-openssl, shared_library'

type Run = (command: string[], cwd: string, env?: Record<string, string>) => void

const aptSourcesDir = '/etc/apt/sources.list.d'

/** The machine's deb822 sources and one-line lists, turned into deb-src entries. */
function debSrcEntries(): { deb822: string; oneLine: string } {
  const parts = existsSync(aptSourcesDir) ? readdirSync(aptSourcesDir).map((file) => join(aptSourcesDir, file)) : []
  const read = (files: string[]) => files.filter(existsSync).map((file) => readFileSync(file, 'utf8'))
  const deb822 = read(parts.filter((file) => file.endsWith('.sources')))
    .map((text) => text.replace(/^Types:.*$/gm, 'Types: deb-src'))
    .join('\n\n')
  const oneLine = read(['/etc/apt/sources.list', ...parts.filter((file) => file.endsWith('.list'))])
    .flatMap((text) => text.split('\n'))
    .filter((line) => /^deb\s/.test(line))
    .map((line) => line.replace(/^deb\s/, 'deb-src '))
    .join('\n')
  return { deb822, oneLine }
}

function downloadSources(workDir: string, run: Run): void {
  const aptDir = join(workDir, 'apt')
  mkdirSync(join(aptDir, 'lists', 'partial'), { recursive: true })
  const { deb822, oneLine } = debSrcEntries()
  writeFileSync(join(aptDir, 'deb-src.sources'), deb822)
  writeFileSync(join(aptDir, 'deb-src.list'), `${oneLine}\n`)
  const privateApt = [
    '-o',
    `Dir::Etc::SourceList=${join(aptDir, 'deb-src.list')}`,
    '-o',
    `Dir::Etc::SourceParts=${aptDir}`,
    '-o',
    `Dir::State::Lists=${join(aptDir, 'lists')}`,
    '-o',
    'APT::Sandbox::User=root',
  ]
  run(['apt-get', '-q', ...privateApt, 'update'], workDir)
  run(['apt-get', '-q', ...privateApt, 'source', '--download-only', 'libsrtp2'], workDir)
}

function unpackWithDebianPatches(workDir: string, run: Run): string {
  const files = readdirSync(workDir)
  const original = files.find((file) => /^libsrtp2_.*\.orig\.tar\.gz$/.test(file))
  const debian = files.find((file) => /^libsrtp2_.*\.debian\.tar\.xz$/.test(file))
  if (!original || !debian) throw new Error(`apt did not download libsrtp2's sources (got: ${files.join(', ')})`)
  run(['tar', 'xzf', original], workDir)
  const sourceDir = readdirSync(workDir).find((file) => file.startsWith('libsrtp-') && !file.endsWith('.gz'))
  if (!sourceDir) throw new Error(`${original} did not unpack to a libsrtp-* directory`)
  const source = join(workDir, sourceDir)
  run(['tar', 'xJf', join(workDir, debian)], source)
  const series = join(source, 'debian', 'patches', 'series')
  const patches = existsSync(series)
    ? readFileSync(series, 'utf8')
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line && !line.startsWith('#'))
    : []
  for (const patch of patches)
    run(['patch', '-p1', '--forward', '--input', join(source, 'debian', 'patches', patch)], source)
  return source
}

/**
 * Builds and installs the shared library, its headers and its pkg-config file under `prefix`;
 * returns the path of the library (`prefix/lib/libsrtp2.so.1`).
 */
export function buildLibsrtp(workDir: string, prefix: string, run: Run): string {
  downloadSources(workDir, run)
  const source = unpackWithDebianPatches(workDir, run)
  run(['./configure', '--enable-openssl', `--prefix=${prefix}`], source, { CFLAGS: '-O3 -D_REENTRANT' })
  run(['make', `-j${navigator.hardwareConcurrency}`, 'shared_library'], source)
  run(['make', 'install'], source)
  return join(prefix, 'lib', 'libsrtp2.so.1')
}
