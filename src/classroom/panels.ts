import { REACTIONS, type ChatMessage, type MajlisClass, type Poll, type Question } from '@majlis/sdk'
import { h } from '../ui/dom.ts'
import type { TextKey } from './i18n.ts'

type Translate = (key: TextKey) => string
/** Runs a class action; a failure is shown in the page's status line. */
export type Act = (action: () => Promise<unknown>) => void

const MAX_CHAT = 200

/** A panel: a titled section whose list is rebuilt on each change while its form stays (typing is never lost). */
function panel(id: string, title: string, ...parts: Node[]) {
  return h(
    'section',
    { id, class: 'panel', 'aria-labelledby': `${id}-title` },
    h('h2', { id: `${id}-title` }, title),
    ...parts,
  )
}

export function chatPanel(lesson: MajlisClass, t: Translate, act: Act): HTMLElement {
  const messages: ChatMessage[] = []
  const list = h('ol', { class: 'chat', 'aria-live': 'polite' })
  const muted = h('p', { class: 'hint', hidden: !lesson.chatMuted }, t('chatMuted'))
  const input = h('input', {
    name: 'message',
    maxlength: 1000,
    required: true,
    autocomplete: 'off',
    'aria-label': t('message'),
    placeholder: t('message'),
  })
  const form = h('form', { class: 'inline' }, input, h('button', { type: 'submit' }, t('send')))
  const teacher = lesson.role === 'teacher'
  const mutedUsers = new Set<string>()

  const render = () =>
    list.replaceChildren(
      ...messages.map((message) =>
        h(
          'li',
          { 'data-id': message.id },
          h('strong', {}, message.name),
          ' ',
          h('span', { dir: 'auto' }, message.content),
          teacher
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  'aria-label': `${t('deleteMessageOf')} ${message.name}`,
                  onclick: () => act(() => lesson.deleteChat(message.id)),
                },
                t('delete'),
              )
            : null,
          teacher && message.userId !== lesson.me.id
            ? h(
                'button',
                { type: 'button', class: 'small', onclick: () => act(() => toggleMute(message.userId)) },
                mutedUsers.has(message.userId) ? t('unmuteChat') : t('muteChat'),
              )
            : null,
        ),
      ),
    )
  const toggleMute = async (userId: string) => {
    const mute = !mutedUsers.has(userId)
    await lesson.muteChat(userId, mute)
    if (mute) mutedUsers.add(userId)
    else mutedUsers.delete(userId)
    render()
  }
  const add = (message: ChatMessage) => {
    if (messages.some((known) => known.id === message.id)) return
    messages.push(message)
    if (messages.length > MAX_CHAT) messages.shift()
    render()
    list.lastElementChild?.scrollIntoView({ block: 'nearest' })
  }
  lesson.on('chat', add)
  lesson.on('chatDeleted', ({ messageId }) => {
    const index = messages.findIndex((message) => message.id === messageId)
    if (index >= 0) messages.splice(index, 1)
    render()
  })
  lesson.on('chatMuted', ({ muted: isMuted }) => (muted.hidden = !isMuted))
  void lesson.chatHistory({ limit: 50 }).then(
    (page) => page.items.reverse().forEach(add),
    () => undefined,
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const content = input.value.trim()
    if (!content) return
    act(async () => {
      add(await lesson.sendChat(content))
      input.value = ''
    })
  })

  const slow: HTMLElement | null = teacher
    ? h(
        'label',
        { class: 'inline' },
        t('slowMode'),
        h(
          'select',
          {
            id: 'slow-mode',
            onchange: (event: Event) =>
              act(() => lesson.setSlowMode(Number((event.target as HTMLSelectElement).value))),
          },
          ...[0, 5, 10, 30, 60].map((seconds) =>
            h(
              'option',
              { value: seconds, selected: seconds === lesson.session.chatSlowSeconds },
              seconds === 0 ? t('slowOff') : `${seconds} ${t('seconds')}`,
            ),
          ),
        ),
      )
    : null
  return panel('chat', t('chat'), ...(slow ? [slow] : []), muted, list, form)
}

