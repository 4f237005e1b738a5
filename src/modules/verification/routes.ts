import { t } from 'elysia'
import type { Config } from '../../config.ts'
import type { Access } from '../../access/policy.ts'
import { ErrorBody, errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import { Page, PageQuery } from '../../http/pagination.ts'
import { API_PREFIX } from '../../http/paths.ts'
import { fileResponse, streamedUpload } from '../../http/upload-route.ts'
import { absoluteUrl } from '../../http/uploads.ts'
import {
  CreateVerification,
  DocumentDecision,
  IdParams,
  StaffVerificationQuery,
  UploadDocument,
  VerificationDocument,
  VerificationRequest,
} from './model.ts'
import type { VerificationService } from './service.ts'

const reviewers: Access = { roles: [], staff: ['verification', 'routine'] }

/** Providers ask for a badge with documents; staff with the verification module review and finalize. */
export const verificationRoutes = ({
  config,
  verification,
  ...plugins
}: { config: Config; verification: VerificationService } & RoutePlugins) => {
  const withUrls =
    (request: Request) =>
    <Item extends { documents: { url: string }[] }>(item: Item) => ({
      ...item,
      documents: item.documents.map((document) => ({
        ...document,
        url: absoluteUrl(config, request, API_PREFIX + document.url),
      })),
    })
  return moduleRoutes({ name: 'verification-routes', detail: { tags: ['verification'] } }, plugins)
    .post(
      '/verification/requests',
      async ({ user, body, request, set }) => {
        set.status = 201
        return withUrls(request)(await verification.create(user.id, body))
      },
      {
        auth: ['provider'],
        body: CreateVerification,
        response: { 201: VerificationRequest, ...errorResponses },
        detail: { summary: 'Ask for a verification badge (providers; one open request at a time → else 409)' },
      },
    )
    .post(
      '/verification/requests/:id/documents',
      async ({ user, params, request, set }) => {
        set.status = 201
        const document = await verification.addDocument(user.id, params.id, request)
        return { ...document, url: absoluteUrl(config, request, API_PREFIX + document.url) }
      },
      {
        auth: ['provider'],
        params: IdParams,
        ...streamedUpload(
          UploadDocument,
          'Attach a document to my pending request (multipart `{ file, docType, title? }`; pdf, jpeg, png, webp by content → else 422; > MAX_UPLOAD_MB → 413)',
        ),
        response: { 201: VerificationDocument, 413: ErrorBody, ...errorResponses },
      },
    )
    .get(
      '/verification/requests/mine',
      async ({ user, query, request }) => {
        const page = await verification.mine(user.id, { ...query, limit: query.limit ?? 20 })
        return { items: page.items.map(withUrls(request)), nextCursor: page.nextCursor }
      },
      {
        auth: 'any',
        query: t.Object(PageQuery),
        response: { 200: Page(VerificationRequest), ...errorResponses },
        detail: { summary: 'My verification requests with their documents, newest first' },
      },
    )
    .get(
      '/verification/requests/:id',
      async ({ user, params, request }) => withUrls(request)(await verification.get(user, params.id)),
      {
        auth: { roles: 'any', staff: ['verification', 'read'] },
        params: IdParams,
        response: { 200: VerificationRequest, ...errorResponses },
        detail: { summary: 'A verification request (its owner, or staff with the verification module)' },
      },
    )
    .get('/verification/documents/:id/file', ({ user, params }) => verification.documentFile(user, params.id), {
      auth: { roles: 'any', staff: ['verification', 'read'] },
      params: IdParams,
      response: { 200: t.Any(), ...errorResponses },
      detail: {
        summary: 'A document’s file, only for its owner and staff with the verification module (never public)',
        responses: fileResponse(['application/pdf', 'image/jpeg', 'image/png', 'image/webp']),
      },
    })
    .get(
      '/backoffice/verification/requests',
      async ({ query, request }) => {
        const page = await verification.staffList({ ...query, limit: query.limit ?? 20 })
        return { items: page.items.map(withUrls(request)), nextCursor: page.nextCursor }
      },
      {
        auth: { roles: [], staff: ['verification', 'read'] },
        query: StaffVerificationQuery,
        response: { 200: Page(VerificationRequest), ...errorResponses },
        detail: {
          tags: ['backoffice'],
          summary: 'Verification requests, newest first, by status and words of the provider’s name or note',
        },
      },
    )
    .patch(
      '/backoffice/verification/documents/:id',
      async ({ user, params, body, request }) => {
        const document = await verification.review(user, params.id, body)
        return { ...document, url: absoluteUrl(config, request, API_PREFIX + document.url) }
      },
      {
        auth: reviewers,
        params: IdParams,
        body: DocumentDecision,
        response: { 200: VerificationDocument, ...errorResponses },
        detail: {
          tags: ['backoffice'],
          summary: 'Approve or reject a document of a pending request (the owner is notified)',
        },
      },
    )
    .post(
      '/backoffice/verification/requests/:id/finalize',
      async ({ user, params, request }) => withUrls(request)(await verification.finalize(user, params.id)),
      {
        auth: reviewers,
        params: IdParams,
        response: { 200: VerificationRequest, ...errorResponses },
        detail: {
          tags: ['backoffice'],
          summary:
            'Decide: every document approved → an invoice for the badge and pending_payment; any rejected → rejected (409 DOCUMENTS_REQUIRED while one is unreviewed or there are none)',
        },
      },
    )
}
