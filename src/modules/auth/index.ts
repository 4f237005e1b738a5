import { Elysia } from 'elysia'
import type { ModuleContext } from '../shared-services.ts'
import { OtpService } from './otp.ts'
import { profileRoutes } from './profile-routes.ts'
import { authRoutes } from './routes.ts'
import { staffUserRoutes } from './staff-routes.ts'
import { RefreshTokens } from './tokens.ts'

/** Accounts: registration and sign-in, /me with the wallet, public profiles and follows, staff work on users. */
export function authModule({ config, db, clock, limiter, logger, users, wallet, plugins, tuning }: ModuleContext) {
  const refreshTokens = new RefreshTokens(db, clock, config.jwt.refreshDays)
  const otp = new OtpService(db, clock, limiter, config.jwt.secret, tuning.otpDelivery)
  return new Elysia({ name: 'auth-module' })
    .use(authRoutes({ config, users, refreshTokens, otp, limiter, logger, ...plugins }))
    .use(profileRoutes({ users, wallet, refreshTokens, ...plugins }))
    .use(staffUserRoutes({ users, wallet }, plugins))
}
