import { Elysia, t } from 'elysia'
import { fileURLToPath } from 'node:url'
import { javascriptHeaders as javascript, lazyBundle, lazyDeclarations } from './bundle.ts'
import { notFound } from '../errors/domain.ts'

const clientDir = fileURLToPath(new URL('../../media/client/', import.meta.url))

/** The browser SDK at /sdk/majlis-media.js with its types under /sdk/types/, and the demo page at /demo. */
export const mediaClient = () => {
  const sdk = lazyBundle(`${clientDir}index.ts`)
  const sdkTypes = lazyDeclarations(`${clientDir}index.ts`)
  const demoScript = lazyBundle(`${clientDir}demo.ts`)
  return new Elysia({ name: 'media-client', detail: { tags: ['media'] } })
    .get(
      '/sdk/majlis-media.js',
      async () =>
        new Response(await sdk(), { headers: { ...javascript, 'x-typescript-types': '/sdk/types/index.d.ts' } }),
      {
        detail: {
          summary:
            'Browser SDK (ES module, mediasoup-client included): MajlisClass, MajlisStream, MajlisMedia, MajlisSocket; the same code as the @majlis/sdk package',
          security: [],
          responses: {
            200: { description: 'ES module', content: { 'text/javascript': { schema: { type: 'string' } } } },
          },
        },
      },
    )
    .get(
      '/sdk/types/:file',
      async ({ params }) => {
        const text = (await sdkTypes()).get(params.file)
        if (text === undefined) throw notFound('Declaration file')
        return new Response(text, {
          headers: { 'content-type': 'application/typescript; charset=utf-8', 'cache-control': 'no-cache' },
        })
      },
      {
        params: t.Object({ file: t.String({ pattern: '^[a-z-]+\\.d\\.ts$' }) }),
        detail: {
          summary: 'The SDK’s TypeScript declarations (start at index.d.ts), as in the npm package',
          security: [],
          responses: {
            200: {
              description: 'TypeScript declarations',
              content: { 'application/typescript': { schema: { type: 'string' } } },
            },
          },
        },
      },
    )
    .get(
      '/demo',
      () =>
        new Response(Bun.file(`${clientDir}demo.html`), { headers: { 'content-type': 'text/html; charset=utf-8' } }),
      {
        detail: {
          summary: 'Demo page: two browsers in one demo: room',
          security: [],
          responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
        },
      },
    )
    .get('/demo/demo.js', async () => new Response(await demoScript(), { headers: javascript }), {
      detail: { hide: true },
    })
}
