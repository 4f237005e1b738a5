import { MajlisMedia } from './majlis-media.ts'
import { MajlisStream } from './majlis-stream.ts'

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`
let media: MajlisMedia | null = null
let stream: MajlisStream | null = null

function log(line: string) {
  $('log').textContent += `${new Date().toISOString().slice(11, 19)} ${line}\n`
}

function show(producerId: string, track: MediaStreamTrack) {
  document.getElementById(`track-${producerId}`)?.remove()
  const element = document.createElement(track.kind === 'video' ? 'video' : 'audio')
  element.id = `track-${producerId}`
  element.autoplay = true
  element.muted = true // autoplay policy; unmute from the page controls
  if (element instanceof HTMLVideoElement) element.playsInline = true
  element.srcObject = new MediaStream([track])
  $('videos').append(element)
}

function watchMedia(session: MajlisMedia): void {
  session.on('state', ({ state, reason }) => log(`state: ${state}${reason ? ` (${reason})` : ''}`))
  session.on('track', ({ peerId, source, producerId, track }) => {
    log(`receiving ${source} from ${peerId}`)
    show(producerId, track)
  })
  session.on('trackEnded', ({ producerId }) => document.getElementById(`track-${producerId}`)?.remove())
  session.on('peerJoined', ({ name }) => log(`${name} joined`))
  session.on('error', ({ error }) => log(`error: ${error.message}`))
}

/** Also the entry point the end-to-end tests drive; `urls` lists more instances to fall back on. */
async function start(token: string, room: string, urls: string[] = []): Promise<MajlisMedia> {
  media?.close()
  const session = new MajlisMedia({ url: [wsUrl, ...urls.filter((url) => url !== wsUrl)], token })
  media = session
  watchMedia(session)
  await session.join(room)
  for (const id of ['camera', 'microphone', 'screen', 'leave']) $<HTMLButtonElement>(id).disabled = false
  return session
}

async function signIn(path: 'register' | 'login') {
  const email = $<HTMLInputElement>('email').value
  const password = $<HTMLInputElement>('password').value
  const body = path === 'register' ? { email, password, name: email.split('@')[0] } : { email, password }
  const response = await fetch(`/api/v1/auth/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const result = await response.json()
  if (!response.ok) return log(`${path} failed: ${result.error.message}`)
  sessionStorage.setItem('majlis-token', result.accessToken)
  for (const id of ['join', 'go-live', 'watch']) $<HTMLButtonElement>(id).disabled = false
  log(`signed in as ${result.user.name}`)
}

$('register').onclick = () => void signIn('register')
$('login').onclick = () => void signIn('login')
$('join').onclick = () =>
  void start(sessionStorage.getItem('majlis-token') ?? '', $<HTMLInputElement>('room').value).catch((error) =>
    log(`join failed: ${error.message}`),
  )
$('camera').onclick = () =>
  void media?.publishCamera().then(
    (track) => show('local-camera', track),
    (error) => log(error.message),
  )
$('microphone').onclick = () => void media?.publishMicrophone().catch((error) => log(error.message))
$('screen').onclick = () => void media?.publishScreen().catch((error) => log(error.message))
$('leave').onclick = () => void media?.leave()

const api = (token: string, method: string, path: string, body?: unknown) =>
  fetch(`/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  }).then(async (response) => {
    const result = await response.json()
    if (!response.ok) throw new Error(result.error.message)
    return result
  })

function chatLine(text: string) {
  const line = document.createElement('div')
  line.textContent = text
  $('chat').append(line)
}

/** Joins a stream's channel and media room; the host goes on stage. Also driven by the end-to-end tests. */
async function enterStream(token: string, streamId: string): Promise<MajlisStream> {
  stream?.close()
  media?.close()
  const joined = await MajlisStream.join({ url: wsUrl, token, streamId })
  stream = joined
  media = joined.media
  watchMedia(joined.media)
  joined.on('message', ({ name, message }) => chatLine(`${name}: ${message}`))
  joined.on('gift', ({ sender, gift, transaction }) =>
    chatLine(`${gift.icon} ${sender.name} sent ${transaction.quantity} × ${gift.name}`),
  )
  // The join already received the host's tracks: show them, then whatever comes later.
  for (const { producerId, track } of joined.media.remoteTracks()) show(producerId, track)
  $('viewer-count').textContent = String(joined.viewerCount)
  joined.on('viewerCount', ({ viewerCount }) => ($('viewer-count').textContent = String(viewerCount)))
  joined.on('ended', ({ stats }) =>
    log(`stream ended after ${stats.durationSec} s, ${stats.totalViewers} viewers, ${stats.coins} coins`),
  )
  if (joined.role === 'host') {
    await joined.goOnStage()
    const preview = joined.media.localTrack('camera')
    if (preview) show('local-camera', preview)
  }
  $<HTMLInputElement>('stream-id').value = streamId
  for (const id of ['chat-text', 'chat-send', 'gift', 'gift-send']) $<HTMLButtonElement>(id).disabled = false
  $<HTMLButtonElement>('end-stream').disabled = joined.role !== 'host'
  const gifts: Array<{ id: string; name: string; icon: string; coins: number }> = await api(token, 'GET', '/gifts')
  $('gift').replaceChildren(
    ...gifts.map((gift) =>
      Object.assign(document.createElement('option'), {
        value: gift.id,
        textContent: `${gift.icon} ${gift.name} (${gift.coins})`,
      }),
    ),
  )
  log(`in stream ${streamId} as ${joined.role}`)
  return joined
}

async function goLive(token: string, input: { title: string; type: 'audio' | 'video' }): Promise<MajlisStream> {
  const created = await api(token, 'POST', '/streams', input)
  return enterStream(token, created.id)
}

const token = () => sessionStorage.getItem('majlis-token') ?? ''
const reportFailure = (what: string) => (error: Error) => log(`${what} failed: ${error.message}`)
$('go-live').onclick = () =>
  void goLive(token(), {
    title: $<HTMLInputElement>('stream-title').value,
    type: $<HTMLSelectElement>('stream-type').value as 'audio' | 'video',
  }).catch(reportFailure('going live'))
$('watch').onclick = () =>
  void enterStream(token(), $<HTMLInputElement>('stream-id').value.trim()).catch(reportFailure('watching'))
$('end-stream').onclick = () =>
  void api(token(), 'POST', `/streams/${stream?.streamId}/end`).catch(reportFailure('ending'))
$('chat-send').onclick = () => void stream?.send($<HTMLInputElement>('chat-text').value).catch(reportFailure('sending'))
$('gift-send').onclick = () =>
  void api(token(), 'POST', `/streams/${stream?.streamId}/gifts`, {
    giftId: $<HTMLSelectElement>('gift').value,
    idempotencyKey: crypto.randomUUID(),
  }).catch(reportFailure('the gift'))

Object.assign(window, { majlisDemo: { start, goLive, watch: enterStream, current: () => media, stream: () => stream } })
