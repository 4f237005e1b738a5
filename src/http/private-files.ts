import { mkdir, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { FileType } from './media-types.ts'
import { receiveMultipart } from './multipart.ts'
import { notFound, invalid } from '../errors/domain.ts'

/** Where private uploads live under UPLOAD_DIR; the public /uploads route never reaches below it. */
export const PRIVATE_FOLDER = 'private'

/**
 * Uploads that only some people may read (verification documents, promotion assets): stored
 * under UPLOAD_DIR/private/<folder> and sent only by routes that check who asks.
 */
export class PrivateFiles {
  private readonly folder: string

  constructor(
    uploadDir: string,
    folder: string,
    private readonly types: Record<string, FileType<string>>,
    private readonly maxBytes: number,
  ) {
    this.folder = join(uploadDir, PRIVATE_FOLDER, folder)
  }

  /**
   * Streams the multipart `file` to disk as `<id>.<ext>` (type sniffed, size capped: 413, other
   * types 422), then lets the caller record it; the file is removed again if recording fails.
   */
  async store<Recorded>(
    request: Request,
    id: string,
    record: (upload: Awaited<ReturnType<PrivateFiles['receive']>>) => Promise<Recorded>,
  ): Promise<Recorded> {
    const upload = await this.receive(request, id)
    try {
      return await record(upload)
    } catch (error) {
      await this.remove(upload.file.name)
      throw error
    }
  }

  private async receive(request: Request, id: string) {
    await mkdir(this.folder, { recursive: true })
    const { fields, file } = await receiveMultipart(request, {
      fileField: 'file',
      maxFileBytes: this.maxBytes,
      accepts: (mimeType, head) => this.types[mimeType]?.matches(head) ?? false,
      destination: (mimeType) => join(this.folder, `${id}.${this.types[mimeType]?.extension ?? 'bin'}`),
    })
    if (!file)
      throw invalid('VALIDATION_FAILED', 'Attach the file as the multipart field "file"', [
        { in: 'body', path: '/file', message: 'required' },
      ])
    return { fields, file: { name: basename(file.path), mimeType: file.mimeType, size: file.size } }
  }

  private remove(name: string) {
    return rm(join(this.folder, basename(name)), { force: true })
  }

  /** The file for someone already allowed to see it; never cached by shared caches, never run as a page. */
  async response(name: string, mimeType: string): Promise<Response> {
    const file = Bun.file(join(this.folder, basename(name)))
    if (!(await file.exists())) throw notFound('File')
    return new Response(file, {
      headers: {
        'content-type': mimeType,
        'content-length': String(file.size),
        'cache-control': 'private, no-store',
        'content-disposition': 'inline',
        'content-security-policy': "default-src 'none'; sandbox",
      },
    })
  }
}
