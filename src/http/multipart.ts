import busboy from 'busboy'
import { createWriteStream, type WriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import { ApiError, payloadTooLarge } from './errors.ts'
import { invalid } from '../errors/domain.ts'

export interface ReceivedFile {
  path: string
  filename: string
  mimeType: string
  size: number
}

export interface MultipartOptions {
  /** The form field that carries the file. */
  fileField: string
  maxFileBytes: number
  /** Whether the declared type and the first bytes are a kind of file we take. */
  accepts(mimeType: string, head: Buffer): boolean
  /** Where to write the file (its final place; removed again if anything fails). */
  destination(mimeType: string): string
}

const SNIFF_BYTES = 16
const malformed = () => new ApiError(400, 'MALFORMED_BODY', 'The multipart body could not be parsed')

/**
 * Reads a multipart/form-data request as it arrives: text fields into memory (small, limited),
 * the one file straight to disk, so an upload of hundreds of megabytes never sits in memory.
 * Too large → 413, a type we do not take → 422; a partial file is removed.
 */
export function receiveMultipart(
  request: Request,
  options: MultipartOptions,
): Promise<{ fields: Record<string, string[]>; file: ReceivedFile | null }> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy
    try {
      parser = busboy({
        headers: { 'content-type': request.headers.get('content-type') ?? '' },
        limits: { files: 1, fields: 50, fieldSize: 16 * 1024, fileSize: options.maxFileBytes, parts: 60 },
      })
    } catch {
      reject(malformed())
      return
    }
    const fields: Record<string, string[]> = {}
    let file: ReceivedFile | null = null
    let out: { from: Readable; to: WriteStream } | null = null
    let written: Promise<void> = Promise.resolve()
    let failed = false
    /** Answers with the error once the partial file is gone, so a client that looks finds nothing left. */
    const fail = (error: unknown) => {
      if (failed) return
      failed = true
      source.unpipe(parser)
      source.resume()
      written.catch(() => undefined) // the partial file's write error no longer matters
      if (!out || !file) return reject(error)
      const partial = file.path
      const { from, to } = out
      from.unpipe(to)
      from.resume()
      const removePartial = () =>
        rm(partial, { force: true })
          .catch(() => undefined)
          .then(() => reject(error))
      // Removed once closed: an unlink before the stream's open finished would leave a new empty file.
      if (to.closed) void removePartial()
      else to.once('close', () => void removePartial()).destroy()
    }

    parser.on('field', (name, value, info) => {
      if (info.valueTruncated)
        return fail(
          invalid('VALIDATION_FAILED', `The field ${name} is too long`, [
            { in: 'body', path: `/${name}`, message: 'too long' },
          ]),
        )
      const values = fields[name] ?? []
      values.push(value)
      fields[name] = values
    })
    parser.on('file', (name, stream, info) => {
      // A part cut short (truncated body, client gone) errors its own stream as well as the parser's.
      stream.on('error', () => fail(malformed()))
      if (name !== options.fileField || file) {
        stream.resume()
        return fail(
          invalid('VALIDATION_FAILED', `Send one file, in the field ${options.fileField}`, [
            { in: 'body', path: `/${name}`, message: 'unexpected file' },
          ]),
        )
      }
      const received: ReceivedFile = {
        path: options.destination(info.mimeType),
        filename: info.filename ?? '',
        mimeType: info.mimeType,
        size: 0,
      }
      file = received
      const sink = createWriteStream(received.path)
      out = { from: stream, to: sink }
      let head = Buffer.alloc(0)
      let checked = false
      stream.on('data', (chunk: Buffer) => {
        received.size += chunk.length
        if (checked) return
        head = Buffer.concat([head, chunk]).subarray(0, SNIFF_BYTES)
        if (head.length < SNIFF_BYTES) return
        checked = true
        if (!options.accepts(info.mimeType, head))
          fail(invalid('UNSUPPORTED_FILE_TYPE', 'This type of file is not accepted here'))
      })
      stream.on('limit', () => fail(payloadTooLarge(options.maxFileBytes)))
      written = new Promise((done, broken) => {
        sink.on('finish', () => done())
        // A disk that fills up mid-file: answered (and the part removed) at once, not when the body ends.
        sink.on('error', (error) => {
          broken(error)
          fail(error)
        })
        stream.on('end', () => {
          if (!checked && !options.accepts(info.mimeType, head))
            fail(invalid('UNSUPPORTED_FILE_TYPE', 'This type of file is not accepted here'))
        })
      })
      stream.pipe(sink)
    })
    parser.on('filesLimit', () => fail(invalid('VALIDATION_FAILED', 'Send one file only')))
    parser.on('fieldsLimit', () => fail(invalid('VALIDATION_FAILED', 'Too many fields')))
    parser.on('partsLimit', () => fail(invalid('VALIDATION_FAILED', 'Too many parts')))
    parser.on('error', () => fail(malformed()))
    parser.on('close', () => {
      if (failed) return
      written.then(
        () => resolve({ fields, file }),
        (error) => fail(error),
      )
    })

    const source = request.body ? Readable.fromWeb(request.body as unknown as NodeReadableStream) : Readable.from([])
    source.on('error', () => fail(malformed()))
    source.pipe(parser)
  })
}