export function handsPanel(lesson: MajlisClass, t: Translate, act: Act): HTMLElement {
  const list = h('ol', { class: 'hands' })
  const speakerList = h('ul', { class: 'speakers' })
  const nameOf = (userId: string) => lesson.participants.find((p) => p.userId === userId)?.name ?? userId

  if (lesson.role === 'student') {
    const hand = h('button', {
      type: 'button',
      id: 'hand',
      'aria-pressed': String(lesson.handRaised),
      onclick: () => act(() => lesson.raiseHand(!lesson.handRaised)),
    })
    const label = () => {
      hand.textContent = lesson.handRaised ? `✋ ${t('lowerHand')}` : `✋ ${t('raiseHand')}`
      hand.setAttribute('aria-pressed', String(lesson.handRaised))
    }
    label()
    lesson.on('handChanged', label)
    const invited = h('p', { class: 'hint', id: 'invited', hidden: !lesson.canSpeak }, t('youMaySpeak'))
    const speak = h('button', { type: 'button', id: 'speak', hidden: !lesson.canSpeak })
    const speakLabel = () =>
      (speak.textContent = lesson.media.localTrack('microphone') ? t('stopSpeaking') : t('speak'))
    speakLabel()
    speak.addEventListener('click', () =>
      act(async () => {
        if (lesson.media.localTrack('microphone')) await lesson.unpublish('microphone')
        else await lesson.publishMicrophone()
        speakLabel()
      }),
    )
    lesson.on('speakerChanged', ({ userId, canSpeak }) => {
      if (userId !== lesson.me.id) return
      invited.hidden = speak.hidden = !canSpeak
      if (!canSpeak) void lesson.unpublish('microphone').then(speakLabel)
    })
    return panel('hands', t('hands'), hand, invited, speak)
  }

  const render = () => {
    list.replaceChildren(
      ...(lesson.hands.length === 0
        ? [h('li', { class: 'hint' }, t('noHands'))]
        : lesson.hands.map((hand) =>
            h(
              'li',
              { 'data-user': hand.userId },
              h('span', { dir: 'auto' }, hand.name),
              h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  'aria-label': `${t('invite')}: ${hand.name}`,
                  onclick: () => act(() => lesson.inviteToSpeak(hand.userId)),
                },
                t('invite'),
              ),
              h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  'aria-label': `${t('lowerOne')}: ${hand.name}`,
                  onclick: () => act(() => lesson.lowerHand(hand.userId)),
                },
                t('lowerOne'),
              ),
            ),
          )),
    )
    speakerList.replaceChildren(
      ...lesson.speakers.map((userId) =>
        h(
          'li',
          {},
          h('span', { dir: 'auto' }, nameOf(userId)),
          h(
            'button',
            { type: 'button', class: 'small', onclick: () => act(() => lesson.revokeSpeaker(userId)) },
            t('revoke'),
          ),
        ),
      ),
    )
  }
  lesson.on('hands', render)
  lesson.on('speakerChanged', render)
  render()
  return panel(
    'hands',
    t('hands'),
    list,
    h('button', { type: 'button', onclick: () => act(() => lesson.lowerHand()) }, t('lowerAll')),
    h('h3', {}, t('speakers')),
    speakerList,
    h('button', { type: 'button', id: 'mute-all', onclick: () => act(() => lesson.muteAll()) }, t('muteAll')),
  )
}

