import type Redis from 'ioredis'

/** A hub event for the other instances: to a channel's members or to all of a user's connections. */
export interface FanoutEvent {
  origin: string
  target: { channel: string; exceptConnectionId?: string } | { user: string }
  type: string
  data: unknown
}

/** Carries hub events between instances; one instance needs none. */
export interface FanoutBus {
  publish(event: FanoutEvent): void
  subscribe(deliver: (event: FanoutEvent) => void): Promise<void>
  close(): Promise<void>
}

const CHANNEL = 'majlis:ws'

/** With REDIS_URL: every instance publishes its hub events and delivers the others' to its own sockets. */
export class RedisFanout implements FanoutBus {
  private readonly subscriber: Redis

  constructor(private readonly redis: Redis) {
    // A connection in subscriber mode cannot run other commands, so it gets its own.
    this.subscriber = redis.duplicate()
  }

  publish(event: FanoutEvent): void {
    void this.redis.publish(CHANNEL, JSON.stringify(event))
  }

  async subscribe(deliver: (event: FanoutEvent) => void): Promise<void> {
    this.subscriber.on('message', (_channel, message) => deliver(JSON.parse(message) as FanoutEvent))
    await this.subscriber.subscribe(CHANNEL)
  }

  async close(): Promise<void> {
    await this.subscriber.quit()
  }
}
