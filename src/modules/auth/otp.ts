import { DomainError } from '../../errors/domain.ts'
import { and, desc, eq, gt, isNull, sql } from 'drizzle-orm'
import type { AppDeps } from '../../core.ts'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { otpCodes } from '../../db/schema/auth.ts'
import { tooManyRequests, type RateLimiter } from '../../http/rate-limit.ts'
import { newId } from '../../ids.ts'

export const otpPolicy = {
  codeTtlSec: 300,
  cooldownSec: 60,
  maxAttempts: 5,
  perPhone: { limit: 5, windowSec: 3600 },
  // A ceiling, not the main guard (the cooldown and perPhone are): a school's NAT address sends many.
  perIp: { limit: 500, windowSec: 3600 },
}

/** Hands a code to the user (an SMS gateway in a deployment); the dev code path needs none. */
export type OtpDelivery = NonNullable<AppDeps['otpDelivery']>

const otpRejected = (message: string, details?: unknown) => new DomainError('OTP_INVALID', message, details)

export class OtpService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly limiter: RateLimiter,
    private readonly pepper: string,
    private readonly deliver: OtpDelivery | undefined,
  ) {}

  /** Issues a new code for phone, replacing any earlier one; returns the code for dev mode. */
  async send(phone: string, ip: string): Promise<{ code: string }> {
    const now = this.clock.now()
    const latest = await this.db.query.otpCodes.findFirst({
      where: eq(otpCodes.phone, phone),
      orderBy: desc(otpCodes.createdAt),
    })
    const cooldownEnds = latest ? latest.createdAt.getTime() + otpPolicy.cooldownSec * 1000 : 0
    if (cooldownEnds > now) throw tooManyRequests(cooldownEnds, now, 'Wait before asking for another code')
    await this.limiter.consumeRule(
      `otp-phone:${phone}`,
      otpPolicy.perPhone,
      'Too many codes for this phone; try again later',
    )
    await this.limiter.consumeRule(`otp-ip:${ip}`, otpPolicy.perIp, 'Too many codes from this address; try again later')

    const code = String(crypto.getRandomValues(new Uint32Array(1))[0]! % 1_000_000).padStart(6, '0')
    await this.db.batch([
      this.db
        .update(otpCodes)
        .set({ consumedAt: new Date(now) })
        .where(and(eq(otpCodes.phone, phone), isNull(otpCodes.consumedAt))),
      this.db.insert(otpCodes).values({
        id: newId('otp'),
        phone,
        codeHash: this.hash(phone, code),
        expiresAt: new Date(now + otpPolicy.codeTtlSec * 1000),
        createdAt: new Date(now),
      }),
    ])
    await this.deliver?.(phone, code)
    return { code }
  }

  /** Spends the phone's live code if it matches; each wrong try counts, the fifth burns it. */
  async verify(phone: string, code: string): Promise<void> {
    await this.limiter.consume('otpPhone', phone)
    const now = new Date(this.clock.now())
    const live = await this.db.query.otpCodes.findFirst({
      where: and(eq(otpCodes.phone, phone), isNull(otpCodes.consumedAt), gt(otpCodes.expiresAt, now)),
      orderBy: desc(otpCodes.createdAt),
    })
    if (!live) throw otpRejected('No valid code for this phone; request a new one')

    if (!crypto.timingSafeEqual(Buffer.from(live.codeHash), Buffer.from(this.hash(phone, code)))) {
      const [counted] = await this.db
        .update(otpCodes)
        .set({
          attempts: sql`${otpCodes.attempts} + 1`,
          consumedAt: sql`CASE WHEN ${otpCodes.attempts} + 1 >= ${otpPolicy.maxAttempts} THEN ${now.getTime()} ELSE NULL END`,
        })
        .where(and(eq(otpCodes.id, live.id), isNull(otpCodes.consumedAt)))
        .returning({ attempts: otpCodes.attempts })
      const attemptsLeft = Math.max(0, otpPolicy.maxAttempts - (counted?.attempts ?? otpPolicy.maxAttempts))
      throw otpRejected(attemptsLeft > 0 ? 'Wrong code' : 'Wrong code; it is now burnt, request a new one', {
        attemptsLeft,
      })
    }

    const spent = await this.db
      .update(otpCodes)
      .set({ consumedAt: now })
      .where(and(eq(otpCodes.id, live.id), isNull(otpCodes.consumedAt)))
    if (spent.rowsAffected !== 1) throw otpRejected('No valid code for this phone; request a new one')
  }

  private hash(phone: string, code: string): string {
    return new Bun.CryptoHasher('sha256', this.pepper).update(`${phone}:${code}`).digest('hex')
  }
}
