import { t } from 'elysia'
import { badges, verificationStatuses } from '../../db/schema/verification.ts'
import { oneOf, optionalEnum } from '../../http/enums.ts'
import { PageQuery } from '../../http/pagination.ts'

const Id = t.String({ minLength: 1, maxLength: 64 })
export const IdParams = t.Object({ id: Id })

export const CreateVerification = t.Object({ badge: oneOf(badges), note: t.Optional(t.String({ maxLength: 1000 })) })
export const DocumentFields = t.Object({
  docType: t.String({
    minLength: 1,
    maxLength: 40,
    pattern: '^[a-z][a-z0-9_]*$',
    description: 'e.g. commercial_register, national_id, license',
  }),
  title: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
})
export const UploadDocument = t.Composite([
  t.Object({ file: t.String({ format: 'binary', description: 'pdf, jpeg, png or webp; at most MAX_UPLOAD_MB' }) }),
  DocumentFields,
])
export const VerificationDocument = t.Object(
  {
    id: t.String(),
    requestId: t.String(),
    docType: t.String(),
    title: t.Union([t.String(), t.Null()]),
    mimeType: t.String(),
    sizeBytes: t.Integer(),
    isApproved: t.Union([t.Boolean(), t.Null()], { description: 'null until reviewed' }),
    decisionNote: t.Union([t.String(), t.Null()]),
    reviewedAt: t.Union([t.Date(), t.Null()]),
    url: t.String({
      description: 'the file, for its owner and staff with the verification module (send the bearer token)',
    }),
    createdAt: t.Date(),
  },
  { title: 'VerificationDocument' },
)
export const VerificationRequest = t.Object(
  {
    id: t.String(),
    userId: t.String(),
    userName: t.String(),
    badge: oneOf(badges),
    note: t.Union([t.String(), t.Null()]),
    status: oneOf(verificationStatuses),
    invoiceId: t.Union([t.String(), t.Null()], { description: 'set once finalized with every document approved' }),
    decidedAt: t.Union([t.Date(), t.Null()]),
    verifiedUntil: t.Union([t.Date(), t.Null()]),
    documents: t.Array(VerificationDocument),
    createdAt: t.Date(),
    updatedAt: t.Date(),
  },
  { title: 'VerificationRequest' },
)
export const StaffVerificationQuery = t.Object({
  status: optionalEnum(verificationStatuses),
  q: t.Optional(t.String({ minLength: 1, maxLength: 100, description: 'words of the provider’s name or the note' })),
  ...PageQuery,
})
export const DocumentDecision = t.Object({
  isApproved: t.Boolean(),
  decisionNote: t.Optional(t.String({ maxLength: 1000 })),
})
