import { h } from '../ui/dom.ts'
import type { Language, TextKey } from './i18n.ts'

const TOKEN_KEY = 'majlis.classroom.token'

/** The access token of this tab (sessionStorage: gone when the tab closes, never in a cookie). */
export const storedToken = () => sessionStorage.getItem(TOKEN_KEY)
export const forgetToken = () => sessionStorage.removeItem(TOKEN_KEY)

async function post<T>(path: string, body: unknown, language: Language): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'accept-language': language },
    body: JSON.stringify(body),
  })
  const result = await response.json()
  if (!response.ok) throw new Error(result?.error?.message ?? response.statusText)
  return result as T
}

/** Email and password, or a one-time code sent to a phone; calls `signedIn` once a token is stored. */
export function signInView(t: (key: TextKey) => string, language: Language, signedIn: () => void): HTMLElement {
  const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite' })
  const fail = (error: unknown) => {
    status.className = 'status error'
    status.textContent = error instanceof Error ? error.message : String(error)
  }
  const keep = (token: string) => {
    sessionStorage.setItem(TOKEN_KEY, token)
    signedIn()
  }

  const passwordForm = h(
    'form',
    { id: 'sign-in', class: 'card' },
    h('label', {}, t('email'), h('input', { name: 'email', type: 'email', required: true, autocomplete: 'username' })),
    h(
      'label',
      {},
      t('password'),
      h('input', { name: 'password', type: 'password', required: true, autocomplete: 'current-password' }),
    ),
    h('button', { type: 'submit' }, t('signIn')),
  )
  passwordForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const data = new FormData(passwordForm)
    post<{ accessToken: string }>(
      '/auth/login',
      { email: data.get('email'), password: data.get('password') },
      language,
    ).then((result) => keep(result.accessToken), fail)
  })

  // Required once shown: a hidden required field would block the first step's submit.
  const codeInput = h('input', {
    name: 'code',
    inputmode: 'numeric',
    pattern: '[0-9]{6}',
    maxlength: 6,
    autocomplete: 'one-time-code',
  })
  const codeStep = h('label', { hidden: true }, t('code'), codeInput)
  const devHint = h('p', { class: 'hint', id: 'dev-code' })
  const otpForm = h(
    'form',
    { id: 'otp-sign-in', class: 'card' },
    h('h2', {}, t('orPhone')),
    h(
      'label',
      {},
      t('phone'),
      h('input', {
        name: 'phone',
        type: 'tel',
        dir: 'ltr',
        required: true,
        autocomplete: 'tel',
        placeholder: '+966500000001',
      }),
    ),
    codeStep,
    devHint,
    h('button', { type: 'submit' }, t('sendCode')),
  )
  otpForm.addEventListener('submit', (event) => {
    event.preventDefault()
    const data = new FormData(otpForm)
    const button = otpForm.querySelector('button')!
    if (codeStep.hidden) {
      post<{ devCode?: string }>('/auth/otp/send', { phone: data.get('phone') }, language).then((result) => {
        codeStep.hidden = false
        codeInput.required = true
        codeInput.focus()
        button.textContent = t('signIn')
        if (result.devCode) devHint.textContent = `${t('devCode')} ${result.devCode}`
      }, fail)
      return
    }
    post<{ accessToken: string }>(
      '/auth/otp/verify',
      { phone: data.get('phone'), code: data.get('code') },
      language,
    ).then((result) => keep(result.accessToken), fail)
  })

  return h(
    'section',
    { class: 'sign-in', 'aria-labelledby': 'sign-in-title' },
    h('h2', { id: 'sign-in-title' }, t('signInTitle')),
    passwordForm,
    otpForm,
    status,
  )
}
