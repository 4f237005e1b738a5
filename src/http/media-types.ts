/** The kinds of uploaded file we take, by declared type, with the bytes their files start with. */
export interface FileType<Kind extends string = 'image' | 'video'> {
  extension: string
  kind: Kind
  matches(head: Buffer): boolean
}

const startsWith = (bytes: number[]) => (head: Buffer) => head.subarray(0, bytes.length).equals(Buffer.from(bytes))

export const videoTypes: Record<string, FileType> = {
  'video/mp4': {
    extension: 'mp4',
    kind: 'video',
    matches: (head) => head.subarray(4, 8).toString('latin1') === 'ftyp',
  },
  'video/webm': { extension: 'webm', kind: 'video', matches: startsWith([0x1a, 0x45, 0xdf, 0xa3]) },
}

export const imageTypes: Record<string, FileType> = {
  'image/jpeg': { extension: 'jpg', kind: 'image', matches: startsWith([0xff, 0xd8, 0xff]) },
  'image/png': {
    extension: 'png',
    kind: 'image',
    matches: startsWith([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  },
  'image/webp': {
    extension: 'webp',
    kind: 'image',
    matches: (head) =>
      head.subarray(0, 4).toString('latin1') === 'RIFF' && head.subarray(8, 12).toString('latin1') === 'WEBP',
  },
}

export const documentTypes: Record<string, FileType<'document'>> = {
  'application/pdf': { extension: 'pdf', kind: 'document', matches: startsWith([0x25, 0x50, 0x44, 0x46, 0x2d]) },
}
