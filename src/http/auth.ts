import { jwt } from '@elysiajs/jwt'
import { Elysia, t } from 'elysia'
import { roles, type Role, type StaffModule, type StaffProfile } from '../db/schema/auth.ts'
import { oneOf } from './enums.ts'
import { ApiError, forbidden } from './errors.ts'
import { cachedTokenVerifier } from './token-cache.ts'

/** What a staff member does within a module: reading; routine work (reply, assign, approve documents); managing. */
export type StaffLevel = 'read' | 'routine' | 'manage'
/** A staff route's module and the level it needs. */
export type StaffRule = readonly [module: StaffModule, level: StaffLevel]

const levelsOfProfile: Record<StaffProfile, readonly StaffLevel[]> = {
  admin: ['read', 'routine', 'manage'],
  power: ['read', 'routine', 'manage'],
  user: ['read', 'routine'],
  qa: ['read'],
}

/** Whether a staff member's profile and modules allow this (admin has every module). */
export function staffMay(
  user: Pick<AuthUser, 'role' | 'staffProfile' | 'staffModules'>,
  [module, level]: StaffRule,
): boolean {
  if (user.role !== 'staff' || !user.staffProfile || !levelsOfProfile[user.staffProfile].includes(level)) return false
  return user.staffProfile === 'admin' || (user.staffModules ?? []).includes(module)
}

type RoleAccess = 'any' | true | readonly Role[]

/**
 * Who may call a route:
 * - 'any': any signed-in user, including a phone_only one who has not completed the profile;
 * - true: any user with a completed profile;
 * - a list of roles; 'customer' admits every completed role, since higher roles can do what a customer can;
 * - `{ roles, staff: [module, level] }`: those roles, and staff only with that module and level.
 *   A route that gives staff powers names its module; a list with 'staff' but no rule is refused at start.
 */
export type Access = RoleAccess | { roles: RoleAccess; staff: StaffRule }

export interface AuthUser {
  id: string
  role: Role
  name: string
  staffProfile: StaffProfile | null
  staffModules: string[] | null
}

export interface Session {
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

export interface AuthGuardOptions {
  tokens: AccessTokens
  /** The token check shared with the WS hub (cachedAccessTokenVerifier). */
  verifyToken(token: string): Promise<AccessClaims | false>
  /** The current user row, or null when the account no longer exists. */
  loadUser(id: string): Promise<AuthUser | null>
}

export const unauthenticated = (errorCode: 'UNAUTHENTICATED' | 'INVALID_TOKEN', message: string) =>
  new ApiError(401, errorCode, message, undefined, { 'www-authenticate': 'Bearer' })

export function mayAccess(role: Role, access: RoleAccess): boolean {
  if (access === 'any') return true
  if (role === 'phone_only') return false
  if (access === true) return true
  return access.includes(role) || access.includes('customer')
}

function refusal(user: AuthUser, access: Access): ApiError | null {
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
    return new ApiError(403, 'PROFILE_INCOMPLETE', 'Complete your profile first (POST /api/v1/me/complete)')
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

export function bearerToken(authorization: string | undefined): string | null {
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
