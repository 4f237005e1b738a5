import { ApiError } from './errors.ts'

export interface RateLimitRule {
  limit: number
  windowSec: number
}

/**
 * Budgets per minute. Sign-in is counted per account or phone first (`loginAccount`, `otpPhone`);
 * what is counted per IP (`anonymous`, `login`, `otp`, `refresh`) is a ceiling wide enough for a
 * school or an office whose people all come from one NAT address (30 students signing in by OTP in
 * the same minute are 60 requests). RATE_LIMIT_FACTOR scales them all.
 */
const defaultRateLimits = {
  anonymous: { limit: 300, windowSec: 60 },
  user: { limit: 200, windowSec: 60 },
  otp: { limit: 300, windowSec: 60 },
  otpPhone: { limit: 10, windowSec: 60 },
  login: { limit: 300, windowSec: 60 },
  loginAccount: { limit: 10, windowSec: 60 },
  refresh: { limit: 300, windowSec: 60 },
} satisfies Record<string, RateLimitRule>

export type RateLimitScope = keyof typeof defaultRateLimits
export type RateLimitRules = Record<RateLimitScope, RateLimitRule>

/** The default limits scaled by RATE_LIMIT_FACTOR. */
export const scaledRateLimits = (factor: number): RateLimitRules =>
  Object.fromEntries(
    Object.entries(defaultRateLimits).map(([scope, rule]) => [
      scope,
      { ...rule, limit: Math.max(1, Math.round(rule.limit * factor)) },
    ]),
  ) as RateLimitRules

export interface WindowCount {
  count: number
  resetAt: number
}

/** Where hit counters live: memory for one instance; a Redis implementation shares them across instances. */
export interface RateLimitStore {
  /** Counts one hit for key in the fixed window that contains now. */
  hit(key: string, windowMs: number): Promise<WindowCount>
}

export class MemoryRateLimitStore implements RateLimitStore {
  private readonly windows = new Map<string, WindowCount>()
  private hitsSinceSweep = 0

  constructor(private readonly now: () => number = Date.now) {}

  async hit(key: string, windowMs: number): Promise<WindowCount> {
    const now = this.now()
    this.sweepOccasionally(now)
    let window = this.windows.get(key)
    if (!window || window.resetAt <= now) {
      window = { count: 0, resetAt: now + windowMs }
      this.windows.set(key, window)
    }
    window.count += 1
    return { ...window }
  }

  private sweepOccasionally(now: number): void {
    if (++this.hitsSinceSweep < 1000) return
    this.hitsSinceSweep = 0
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key)
  }
}

export const tooManyRequests = (resetAt: number, now: number, message = 'Too many requests, slow down') => {
  const retryAfter = Math.max(1, Math.ceil((resetAt - now) / 1000))
  return new ApiError(
    429,
    'RATE_LIMITED',
    message,
    { retryAfterSec: retryAfter },
    { 'retry-after': String(retryAfter) },
  )
}

/** Counts a hit against a window and throws 429 with Retry-After once the limit is passed. */
export class RateLimiter {
  constructor(
    private readonly store: RateLimitStore,
    private readonly rules: RateLimitRules,
    private readonly now: () => number = Date.now,
  ) {}

  async consume(scope: RateLimitScope, subject: string): Promise<void> {
    const rule = this.rules[scope]
    await this.consumeRule(`${scope}:${subject}`, rule)
  }

  /** For limits that are not one of the request scopes (OTP caps per phone, per IP). */
  async consumeRule(key: string, rule: RateLimitRule, message?: string): Promise<void> {
    const window = await this.store.hit(key, rule.windowSec * 1000)
    if (window.count > rule.limit) throw tooManyRequests(window.resetAt, this.now(), message)
  }
}
