import { and, desc, eq, isNull, sql, type SQL } from 'drizzle-orm'
import type { BatchItem } from 'drizzle-orm/batch'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { insertWhere } from '../../db/insert-where.ts'
import { users, walletTransactions } from '../../db/schema/auth.ts'
import { conflict, notFound, invalid } from '../../errors/domain.ts'
import { afterCursor, decodeCursor, toPage } from '../../http/pagination.ts'
import { newId } from '../../ids.ts'
import { dbErrorMentions } from '../../db/errors.ts'

/** The balance check `coin_balance >= 0` refused a debit. */
const isInsufficientCoins = (error: unknown) => dbErrorMentions(error, 'users_coin_balance_non_negative')
const insufficientCoins = () => conflict('INSUFFICIENT_COINS', 'Not enough coins')

export interface LedgerEntry {
  userId: string
  amount: number
  kind: string
  reference: string
}

/**
 * The coin ledger over users.coin_balance. Every change is one batch (one SQLite transaction):
 * the balance updates and exactly one ledger row per side. A debit below zero trips the table's
 * CHECK, which rolls the whole batch back, so a balance is never negative and never half-moved.
 */
export class Wallet {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  async balance(userId: string): Promise<number> {
    const [row] = await this.db
      .select({ balance: users.coinBalance })
      .from(users)
      .where(and(eq(users.id, userId), isNull(users.deletedAt)))
    if (!row) throw notFound('User')
    return row.balance
  }

  async page(userId: string, page: { limit: number; cursor?: string }) {
    const balance = await this.balance(userId)
    const rows = await this.db
      .select()
      .from(walletTransactions)
      .where(
        and(
          eq(walletTransactions.userId, userId),
          afterCursor(walletTransactions.createdAt, walletTransactions.id, decodeCursor(page.cursor)),
        ),
      )
      .orderBy(desc(walletTransactions.createdAt), desc(walletTransactions.id))
      .limit(page.limit + 1)
    const { items, nextCursor } = toPage(rows, page.limit)
    return { balance, transactions: items.map(({ userId: _owner, ...transaction }) => transaction), nextCursor }
  }

  /**
   * The statements that apply entries: run them in one db.batch, together with the caller's own
   * rows (a gift, an invoice) so that those and the money commit or fail as one. With `onlyIf`,
   * nothing moves unless that condition holds when the batch runs (the invoice paid by this event).
   */
  entries(entries: LedgerEntry[], onlyIf?: SQL): BatchItem<'sqlite'>[] {
    const createdAt = new Date(this.clock.now())
    return entries.flatMap((entry) => {
      const row = {
        id: newId('wtx'),
        userId: entry.userId,
        amount: entry.amount,
        balanceAfter: sql`(select ${users.coinBalance} from ${users} where ${users.id} = ${entry.userId})`,
        kind: entry.kind,
        reference: entry.reference,
        createdAt,
      }
      return [
        this.db
          .update(users)
          .set({ coinBalance: sql`${users.coinBalance} + ${entry.amount}` })
          .where(and(eq(users.id, entry.userId), onlyIf)),
        onlyIf ? insertWhere(this.db, walletTransactions, row, onlyIf) : this.db.insert(walletTransactions).values(row),
      ]
    })
  }

  /** Runs a batch holding ledger entries; a debit beyond the balance becomes 409 INSUFFICIENT_COINS. */
  async commit<const Items extends readonly [BatchItem<'sqlite'>, ...BatchItem<'sqlite'>[]]>(items: Items) {
    try {
      return await this.db.batch(items)
    } catch (error) {
      if (isInsufficientCoins(error)) throw insufficientCoins()
      throw error
    }
  }

  /** Staff credit (amount > 0) or debit (amount < 0) with a reason; never below zero. */
  async adjust(userId: string, amount: number, reason: string, staffId: string | null): Promise<number> {
    if (amount === 0)
      throw invalid('VALIDATION_FAILED', 'amount must not be 0', [
        { in: 'body', path: '/amount', message: 'must not be 0' },
      ])
    await this.balance(userId)
    const [first, ...rest] = this.entries([
      { userId, amount, kind: 'adjustment', reference: `${staffId ?? 'cli'}: ${reason}` },
    ])
    await this.commit([first!, ...rest])
    return this.balance(userId)
  }
}
