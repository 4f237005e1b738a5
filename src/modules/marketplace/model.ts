import { t } from 'elysia'
import { offerStatuses, portfolioKinds, requestStatuses, requestTypes } from '../../db/schema/marketplace.ts'
import { oneOf, optionalEnum } from '../../http/enums.ts'
import { PageQuery } from '../../http/pagination.ts'

const Id = t.String({ minLength: 1, maxLength: 64 })
export const IdParams = t.Object({ id: Id })
export const ItemIdParams = t.Object({ itemId: Id })
const Name = t.String({ minLength: 1, maxLength: 100 })
const City = t.String({
  minLength: 1,
  maxLength: 80,
  description:
    'any spelling: with or without the article and harakat, Arabic or English for known cities (الرياض = رياض = Riyadh)',
})
const Halalas = (description: string) =>
  t.Integer({ minimum: 0, maximum: 1_000_000_000, description: `${description}, in halalas (1/100 SAR)` })
const Note = t.Optional(t.String({ maxLength: 1000 }))
export const NoteBody = t.Object({ note: Note })

export const Subcategory = t.Object(
  {
    id: t.String(),
    categoryId: t.String(),
    name: t.String(),
    nameEn: t.Union([t.String(), t.Null()]),
    isActive: t.Boolean(),
  },
  { title: 'Subcategory' },
)
export const Category = t.Object(
  {
    id: t.String(),
    name: t.String(),
    nameEn: t.Union([t.String(), t.Null()]),
    isActive: t.Boolean(),
    subcategories: t.Array(Subcategory),
  },
  { title: 'Category' },
)
export const CreateCategory = t.Object({
  name: Name,
  nameEn: t.Optional(Name),
  isActive: t.Optional(t.Boolean({ default: true })),
})
export const UpdateCategory = t.Object(
  { name: t.Optional(Name), nameEn: t.Optional(Name), isActive: t.Optional(t.Boolean()) },
  { minProperties: 1 },
)

const Rating = t.Object({
  average: t.Number({ description: 'mean of the ratings, 0 when there are none' }),
  count: t.Integer(),
})
export const CityInUse = t.Object(
  {
    key: t.String({ description: 'what the city filter compares: every spelling of one city has the same key' }),
    name: t.String({ description: 'the Arabic name of a known city, else the name as providers wrote it' }),
    nameEn: t.Union([t.String(), t.Null()], { description: 'the English name of a known city' }),
    providers: t.Integer({ description: 'listed providers in this city' }),
  },
  { title: 'CityInUse' },
)

export const ProviderSummary = t.Object(
  {
    id: t.String(),
    userId: t.String(),
    displayName: t.String(),
    bio: t.Union([t.String(), t.Null()]),
    city: t.String(),
    verified: t.Boolean(),
    verifiedUntil: t.Union([t.Date(), t.Null()], {
      description: 'the verified mark lasts until then (a year from the paid verification)',
    }),
    isActive: t.Boolean(),
    rating: Rating,
    createdAt: t.Date(),
  },
  { title: 'ProviderSummary' },
)

export const Service = t.Object(
  {
    id: t.String(),
    providerId: t.String(),
    subcategoryId: t.String(),
    title: t.String(),
    description: t.Union([t.String(), t.Null()]),
    priceFrom: t.Union([t.Integer(), t.Null()]),
    priceTo: t.Union([t.Integer(), t.Null()]),
    currency: t.Literal('SAR'),
    isActive: t.Boolean(),
    createdAt: t.Date(),
    updatedAt: t.Date(),
  },
  { title: 'Service' },
)

export const Provider = t.Object(
  {
    ...ProviderSummary.properties,
    subcategories: t.Array(Subcategory),
    followers: t.Integer(),
    likes: t.Integer(),
    services: t.Array(Service),
  },
  { title: 'Provider' },
)

export const RegisterProvider = t.Object({
  displayName: Name,
  bio: t.Optional(t.String({ maxLength: 2000 })),
  city: City,
  subcategoryIds: t.Optional(t.Array(Id, { maxItems: 50, uniqueItems: true })),
})
export const UpdateProvider = t.Object(
  {
    displayName: t.Optional(Name),
    bio: t.Optional(t.Union([t.String({ maxLength: 2000 }), t.Null()])),
    city: t.Optional(City),
  },
  { minProperties: 1 },
)
export const SubcategoryIds = t.Object({ subcategoryIds: t.Array(Id, { maxItems: 50, uniqueItems: true }) })

export const ProviderSearchQuery = t.Object({
  q: t.Optional(
    t.String({
      minLength: 1,
      maxLength: 100,
      description: 'words of the name or bio (prefixes match; Arabic folded: أ/ا, ة/ه, ى/ي, harakat ignored)',
    }),
  ),
  city: t.Optional(City),
  categoryId: t.Optional(Id),
  subcategoryId: t.Optional(Id),
  ...PageQuery,
})
export const BackofficeProviderQuery = t.Object({
  q: t.Optional(t.String({ minLength: 1, maxLength: 100 })),
  isActive: t.Optional(t.Boolean()),
  ...PageQuery,
})
export const ActiveFlag = t.Object({ isActive: t.Boolean() })

