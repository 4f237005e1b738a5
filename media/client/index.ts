/** The browser SDK (the npm package, and the bundle served at /sdk/majlis-media.js). */
export {
  MajlisMedia,
  MajlisSocket,
  RequestError,
  cameraEncodings,
  type ConsumerStats,
  type MediaSource,
  type PublisherStats,
  type RemoteTrack,
  type TransportSecurity,
} from './majlis-media.ts'
export { type GiftAnimation, MajlisStream, type StreamStats } from './majlis-stream.ts'
export {
  MajlisClass,
  REACTIONS,
  type AttendanceRow,
  type ChatMessage,
  type ClassJoinOptions,
  type ClassRole,
  type ClassSession,
  type Participant,
  type Poll,
  type Question,
  type RaisedHand,
  type Reaction,
} from './majlis-class.ts'
export { MajlisApi } from './rest.ts'
export type { SocketOptions } from './socket.ts'
