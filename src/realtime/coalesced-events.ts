import { t } from 'elysia'
import type { Cluster } from '../cluster/index.ts'
import { Coalescer } from './coalescer.ts'
import type { Hub } from './hub.ts'

/** Who gets the event: one user's connections, or a channel's. */
export type Audience = { userId: string } | { channel: string }

/** The event for a subject as it stands now (read from the database), or null when it is gone. */
export type Render = (subjectId: string) => Promise<{ type: string; data: unknown } | null>

/** How often a change is announced to the other instances (well inside the delivery interval). */
const RELAY_INTERVAL_MS = 100
const Name = t.String({ minLength: 1, maxLength: 128 })

/**
 * An event about a subject that changes often (a poll's tally, a hand queue, a question's votes),
 * sent at most once per interval per subject to each connection, however many instances take the
 * changes: a change is announced to the other instances (coalesced), and every instance with part
 * of the audience renders the subject's current state and delivers it to its own connections.
 */
export class CoalescedEvents {
  private readonly deliveries: Coalescer
  private readonly relay: Coalescer

  constructor(
    /** Names the bus message, `events:<name>`. */
    private readonly name: string,
    private readonly render: Render,
    private readonly hub: Hub,
    private readonly cluster: Cluster | undefined,
    intervalMs: number,
    onError: (error: unknown) => void,
  ) {
    this.deliveries = new Coalescer(intervalMs, onError)
    this.relay = new Coalescer(intervalMs === 0 ? 0 : RELAY_INTERVAL_MS, onError)
    const AudienceSchema = t.Union([t.Object({ userId: Name }), t.Object({ channel: Name })])
    cluster?.bus.on(
      `events:${name}`,
      t.Object({ subjectId: Name, audience: AudienceSchema }),
      ({ subjectId, audience }) => this.deliverHere(subjectId, audience),
    )
  }

  changed(subjectId: string, audience: Audience): void {
    this.deliverHere(subjectId, audience)
    const bus = this.cluster?.bus
    if (bus) this.relay.trigger(subjectId, () => bus.broadcast(`events:${this.name}`, { subjectId, audience }))
  }

  /** The subject is gone (a closed poll): nothing pending for it is sent. */
  forget(subjectId: string): void {
    this.deliveries.forget(subjectId)
    this.relay.forget(subjectId)
  }

  private deliverHere(subjectId: string, audience: Audience): void {
    const here =
      'userId' in audience ? this.hub.hasConnectionHere(audience.userId) : this.hub.hasChannelHere(audience.channel)
    if (!here) return
    this.deliveries.trigger(subjectId, async () => {
      const event = await this.render(subjectId)
      if (!event) return
      if ('userId' in audience) this.hub.sendToUserHere(audience.userId, event.type, event.data)
      else this.hub.publishHere(audience.channel, event.type, event.data)
    })
  }
}
