import { Elysia } from 'elysia'
import { fileURLToPath } from 'node:url'
import { javascriptHeaders, lazyBundle } from '../http/bundle.ts'
import { appShell, pageFile } from '../http/html.ts'

const folder = fileURLToPath(new URL('./', import.meta.url))
/**
 * Only our own script and style; data comes from our API (connect-src 'self'); document previews
 * are blob: URLs of files fetched with the staff member's token. No inline code, no framing.
 */
export const DASHBOARD_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; frame-src blob:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
const page = (body: Blob | string, contentType: string) => pageFile(body, contentType, DASHBOARD_CSP)

/**
 * The back office for staff at /dashboard: one HTML page and a small bundle (Bun.build, no
 * framework) that call the same JSON API as the apps with the staff member's bearer token, kept
 * in sessionStorage. Arabic (RTL) and English.
 */
export const dashboard = () => {
  const script = lazyBundle(`${folder}app.ts`)
  const html = appShell('/dashboard')
  const hidden = { detail: { hide: true } }
  return new Elysia({ name: 'dashboard' })
    .get('/dashboard', () => page(html, 'text/html; charset=utf-8'), hidden)
    .get('/dashboard/app.js', async () => page(await script(), javascriptHeaders['content-type']), hidden)
    .get('/dashboard/app.css', () => page(Bun.file(`${folder}app.css`), 'text/css; charset=utf-8'), hidden)
}
