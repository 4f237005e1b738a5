/**
 * `npm run test:fast`: the inner loop. Every suite that needs no mediasoup worker, browser, Redis
 * or server process — chosen by what a test file imports, so a new file is sorted by itself.
 * `npm test` stays the whole suite.
 */
import { Glob } from 'bun'

const root = `${import.meta.dir}/../..`
const needsMore = /helpers\/(browser|media-server|server-process|redis|cluster)\.ts|media\/index\.ts|playwright-core/

const fast: string[] = []
for await (const file of new Glob('tests/**/*.test.ts').scan(root)) {
  if (!needsMore.test(await Bun.file(`${root}/${file}`).text())) fast.push(`./${file}`)
}
fast.sort()
console.log(`test:fast — ${fast.length} files without worker, browser, Redis or server process`)
// One test process per core: these suites share nothing but the CPU.
const run = Bun.spawnSync([process.execPath, 'test', '--parallel', '--timeout', '60000', ...fast], {
  cwd: root,
  stdout: 'inherit',
  stderr: 'inherit',
})
process.exit(run.exitCode ?? 1)
