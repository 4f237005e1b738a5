import { jwt } from '@elysiajs/jwt'
import { Elysia, t } from 'elysia'
import { type Access, type AuthUser, mayAccess, staffMay } from '../access/policy.ts'
import { roles, type Role } from '../db/schema/auth.ts'
import { oneOf } from './enums.ts'
import { ApiError } from './errors.ts'
import { DomainError, forbidden } from '../errors/domain.ts'
import { cachedTokenVerifier } from './token-cache.ts'

interface Session {
  userId: string
  role: Role
}

const AccessClaims = t.Object({ sub: t.String(), role: oneOf(roles), typ: t.Literal('access') })

/** Signs and verifies access JWTs; routes get it as `accessJwt`, the WS hub through `verifier()`. */
export const accessTokens = (secret: string, accessMinutes: number) =>
  jwt({ name: 'accessJwt', secret, exp: `${accessMinutes}m`, schema: AccessClaims })
export type AccessTokens = ReturnType<typeof accessTokens>

export type AccessClaims = typeof AccessClaims.static & { exp?: number }

/**
 * Only what we sign is accepted: HS256 (not another HMAC under the same secret, nor `none`) with an
 * expiry (a token without `exp` would never expire).
 */
const accessTokenRules = { algorithms: ['HS256'], requiredClaims: ['exp'] }

/** Verifies access tokens through a cache of the ones already verified (see cachedTokenVerifier). */
export const cachedAccessTokenVerifier = (tokens: AccessTokens) =>
  cachedTokenVerifier<AccessClaims>((token) => tokens.decorator.accessJwt.verify(token, accessTokenRules))

/** Where the signed-in user's current row comes from: null when the account no longer exists. */
export interface UserLoader {
  loadAuthUser(id: string): Promise<AuthUser | null>
}

export interface AuthGuardOptions {
  tokens: AccessTokens
  /** The token check shared with the WS hub (cachedAccessTokenVerifier). */
  verifyToken(token: string): Promise<AccessClaims | false>
  /** The current user row, or null when the account no longer exists. */
  loadUser(id: string): Promise<AuthUser | null>
}

export const unauthenticated = (errorCode: 'UNAUTHENTICATED' | 'INVALID_TOKEN', message: string) =>
  new ApiError(401, errorCode, message, undefined, { 'www-authenticate': 'Bearer' })

function refusal(user: AuthUser, access: Access): DomainError | null {
  const { roles: allowedRoles, staff } =
    typeof access === 'object' && 'staff' in access ? access : { roles: access, staff: undefined }
  if (user.role === 'staff' && staff) {
    if (staffMay(user, staff)) return null
    const [module, level] = staff
    const hasModule = user.staffProfile === 'admin' || (user.staffModules ?? []).includes(module)
    return forbidden(
      hasModule
        ? `Your staff profile (${user.staffProfile}) may not do this: it needs ${level} access in "${module}"`
        : `This needs the staff module "${module}"`,
    )
  }
  if (mayAccess(user.role, allowedRoles)) return null
  if (user.role === 'phone_only')
    return new DomainError('PROFILE_INCOMPLETE', 'Complete your profile first (POST /api/v1/me/complete)')
  const allowed =
    allowedRoles === true || allowedRoles === 'any'
      ? 'a completed profile'
      : `one of the roles ${allowedRoles.join(', ')}`
  return forbidden(`This action needs ${allowed}`)
}

function assertNamesStaffModule(access: Access): void {
  if (Array.isArray(access) && access.includes('staff')) {
    throw new Error(`a route that admits staff must name its module: { roles: [...], staff: [module, level] }`)
  }
}

function bearerToken(authorization: string | undefined): string | null {
  const match = authorization?.match(/^Bearer\s+(\S+)$/i)
  return match?.[1] ?? null
}

/**
 * Verifies the access token once per request (`session`, also used by rate limiting) and gives
 * routes the `auth` option: `{ auth: ['supporter', 'staff'] }` resolves `user` or answers 401/403.
 */
export const authGuard = (options: AuthGuardOptions) =>
  new Elysia({ name: 'auth-guard' })
    .use(options.tokens)
    .derive({ as: 'global' }, async ({ headers }) => {
      const token = bearerToken(headers.authorization)
      const claims = token ? await options.verifyToken(token) : false
      const session: Session | null = claims ? { userId: claims.sub, role: claims.role } : null
      return { bearer: token, session }
    })
    .macro({
      auth: (access: Access) => {
        assertNamesStaffModule(access)
        return {
          async resolve({ bearer, session }) {
            if (!bearer)
              throw unauthenticated('UNAUTHENTICATED', 'Sign in first: send Authorization: Bearer <access token>')
            if (!session) throw unauthenticated('INVALID_TOKEN', 'The access token is invalid or has expired')
            const user = await options.loadUser(session.userId)
            if (!user) throw unauthenticated('INVALID_TOKEN', 'The account behind this token no longer exists')
            const refused = refusal(user, access)
            if (refused) throw refused
            return { user }
          },
        }
      },
      /** For public routes that show more to some callers: `viewer` is the signed-in user, or null (a bad token counts as none). */
      viewer: (enabled: true) => ({
        async resolve({ session }) {
          return { viewer: enabled && session ? await options.loadUser(session.userId) : null }
        },
      }),
    })
