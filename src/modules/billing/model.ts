import type { TOptional, TProperties } from '@sinclair/typebox'
import { t } from 'elysia'
import { invoicePurposes, invoiceStatuses, paymentStatuses, subscriptionStatuses } from '../../db/schema/billing.ts'
import { oneOf, optionalEnum } from '../../http/enums.ts'
import { PageQuery } from '../../http/pagination.ts'

const Id = t.String({ minLength: 1, maxLength: 64 })
export const IdParams = t.Object({ id: Id })
export const SkuParams = t.Object({ sku: t.String({ minLength: 1, maxLength: 64, pattern: '^[a-z0-9][a-z0-9-]*$' }) })
export const ProviderParams = t.Object({ provider: t.String({ minLength: 1, maxLength: 32, pattern: '^[a-z0-9-]+$' }) })
export const ReferenceParams = t.Object({
  reference: t.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' }),
})
const Halalas = (description: string) =>
  t.Integer({ minimum: 1, maximum: 1_000_000_000, description: `${description}, in halalas (1/100 SAR)` })
const Currency = t.Literal('SAR')
const Name = t.String({ minLength: 1, maxLength: 100 })

/** Feature flags and limits: `true`/`false` for features, numbers for limits (portfolioItems…). */
const FeatureFlags = t.Record(
  t.String({ pattern: '^[a-zA-Z][a-zA-Z0-9]{0,39}$' }),
  t.Union([t.Boolean(), t.Integer({ minimum: 0, maximum: 1_000_000 })]),
  {
    maxProperties: 30,
    additionalProperties: false,
    description:
      'feature switches (boolean) and limits (integer), e.g. { "portfolioItems": 50, "portfolioVideos": true }',
  },
)

const InvoiceLine = t.Object({
  description: t.String(),
  quantity: t.Integer(),
  amount: t.Integer({ description: 'line total, in halalas' }),
})
export const Invoice = t.Object(
  {
    id: t.String(),
    code: t.String({ description: 'human reference, e.g. INV-20261130-7KQ2MX' }),
    userId: t.String(),
    purpose: oneOf(invoicePurposes),
    subjectId: t.String({
      description: 'what it pays for: a verification or promotion request, a subscription, an extra sku, a coin pack',
    }),
    amount: t.Integer({ description: 'total, in halalas' }),
    currency: Currency,
    status: oneOf(invoiceStatuses),
    lines: t.Array(InvoiceLine),
    createdAt: t.Date(),
    paidAt: t.Union([t.Date(), t.Null()]),
  },
  { title: 'Invoice' },
)
export const InvoiceListQuery = t.Object({
  status: optionalEnum(invoiceStatuses),
  purpose: optionalEnum(invoicePurposes),
  ...PageQuery,
})

export const PayBody = t.Object({
  provider: t.String({
    minLength: 1,
    maxLength: 32,
    description: 'a payment provider this server offers (`mock` outside production)',
  }),
  idempotencyKey: t.Optional(
    t.String({
      minLength: 1,
      maxLength: 100,
      description: 'the same key for the same invoice answers 200 with the first attempt',
    }),
  ),
})
export const PaymentAttempt = t.Object(
  {
    id: t.String(),
    invoiceId: t.String(),
    provider: t.String(),
    status: oneOf(paymentStatuses),
    reference: t.String(),
    checkoutUrl: t.String({ description: 'the page where the payer pays' }),
    createdAt: t.Date(),
  },
  { title: 'PaymentAttempt' },
)

export const WebhookBody = t.Object(
  {
    reference: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
    invoiceCode: t.Optional(t.String({ minLength: 1, maxLength: 64 })),
    status: oneOf(['paid', 'failed'] as const),
    amount: t.Optional(
      t.Integer({ minimum: 0, description: 'what the gateway charged, in minor units; must equal the invoice' }),
    ),
    currency: t.Optional(t.String({ minLength: 3, maxLength: 3, description: 'must equal the invoice' })),
  },
  {
    description:
      "names the payment attempt (`reference`) or the invoice (`invoiceCode`); amount and currency, when stated, must be the invoice's",
  },
)
export const WebhookAnswer = t.Object({ received: t.Literal(true), duplicate: t.Boolean() })

/** A PATCH body: any of the fields, at least one, no defaults (an absent field stays as it is). */
const patchOf = <Fields extends TProperties>(fields: Fields) =>
  t.Object(
    Object.fromEntries(Object.entries(fields).map(([name, schema]) => [name, t.Optional(schema)])) as {
      [Name in keyof Fields]: TOptional<Fields[Name]>
    },
    { minProperties: 1 },
  )
/** New entries are on sale unless created with isActive: false. */
const createOf = <Fields extends TProperties>(fields: Fields) =>
  t.Object({ ...fields, isActive: t.Optional(t.Boolean({ default: true })) })

const planFields = {
  name: Name,
  amount: Halalas('price per period'),
  periodDays: t.Integer({ minimum: 1, maximum: 3660 }),
  flags: FeatureFlags,
  maxUploadMb: t.Integer({ minimum: 1, maximum: 1024 }),
}
export const Plan = t.Object(
  {
    id: t.String(),
    name: t.String(),
    amount: t.Integer(),
    currency: Currency,
    periodDays: t.Integer(),
    flags: FeatureFlags,
    maxUploadMb: t.Integer(),
    isActive: t.Boolean(),
  },
  { title: 'Plan' },
)
export const CreatePlan = createOf(planFields)
export const UpdatePlan = patchOf({ ...planFields, isActive: t.Boolean() })

const extraFields = { name: Name, amount: Halalas('price'), grants: FeatureFlags }
export const Extra = t.Object(
  {
    sku: t.String(),
    name: t.String(),
    amount: t.Integer(),
    currency: Currency,
    grants: FeatureFlags,
    isActive: t.Boolean(),
  },
  { title: 'Extra' },
)
export const CreateExtra = createOf({ sku: SkuParams.properties.sku, ...extraFields })
export const UpdateExtra = patchOf({ ...extraFields, isActive: t.Boolean() })

const coinPackFields = { name: Name, coins: t.Integer({ minimum: 1, maximum: 10_000_000 }), amount: Halalas('price') }
export const CoinPack = t.Object(
  {
    id: t.String(),
    name: t.String(),
    coins: t.Integer(),
    amount: t.Integer(),
    currency: Currency,
    isActive: t.Boolean(),
  },
  { title: 'CoinPack' },
)
export const CreateCoinPack = createOf(coinPackFields)
export const UpdateCoinPack = patchOf({ ...coinPackFields, isActive: t.Boolean() })

export const Subscription = t.Object(
  {
    id: t.String(),
    planId: t.String(),
    status: oneOf(subscriptionStatuses),
    startsAt: t.Union([t.Date(), t.Null()]),
    endsAt: t.Union([t.Date(), t.Null()]),
    createdAt: t.Date(),
  },
  { title: 'Subscription' },
)
export const SubscriptionWithInvoice = t.Object({ subscription: Subscription, invoice: Invoice })
export const InvoiceOnly = t.Object({ invoice: Invoice })
export const ExtraGrant = t.Object(
  { id: t.String(), sku: t.String(), invoiceId: t.String(), grants: FeatureFlags, createdAt: t.Date() },
  { title: 'ExtraGrant' },
)
export const Features = t.Object(
  {
    flags: FeatureFlags,
    maxUploadMb: t.Integer({
      description: 'the largest file this account may upload (also capped by the server’s MAX_UPLOAD_MB)',
    }),
    planId: t.Union([t.String(), t.Null()]),
  },
  { title: 'Features' },
)
