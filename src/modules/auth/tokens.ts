import { DomainError } from '../../errors/domain.ts'
import { and, eq, isNull } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { refreshTokens } from '../../db/schema/auth.ts'
import { newId } from '../../ids.ts'

const DAY_MS = 24 * 60 * 60 * 1000

const sha256 = (value: string) => new Bun.CryptoHasher('sha256').update(value).digest('hex')

const refreshRejected = (
  errorCode: 'INVALID_REFRESH_TOKEN' | 'REFRESH_TOKEN_EXPIRED' | 'REFRESH_TOKEN_REUSED',
  message: string,
) => new DomainError(errorCode, message)

/**
 * Opaque refresh tokens, stored only as SHA-256 hashes. Each works once: using it yields a new
 * token of the same family; presenting a used one again means it leaked, so the family dies.
 */
export class RefreshTokens {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly lifetimeDays: number,
  ) {}

  async issue(userId: string, familyId: string = newId('fam')): Promise<string> {
    const token = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString('base64url')
    await this.db.insert(refreshTokens).values({
      id: newId('rtk'),
      userId,
      familyId,
      tokenHash: sha256(token),
      expiresAt: new Date(this.clock.now() + this.lifetimeDays * DAY_MS),
      createdAt: new Date(this.clock.now()),
    })
    return token
  }

  /** Spends a refresh token and returns its user and a new token of the same family. */
  async rotate(token: string): Promise<{ userId: string; refreshToken: string }> {
    const row = await this.db.query.refreshTokens.findFirst({ where: eq(refreshTokens.tokenHash, sha256(token)) })
    if (!row) throw refreshRejected('INVALID_REFRESH_TOKEN', 'The refresh token is not valid')
    if (row.revokedAt)
      throw refreshRejected('INVALID_REFRESH_TOKEN', 'The refresh token has been revoked; sign in again')
    if (row.usedAt) return this.rejectReuse(row.familyId)
    if (row.expiresAt.getTime() <= this.clock.now()) {
      throw refreshRejected('REFRESH_TOKEN_EXPIRED', 'The refresh token has expired; sign in again')
    }
    // The guard in WHERE makes two concurrent uses of one token produce exactly one winner.
    const spent = await this.db
      .update(refreshTokens)
      .set({ usedAt: new Date(this.clock.now()) })
      .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt)))
    if (spent.rowsAffected !== 1) return this.rejectReuse(row.familyId)
    return { userId: row.userId, refreshToken: await this.issue(row.userId, row.familyId) }
  }

  /** Logout: ends the session the token belongs to, if it is the caller's. */
  async revokeFamilyOf(token: string, userId: string): Promise<void> {
    const row = await this.db.query.refreshTokens.findFirst({
      where: and(eq(refreshTokens.tokenHash, sha256(token)), eq(refreshTokens.userId, userId)),
    })
    if (row) await this.revokeFamily(row.familyId)
  }

  async revokeAllOf(userId: string): Promise<void> {
    await this.db
      .update(refreshTokens)
      .set({ revokedAt: new Date(this.clock.now()) })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt)))
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.db
      .update(refreshTokens)
      .set({ revokedAt: new Date(this.clock.now()) })
      .where(and(eq(refreshTokens.familyId, familyId), isNull(refreshTokens.revokedAt)))
  }

  private async rejectReuse(familyId: string): Promise<never> {
    await this.revokeFamily(familyId)
    throw refreshRejected(
      'REFRESH_TOKEN_REUSED',
      'This refresh token was already used; every session from it has been signed out',
    )
  }
}
