import { t } from 'elysia'
import { oneOf } from '../../http/enums.ts'
import { languages, pendingRoles, roles, staffProfiles, themes } from '../../db/schema/auth.ts'

export const Email = t.String({ format: 'email', maxLength: 254, examples: ['amina@example.com'] })
const Phone = t.String({
  pattern: '^\\+[1-9][0-9]{7,14}$',
  description: 'E.164, e.g. +966500000001',
  examples: ['+966500000001'],
})
export const Password = t.String({ minLength: 8, maxLength: 128 })
export const Name = t.String({ minLength: 1, maxLength: 100 })
const OptionalText = (maxLength: number) => t.Optional(t.Union([t.String({ maxLength }), t.Null()]))

const RegistrableRole = oneOf(['customer', 'supporter', 'teacher', 'provider'], {
  default: 'customer',
  description:
    'staff accounts are created with `npm run admin -- create-staff`, never here; `supporter` applies: the account is a customer with `pendingRole: supporter` until staff approve it',
})

const RoleSchema = oneOf(roles)

const Preferences = t.Object(
  { language: oneOf(languages), theme: oneOf(themes) },
  { title: 'Preferences', description: 'language also picks the language of notifications' },
)

export const PrivateUser = t.Object(
  {
    id: t.String(),
    email: t.Union([t.String(), t.Null()]),
    phone: t.Union([t.String(), t.Null()]),
    name: t.String(),
    role: RoleSchema,
    pendingRole: t.Union([oneOf(pendingRoles), t.Null()], {
      description:
        'a role applied for at registration that staff have not approved yet; until then the account acts as `role`',
    }),
    staffProfile: t.Union([oneOf(staffProfiles), t.Null()]),
    available: t.Boolean(),
    bio: t.Union([t.String(), t.Null()]),
    avatarUrl: t.Union([t.String(), t.Null()]),
    preferences: Preferences,
    coinBalance: t.Integer(),
    createdAt: t.Date(),
    updatedAt: t.Date(),
  },
  { title: 'Me' },
)

export const PublicUser = t.Object(
  {
    id: t.String(),
    name: t.String(),
    role: RoleSchema,
    bio: t.Union([t.String(), t.Null()]),
    avatarUrl: t.Union([t.String(), t.Null()]),
    available: t.Boolean(),
    followers: t.Integer(),
    following: t.Integer(),
    streams: t.Integer({ description: 'streams they have hosted' }),
    isFollowing: t.Boolean(),
    createdAt: t.Date(),
  },
  { title: 'PublicUser' },
)

const TokenPair = {
  accessToken: t.String(),
  refreshToken: t.String(),
  tokenType: t.Literal('Bearer'),
  expiresIn: t.Integer({ description: 'access token lifetime in seconds' }),
}

export const AuthResult = t.Object({ user: PrivateUser, ...TokenPair }, { title: 'AuthResult' })

export const RegisterBody = t.Object({
  email: t.Optional(Email),
  phone: t.Optional(Phone),
  password: Password,
  name: Name,
  role: t.Optional(RegistrableRole),
})

export const LoginBody = t.Object({
  email: t.Optional(Email),
  phone: t.Optional(Phone),
  password: t.String({ minLength: 1, maxLength: 128 }),
})

export const OtpSendBody = t.Object({ phone: Phone })
export const OtpSendResult = t.Object({
  ok: t.Literal(true),
  expiresInSec: t.Integer(),
  resendAfterSec: t.Integer(),
  devCode: t.Optional(t.String({ description: 'only outside production with OTP_DEV_CODES on' })),
})
export const OtpVerifyBody = t.Object({ phone: Phone, code: t.String({ pattern: '^[0-9]{6}$' }) })
export const OtpVerifyResult = t.Object(
  { user: PrivateUser, isNewUser: t.Boolean(), needsCompletion: t.Boolean(), ...TokenPair },
  { title: 'OtpVerifyResult' },
)

export const RefreshBody = t.Object({ refreshToken: t.String({ minLength: 1, maxLength: 512 }) })
export const TokensResult = t.Object(TokenPair, { title: 'Tokens' })

export const UpdateMeBody = t.Object({
  name: t.Optional(Name),
  email: t.Optional(Email),
  bio: OptionalText(1000),
  avatarUrl: t.Optional(
    t.Union([
      t.String({
        pattern: '^(https?://[^\\s]+|/uploads/[^\\s]+)$',
        maxLength: 2048,
        description: 'an http(s) URL or one of our uploads (/uploads/…)',
      }),
      t.Null(),
    ]),
  ),
  preferences: t.Optional(t.Partial(Preferences, { minProperties: 1 })),
  role: t.Optional(t.Unknown({ description: 'refused with 403: a user cannot change their own role' })),
})

export const CompleteProfileBody = t.Object({ name: Name, email: t.Optional(Email), password: t.Optional(Password) })
export const AvailabilityBody = t.Object({ available: t.Boolean() })

const WalletTransaction = t.Object(
  {
    id: t.String(),
    amount: t.Integer({ description: 'coins, positive for credit, negative for debit' }),
    balanceAfter: t.Integer(),
    kind: t.String(),
    reference: t.Union([t.String(), t.Null()]),
    createdAt: t.Date(),
  },
  { title: 'WalletTransaction' },
)
export const Wallet = t.Object(
  { balance: t.Integer(), transactions: t.Array(WalletTransaction), nextCursor: t.Union([t.String(), t.Null()]) },
  { title: 'Wallet' },
)

export const CoinAmount = t.Integer({
  minimum: -1_000_000_000,
  maximum: 1_000_000_000,
  description: 'coins to credit (> 0) or debit (< 0); not 0',
})
export const AdjustCoinsBody = t.Object({ amount: CoinAmount, reason: t.String({ minLength: 1, maxLength: 500 }) })

export const FollowResult = t.Object({ following: t.Boolean(), followers: t.Integer() })
export const UserIdParams = t.Object({ id: t.String({ minLength: 1, maxLength: 64 }) })
