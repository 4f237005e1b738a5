import { MajlisMedia } from './majlis-media.ts'

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`
let media: MajlisMedia | null = null

function log(line: string) {
  $('log').textContent += `${new Date().toISOString().slice(11, 19)} ${line}\n`
}

function show(producerId: string, track: MediaStreamTrack) {
  const element = document.createElement(track.kind === 'video' ? 'video' : 'audio')
  element.id = `track-${producerId}`
  element.autoplay = true
  element.muted = true // autoplay policy; unmute from the page controls
  if (element instanceof HTMLVideoElement) element.playsInline = true
  element.srcObject = new MediaStream([track])
  $('videos').append(element)
}

/** Also the entry point the end-to-end tests drive. */
async function start(token: string, room: string): Promise<MajlisMedia> {
  media?.close()
  const session = new MajlisMedia({ url: wsUrl, token })
  media = session
  session.on('state', ({ state, reason }) => log(`state: ${state}${reason ? ` (${reason})` : ''}`))
  session.on('track', ({ peerId, source, producerId, track }) => {
    log(`receiving ${source} from ${peerId}`)
    show(producerId, track)
  })
  session.on('trackEnded', ({ producerId }) => document.getElementById(`track-${producerId}`)?.remove())
  session.on('peerJoined', ({ name }) => log(`${name} joined`))
  session.on('error', ({ error }) => log(`error: ${error.message}`))
  await session.join(room)
  for (const id of ['camera', 'microphone', 'screen', 'leave']) $<HTMLButtonElement>(id).disabled = false
  return session
}

async function signIn(path: 'register' | 'login') {
  const email = $<HTMLInputElement>('email').value
  const password = $<HTMLInputElement>('password').value
  const body = path === 'register' ? { email, password, name: email.split('@')[0] } : { email, password }
  const response = await fetch(`/api/v1/auth/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  const result = await response.json()
  if (!response.ok) return log(`${path} failed: ${result.error.message}`)
  sessionStorage.setItem('majlis-token', result.accessToken)
  $<HTMLButtonElement>('join').disabled = false
  log(`signed in as ${result.user.name}`)
}

$('register').onclick = () => void signIn('register')
$('login').onclick = () => void signIn('login')
$('join').onclick = () => void start(sessionStorage.getItem('majlis-token') ?? '', $<HTMLInputElement>('room').value).catch((error) => log(`join failed: ${error.message}`))
$('camera').onclick = () => void media?.publishCamera().then((track) => show('local-camera', track), (error) => log(error.message))
$('microphone').onclick = () => void media?.publishMicrophone().catch((error) => log(error.message))
$('screen').onclick = () => void media?.publishScreen().catch((error) => log(error.message))
$('leave').onclick = () => void media?.leave()

Object.assign(window, { majlisDemo: { start, current: () => media } })
