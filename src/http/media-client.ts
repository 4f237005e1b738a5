import { Elysia } from 'elysia'
import { fileURLToPath } from 'node:url'

const clientDir = fileURLToPath(new URL('../../media/client/', import.meta.url))

/** Bundles a browser entry point once, on first request. */
function lazyBundle(entry: string): () => Promise<string> {
  let bundle: Promise<string> | null = null
  return () => {
    bundle ??= Bun.build({ entrypoints: [`${clientDir}${entry}`], target: 'browser', format: 'esm', minify: true }).then(async (result) => {
      if (!result.success) throw new AggregateError(result.logs, `bundling ${entry} failed`)
      return result.outputs[0]!.text()
    })
    bundle.catch(() => (bundle = null))
    return bundle
  }
}

const javascript = { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-cache' }

/** The browser media SDK at /sdk/majlis-media.js and the demo page at /demo. */
export const mediaClient = () => {
  const sdk = lazyBundle('index.ts')
  const demoScript = lazyBundle('demo.ts')
  return new Elysia({ name: 'media-client', detail: { tags: ['media'] } })
    .get('/sdk/majlis-media.js', async () => new Response(await sdk(), { headers: javascript }), {
      detail: { summary: 'Browser SDK (ES module): MajlisMedia, MajlisStream, MajlisSocket', security: [], responses: { 200: { description: 'ES module', content: { 'text/javascript': { schema: { type: 'string' } } } } } },
    })
    .get('/demo', () => new Response(Bun.file(`${clientDir}demo.html`), { headers: { 'content-type': 'text/html; charset=utf-8' } }), {
      detail: { summary: 'Demo page: two browsers in one demo: room', security: [], responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } } } },
    })
    .get('/demo/demo.js', async () => new Response(await demoScript(), { headers: javascript }), { detail: { hide: true } })
}
