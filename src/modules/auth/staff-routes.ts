import { errorResponses } from '../../http/errors.ts'
import { Page, PageQuery } from '../../http/pagination.ts'
import { moduleRoutes, type RoutePlugins } from '../../http/module-routes.ts'
import { t } from 'elysia'
import { optionalEnum } from '../../http/enums.ts'
import { roles } from '../../db/schema/auth.ts'
import { AdjustCoinsBody, PrivateUser, UserIdParams } from './model.ts'
import { toPrivateUser, type UserService } from './service.ts'
import type { Wallet } from './wallet.ts'

/**
 * Back-office work on accounts: supporter applicants wait here until staff with the support module
 * approve them; staff with the users module adjust coin wallets, with a reason kept in the ledger.
 */
export const staffUserRoutes = ({ users, wallet }: { users: UserService; wallet: Wallet }, plugins: RoutePlugins) =>
  moduleRoutes({ name: 'staff-user-routes', prefix: '/backoffice/users', detail: { tags: ['backoffice'] } }, plugins)
    .get('/', ({ query }) => users.list({ ...query, limit: query.limit ?? 20 }), {
      auth: { roles: [], staff: ['users', 'read'] },
      query: t.Object({
        q: t.Optional(t.String({ minLength: 1, maxLength: 100, description: 'words of name, email or phone' })),
        role: optionalEnum(roles),
        ...PageQuery,
      }),
      response: { 200: Page(PrivateUser), ...errorResponses },
      detail: { summary: 'Accounts, newest first, by role and words of name, email or phone (staff, users module)' },
    })
    .get(
      '/pending-supporters',
      ({ query }) => users.pendingSupporters({ limit: query.limit ?? 20, cursor: query.cursor }),
      {
        auth: { roles: [], staff: ['support', 'read'] },
        query: t.Object(PageQuery),
        response: { 200: Page(PrivateUser), ...errorResponses },
        detail: {
          summary: 'Accounts that registered as supporters and wait for approval, oldest first (staff, support module)',
        },
      },
    )
    .post('/:id/approve-supporter', async ({ params }) => toPrivateUser(await users.approveSupporter(params.id)), {
      auth: { roles: [], staff: ['support', 'manage'] },
      params: UserIdParams,
      response: { 200: PrivateUser, ...errorResponses },
      detail: { summary: 'Make a supporter applicant a supporter (staff, support module, admin or power profile)' },
    })
    .post(
      '/:id/coins',
      async ({ user, params, body }) => ({
        balance: await wallet.adjust(params.id, body.amount, body.reason, user.id),
      }),
      {
        auth: { roles: [], staff: ['users', 'manage'] },
        params: UserIdParams,
        body: AdjustCoinsBody,
        response: { 200: t.Object({ balance: t.Integer() }), ...errorResponses },
        detail: {
          summary:
            'Credit (amount > 0) or debit (amount < 0) a wallet with a reason; never below 0 → 409 INSUFFICIENT_COINS (staff, users module, admin or power profile)',
        },
      },
    )
