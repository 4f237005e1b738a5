import type { TestApp } from './app.ts'

/** Bytes that start like the real formats (the server sniffs the first bytes). */
export const png = () => new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(200).fill(3)])
export const pdf = () =>
  new TextEncoder().encode('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n')

export interface UploadFile {
  bytes: Uint8Array<ArrayBuffer>
  type: string
  name: string
}

/** A multipart POST of one `file` and text fields, as a browser's FormData sends it. */
export function uploadForm(
  t: TestApp,
  token: string | undefined,
  path: string,
  file: UploadFile | null,
  fields: Record<string, string> = {},
) {
  const form = new FormData()
  for (const [name, value] of Object.entries(fields)) form.append(name, value)
  if (file) form.append('file', new Blob([file.bytes], { type: file.type }), file.name)
  const headers: Record<string, string> = { 'accept-language': 'en' }
  if (token) headers.authorization = `Bearer ${token}`
  return t.app.handle(new Request(`http://localhost${path}`, { method: 'POST', headers, body: form }))
}
