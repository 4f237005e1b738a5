/**
 * `bun run bench`: every scenario, one after another, each in its own process (a scenario's
 * servers, workers and clients never overlap with the next one's). Each also runs on its own:
 * `bun run bench:sfu`, `bench:cluster`, `bench:failover`, `bench:joins`, `bench:chat`, `bench:classroom`, `bench:streams`, `bench:egress`, `bench:rest`, `bench:search`, `bench:memory`, `bench:soak`.
 */
import { machine } from './lib/report.ts'

const scenarios = [
  'sfu-fanout',
  'cluster-fanout',
  'failover',
  'joins',
  'chat-fanout',
  'classroom',
  'streams',
  'egress',
  'rest',
  'search',
  'ws-memory',
  'soak',
]
const prepare = Bun.spawnSync([process.execPath, 'media/build/setup.ts'], {
  cwd: `${import.meta.dir}/../..`,
  stdout: 'inherit',
  stderr: 'inherit',
})
if (prepare.exitCode !== 0) process.exit(prepare.exitCode ?? 1)

console.log(`Majlis benchmarks on ${machine()} — ${new Date().toISOString()}`)
const failed: string[] = []
for (const scenario of scenarios) {
  const started = performance.now()
  const run = Bun.spawnSync([process.execPath, `${import.meta.dir}/${scenario}.ts`], {
    stdout: 'inherit',
    stderr: 'inherit',
    env: process.env,
  })
  console.log(
    `(${scenario}: ${((performance.now() - started) / 1000).toFixed(0)} s${run.exitCode === 0 ? '' : `, FAILED with exit code ${run.exitCode}`})`,
  )
  if (run.exitCode !== 0) failed.push(scenario)
}
if (failed.length > 0) {
  console.error(`failed: ${failed.join(', ')}`)
  process.exit(1)
}
