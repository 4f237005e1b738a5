import { basename, join } from 'node:path'
import { invalid } from '../../errors/domain.ts'
import { videoTypes } from '../../http/media-types.ts'
import { receiveMultipart } from '../../http/multipart.ts'
import { validated } from '../../http/validate.ts'
import { newId } from '../../ids.ts'
import { UploadVideoFields } from './video-model.ts'
import type { NewVideo, StoredFile } from './videos.ts'

const first = (values: string[] | undefined) => values?.[0]

/** A multipart `{ file, title, description?, category, tags?, duration? }` upload: the file streamed to disk, the fields checked. */
export async function receiveVideo(
  request: Request,
  folder: string,
  maxBytes: number,
): Promise<{ input: NewVideo; file: StoredFile }> {
  const videoId = newId('vid')
  const { fields, file } = await receiveMultipart(request, {
    fileField: 'file',
    maxFileBytes: maxBytes,
    accepts: (mimeType, head) => videoTypes[mimeType]?.matches(head) ?? false,
    destination: (mimeType) => join(folder, `${videoId}.${videoTypes[mimeType]?.extension ?? 'bin'}`),
  })
  const remove = () => (file ? Bun.file(file.path).delete() : undefined)
  try {
    if (!file)
      throw invalid('VALIDATION_FAILED', 'Attach the video as the multipart field "file" (mp4 or webm)', [
        { in: 'body', path: '/file', message: 'required' },
      ])
    const tags = fields.tags
      ?.flatMap((value) => value.split(','))
      .map((tag) => tag.trim())
      .filter(Boolean)
    const duration = first(fields.duration)
    const input = validated(UploadVideoFields, {
      title: first(fields.title),
      description: first(fields.description),
      category: first(fields.category),
      ...(tags ? { tags } : {}),
      ...(duration !== undefined ? { duration: /^\d+$/.test(duration) ? Number(duration) : duration } : {}),
    })
    return { input, file: { videoId, fileName: basename(file.path), mimeType: file.mimeType, sizeBytes: file.size } }
  } catch (error) {
    await remove()
    throw error
  }
}
