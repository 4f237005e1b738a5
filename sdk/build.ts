/**
 * Builds the browser SDK as an npm package in sdk/dist: one ES module (mediasoup-client left as
 * its dependency) and the .d.ts files. `npm run build:sdk`, then `npm pack ./sdk`.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { fileURLToPath } from 'node:url'
import { declarationsOf } from '../src/http/bundle.ts'

const entry = fileURLToPath(new URL('../media/client/index.ts', import.meta.url))
const outDir = fileURLToPath(new URL('./dist/', import.meta.url))

await rm(outDir, { recursive: true, force: true })
await mkdir(outDir, { recursive: true })
const built = await Bun.build({
  entrypoints: [entry],
  outdir: outDir,
  target: 'browser',
  format: 'esm',
  external: ['mediasoup-client'],
  naming: 'index.js',
})
if (!built.success) throw new AggregateError(built.logs, 'bundling the SDK failed')
for (const [name, text] of await declarationsOf(entry)) await writeFile(`${outDir}${name}`, text)
console.log(`SDK package built in ${outDir}`)
