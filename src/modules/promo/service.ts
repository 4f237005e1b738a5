import { and, asc, desc, eq, gt, inArray, lte, type SQL } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { containsText } from '../../db/contains.ts'
import { users } from '../../db/schema/auth.ts'
import { promoAssets, promoRequests, type adTypes } from '../../db/schema/promo.ts'
import { staffMay, type AuthUser } from '../../access/policy.ts'
import { conflict, notFound, invalid } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import type { PrivateFiles } from '../../http/private-files.ts'
import { newId } from '../../ids.ts'
import type { InvoiceService } from '../billing/public.ts'
import type { NotificationService } from '../notifications/public.ts'
import { userDisplayName } from '../auth/public.ts'

type AdType = (typeof adTypes)[number]
type PromoRow = typeof promoRequests.$inferSelect
type AssetRow = typeof promoAssets.$inferSelect
type Listed = { request: PromoRow; userName: string }

const assetFilePath = (id: string) => `/promo/assets/${id}/file`
const toAssetDto = ({ path: _path, requestId: _request, ...asset }: AssetRow) => ({
  ...asset,
  url: assetFilePath(asset.id),
})

/**
 * Promotions (ads): a user asks for a slot between two dates with assets, staff quote a price or
 * reject, and paying the quote's invoice makes it active; it is shown publicly between its dates.
 */
