import { MajlisClass, RequestError, type AttendanceRow } from '@majlis/sdk'
import { applyLanguage, initialLanguage } from '../ui/language.ts'
import { h, table } from '../ui/dom.ts'
import { translator, type Language, type TextKey } from './i18n.ts'
import {
  chatPanel,
  download,
  handsPanel,
  participantsPanel,
  pollsPanel,
  questionsPanel,
  reactionsBar,
  type Act,
} from './panels.ts'
import { forgetToken, signInView, storedToken } from './sign-in.ts'
import { Stage } from './stage.ts'

const LANGUAGE_KEY = 'majlis.classroom.language'
const roomCode = decodeURIComponent(location.pathname.split('/').filter(Boolean).at(-1) ?? '')
const root = document.getElementById('app')!
const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' })
let language: Language = initialLanguage(LANGUAGE_KEY)
let t = translator(language)
let lesson: MajlisClass | null = null
let removed = false
/** The listeners of the view on screen, dropped when it is rebuilt (another language, a new state). */
let viewListeners: Array<() => void> = []

/** The class as the view's panels see it: the same object, whose listeners go when the view does. */
function forThisView(live: MajlisClass): MajlisClass {
  return new Proxy(live, {
    get(target, property) {
      if (property === 'on') {
        return (event: Parameters<MajlisClass['on']>[0], listener: Parameters<MajlisClass['on']>[1]) => {
          const off = target.on(event, listener)
          viewListeners.push(off)
          return off
        }
      }
      const value = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

function setLanguage(next: Language) {
  language = next
  t = translator(next)
  applyLanguage(next, LANGUAGE_KEY, lesson ? `${lesson.session.title} · ${t('title')}` : t('title'))
}

const act: Act = (action) => {
  status.className = 'status'
  status.textContent = ''
  action().catch((error: unknown) => {
    status.className = 'status error'
    status.textContent = error instanceof Error ? error.message : String(error)
  })
}

function header(count?: HTMLElement) {
  return h(
    'header',
    {},
    h('h1', { dir: 'auto' }, lesson?.session.title ?? t('title')),
    count ?? null,
    h(
      'button',
      {
        type: 'button',
        id: 'language',
        lang: language === 'ar' ? 'en' : 'ar',
        onclick: () => {
          setLanguage(language === 'ar' ? 'en' : 'ar')
          render()
        },
      },
      t('language'),
    ),
    storedToken()
      ? h(
          'button',
          {
            type: 'button',
            id: 'sign-out',
            onclick: () => {
              forgetToken()
              lesson?.close()
              lesson = null
              render()
            },
          },
          t('signOut'),
        )
      : null,
  )
}

/** A notice in place of the class (not started, removed, ended). */
const notice = (id: string, ...children: Array<Node | string | null>) =>
  h('section', { class: 'notice card', id, role: 'status' }, ...children)

function teacherControls(stage: Stage) {
  const live = lesson!
  const toggle = (source: 'camera' | 'microphone' | 'screen', label: TextKey) => {
    const button = h('button', {
      type: 'button',
      id: `toggle-${source}`,
      'aria-pressed': String(live.media.localTrack(source) !== null),
    })
    const paint = () => {
      const on = live.media.localTrack(source) !== null
      button.setAttribute('aria-pressed', String(on))
      button.textContent =
        source === 'screen' ? (on ? t('stopScreen') : t('screen')) : `${t(label)}: ${on ? t('on') : t('off')}`
    }
    paint()
    button.addEventListener('click', () =>
      act(async () => {
        if (live.media.localTrack(source)) await live.unpublish(source)
        else if (source === 'camera') await live.publishCamera()
        else if (source === 'microphone') await live.publishMicrophone()
        else await live.publishScreen()
        paint()
        stage.showLocal()
      }),
    )
    return button
  }
  const devices = (kind: 'videoinput' | 'audioinput', label: TextKey, source: 'camera' | 'microphone') => {
    const select = h('select', {
      'aria-label': t(label),
      onchange: (event: Event) =>
        act(async () => {
          await live.switchDevice(source, (event.target as HTMLSelectElement).value)
          stage.showLocal()
        }),
    })
    void navigator.mediaDevices
      .enumerateDevices()
      .then((all) =>
        select.replaceChildren(
          ...all
            .filter((d) => d.kind === kind)
            .map((d, i) => h('option', { value: d.deviceId }, d.label || `${t(label)} ${i + 1}`)),
        ),
      )
    return h('label', { class: 'inline' }, t(label), select)
  }
  const recordingState = h('span', { id: 'recording-state', class: 'hint' }, t('notRecording'))
  let recordingId: string | null = null
  const record = h('button', { type: 'button', id: 'record' }, t('record'))
  record.addEventListener('click', () =>
    act(async () => {
      const recording = recordingId ? await live.stopRecording() : await live.startRecording()
      recordingId = recordingId ? null : recording.id
      record.textContent = recordingId ? t('stopRecord') : t('record')
      recordingState.textContent = recordingId ? `● ${t('recording')}` : recording.status
    }),
  )
  return h(
    'section',
    { class: 'controls', 'aria-label': t('camera') },
    toggle('camera', 'camera'),
    toggle('microphone', 'microphone'),
    toggle('screen', 'screen'),
    devices('videoinput', 'cameraDevice', 'camera'),
    devices('audioinput', 'microphoneDevice', 'microphone'),
    record,
    recordingState,
    h(
      'button',
      {
        type: 'button',
        id: 'end-class',
        class: 'danger',
        onclick: () =>
          act(async () => {
            await live.end()
            render()
          }),
      },
      t('endClass'),
    ),
  )
}

function liveView() {
  const live = forThisView(lesson!)
  const stage = new Stage(live, t)
  const count = h('span', { class: 'count', id: 'participant-count', 'aria-label': t('participants') })
  const teacher = live.role === 'teacher'
  if (teacher) stage.showLocal()
  const reconnecting = h('p', { class: 'banner', role: 'alert', hidden: true }, t('reconnecting'))
  live.on('connection', ({ state }) => (reconnecting.hidden = state !== 'reconnecting'))
  return [
    header(count),
    reconnecting,
    h(
      'main',
      { class: 'room' },
      h(
        'div',
        { class: 'main-column' },
        stage.element,
        teacher ? teacherControls(stage) : null,
        reactionsBar(live, t, act),
        status,
      ),
      h(
        'div',
        { class: 'side-column' },
        handsPanel(live, t, act),
        pollsPanel(live, t, act),
        questionsPanel(live, t, act),
        chatPanel(live, t, act),
        participantsPanel(live, t, act, (n) => (count.textContent = `👥 ${n}`)),
      ),
    ),
  ]
}

async function attendanceTable(live: MajlisClass) {
  const sheet = await live.attendance()
  // Numbers and times in the page's language (Arabic-Indic digits in Arabic), alike in every column.
  const locale = language === 'ar' ? 'ar-SA' : 'en-GB'
  const time = (at: string | null) => (at ? new Date(at).toLocaleTimeString(locale) : '—')
  const number = (value: number) => value.toLocaleString(locale, { maximumFractionDigits: 1 })
  const rows = sheet.items.map((row: AttendanceRow) => [
    h('span', { dir: 'auto' }, row.name),
    number(row.minutesPresent),
    number(row.joins),
    time(row.firstJoinedAt),
    time(row.lastLeftAt),
  ])
  return h(
    'section',
    { id: 'attendance', class: 'card' },
    h('h2', {}, t('attendance')),
    table([t('name'), t('minutes'), t('joins'), t('firstJoined'), t('lastLeft')], rows),
    h(
      'button',
      {
        type: 'button',
        id: 'attendance-csv',
        onclick: () => act(() => download(live.attendanceCsv(), `attendance-${live.session.roomCode}.csv`)),
      },
      t('attendanceCsv'),
    ),
  )
}

/** How long the ended page looks for a recording: one of a class is assembled within seconds of its end. */
const RECORDING_WAIT_MS = 3 * 60_000

/** The recording's link once it is ready, looked for every few seconds for a while (a class may have none). */
function recordingLink(live: MajlisClass) {
  const holder = h('p', { id: 'recording' }, live.session.recordingUrl ? null : t('recordingPending'))
  const show = (url: string) =>
    holder.replaceChildren(h('a', { href: url, target: '_blank', rel: 'noopener' }, t('recordingReady')))
  if (live.session.recordingUrl) {
    show(live.session.recordingUrl)
    return holder
  }
  const giveUpAt = Date.now() + RECORDING_WAIT_MS
  const timer = setInterval(() => {
    if (!holder.isConnected) return clearInterval(timer)
    if (Date.now() > giveUpAt) {
      clearInterval(timer)
      holder.textContent = t('noRecording')
      return
    }
    void live.refresh().then(
      (session) => {
        if (!session.recordingUrl) return
        clearInterval(timer)
        show(session.recordingUrl)
      },
      () => undefined,
    )
  }, 3000)
  return holder
}

async function endedView() {
  const live = lesson!
  const parts: Node[] = [header(), notice('ended', t('ended'), recordingLink(live))]
  if (live.role === 'teacher') parts.push(await attendanceTable(live))
  parts.push(status)
  return parts
}

async function openClass() {
  const token = storedToken()!
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}/ws`
  try {
    lesson = await MajlisClass.open({ url, token, roomCode, language })
  } catch (error) {
    if (error instanceof RequestError && (error.code === 'INVALID_TOKEN' || error.code === 'UNAUTHENTICATED'))
      forgetToken()
    throw error
  }
  lesson.on('live', () => render())
  lesson.on('removed', () => {
    removed = true
    render()
  })
  lesson.on('ended', () => render())
}
async function render() {
  for (const off of viewListeners) off()
  viewListeners = []
  setLanguage(language)
  if (!storedToken())
    return root.replaceChildren(
      header(),
      signInView(t, language, () => void start()),
    )
  if (!lesson) return root.replaceChildren(header(), h('p', { class: 'notice' }, t('loading')), status)
  const live = lesson
  if (removed) return root.replaceChildren(header(), notice('removed', t('removed')))
  if (live.session.status === 'ended') return root.replaceChildren(...(await endedView()))
  if (live.session.status === 'canceled') return root.replaceChildren(header(), notice('canceled', t('canceled')))
  if (!live.isLive) {
    const goLive =
      live.role === 'teacher'
        ? h('button', { type: 'button', id: 'go-live', onclick: () => act(() => live.goLive()) }, t('goLive'))
        : null
    return root.replaceChildren(
      header(),
      notice('not-started', live.role === 'teacher' ? t('notStartedTeacher') : t('notStarted'), goLive),
      status,
    )
  }
  root.replaceChildren(...liveView())
}

async function start() {
  await render()
  // Without a token the sign-in form is up; it calls start() again once signed in.
  if (!storedToken()) return
  try {
    await openClass()
  } catch (error) {
    status.className = 'status error'
    status.textContent = error instanceof Error ? error.message : String(error)
    root.replaceChildren(header(), status)
    if (!storedToken()) return render()
    return
  }
  await render()
}

void start()
