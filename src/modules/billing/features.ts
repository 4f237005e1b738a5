import { and, desc, eq, gt, lte } from 'drizzle-orm'
import type { Clock } from '../../clock.ts'
import type { Database } from '../../db/client.ts'
import { extraGrants, plans, subscriptions, type FeatureFlags } from '../../db/schema/billing.ts'

/** What an account without a plan or extras gets. */
const FREE_FEATURES = {
  flags: { portfolioItems: 10, portfolioVideos: true, priorityListing: false } as FeatureFlags,
  maxUploadMb: 5,
}

export interface Features {
  flags: FeatureFlags
  maxUploadMb: number
  planId: string | null
}

/** Extras add to limits (numbers) and switch features on (booleans). */
function withGrants(flags: FeatureFlags, grants: FeatureFlags): FeatureFlags {
  const merged = { ...flags }
  for (const [name, grant] of Object.entries(grants)) {
    const current = merged[name]
    merged[name] =
      typeof grant === 'number' ? (typeof current === 'number' ? current : 0) + grant : grant || current === true
  }
  return merged
}

/**
 * An account's features: the free ones, replaced by its active plan's, plus every extra it
 * bought. The upload limit never exceeds the server's MAX_UPLOAD_MB. Expiry is the
 * subscription's own job; `endsAt` is checked too so a late job never grants extra time.
 */
export class FeatureService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly serverMaxUploadBytes: number,
  ) {}

  async of(userId: string): Promise<Features> {
    const now = new Date(this.clock.now())
    const [active] = await this.db
      .select({ plan: plans })
      .from(subscriptions)
      .innerJoin(plans, eq(plans.id, subscriptions.planId))
      .where(
        and(
          eq(subscriptions.userId, userId),
          eq(subscriptions.status, 'active'),
          lte(subscriptions.startsAt, now),
          gt(subscriptions.endsAt, now),
        ),
      )
      .orderBy(desc(subscriptions.endsAt))
      .limit(1)
    const grants = await this.db
      .select({ grants: extraGrants.grants })
      .from(extraGrants)
      .where(eq(extraGrants.userId, userId))
    const base = active
      ? { flags: { ...FREE_FEATURES.flags, ...active.plan.flags }, maxUploadMb: active.plan.maxUploadMb }
      : FREE_FEATURES
    const serverMaxMb = Math.floor(this.serverMaxUploadBytes / (1024 * 1024))
    return {
      flags: grants.reduce((flags, row) => withGrants(flags, row.grants), base.flags),
      maxUploadMb: Math.min(base.maxUploadMb, serverMaxMb),
      planId: active?.plan.id ?? null,
    }
  }

  /** A numeric limit of the account (0 when the flag is missing or a switch). */
  async limit(userId: string, name: string): Promise<number> {
    const value = (await this.of(userId)).flags[name]
    return typeof value === 'number' ? value : 0
  }
}