export function pollsPanel(lesson: MajlisClass, t: Translate, act: Act): HTMLElement {
  const polls = new Map<string, Poll>(lesson.openPolls.map((poll) => [poll.id, poll]))
  const list = h('div', { class: 'polls' })
  const teacher = lesson.role === 'teacher'
  const put = (poll: Poll) => {
    const known = polls.get(poll.id)
    // A class-wide event carries no one's vote: keep ours.
    polls.set(poll.id, {
      ...poll,
      myVote: poll.myVote ?? known?.myVote ?? null,
      results: poll.results ?? known?.results ?? null,
    })
    render()
  }
  lesson.on('pollOpened', ({ poll }) => put(poll))
  lesson.on('pollClosed', ({ poll }) => put(poll))
  lesson.on('pollResults', ({ pollId, totalVoters, results }) => {
    const poll = polls.get(pollId)
    if (poll) put({ ...poll, totalVoters, results })
  })
  void lesson.polls().then(
    (all) => all.forEach(put),
    () => undefined,
  )

  function results(poll: Poll) {
    if (!poll.results) return null
    const most = Math.max(1, ...poll.results.map((result) => result.votes))
    return h(
      'ul',
      { class: 'results' },
      ...poll.options.map((option) => {
        const votes = poll.results!.find((result) => result.optionId === option.id)?.votes ?? 0
        return h(
          'li',
          {},
          h('span', { dir: 'auto' }, option.text),
          h('meter', { min: 0, max: most, value: votes, 'aria-label': option.text }),
          h('span', { class: 'count' }, votes),
        )
      }),
    )
  }

  function ballot(poll: Poll) {
    const type = poll.multiple ? 'checkbox' : 'radio'
    const form = h(
      'form',
      { class: 'ballot' },
      h(
        'fieldset',
        {},
        h('legend', { dir: 'auto' }, poll.question),
        ...poll.options.map((option) =>
          h(
            'label',
            {},
            h('input', { type, name: 'option', value: option.id, checked: poll.myVote?.includes(option.id) ?? false }),
            h('span', { dir: 'auto' }, option.text),
          ),
        ),
      ),
      h('button', { type: 'submit' }, t('vote')),
      poll.myVote ? h('p', { class: 'hint' }, t('voted')) : null,
    )
    form.addEventListener('submit', (event) => {
      event.preventDefault()
      const chosen = new FormData(form).getAll('option').map(String)
      if (chosen.length > 0) act(async () => put(await lesson.vote(poll.id, chosen)))
    })
    return form
  }

  function render() {
    const visible = [...polls.values()].sort((a, b) => a.createdAt.localeCompare(b.createdAt))
    list.replaceChildren(
      ...visible.map((poll) =>
        h(
          'article',
          { class: `poll ${poll.status}`, 'data-poll': poll.id },
          h('h3', { dir: 'auto' }, poll.question),
          h('p', { class: 'hint' }, `${t(poll.status)} · ${t('voters')}: ${poll.totalVoters}`),
          !teacher && poll.status === 'open' ? ballot(poll) : null,
          results(poll),
          teacher && poll.status === 'draft'
            ? h(
                'button',
                { type: 'button', onclick: () => act(async () => put(await lesson.openPoll(poll.id))) },
                t('openPoll'),
              )
            : null,
          teacher && poll.status === 'open'
            ? h(
                'button',
                { type: 'button', onclick: () => act(async () => put(await lesson.closePoll(poll.id))) },
                t('closePoll'),
              )
            : null,
          teacher && poll.status !== 'draft'
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  onclick: () => act(() => download(lesson.pollResultsCsv(poll.id), `poll-${poll.id}.csv`)),
                },
                t('resultsCsv'),
              )
            : null,
        ),
      ),
    )
  }
  render()
  if (!teacher) return panel('polls', t('polls'), list)

  const question = h('input', { name: 'question', required: true, maxlength: 300 })
  const options = h('textarea', { name: 'options', rows: 3, required: true })
  const multiple = h('input', { type: 'checkbox', name: 'multiple' })
  const anonymous = h('input', { type: 'checkbox', name: 'anonymous' })
  const form = h(
    'form',
    { id: 'new-poll', class: 'card' },
    h('label', {}, t('pollQuestion'), question),
    h('label', {}, t('pollOptions'), options),
    h('label', { class: 'inline' }, multiple, t('multiple')),
    h('label', { class: 'inline' }, anonymous, t('anonymous')),
    h('button', { type: 'submit' }, t('createPoll')),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const texts = options.value
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean)
    act(async () => {
      put(
        await lesson.createPoll({
          question: question.value.trim(),
          options: texts,
          multiple: multiple.checked,
          anonymous: anonymous.checked,
        }),
      )
      form.reset()
    })
  })
  return panel('polls', t('polls'), form, list)
}