export const CreateService = t.Object({
  title: t.String({ minLength: 1, maxLength: 200 }),
  description: t.Optional(t.String({ maxLength: 4000 })),
  subcategoryId: Id,
  priceFrom: t.Optional(Halalas('lowest price')),
  priceTo: t.Optional(Halalas('highest price')),
  isActive: t.Optional(t.Boolean({ default: true })),
})
export const UpdateService = t.Object(
  {
    title: t.Optional(t.String({ minLength: 1, maxLength: 200 })),
    description: t.Optional(t.Union([t.String({ maxLength: 4000 }), t.Null()])),
    subcategoryId: t.Optional(Id),
    priceFrom: t.Optional(t.Union([Halalas('lowest price'), t.Null()])),
    priceTo: t.Optional(t.Union([Halalas('highest price'), t.Null()])),
    isActive: t.Optional(t.Boolean()),
  },
  { minProperties: 1 },
)

export const PortfolioItem = t.Object(
  {
    id: t.String(),
    providerId: t.String(),
    kind: oneOf(portfolioKinds),
    url: t.String({ description: 'absolute URL of the file' }),
    mimeType: t.String(),
    sizeBytes: t.Integer(),
    caption: t.Union([t.String(), t.Null()]),
    likes: t.Integer(),
    createdAt: t.Date(),
  },
  { title: 'PortfolioItem' },
)
export const PortfolioFields = t.Object({ caption: t.Optional(t.String({ maxLength: 500 })) })

export const FollowState = t.Object({ following: t.Boolean(), followers: t.Integer() })
export const LikeState = t.Object({ liked: t.Boolean(), likes: t.Integer() })
export const Fan = t.Object({ userId: t.String(), name: t.String(), since: t.Date() }, { title: 'Fan' })

export const ServiceRequest = t.Object(
  {
    id: t.String(),
    clientId: t.String(),
    type: oneOf(requestTypes),
    status: oneOf(requestStatuses),
    title: t.String(),
    description: t.String(),
    subcategoryId: t.String(),
    city: t.String(),
    budget: t.Union([t.Integer(), t.Null()]),
    currency: t.Literal('SAR'),
    providerId: t.Union([t.String(), t.Null()]),
    acceptedOfferId: t.Union([t.String(), t.Null()]),
    expiresAt: t.Union([t.Date(), t.Null()]),
    createdAt: t.Date(),
    updatedAt: t.Date(),
  },
  { title: 'ServiceRequest' },
)
export const CreateServiceRequest = t.Object({
  type: oneOf(requestTypes),
  title: t.String({ minLength: 1, maxLength: 200 }),
  description: t.String({ minLength: 1, maxLength: 4000 }),
  subcategoryId: Id,
  city: City,
  providerId: t.Optional(Id),
  budget: t.Optional(Halalas('budget')),
})
export const RequestListQuery = t.Object({
  status: optionalEnum(requestStatuses),
  type: optionalEnum(requestTypes),
  q: t.Optional(t.String({ minLength: 1, maxLength: 100, description: 'words of the title or description' })),
  ...PageQuery,
})
export const ProviderRequestQuery = t.Object({ status: optionalEnum(requestStatuses), ...PageQuery })
export const AvailableQuery = t.Object({ type: optionalEnum(['urgent', 'competitive'] as const), ...PageQuery })
export const HistoryEntry = t.Object(
  {
    status: oneOf(requestStatuses),
    actorId: t.Union([t.String(), t.Null()]),
    note: t.Union([t.String(), t.Null()]),
    at: t.Date(),
  },
  { title: 'RequestHistoryEntry' },
)
export const StaffTransition = t.Object({
  to: oneOf(['accepted', 'rejected', 'in_progress', 'completed', 'cancelled', 'expired'] as const),
  note: Note,
})

export const Offer = t.Object(
  {
    id: t.String(),
    requestId: t.String(),
    providerId: t.String(),
    price: t.Integer(),
    currency: t.Literal('SAR'),
    etaDays: t.Union([t.Integer(), t.Null()]),
    note: t.Union([t.String(), t.Null()]),
    status: oneOf(offerStatuses),
    createdAt: t.Date(),
  },
  { title: 'Offer' },
)
export const CreateOffer = t.Object({
  price: Halalas('price'),
  etaDays: t.Optional(t.Integer({ minimum: 0, maximum: 365 })),
  note: Note,
})

export const RequestMessage = t.Object(
  {
    id: t.String(),
    requestId: t.String(),
    senderId: t.String(),
    body: t.String(),
    clientMsgId: t.Union([t.String(), t.Null()]),
    createdAt: t.Date(),
  },
  { title: 'RequestMessage' },
)
export const MessageBody = t.String({ minLength: 1, maxLength: 4000 })
export const ClientMsgId = t.String({
  minLength: 1,
  maxLength: 64,
  description: 'your id for the message; a retried send with it is stored once',
})
export const PostRequestMessage = t.Object({ body: MessageBody, clientMsgId: t.Optional(ClientMsgId) })
export const StaffMessage = t.Object({ body: MessageBody })
export const ReadResult = t.Object({ marked: t.Integer({ description: 'how many messages from others became read' }) })
export const Thread = t.Object({ unread: t.Integer(), lastMessage: t.Union([RequestMessage, t.Null()]) })

export const Review = t.Object(
  {
    id: t.String(),
    requestId: t.String(),
    providerId: t.String(),
    clientId: t.String(),
    clientName: t.String(),
    rating: t.Integer(),
    comment: t.Union([t.String(), t.Null()]),
    createdAt: t.Date(),
  },
  { title: 'Review' },
)
export const CreateReview = t.Object({
  rating: t.Integer({ minimum: 1, maximum: 5 }),
  comment: t.Optional(t.String({ maxLength: 2000 })),
})
export const RatingSummary = t.Object({
  average: t.Number(),
  count: t.Integer(),
  distribution: t.Object({ 1: t.Integer(), 2: t.Integer(), 3: t.Integer(), 4: t.Integer(), 5: t.Integer() }),
})
