import { Elysia } from 'elysia'
import { fileURLToPath } from 'node:url'
import { javascriptHeaders as javascript, lazyBundle } from './bundle.ts'

const clientDir = fileURLToPath(new URL('../../media/client/', import.meta.url))

/** The browser media SDK at /sdk/majlis-media.js and the demo page at /demo. */
export const mediaClient = () => {
  const sdk = lazyBundle(`${clientDir}index.ts`)
  const demoScript = lazyBundle(`${clientDir}demo.ts`)
  return new Elysia({ name: 'media-client', detail: { tags: ['media'] } })
    .get('/sdk/majlis-media.js', async () => new Response(await sdk(), { headers: javascript }), {
      detail: { summary: 'Browser SDK (ES module): MajlisMedia, MajlisStream, MajlisSocket', security: [], responses: { 200: { description: 'ES module', content: { 'text/javascript': { schema: { type: 'string' } } } } } },
    })
    .get('/demo', () => new Response(Bun.file(`${clientDir}demo.html`), { headers: { 'content-type': 'text/html; charset=utf-8' } }), {
      detail: { summary: 'Demo page: two browsers in one demo: room', security: [], responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } } } },
    })
    .get('/demo/demo.js', async () => new Response(await demoScript(), { headers: javascript }), { detail: { hide: true } })
}
