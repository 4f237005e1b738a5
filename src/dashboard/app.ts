import { Api, ApiFailure } from './api.ts'
import { applyLanguage, initialLanguage } from '../ui/language.ts'
import { h } from '../ui/dom.ts'
import { translator, valueTranslator, type Language, type TextKey } from './i18n.ts'
import {
  catalogView,
  kpisView,
  promoView,
  requestsView,
  ticketsView,
  verificationView,
  type ViewContext,
} from './views.ts'

const LANGUAGE_KEY = 'majlis.dashboard.language'
const views = {
  kpis: kpisView,
  requests: requestsView,
  catalog: catalogView,
  verification: verificationView,
  promo: promoView,
  tickets: ticketsView,
} satisfies Record<string, (ctx: ViewContext) => Promise<HTMLElement>>
type ViewName = keyof typeof views

const root = document.getElementById('app')!
let language: Language = initialLanguage(LANGUAGE_KEY)
let t = translator(language)
const api = new Api(
  () => language,
  () => render(),
)
const status = h('p', { class: 'status', role: 'status' })

function report(error?: unknown) {
  status.className = error ? 'status error' : 'status'
  status.textContent =
    error === undefined ? t('done') : error instanceof ApiFailure && error.message ? error.message : String(error)
}

function setLanguage(next: Language) {
  language = next
  t = translator(next)
  applyLanguage(next, LANGUAGE_KEY, t('title'))
}

const currentView = (): ViewName => {
  const name = location.hash.slice(1)
  return name in views ? (name as ViewName) : 'kpis'
}

function header() {
  const nav = h(
    'nav',
    {},
    ...(Object.keys(views) as ViewName[]).map((name) =>
      h('a', { href: `#${name}`, class: name === currentView() ? 'current' : undefined }, t(name as TextKey)),
    ),
  )
  return h(
    'header',
    {},
    h('h1', {}, t('title')),
    api.signedIn ? nav : null,
    h(
      'button',
      {
        type: 'button',
        id: 'language',
        onclick: () => {
          setLanguage(language === 'ar' ? 'en' : 'ar')
          render()
        },
      },
      t('language'),
    ),
    api.signedIn ? h('button', { type: 'button', id: 'sign-out', onclick: () => api.signOut() }, t('signOut')) : null,
  )
}

function signInForm() {
  const form = h(
    'form',
    { id: 'sign-in', class: 'sign-in' },
    h('label', {}, t('email'), h('input', { name: 'email', type: 'email', required: true, autocomplete: 'username' })),
    h(
      'label',
      {},
      t('password'),
      h('input', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' }),
    ),
    h('button', { type: 'submit' }, t('signIn')),
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const data = new FormData(form)
    try {
      await api.signIn(String(data.get('email')), String(data.get('password')))
      status.textContent = ''
      render()
    } catch (error) {
      report(error instanceof ApiFailure && error.status === 403 ? t('staffOnly') : error)
    }
  })
  return form
}

async function render() {
  setLanguage(language)
  if (!api.signedIn) {
    root.replaceChildren(header(), signInForm(), status)
    return
  }
  const name = currentView()
  const content = h('div', { id: 'view', 'data-view': name }, h('h2', {}, t(name as TextKey)))
  root.replaceChildren(header(), status, content)
  try {
    content.append(
      await views[name]({ api, t, value: valueTranslator(language), refresh: () => void render(), report }),
    )
  } catch (error) {
    report(error)
  }
}

window.addEventListener('hashchange', () => {
  status.textContent = ''
  void render()
})
void render()
