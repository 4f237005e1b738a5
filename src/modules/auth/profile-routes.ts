import { t } from 'elysia'
import { errorResponses } from '../../http/errors.ts'
import { forbidden } from '../../errors/domain.ts'
import { PageQuery } from '../../http/pagination.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import {
  AvailabilityBody,
  CompleteProfileBody,
  FollowResult,
  PrivateUser,
  PublicUser,
  UpdateMeBody,
  UserIdParams,
  Wallet as WalletPage,
} from './model.ts'
import { toPrivateUser, type UserService } from './service.ts'
import type { RefreshTokens } from './tokens.ts'
import type { Wallet } from './wallet.ts'

export interface ProfileRouteDeps extends RoutePlugins {
  users: UserService
  wallet: Wallet
  refreshTokens: RefreshTokens
}

/** The signed-in user's own account (/me) and other users' public profiles. */
export const profileRoutes = ({ users, wallet, refreshTokens, ...plugins }: ProfileRouteDeps) =>
  moduleRoutes({ name: 'profile-routes' }, plugins)
    .group('/me', { detail: { tags: ['me'] } }, (me) =>
      me
        .get('', async ({ user }) => toPrivateUser(await users.require(user.id)), {
          auth: 'any',
          response: { 200: PrivateUser, ...errorResponses },
          detail: { summary: 'My account' },
        })
        .patch(
          '',
          async ({ user, body: { role, ...changes } }) => {
            if (role !== undefined) throw forbidden('You cannot change your own role')
            return toPrivateUser(await users.updateProfile(user.id, changes))
          },
          {
            auth: 'any',
            body: UpdateMeBody,
            response: { 200: PrivateUser, ...errorResponses },
            detail: { summary: 'Change my profile' },
          },
        )
        .delete(
          '',
          async ({ user, set }) => {
            await refreshTokens.revokeAllOf(user.id)
            await users.deleteAccount(user.id)
            set.status = 204
          },
          {
            auth: 'any',
            response: { 204: t.Void(), ...errorResponses },
            detail: { summary: 'Close my account (erases personal data, signs out everywhere)' },
          },
        )
        .post('/complete', async ({ user, body }) => toPrivateUser(await users.completeProfile(user.id, body)), {
          auth: 'any',
          body: CompleteProfileBody,
          response: { 200: PrivateUser, ...errorResponses },
          detail: { summary: 'Complete a phone_only profile; the account becomes a customer' },
        })
        .patch(
          '/availability',
          async ({ user, body }) => toPrivateUser(await users.setAvailability(user.id, body.available)),
          {
            auth: ['supporter', 'provider', 'teacher'],
            body: AvailabilityBody,
            response: { 200: PrivateUser, ...errorResponses },
            detail: { summary: 'Say whether I take new work now (supporters, providers, teachers)' },
          },
        )
        .get('/wallet', ({ user, query }) => wallet.page(user.id, { limit: query.limit ?? 20, cursor: query.cursor }), {
          auth: 'any',
          query: t.Object(PageQuery),
          response: { 200: WalletPage, ...errorResponses },
          detail: { summary: 'My coin balance and ledger, newest first' },
        }),
    )
    .group('/users/:id', { params: UserIdParams, detail: { tags: ['users'] } }, (profile) =>
      profile
        .get('', ({ user, params }) => users.publicProfile(params.id, user.id), {
          auth: true,
          response: { 200: PublicUser, ...errorResponses },
          detail: { summary: "A user's public profile" },
        })
        .post('/follow', ({ user, params }) => users.setFollowing(user.id, params.id, true), {
          auth: true,
          response: { 200: FollowResult, ...errorResponses },
          detail: { summary: 'Follow a user (idempotent)' },
        })
        .post('/unfollow', ({ user, params }) => users.setFollowing(user.id, params.id, false), {
          auth: true,
          response: { 200: FollowResult, ...errorResponses },
          detail: { summary: 'Stop following a user (idempotent)' },
        }),
    )