export function questionsPanel(lesson: MajlisClass, t: Translate, act: Act): HTMLElement {
  const questions = new Map<string, Question>(lesson.openQuestions.map((question) => [question.id, question]))
  const list = h('ol', { class: 'questions' })
  const teacher = lesson.role === 'teacher'
  const put = (question: Question) => {
    const known = questions.get(question.id)
    questions.set(question.id, {
      ...question,
      myVote: question.myVote ?? known?.myVote ?? false,
      userId: question.userId ?? known?.userId ?? null,
      name: question.name ?? known?.name ?? null,
    })
    render()
  }
  lesson.on('question', ({ question }) => put(question))
  void lesson.questions({ sort: 'votes', limit: 200 }).then(
    (page) => page.items.forEach(put),
    () => undefined,
  )

  function render() {
    const sorted = [...questions.values()]
      .filter((q) => q.status === 'open')
      .sort((a, b) => b.votes - a.votes || a.createdAt.localeCompare(b.createdAt))
    const done = [...questions.values()].filter((q) => q.status !== 'open')
    list.replaceChildren(
      ...[...sorted, ...done].map((question) => {
        const mine = question.userId === lesson.me.id
        return h(
          'li',
          { class: `question ${question.status}`, 'data-question': question.id },
          h('span', { class: 'votes', 'aria-label': `${question.votes} ${t('votes')}` }, `▲ ${question.votes}`),
          h('span', { dir: 'auto' }, question.content),
          h('small', { dir: 'auto' }, question.name ?? t('anonymousAuthor')),
          question.status !== 'open' ? h('em', {}, t(question.status)) : null,
          question.status === 'open' && !mine
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  'aria-pressed': String(question.myVote === true),
                  onclick: () => act(async () => put(await lesson.voteQuestion(question.id, question.myVote !== true))),
                },
                question.myVote ? t('unvote') : t('upvote'),
              )
            : null,
          teacher && question.status === 'open'
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  onclick: () => act(async () => put(await lesson.answerQuestion(question.id))),
                },
                t('answer'),
              )
            : null,
          teacher && question.status === 'open'
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'small',
                  onclick: () => act(async () => put(await lesson.dismissQuestion(question.id))),
                },
                t('dismiss'),
              )
            : null,
        )
      }),
    )
  }
  render()
  if (teacher) return panel('questions', t('questions'), list)

  const content = h('input', {
    name: 'question',
    required: true,
    maxlength: 500,
    autocomplete: 'off',
    'aria-label': t('yourQuestion'),
    placeholder: t('yourQuestion'),
  })
  const anonymous = h('input', { type: 'checkbox', name: 'anonymous' })
  const form = h(
    'form',
    { id: 'ask', class: 'inline' },
    content,
    h('label', { class: 'inline' }, anonymous, t('askAnonymously')),
    h('button', { type: 'submit' }, t('ask')),
  )
  form.addEventListener('submit', (event) => {
    event.preventDefault()
    act(async () => {
      put(await lesson.ask(content.value.trim(), anonymous.checked))
      form.reset()
    })
  })
  return panel('questions', t('questions'), form, list)
}

export function reactionsBar(lesson: MajlisClass, t: Translate, act: Act): HTMLElement {
  const shown = h('p', { class: 'reaction-counts', 'aria-live': 'off', id: 'reaction-counts' })
  lesson.on('reactions', ({ counts }) => {
    shown.textContent = Object.entries(counts)
      .map(([emoji, n]) => `${emoji} ${n}`)
      .join('  ')
  })
  return h(
    'section',
    { class: 'reactions', 'aria-label': t('reactions') },
    ...REACTIONS.map((emoji) =>
      h(
        'button',
        {
          type: 'button',
          class: 'emoji',
          'aria-label': `${t('react')} ${emoji}`,
          onclick: () => act(() => lesson.react(emoji)),
        },
        emoji,
      ),
    ),
    shown,
  )
}

export function participantsPanel(
  lesson: MajlisClass,
  t: Translate,
  act: Act,
  onCount: (count: number) => void,
): HTMLElement {
  const list = h('ul', { class: 'participants' })
  const render = () => {
    onCount(lesson.participants.length)
    list.replaceChildren(
      ...lesson.participants.map(({ userId, name }) =>
        h(
          'li',
          {},
          h('span', { dir: 'auto' }, name),
          userId === lesson.me.id ? ` ${t('you')}` : null,
          lesson.role === 'teacher' && userId !== lesson.me.id
            ? h(
                'button',
                {
                  type: 'button',
                  class: 'small danger',
                  'aria-label': `${t('remove')}: ${name}`,
                  onclick: () => act(() => lesson.remove(userId)),
                },
                t('remove'),
              )
            : null,
        ),
      ),
    )
  }
  lesson.on('participantJoined', render)
  lesson.on('participantLeft', render)
  render()
  return panel('participants', t('participants'), list)
}

/** Saves a file the API answered with (a CSV) under a name. */
export async function download(file: Promise<Blob>, name: string): Promise<void> {
  const url = URL.createObjectURL(await file)
  const link = h('a', { href: url, download: name, hidden: true })
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
