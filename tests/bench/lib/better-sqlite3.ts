/**
 * better-sqlite3 (the fastest SQLite driver on Node) for the Fastify peer. Its install script would
 * download a prebuilt binary from GitHub, so it is denied in allowScripts and the addon is compiled
 * here, once, with npm's own node-gyp against the installed Node headers (no network).
 */
import { existsSync, realpathSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { ensureDebianPackages } from '../../../media/build/debian.ts'
import { repoRoot } from '../../helpers/server-process.ts'

export function ensureBetterSqlite3(): void {
  const packageDir = join(repoRoot, 'tests/bench/node_modules/better-sqlite3')
  if (existsSync(join(packageDir, 'build/Release/better_sqlite3.node'))) return
  ensureDebianPackages(['python3', 'make', 'g++'], 'building better-sqlite3 for the REST peer')
  const nodePath = Bun.which('node')
  if (!nodePath) throw new Error('the REST peers need Node on the PATH')
  const nodeDir = [dirname(dirname(realpathSync(nodePath))), '/usr'].find((dir) =>
    existsSync(join(dir, 'include/node/node.h')),
  )
  if (!nodeDir)
    throw new Error('the Node headers (include/node/node.h) are missing: install the nodejs headers for this Node')
  const npmRoot = Bun.spawnSync(['npm', 'root', '-g']).stdout.toString().trim()
  const nodeGyp = join(npmRoot, 'npm/node_modules/node-gyp/bin/node-gyp.js')
  console.log(`compiling better-sqlite3 with ${nodeGyp} against ${nodeDir} (once)…`)
  const build = Bun.spawnSync(['node', nodeGyp, 'rebuild', '--release', `--nodedir=${nodeDir}`], {
    cwd: packageDir,
    stdout: 'inherit',
    stderr: 'inherit',
  })
  if (build.exitCode !== 0) throw new Error('better-sqlite3 did not build')
}
