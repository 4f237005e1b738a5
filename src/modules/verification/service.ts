import { and, asc, desc, eq, inArray, type SQL } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { containsText } from '../../db/contains.ts'
import { users } from '../../db/schema/auth.ts'
import { verificationDocuments, verificationRequests, type badges } from '../../db/schema/verification.ts'
import { staffMay, type AuthUser } from '../../access/policy.ts'
import { conflict, notFound } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import type { PrivateFiles } from '../../http/private-files.ts'
import { validated } from '../../http/validate.ts'
import { newId } from '../../ids.ts'
import type { JobScheduler } from '../../jobs/scheduler.ts'
import type { InvoiceService } from '../billing/public.ts'
import { providerVerification } from '../marketplace/public.ts'
import type { NotificationService } from '../notifications/public.ts'
import { DocumentFields } from './model.ts'
import { userDisplayName } from '../auth/public.ts'

type Badge = (typeof badges)[number]
type RequestRow = typeof verificationRequests.$inferSelect
type DocumentRow = typeof verificationDocuments.$inferSelect

/** What each badge costs for a year, in halalas. */
const BADGE_PRICES: Record<Badge, number> = { blue: 19_900, green: 29_900 }
const YEAR_MS = 365 * 24 * 60 * 60 * 1000
const EXPIRE_JOB = 'verification.expire'
const OPEN_STATUSES = ['pending', 'pending_payment'] as const

const documentFilePath = (id: string) => `/verification/documents/${id}/file`
const toDocumentDto = ({ path: _path, reviewedBy: _reviewer, ...document }: DocumentRow) => ({
  ...document,
  url: documentFilePath(document.id),
})

/**
 * Provider verification: a request with documents, each reviewed by staff, then finalized into an
 * invoice (all approved) or a rejection. Paying the invoice marks the provider verified for a
 * year, in the paying batch; a durable job withdraws the mark when the year is over.
 */
