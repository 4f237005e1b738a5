const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

/** Text made safe to put in HTML content or a quoted attribute. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (character) => entities[character]!)

/** An HTML answer with its own Content-Security-Policy (pages never get the JSON API's `default-src 'none'` alone). */
export function htmlPage(html: string, contentSecurityPolicy: string, status = 200): Response {
  return new Response(html, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': contentSecurityPolicy,
      'cache-control': 'no-store',
    },
  })
}

/** One of a page's own files (its HTML shell, script or stylesheet) under the page's Content-Security-Policy, revalidated on each load. */
export const pageFile = (body: Blob | string, contentType: string, contentSecurityPolicy: string) =>
  new Response(body, {
    headers: {
      'content-type': contentType,
      'content-security-policy': contentSecurityPolicy,
      'cache-control': 'no-cache',
    },
  })

/**
 * The HTML of one of our single-script pages (the dashboard, the classroom): its stylesheet and
 * module from `assets`, one root element for the script to fill. Arabic (RTL) until the script
 * applies the reader's language.
 */
export const appShell = (assets: string) => `<!doctype html>
<html lang="ar" dir="rtl">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Majlis</title>
    <link rel="icon" href="data:," />
    <link rel="stylesheet" href="${assets}/app.css" />
    <script type="module" src="${assets}/app.js"></script>
  </head>
  <body>
    <main id="app" aria-live="polite"></main>
  </body>
</html>
`
