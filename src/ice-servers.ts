import { t } from 'elysia'
import type { Clock } from './clock.ts'
import type { Config, IceServerConfig } from './config.ts'

export const IceServer = t.Object({
  urls: t.Union([t.String(), t.Array(t.String())]),
  username: t.Optional(t.String()),
  credential: t.Optional(t.String()),
})

/** WEBRTC_ICE_SERVERS_JSON, plus time-limited TURN credentials for the user (TURN REST convention) when configured. */
export function iceServersFor(config: Config, clock: Clock, userId: string): IceServerConfig[] {
  const { turn } = config
  if (!turn) return config.media.iceServers
  const username = `${Math.floor(clock.now() / 1000) + turn.ttlSec}:${userId}`
  const credential = new Bun.CryptoHasher('sha1', turn.secret).update(username).digest('base64')
  return [...config.media.iceServers, { urls: turn.urls, username, credential }]
}
