/** The browser SDK served at /sdk/majlis-media.js. */
export { MajlisMedia, MajlisSocket, RequestError } from './majlis-media.ts'
export { MajlisStream } from './majlis-stream.ts'