export class VerificationService {
  private readonly badge

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly files: PrivateFiles,
    private readonly invoices: InvoiceService,
    private readonly notifications: NotificationService,
    scheduler: JobScheduler,
  ) {
    this.badge = providerVerification(db)
    scheduler.register(EXPIRE_JOB, async ({ userId }) => {
      await this.badge.expire(String(userId), new Date(this.clock.now()))
    })
    invoices.onCancelled('verification', (invoice, { cancelled, at }) => [
      this.db
        .update(verificationRequests)
        .set({ status: 'cancelled', updatedAt: at })
        .where(
          and(
            eq(verificationRequests.id, invoice.subjectId),
            eq(verificationRequests.status, 'pending_payment'),
            cancelled,
          ),
        ),
    ])
    invoices.onPaid('verification', (invoice, { settled, paidAt }) => {
      const until = new Date(paidAt.getTime() + YEAR_MS)
      return [
        this.db
          .update(verificationRequests)
          .set({ status: 'verified', verifiedUntil: until, updatedAt: paidAt })
          .where(
            and(
              eq(verificationRequests.id, invoice.subjectId),
              eq(verificationRequests.status, 'pending_payment'),
              settled,
            ),
          ),
        this.badge.grant(invoice.userId, { at: paidAt, until }, settled),
        scheduler.scheduleWhere(
          {
            kind: EXPIRE_JOB,
            key: `verification-expire:${invoice.userId}`,
            runAt: until,
            payload: { userId: invoice.userId },
          },
          settled,
        ),
      ]
    })
  }

  /** One open request at a time (409 ALREADY_REQUESTED). */
  async create(userId: string, input: { badge: Badge; note?: string }) {
    const open = await this.db.query.verificationRequests.findFirst({
      where: and(eq(verificationRequests.userId, userId), inArray(verificationRequests.status, OPEN_STATUSES)),
    })
    if (open) throw conflict('ALREADY_REQUESTED', `You have an open verification request (${open.id})`)
    const now = new Date(this.clock.now())
    const id = newId('ver')
    await this.db.insert(verificationRequests).values({
      id,
      userId,
      badge: input.badge,
      note: input.note ?? null,
      status: 'pending',
      createdAt: now,
      updatedAt: now,
    })
    return (await this.withDocuments([(await this.byId(id))!]))[0]!
  }

  /** Streams the document to private storage; only the owner, while the request is pending. */
  async addDocument(userId: string, requestId: string, request: Request) {
    const owned = await this.owned(userId, requestId)
    if (owned.status !== 'pending')
      throw conflict('INVALID_STATE', `The request is ${owned.status}; documents are added while it is pending`)
    const id = newId('vdoc')
    return this.files.store(request, id, async ({ fields, file }) => {
      const { docType, title } = validated(DocumentFields, { docType: fields.docType?.[0], title: fields.title?.[0] })
      const [document] = await this.db
        .insert(verificationDocuments)
        .values({
          id,
          requestId,
          docType,
          title: title ?? null,
          path: file.name,
          mimeType: file.mimeType,
          sizeBytes: file.size,
          createdAt: new Date(this.clock.now()),
        })
        .returning()
      return toDocumentDto(document!)
    })
  }

  /** The owner's requests, newest first, a page at a time. */
  mine(userId: string, query: { limit: number; cursor?: string }) {
    return this.page(eq(verificationRequests.userId, userId), query)
  }

  /** The owner's request, or any for staff with the verification module. */
  async get(viewer: AuthUser, id: string) {
    const row = await this.byId(id)
    if (!row || (row.request.userId !== viewer.id && !staffMay(viewer, ['verification', 'read'])))
      throw notFound('Verification request')
    return (await this.withDocuments([row]))[0]!
  }

  async documentFile(viewer: AuthUser, id: string): Promise<Response> {
    const [row] = await this.db
      .select({ document: verificationDocuments, ownerId: verificationRequests.userId })
      .from(verificationDocuments)
      .innerJoin(verificationRequests, eq(verificationRequests.id, verificationDocuments.requestId))
      .where(eq(verificationDocuments.id, id))
    if (!row || (row.ownerId !== viewer.id && !staffMay(viewer, ['verification', 'read']))) throw notFound('Document')
    return this.files.response(row.document.path, row.document.mimeType)
  }

  /** Every request for staff, newest first, by status and words of the provider's name or the note. */
  staffList(query: { status?: RequestRow['status']; q?: string; limit: number; cursor?: string }) {
    return this.page(
      and(
        query.status ? eq(verificationRequests.status, query.status) : undefined,
        query.q ? containsText(query.q, users.name, verificationRequests.note) : undefined,
      ),
      query,
    )
  }

  private async page(where: SQL | undefined, query: { limit: number; cursor?: string }) {
    const rows = await this.withUser()
      .where(
        and(where, afterCursor(verificationRequests.createdAt, verificationRequests.id, decodeCursor(query.cursor))),
      )
      .orderBy(desc(verificationRequests.createdAt), desc(verificationRequests.id))
      .limit(query.limit + 1)
    const page = toPage(
      rows.map((row) => ({ ...row, id: row.request.id, createdAt: row.request.createdAt })),
      query.limit,
    )
    return { items: await this.withDocuments(page.items), nextCursor: page.nextCursor }
  }

  /** Staff approve or reject one document of a pending request; the owner is told. */
  async review(staff: AuthUser, documentId: string, decision: { isApproved: boolean; decisionNote?: string }) {
    const [row] = await this.db
      .select({ document: verificationDocuments, request: verificationRequests })
      .from(verificationDocuments)
      .innerJoin(verificationRequests, eq(verificationRequests.id, verificationDocuments.requestId))
      .where(eq(verificationDocuments.id, documentId))
    if (!row) throw notFound('Document')
    if (row.request.status !== 'pending')
      throw conflict('INVALID_STATE', `The request is ${row.request.status}; its documents can no longer be reviewed`)
    const [document] = await this.db
      .update(verificationDocuments)
      .set({
        isApproved: decision.isApproved,
        decisionNote: decision.decisionNote ?? null,
        reviewedBy: staff.id,
        reviewedAt: new Date(this.clock.now()),
      })
      .where(eq(verificationDocuments.id, documentId))
      .returning()
    await this.notifications.notify(row.request.userId, {
      type: decision.isApproved ? 'verification.document_approved' : 'verification.document_rejected',
      title: decision.isApproved
        ? { ar: 'قُبل مستند', en: 'A document was approved' }
        : { ar: 'رُفض مستند', en: 'A document was rejected' },
      body: decision.decisionNote,
      data: { requestId: row.request.id, documentId },
    })
    return toDocumentDto(document!)
  }

  /**
   * Every document reviewed: all approved → an invoice for the badge and `pending_payment`;
   * otherwise `rejected`. The status change and the invoice commit together, once.
   */
  async finalize(staff: AuthUser, id: string) {
    const row = await this.byId(id)
    if (!row) throw notFound('Verification request')
    const { request } = row
    if (request.status !== 'pending') throw conflict('INVALID_STATE', `The request is already ${request.status}`)
    const documents = await this.db.select().from(verificationDocuments).where(eq(verificationDocuments.requestId, id))
    if (documents.length === 0 || documents.some((document) => document.isApproved === null)) {
      throw conflict('DOCUMENTS_REQUIRED', 'Every document must be reviewed first (and there must be at least one)')
    }
    const approved = documents.every((document) => document.isApproved)
    const now = new Date(this.clock.now())
    const decided = { decidedBy: staff.id, decidedAt: now, updatedAt: now }
    const stillPending = and(eq(verificationRequests.id, id), eq(verificationRequests.status, 'pending'))
    if (approved) {
      const invoice = this.invoices.draft(request.userId, 'verification', id, [
        {
          description: `Verification badge (${request.badge}), one year`,
          quantity: 1,
          amount: BADGE_PRICES[request.badge],
        },
      ])
      await this.invoices.issueWith(
        invoice,
        this.db
          .update(verificationRequests)
          .set({ status: 'pending_payment', invoiceId: invoice.id, ...decided })
          .where(stillPending),
        {
          id,
          idColumn: verificationRequests.id,
          invoiceColumn: verificationRequests.invoiceId,
        },
      )
    } else {
      await this.db
        .update(verificationRequests)
        .set({ status: 'rejected', ...decided })
        .where(stillPending)
    }
    const result = await this.get(staff, id)
    if (result.status === 'pending') throw conflict('INVALID_STATE', 'The request changed meanwhile')
    await this.notifications.notify(request.userId, {
      type: approved ? 'verification.approved' : 'verification.rejected',
      title: approved
        ? {
            ar: 'قُبل طلب التوثيق؛ ادفع الفاتورة لتفعيل الشارة',
            en: 'Verification approved: pay the invoice to get the badge',
          }
        : { ar: 'رُفض طلب التوثيق', en: 'Verification rejected' },
      data: { requestId: id, invoiceId: result.invoiceId },
    })
    return result
  }

  private async owned(userId: string, id: string) {
    const request = await this.db.query.verificationRequests.findFirst({ where: eq(verificationRequests.id, id) })
    if (!request || request.userId !== userId) throw notFound('Verification request')
    return request
  }

  private async byId(id: string) {
    const [row] = await this.withUser().where(eq(verificationRequests.id, id))
    return row
  }

  private withUser() {
    return this.db
      .select({ request: verificationRequests, userName: userDisplayName })
      .from(verificationRequests)
      .innerJoin(users, eq(users.id, verificationRequests.userId))
      .$dynamic()
  }

  private async withDocuments(rows: { request: RequestRow; userName: string }[]) {
    const ids = rows.map((row) => row.request.id)
    const documents =
      ids.length === 0
        ? []
        : await this.db
            .select()
            .from(verificationDocuments)
            .where(inArray(verificationDocuments.requestId, ids))
            .orderBy(asc(verificationDocuments.createdAt), asc(verificationDocuments.id))
    return rows.map(({ request: { decidedBy: _staff, ...request }, userName }) => ({
      ...request,
      userName,
      documents: documents.filter((document) => document.requestId === request.id).map(toDocumentDto),
    }))
  }
}
