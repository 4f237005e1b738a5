import { Elysia, t } from 'elysia'
import { fileURLToPath } from 'node:url'
import { javascriptHeaders, lazyBundle, sdkPackageAlias } from '../http/bundle.ts'
import { appShell, pageFile } from '../http/html.ts'

const folder = fileURLToPath(new URL('./', import.meta.url))
/**
 * Only our own script and style; the API and /ws are same-origin (connect-src 'self'); media
 * streams play from MediaStream objects and the recording from our own origin. No inline code.
 */
export const CLASSROOM_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
const page = (body: Blob | string, contentType: string) => pageFile(body, contentType, CLASSROOM_CSP)

/**
 * The classroom page at /classroom/<roomCode> for teachers and students: one HTML page and a bundle
 * built on the public SDK package (`@majlis/sdk`), as a customer's front end would be. Arabic
 * (RTL) by default, English by choice.
 */
export const classroomPage = () => {
  const script = lazyBundle(`${folder}app.ts`, [sdkPackageAlias])
  const html = appShell('/classroom/assets')
  return new Elysia({ name: 'classroom-page' })
    .get('/classroom/:roomCode', () => page(html, 'text/html; charset=utf-8'), {
      params: t.Object({ roomCode: t.String({ minLength: 1, maxLength: 32 }) }),
      detail: {
        tags: ['classroom'],
        summary: 'The classroom page for the session with this room code (sign-in included)',
        security: [],
        responses: { 200: { description: 'HTML page', content: { 'text/html': { schema: { type: 'string' } } } } },
      },
    })
    .get('/classroom/assets/app.js', async () => page(await script(), javascriptHeaders['content-type']), {
      detail: { hide: true },
    })
    .get('/classroom/assets/app.css', () => page(Bun.file(`${folder}app.css`), 'text/css; charset=utf-8'), {
      detail: { hide: true },
    })
}
