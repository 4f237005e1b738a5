import { t } from 'elysia'
import { adTypes, promoStatuses } from '../../db/schema/promo.ts'
import { oneOf, optionalEnum } from '../../http/enums.ts'
import { PageQuery } from '../../http/pagination.ts'

const Id = t.String({ minLength: 1, maxLength: 64 })
export const IdParams = t.Object({ id: Id })

export const CreatePromo = t.Object({
  adType: oneOf(adTypes),
  title: t.String({ minLength: 1, maxLength: 120 }),
  startAt: t.Date({ description: 'ISO-8601; before endAt' }),
  endAt: t.Date({ description: 'ISO-8601; in the future' }),
  note: t.Optional(t.String({ maxLength: 1000 })),
})
export const UploadAsset = t.Object({
  file: t.String({ format: 'binary', description: 'jpeg, png, webp, mp4 or webm; at most MAX_UPLOAD_MB' }),
})
export const PromoAsset = t.Object(
  {
    id: t.String(),
    mimeType: t.String(),
    sizeBytes: t.Integer(),
    url: t.String({ description: 'for the owner and promo staff; public once the promotion is active' }),
    createdAt: t.Date(),
  },
  { title: 'PromoAsset' },
)
export const PromoRequest = t.Object(
  {
    id: t.String(),
    userId: t.String(),
    userName: t.String(),
    adType: oneOf(adTypes),
    title: t.String(),
    note: t.Union([t.String(), t.Null()]),
    startAt: t.Date(),
    endAt: t.Date(),
    status: oneOf(promoStatuses),
    quoteAmount: t.Union([t.Integer(), t.Null()], { description: 'in halalas, once quoted' }),
    quoteNote: t.Union([t.String(), t.Null()]),
    rejectReason: t.Union([t.String(), t.Null()]),
    invoiceId: t.Union([t.String(), t.Null()]),
    assets: t.Array(PromoAsset),
    createdAt: t.Date(),
    updatedAt: t.Date(),
  },
  { title: 'PromoRequest' },
)
export const ActivePromotion = t.Object(
  {
    id: t.String(),
    adType: oneOf(adTypes),
    title: t.String(),
    userId: t.String(),
    userName: t.String(),
    startAt: t.Date(),
    endAt: t.Date(),
    assets: t.Array(PromoAsset),
  },
  { title: 'ActivePromotion' },
)
export const ActiveQuery = t.Object({ adType: optionalEnum(adTypes) })
export const StaffPromoQuery = t.Object({
  status: optionalEnum(promoStatuses),
  adType: optionalEnum(adTypes),
  q: t.Optional(t.String({ minLength: 1, maxLength: 100, description: 'words of the title or the requester’s name' })),
  ...PageQuery,
})
export const Quote = t.Object({
  amount: t.Integer({ minimum: 1, maximum: 1_000_000_000, description: 'in halalas (1/100 SAR)' }),
  quoteNote: t.Optional(t.String({ maxLength: 1000 })),
})
export const Rejection = t.Object({ rejectReason: t.String({ minLength: 1, maxLength: 1000 }) })
