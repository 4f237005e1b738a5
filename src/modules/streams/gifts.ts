import { and, asc, desc, eq, sql } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { users } from '../../db/schema/auth.ts'
import { giftTransactions, gifts, streams } from '../../db/schema/streams.ts'
import type { AuthUser } from '../../access/policy.ts'
import { conflict, forbidden, notFound, invalid } from '../../errors/domain.ts'
import { newId } from '../../ids.ts'
import type { Wallet } from '../auth/public.ts'
import type { NotificationService } from '../notifications/public.ts'
import type { StreamRow, StreamService } from './service.ts'
import { dbErrorMentions } from '../../db/errors.ts'

export type GiftRow = typeof gifts.$inferSelect
export type GiftTransactionRow = typeof giftTransactions.$inferSelect

const toTransactionDto = ({ idempotencyKey: _key, ...transaction }: GiftTransactionRow) => transaction

/** Outside the database: the animation every viewer sees. */
export interface GiftEvents {
  sent(
    stream: StreamRow,
    event: { transaction: ReturnType<typeof toTransactionDto>; gift: GiftRow; sender: { id: string; name: string } },
  ): void
}

const LEADERBOARD_SIZE = 20
const toGiftDto = ({ sortOrder: _order, createdAt: _created, ...gift }: GiftRow) => ({
  ...gift,
  nameAr: gift.nameAr || gift.name,
})
const isDuplicateKey = (error: unknown) => dbErrorMentions(error, 'gift_transactions.sender_id')

/**
 * The gift catalogue and gift sends. A send is one batch: the gift row, both wallet entries and the
 * stream's counters, so the coins move exactly once or not at all (idempotencyKey, balance CHECK).
 */
export class GiftService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly wallet: Wallet,
    private readonly streams: StreamService,
    private readonly notifications: NotificationService,
    private readonly events: GiftEvents,
  ) {}

  async catalogue(includeInactive = false) {
    const rows = await this.db
      .select()
      .from(gifts)
      .where(includeInactive ? undefined : eq(gifts.active, true))
      .orderBy(asc(gifts.sortOrder), asc(gifts.coins))
    return rows.map(toGiftDto)
  }

  async create(input: {
    name: string
    nameAr?: string
    icon: string
    coins: number
    animation: string
    sortOrder?: number
  }) {
    const [gift] = await this.db
      .insert(gifts)
      .values({ id: newId('gift'), ...input, createdAt: new Date(this.clock.now()) })
      .returning()
    return toGiftDto(gift!)
  }

  async update(
    id: string,
    changes: Partial<Pick<GiftRow, 'name' | 'nameAr' | 'icon' | 'coins' | 'animation' | 'active' | 'sortOrder'>>,
  ) {
    const [gift] = await this.db.update(gifts).set(changes).where(eq(gifts.id, id)).returning()
    if (!gift) throw notFound('Gift')
    return toGiftDto(gift)
  }

  async send(
    sender: AuthUser,
    streamId: string,
    input: { giftId: string; recipientId?: string; quantity?: number; message?: string; idempotencyKey?: string },
  ) {
    const stream = await this.streams.get(sender, streamId)
    if (input.idempotencyKey) {
      const earlier = await this.byKey(sender.id, input.idempotencyKey)
      if (earlier) return { ...(await this.receipt(sender.id, earlier)), created: false }
    }
    if ((await this.streams.moderationOf(streamId, sender.id)).banned)
      throw forbidden('You are banned from this stream')
    if (stream.status !== 'live') throw conflict('STREAM_ENDED', 'The stream has ended')
    const [gift] = await this.db
      .select()
      .from(gifts)
      .where(and(eq(gifts.id, input.giftId), eq(gifts.active, true)))
    if (!gift) throw notFound('Gift')
    const recipientId = input.recipientId ?? stream.hostId
    if (recipientId !== stream.hostId && !(await this.streams.isInvitedCoHost(streamId, recipientId))) {
      throw invalid('INVALID_RECIPIENT', 'A gift goes to the host or one of the co-hosts')
    }
    if (recipientId === sender.id) throw invalid('INVALID_RECIPIENT', 'You cannot send a gift to yourself')

    const quantity = input.quantity ?? 1
    const transaction: GiftTransactionRow = {
      id: newId('gtx'),
      streamId,
      giftId: gift.id,
      senderId: sender.id,
      recipientId,
      quantity,
      coins: gift.coins * quantity,
      message: input.message ?? null,
      idempotencyKey: input.idempotencyKey ?? null,
      createdAt: new Date(this.clock.now()),
    }
    try {
      await this.wallet.commit([
        this.db.insert(giftTransactions).values(transaction),
        ...this.wallet.entries([
          { userId: sender.id, amount: -transaction.coins, kind: 'gift_sent', reference: transaction.id },
          { userId: recipientId, amount: transaction.coins, kind: 'gift_received', reference: transaction.id },
        ]),
        this.db
          .update(streams)
          .set({ gifts: sql`${streams.gifts} + ${quantity}`, coins: sql`${streams.coins} + ${transaction.coins}` })
          .where(eq(streams.id, streamId)),
      ])
    } catch (error) {
      // The same key sent twice at once: the first one charged; answer with it.
      const earlier =
        input.idempotencyKey && isDuplicateKey(error) ? await this.byKey(sender.id, input.idempotencyKey) : undefined
      if (earlier) return { ...(await this.receipt(sender.id, earlier)), created: false }
      throw error
    }
    this.events.sent(stream, {
      transaction: toTransactionDto(transaction),
      gift,
      sender: { id: sender.id, name: sender.name },
    })
    await this.notifications.notify(recipientId, {
      type: 'gift.received',
      title: {
        ar: `${sender.name} أرسل لك ${quantity > 1 ? `${quantity} × ` : ''}${gift.nameAr || gift.name}`,
        en: `${sender.name} sent you ${quantity > 1 ? `${quantity} × ` : ''}${gift.name}`,
      },
      body: input.message,
      data: {
        streamId,
        transactionId: transaction.id,
        giftId: gift.id,
        quantity,
        coins: transaction.coins,
        senderId: sender.id,
      },
      dedupeKey: `gift:${transaction.id}`,
    })
    return { ...(await this.receipt(sender.id, transaction)), created: true }
  }

  /** Top senders of the stream by coins. */
  async leaderboard(user: AuthUser, streamId: string) {
    await this.streams.get(user, streamId)
    const total = sql<number>`cast(sum(${giftTransactions.coins}) as integer)`
    return this.db
      .select({ userId: giftTransactions.senderId, name: users.name, coins: total })
      .from(giftTransactions)
      .innerJoin(users, eq(users.id, giftTransactions.senderId))
      .where(eq(giftTransactions.streamId, streamId))
      .groupBy(giftTransactions.senderId)
      .orderBy(desc(total), asc(giftTransactions.senderId))
      .limit(LEADERBOARD_SIZE)
  }

  private async byKey(senderId: string, key: string) {
    const [row] = await this.db
      .select()
      .from(giftTransactions)
      .where(and(eq(giftTransactions.senderId, senderId), eq(giftTransactions.idempotencyKey, key)))
    return row
  }

  private async receipt(senderId: string, transaction: GiftTransactionRow) {
    return { transaction: toTransactionDto(transaction), balance: await this.wallet.balance(senderId) }
  }
}
