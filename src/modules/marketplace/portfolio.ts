import { and, desc, eq, sql } from 'drizzle-orm'
import { mkdir, rm } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { portfolioItems, portfolioLikes } from '../../db/schema/marketplace.ts'
import { insertWhere } from '../../db/insert-where.ts'
import { DomainError, notFound, invalid } from '../../errors/domain.ts'
import { imageTypes, videoTypes } from '../../http/media-types.ts'
import { receiveMultipart } from '../../http/multipart.ts'
import { UPLOADS_PATH } from '../../http/uploads.ts'
import { validated } from '../../http/validate.ts'
import { newId } from '../../ids.ts'
import type { FeatureService } from '../billing/public.ts'
import { PortfolioFields } from './model.ts'

const PORTFOLIO_FOLDER = 'portfolio'
const fileTypes = { ...imageTypes, ...videoTypes }
type PortfolioRow = typeof portfolioItems.$inferSelect
/** A portfolio item's like count, as a column of a query over portfolio_items. */
export const itemLikes = sql<number>`(select count(*) from ${portfolioLikes} where ${portfolioLikes.targetId} = ${portfolioItems.id})`

/** Images and short videos of a provider's work, stored under UPLOAD_DIR/portfolio. */
export class PortfolioService {
  private readonly folder: string

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    uploadDir: string,
    private readonly features: FeatureService,
  ) {
    this.folder = join(uploadDir, PORTFOLIO_FOLDER)
  }

  /** Newest first, each with its like count; `url` is the path under the server (made absolute by the route). */
  async list(providerId: string) {
    const rows = await this.db
      .select({ item: portfolioItems, likes: itemLikes })
      .from(portfolioItems)
      .where(eq(portfolioItems.providerId, providerId))
      .orderBy(desc(portfolioItems.createdAt), desc(portfolioItems.id))
    return rows.map(({ item, likes }) => toItem(item, likes))
  }

  /**
   * Streams the multipart `{ file, caption? }` to disk (type sniffed, size capped), then records
   * it. The owner's plan sets the upload size, whether videos are allowed and how many items fit;
   * the count is checked in the insert itself, so parallel uploads cannot pass it.
   */
  async add(provider: { id: string; userId: string }, request: Request) {
    const { flags, maxUploadMb } = await this.features.of(provider.userId)
    const maxItems = typeof flags.portfolioItems === 'number' ? flags.portfolioItems : 0
    await mkdir(this.folder, { recursive: true })
    const id = newId('pfi')
    const { fields, file } = await receiveMultipart(request, {
      fileField: 'file',
      maxFileBytes: maxUploadMb * 1024 * 1024,
      accepts: (mimeType, head) =>
        (fileTypes[mimeType]?.kind !== 'video' || flags.portfolioVideos === true) &&
        (fileTypes[mimeType]?.matches(head) ?? false),
      destination: (mimeType) => join(this.folder, `${id}.${fileTypes[mimeType]?.extension ?? 'bin'}`),
    })
    try {
      if (!file)
        throw invalid('VALIDATION_FAILED', 'Attach the image or video as the multipart field "file"', [
          { in: 'body', path: '/file', message: 'required' },
        ])
      const { caption } = validated(PortfolioFields, { caption: fields.caption?.[0] })
      const row = {
        id,
        providerId: provider.id,
        kind: fileTypes[file.mimeType]!.kind,
        path: `${UPLOADS_PATH}/${PORTFOLIO_FOLDER}/${basename(file.path)}`,
        mimeType: file.mimeType,
        sizeBytes: file.size,
        caption: caption ?? null,
        createdAt: new Date(this.clock.now()),
      }
      const roomLeft = sql`(select count(*) from ${portfolioItems} where ${portfolioItems.providerId} = ${provider.id}) < ${maxItems}`
      const { rowsAffected } = await insertWhere(this.db, portfolioItems, row, roomLeft)
      if (rowsAffected === 0)
        throw new DomainError(
          'PLAN_LIMIT_REACHED',
          `Your plan allows ${maxItems} portfolio items; remove one, upgrade or buy an extra`,
        )
      return toItem(row, 0)
    } catch (error) {
      if (file) await rm(file.path, { force: true })
      throw error
    }
  }

  async remove(providerId: string, id: string) {
    const [item] = await this.db
      .delete(portfolioItems)
      .where(and(eq(portfolioItems.id, id), eq(portfolioItems.providerId, providerId)))
      .returning()
    if (!item) throw notFound('Portfolio item')
    await rm(join(this.folder, basename(item.path)), { force: true })
  }
}

export const toItem = ({ path, ...item }: PortfolioRow, likes: number) => ({ ...item, url: path, likes })