export class PromoService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly files: PrivateFiles,
    private readonly invoices: InvoiceService,
    private readonly notifications: NotificationService,
  ) {
    invoices.onCancelled('promo', (invoice, { cancelled, at }) => [
      this.db
        .update(promoRequests)
        .set({ status: 'cancelled', updatedAt: at })
        .where(and(eq(promoRequests.id, invoice.subjectId), eq(promoRequests.status, 'pending_payment'), cancelled)),
    ])
    invoices.onPaid('promo', (invoice, { settled, paidAt }) => [
      this.db
        .update(promoRequests)
        .set({ status: 'active', updatedAt: paidAt })
        .where(and(eq(promoRequests.id, invoice.subjectId), eq(promoRequests.status, 'pending_payment'), settled)),
    ])
  }

  async create(userId: string, input: { adType: AdType; title: string; startAt: Date; endAt: Date; note?: string }) {
    const now = new Date(this.clock.now())
    if (input.endAt <= input.startAt || input.endAt <= now) {
      throw invalid('INVALID_DATES', 'endAt must be after startAt and in the future', [
        { in: 'body', path: '/endAt', message: 'after startAt and now' },
      ])
    }
    const id = newId('promo')
    await this.db.insert(promoRequests).values({
      id,
      userId,
      adType: input.adType,
      title: input.title,
      note: input.note ?? null,
      startAt: input.startAt,
      endAt: input.endAt,
      status: 'pending',
      createdAt: now,
      updatedAt: now,
    })
    return this.find(id)
  }

  /** An image or video for the ad, while the request is pending (owner only). */
  async addAsset(userId: string, id: string, request: Request) {
    const promo = await this.find(id)
    if (promo.userId !== userId) throw notFound('Promotion request')
    if (promo.status !== 'pending')
      throw conflict('INVALID_STATE', `The request is ${promo.status}; assets are added while it is pending`)
    const assetId = newId('passet')
    return this.files.store(request, assetId, async ({ file }) => {
      const [asset] = await this.db
        .insert(promoAssets)
        .values({
          id: assetId,
          requestId: id,
          path: file.name,
          mimeType: file.mimeType,
          sizeBytes: file.size,
          createdAt: new Date(this.clock.now()),
        })
        .returning()
      return toAssetDto(asset!)
    })
  }

  /** The owner's requests, newest first, a page at a time. */
  mine(userId: string, query: { limit: number; cursor?: string }) {
    return this.page(eq(promoRequests.userId, userId), query)
  }

  async get(viewer: AuthUser, id: string) {
    const promo = await this.find(id)
    if (promo.userId !== viewer.id && !staffMay(viewer, ['promo', 'read'])) throw notFound('Promotion request')
    return promo
  }

  /** Public: active promotions whose dates include now, soonest ending first. */
  async active(adType?: AdType) {
    const now = new Date(this.clock.now())
    const rows = await this.listed()
      .where(
        and(
          eq(promoRequests.status, 'active'),
          lte(promoRequests.startAt, now),
          gt(promoRequests.endAt, now),
          adType ? eq(promoRequests.adType, adType) : undefined,
        ),
      )
      .orderBy(asc(promoRequests.endAt), asc(promoRequests.id))
      .limit(100)
    return (await this.withAssets(rows)).map(({ id, adType, title, userId, userName, startAt, endAt, assets }) => ({
      id,
      adType,
      title,
      userId,
      userName,
      startAt,
      endAt,
      assets,
    }))
  }

  /** The asset's file: for the owner and promo staff, and for everyone while its promotion runs. */
  async assetFile(viewer: AuthUser | null, id: string): Promise<Response> {
    const [row] = await this.db
      .select({ asset: promoAssets, request: promoRequests })
      .from(promoAssets)
      .innerJoin(promoRequests, eq(promoRequests.id, promoAssets.requestId))
      .where(eq(promoAssets.id, id))
    const now = this.clock.now()
    const running =
      row?.request.status === 'active' && row.request.startAt.getTime() <= now && row.request.endAt.getTime() > now
    const allowed =
      row && (running || (viewer && (viewer.id === row.request.userId || staffMay(viewer, ['promo', 'read']))))
    if (!allowed) throw notFound('Asset')
    return this.files.response(row.asset.path, row.asset.mimeType)
  }

  staffList(query: { status?: PromoRow['status']; adType?: AdType; q?: string; limit: number; cursor?: string }) {
    const where = and(
      query.status ? eq(promoRequests.status, query.status) : undefined,
      query.adType ? eq(promoRequests.adType, query.adType) : undefined,
      query.q ? containsText(query.q, promoRequests.title, users.name) : undefined,
    )
    return this.page(where, query)
  }

  private async page(where: SQL | undefined, query: { limit: number; cursor?: string }) {
    const rows = await this.listed()
      .where(and(where, afterCursor(promoRequests.createdAt, promoRequests.id, decodeCursor(query.cursor))))
      .orderBy(desc(promoRequests.createdAt), desc(promoRequests.id))
      .limit(query.limit + 1)
    const page = toPage(
      rows.map((row) => ({ ...row, id: row.request.id, createdAt: row.request.createdAt })),
      query.limit,
    )
    return { items: await this.withAssets(page.items), nextCursor: page.nextCursor }
  }

  /** Staff price a pending request: its invoice and `pending_payment`, committed together. */
  async quote(staff: AuthUser, id: string, { amount, quoteNote }: { amount: number; quoteNote?: string }) {
    const promo = await this.find(id)
    if (promo.status !== 'pending') throw conflict('INVALID_STATE', `The request is already ${promo.status}`)
    const invoice = this.invoices.draft(promo.userId, 'promo', id, [
      { description: `Promotion (${promo.adType}): ${promo.title}`, quantity: 1, amount },
    ])
    const now = new Date(this.clock.now())
    await this.invoices.issueWith(
      invoice,
      this.db
        .update(promoRequests)
        .set({
          status: 'pending_payment',
          quoteAmount: amount,
          quoteNote: quoteNote ?? null,
          invoiceId: invoice.id,
          decidedBy: staff.id,
          updatedAt: now,
        })
        .where(and(eq(promoRequests.id, id), eq(promoRequests.status, 'pending'))),
      { id, idColumn: promoRequests.id, invoiceColumn: promoRequests.invoiceId },
    )
    return this.decided(id, (promo) => promo.invoiceId === invoice.id, {
      type: 'promo.quoted',
      title: {
        ar: 'وصل عرض السعر لإعلانك؛ ادفع الفاتورة لتفعيله',
        en: 'Your promotion is quoted: pay the invoice to run it',
      },
      data: { requestId: id, invoiceId: invoice.id },
    })
  }

  /** Staff turn down a pending request (a quoted one waits for its payment). */
  async reject(staff: AuthUser, id: string, rejectReason: string) {
    const now = new Date(this.clock.now())
    const changed = await this.db
      .update(promoRequests)
      .set({ status: 'rejected', rejectReason, decidedBy: staff.id, updatedAt: now })
      .where(and(eq(promoRequests.id, id), eq(promoRequests.status, 'pending')))
      .returning({ id: promoRequests.id })
    return this.decided(id, changed.length === 1, {
      type: 'promo.rejected',
      title: { ar: 'رُفض طلب الإعلان', en: 'Your promotion was rejected' },
      body: rejectReason,
      data: { requestId: id },
    })
  }

  /** Tells the requester once this call's guarded change took effect; 409 when another decision came first. */
  private async decided(
    id: string,
    changed: boolean | ((promo: { invoiceId: string | null }) => boolean),
    notice: Parameters<NotificationService['notify']>[1],
  ) {
    const promo = await this.find(id)
    if (!(typeof changed === 'boolean' ? changed : changed(promo)))
      throw conflict(
        'INVALID_STATE',
        `The request is ${promo.status}; only a pending request can be quoted or rejected`,
      )
    await this.notifications.notify(promo.userId, notice)
    return promo
  }

  private async find(id: string) {
    const [row] = await this.listed().where(eq(promoRequests.id, id))
    if (!row) throw notFound('Promotion request')
    return (await this.withAssets([row]))[0]!
  }

  private listed() {
    return this.db
      .select({ request: promoRequests, userName: userDisplayName })
      .from(promoRequests)
      .innerJoin(users, eq(users.id, promoRequests.userId))
      .$dynamic()
  }

  private async withAssets(rows: Listed[]) {
    const ids = rows.map((row) => row.request.id)
    const assets =
      ids.length === 0
        ? []
        : await this.db
            .select()
            .from(promoAssets)
            .where(inArray(promoAssets.requestId, ids))
            .orderBy(asc(promoAssets.createdAt), asc(promoAssets.id))
    return rows.map(({ request: { decidedBy: _staff, ...request }, userName }) => ({
      ...request,
      userName,
      assets: assets.filter((asset) => asset.requestId === request.id).map(toAssetDto),
    }))
  }
}
