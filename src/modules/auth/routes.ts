import { DomainError } from '../../errors/domain.ts'
import { t } from 'elysia'
import type { Config } from '../../config.ts'
import { errorResponses } from '../../http/errors.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import {
  AuthResult,
  LoginBody,
  OtpSendBody,
  OtpSendResult,
  OtpVerifyBody,
  OtpVerifyResult,
  RefreshBody,
  RegisterBody,
  TokensResult,
} from './model.ts'
import { otpPolicy, type OtpService } from './otp.ts'
import { toPrivateUser, type UserRow, type UserService } from './service.ts'
import type { RefreshTokens } from './tokens.ts'
import type { RateLimiter } from '../../http/rate-limit.ts'
import { logEvent, type Logger } from '../../logger.ts'

export interface AuthRouteDeps extends RoutePlugins {
  config: Config
  users: UserService
  refreshTokens: RefreshTokens
  otp: OtpService
  limiter: RateLimiter
  logger: Logger
}

/** Registration, password and OTP sign-in, token refresh and logout. */
export const authRoutes = ({ config, users, refreshTokens, otp, limiter, logger, ...plugins }: AuthRouteDeps) =>
  moduleRoutes({ name: 'auth-routes', prefix: '/auth', detail: { tags: ['auth'] } }, plugins)
    .resolve(({ accessJwt }) => ({
      /** A fresh access token plus a refresh token (a new family unless one is given). */
      issueTokens: async (user: UserRow, refreshToken?: string) => ({
        accessToken: await accessJwt.sign({ sub: user.id, role: user.role, typ: 'access' }),
        refreshToken: refreshToken ?? (await refreshTokens.issue(user.id)),
        tokenType: 'Bearer' as const,
        expiresIn: config.jwt.accessMinutes * 60,
      }),
    }))
    .post(
      '/register',
      async ({ body, issueTokens, set }) => {
        const user = await users.register({ ...body, role: body.role ?? 'customer' })
        logEvent(logger, 'auth.registered', user.id, { role: user.role })
        set.status = 201
        return { user: toPrivateUser(user), ...(await issueTokens(user)) }
      },
      {
        body: RegisterBody,
        response: { 201: AuthResult, ...errorResponses },
        detail: { summary: 'Create an account (not staff)', security: [] },
      },
    )
    .post(
      '/login',
      async ({ body, issueTokens }) => {
        await limiter.consume('loginAccount', (body.email ?? body.phone ?? '').toLowerCase())
        const user = await users.authenticate(body)
        logEvent(logger, 'auth.signed_in', user.id, { method: 'password' })
        return { user: toPrivateUser(user), ...(await issueTokens(user)) }
      },
      {
        body: LoginBody,
        rateLimit: 'login',
        response: { 200: AuthResult, ...errorResponses },
        detail: { summary: 'Sign in with email or phone and password', security: [] },
      },
    )
    .post(
      '/otp/send',
      async ({ body, clientIp }) => {
        const { code } = await otp.send(body.phone, clientIp)
        return {
          ok: true as const,
          expiresInSec: otpPolicy.codeTtlSec,
          resendAfterSec: otpPolicy.cooldownSec,
          ...(config.otpDevCodes ? { devCode: code } : {}),
        }
      },
      {
        body: OtpSendBody,
        rateLimit: 'otp',
        response: { 200: OtpSendResult, ...errorResponses },
        detail: { summary: 'Send a one-time code to a phone', security: [] },
      },
    )
    .post(
      '/otp/verify',
      async ({ body, issueTokens }) => {
        await otp.verify(body.phone, body.code)
        const { user, isNewUser } = await users.findOrCreateByPhone(body.phone)
        logEvent(logger, 'auth.signed_in', user.id, { method: 'otp', isNewUser })
        return {
          user: toPrivateUser(user),
          isNewUser,
          needsCompletion: user.role === 'phone_only',
          ...(await issueTokens(user)),
        }
      },
      {
        body: OtpVerifyBody,
        rateLimit: 'otp',
        response: { 200: OtpVerifyResult, ...errorResponses },
        detail: { summary: 'Sign in with a one-time code', security: [] },
      },
    )
    .post(
      '/refresh',
      async ({ body, issueTokens }) => {
        const rotated = await refreshTokens.rotate(body.refreshToken)
        const user = await users.findActive(rotated.userId)
        if (!user) throw new DomainError('INVALID_REFRESH_TOKEN', 'The account of this refresh token no longer exists')
        return issueTokens(user, rotated.refreshToken)
      },
      {
        body: RefreshBody,
        rateLimit: 'refresh',
        response: { 200: TokensResult, ...errorResponses },
        detail: { summary: 'Trade a refresh token for a new pair (works once)', security: [] },
      },
    )
    .post(
      '/logout',
      async ({ body, user, set }) => {
        await refreshTokens.revokeFamilyOf(body.refreshToken, user.id)
        set.status = 204
      },
      {
        auth: 'any',
        body: RefreshBody,
        response: { 204: t.Void(), ...errorResponses },
        detail: { summary: 'End the session of this refresh token' },
      },
    )
