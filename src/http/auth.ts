import { jwt } from '@elysiajs/jwt'
import { Elysia, t } from 'elysia'
import { roles, type Role, type StaffProfile } from '../db/schema/auth.ts'
import { ApiError } from './errors.ts'

/**
 * Who may call a route:
 * - 'any': any signed-in user, including a phone_only one who has not completed the profile;
 * - true: any user with a completed profile;
 * - a list of roles; 'customer' admits every completed role, since higher roles can do what a customer can.
 */
export type Access = 'any' | true | readonly Role[]

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

const AccessClaims = t.Object({ sub: t.String(), role: t.UnionEnum(roles), typ: t.Literal('access') })

/** Signs and verifies access JWTs; routes get it as `accessJwt`, the WS hub through `verifier()`. */
export const accessTokens = (secret: string, accessMinutes: number) =>
  jwt({ name: 'accessJwt', secret, exp: `${accessMinutes}m`, schema: AccessClaims })
export type AccessTokens = ReturnType<typeof accessTokens>

export const accessTokenVerifier = (tokens: AccessTokens) => tokens.decorator.accessJwt

export interface AuthGuardOptions {
  tokens: AccessTokens
  /** The current user row, or null when the account no longer exists. */
  loadUser(id: string): Promise<AuthUser | null>
}

const unauthenticated = (errorCode: string, message: string) =>
  new ApiError(401, errorCode, message, undefined, { 'www-authenticate': 'Bearer' })

export function mayAccess(role: Role, access: Access): boolean {
  if (access === 'any') return true
  if (role === 'phone_only') return false
  if (access === true) return true
  return access.includes(role) || access.includes('customer')
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
    .derive({ as: 'global' }, async ({ headers, accessJwt }) => {
      const token = bearerToken(headers.authorization)
      const claims = token ? await accessJwt.verify(token) : false
      const session: Session | null = claims ? { userId: claims.sub, role: claims.role } : null
      return { bearer: token, session }
    })
    .macro({
      auth: (access: Access) => ({
        async resolve({ bearer, session }) {
          if (!bearer) throw unauthenticated('UNAUTHENTICATED', 'Sign in first: send Authorization: Bearer <access token>')
          if (!session) throw unauthenticated('INVALID_TOKEN', 'The access token is invalid or has expired')
          const user = await options.loadUser(session.userId)
          if (!user) throw unauthenticated('INVALID_TOKEN', 'The account behind this token no longer exists')
          if (!mayAccess(user.role, access)) {
            if (user.role === 'phone_only') {
              throw new ApiError(403, 'PROFILE_INCOMPLETE', 'Complete your profile first (POST /api/v1/me/complete)')
            }
            const allowed = access === true || access === 'any' ? 'a completed profile' : `one of the roles ${access.join(', ')}`
            throw new ApiError(403, 'FORBIDDEN', `This action needs ${allowed}`)
          }
          return { user }
        },
      }),
    })
