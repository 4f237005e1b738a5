/**
 * A cell that a spreadsheet would run as a formula gets a leading apostrophe: one starting with
 * = + - @ or ; (a separator some locales read as a formula start), any whitespace (spreadsheets
 * trim it and then see what follows), or their full-width forms ＝ ＋ － ＠.
 */
const FORMULA_START = /^[=+\-@;\s＝＋－＠]/u

/** Spreadsheet programs read a CSV as UTF-8 (Arabic names intact) only when it starts with a byte order mark. */
const UTF8_BOM = '\uFEFF'

/** One CSV field per RFC 4180: quoted when it holds a comma, quote or line break (quotes doubled), and never a formula. */
export function csvField(value: string | number | null): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  const safe = FORMULA_START.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** One record, CRLF-terminated as RFC 4180 asks. */
const csvRecord = (fields: Array<string | number | null>) => `${fields.map(csvField).join(',')}\r\n`

/**
 * A CSV body (UTF-8 with a byte order mark) that reads its rows page by page as the client downloads it: `nextPage(after)`
 * returns the rows after the last one sent (an empty page ends the file), so only one page is
 * ever in memory however many rows there are.
 */
export function csvStream<Row>(
  header: string[],
  nextPage: (after: Row | null) => Promise<Row[]>,
  toFields: (row: Row) => Array<string | number | null>,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder()
  let last: Row | null = null
  let headerSent = false
  return new ReadableStream({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true
        controller.enqueue(encoder.encode(UTF8_BOM + csvRecord(header)))
        return
      }
      const rows = await nextPage(last)
      if (rows.length === 0) return controller.close()
      last = rows.at(-1)!
      controller.enqueue(encoder.encode(rows.map((row) => csvRecord(toFields(row))).join('')))
    },
  })
}

/** A whole small CSV (a class's attendance, a poll's voters) in one piece, with the byte order mark. */
export const csvDocument = (header: string[], rows: Array<Array<string | number | null>>) =>
  UTF8_BOM + csvRecord(header) + rows.map(csvRecord).join('')

/** A CSV download: saved under `filename`, never cached. */
export const csvResponse = (body: string | ReadableStream<Uint8Array>, filename: string) =>
  new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${filename}"`,
      'cache-control': 'no-store',
    },
  })

/** How routes that answer CSV describe it in OpenAPI. */
export const csvDetail = {
  description:
    'RFC 4180 CSV in UTF-8 with a byte order mark, CRLF line ends; cells that would start a formula (= + - @ ; whitespace, full-width ＝＋－＠) are prefixed with an apostrophe',
  responses: { 200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' as const } } } } },
}
