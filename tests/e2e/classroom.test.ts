import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { inkRatio, launchChromium, waitFor } from '../helpers/browser.ts'
import { apiClient, repoRoot, startServer, tempDir } from '../helpers/server-process.ts'

/**
 * A whole class on the classroom page, on the real entry point (src/index.ts, a database file,
 * the media worker, ffmpeg) in Chromium: a teacher and three students, each signed in on the page.
 */
let browser: Browser
let server: ReturnType<typeof startServer>
let api: ReturnType<typeof apiClient>
const screenshots = join(repoRoot, 'tests', 'artifacts', 'classroom')

beforeAll(async () => {
  mkdirSync(screenshots, { recursive: true })
  server = startServer({
    DATABASE_URL: `file:${join(tempDir(), 'majlis.db')}`,
    UPLOAD_DIR: tempDir('majlis-uploads-'),
    RATE_LIMIT_FACTOR: '10',
  })
  await server.waitUntilUp()
  api = apiClient(server.baseUrl)
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  server?.child.kill('SIGTERM')
})

const LONG_ARABIC_NAME = 'عبدالرحمن بن عبدالعزيز بن محمد بن إبراهيم آل الشيخ العتيبي القحطاني'

async function register(name: string, role = 'customer') {
  const email = `${crypto.randomUUID().slice(0, 8)}@example.com`
  const response = await api('POST', '/auth/register', undefined, { email, password: 'a good password', name, role })
  expect(response.status).toBe(201)
  return { ...response.body, email, password: 'a good password' } as {
    accessToken: string
    user: { id: string; name: string }
    email: string
    password: string
  }
}

async function openPage(path: string, viewport = { width: 1280, height: 900 }): Promise<Page> {
  const context = await browser.newContext({ viewport, acceptDownloads: true })
  await context.grantPermissions(['camera', 'microphone'])
  const page = await context.newPage()
  page.on('pageerror', (error) => console.error('[page error]', error.message))
  await page.goto(`${server.baseUrl}${path}`)
  return page
}

async function signInWithPassword(page: Page, who: { email: string; password: string }) {
  await page.fill('#sign-in input[name=email]', who.email)
  await page.fill('#sign-in input[name=password]', who.password)
  await page.click('#sign-in button[type=submit]')
}

async function signInWithPhone(page: Page, phone: string) {
  await page.fill('#otp-sign-in input[name=phone]', phone)
  await page.click('#otp-sign-in button[type=submit]')
  const hint = await page.waitForSelector('#dev-code:has-text(":")')
  const code = (await hint.textContent())!.match(/\d{6}/)![0]
  await page.fill('#otp-sign-in input[name=code]', code)
  await page.click('#otp-sign-in button[type=submit]')
}

/** Frames the page's main <video> has painted, and their size. */
const mainVideo = (page: Page) =>
  page.evaluate(() => {
    const video = document.querySelector<HTMLVideoElement>('#main-video')
    return {
      frames: video?.getVideoPlaybackQuality().totalVideoFrames ?? 0,
      width: video?.videoWidth ?? 0,
      height: video?.videoHeight ?? 0,
    }
  })

async function screenshot(page: Page, name: string) {
  const png = await page.screenshot({ fullPage: true, path: join(screenshots, `${name}.png`) })
  expect(await inkRatio(browser, png)).toBeGreaterThan(0.02)
}

const text = (page: Page, selector: string) => page.locator(selector).innerText()

test('a whole class on the page: hand → invite → heard, a poll, a question, chat with a deletion, a removal, the end with attendance and the recording', async () => {
  const teacher = await register('Ustadha Mariam', 'teacher')
  const course = (await api('POST', '/courses', teacher.accessToken, { title: 'Astronomy' })).body
  const [amal, long] = [await register('Amal'), await register(LONG_ARABIC_NAME)]
  const phone = `+9665${String(Date.now()).slice(-8)}`
  // Faisal's account has a phone; he signs in on the page with a code sent to it.
  const viaPhone = (
    await api('POST', '/auth/register', undefined, { phone, password: 'a good password', name: 'Faisal' })
  ).body
  for (const student of [amal, long, viaPhone])
    expect((await api('POST', `/courses/${course.id}/enroll`, student.accessToken)).status).toBe(200)
  const session = (
    await api('POST', '/live-sessions', teacher.accessToken, {
      title: 'The night sky',
      courseId: course.id,
      scheduledAt: new Date(Date.now() + 3600_000).toISOString(),
    })
  ).body
  const classPath = `/classroom/${session.roomCode}`

  // A student who comes early waits (Arabic by default), and is let in when the class starts.
  const amalPage = await openPage(classPath)
  expect(await amalPage.evaluate(() => [document.documentElement.lang, document.documentElement.dir])).toEqual([
    'ar',
    'rtl',
  ])
  await signInWithPassword(amalPage, amal)
  await amalPage.waitForSelector('#not-started')

  const teacherPage = await openPage(`${classPath}?lang=en`)
  await signInWithPassword(teacherPage, teacher)
  await teacherPage.click('#go-live')
  await teacherPage.waitForSelector('#toggle-camera')
  await teacherPage.click('#toggle-camera')
  await teacherPage.waitForSelector('#toggle-camera[aria-pressed=true]')
  await teacherPage.click('#toggle-microphone')
  await teacherPage.click('#record')
  await teacherPage.waitForSelector('#recording-state:has-text("Recording")')

  const longPage = await openPage(classPath, { width: 390, height: 844 })
  await signInWithPassword(longPage, long)
  const phonePage = await openPage(classPath)
  await signInWithPhone(phonePage, phone)
  const students = [amalPage, longPage, phonePage]
  for (const page of students) {
    await page.waitForSelector('#main-video')
    const video = await waitFor(
      "the teacher's video painted at its full size",
      () => mainVideo(page),
      (v) => v.frames > 20 && v.height === 360,
      20_000,
    )
    expect(video.width).toBe(640)
  }
  await waitFor(
    'four in the class',
    () => text(teacherPage, '#participant-count'),
    (count) => count.includes('4'),
  )
  // Phone width and a long Arabic name: nothing runs off the side.
  expect(await longPage.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true)

  // Hand → invite → heard.
  await amalPage.click('#hand')
  await teacherPage.waitForSelector(`#hands li[data-user="${amal.user.id}"]`)
  await teacherPage.click(`#hands li[data-user="${amal.user.id}"] button:has-text("Invite to speak")`)
  await amalPage.waitForSelector('#speak:not([hidden])')
  await amalPage.click('#speak')
  await waitFor(
    "Amal's microphone arriving at the teacher",
    () =>
      teacherPage.evaluate(
        () =>
          Array.from(document.querySelectorAll('audio')).filter((audio) =>
            (audio.srcObject as MediaStream | null)
              ?.getAudioTracks()
              .some((track) => !track.muted && track.readyState === 'live'),
          ).length,
      ),
    (n) => n >= 1,
  )
  expect(await teacherPage.locator(`#hands li[data-user="${amal.user.id}"]`).count()).toBe(0)

  // Poll → vote → results.
  await teacherPage.fill('#new-poll input[name=question]', 'Which planet is largest?')
  await teacherPage.fill('#new-poll textarea[name=options]', 'Jupiter\nSaturn\nMars')
  await teacherPage.click('#new-poll button[type=submit]')
  await teacherPage.click('.poll.draft button:has-text("Open")')
  for (const [i, page] of students.entries()) {
    await page.waitForSelector('.poll.open form.ballot')
    await page
      .locator('.poll.open form.ballot input[type=radio]')
      .nth(i === 2 ? 1 : 0)
      .check()
    await page.click('.poll.open form.ballot button[type=submit]')
    await page.waitForSelector('.poll.open .ballot .hint')
  }
  await waitFor(
    'three votes at the teacher',
    () => text(teacherPage, '.poll.open'),
    (shown) => shown.includes('Voters: 3'),
  )
  await teacherPage.click('.poll.open button:has-text("Close")')
  await longPage.waitForSelector('.poll.closed .results')
  expect(await longPage.locator('.poll.closed .results .count').allInnerTexts()).toEqual(['2', '1', '0'])

  // Question → vote → answered.
  await longPage.fill('#ask input[name=question]', 'لماذا يتلألأ النجم؟')
  await longPage.click('#ask button[type=submit]')
  await amalPage.waitForSelector('.question.open:has-text("لماذا يتلألأ النجم؟")')
  await amalPage.click('.question.open button[aria-pressed=false]')
  await waitFor(
    'the upvote at the teacher',
    () => text(teacherPage, '.question.open .votes'),
    (votes) => votes.includes('1'),
  )
  await teacherPage.click('.question.open button:has-text("Answered")')
  await longPage.waitForSelector('.question.answered')

  // Chat with a deletion.
  await phonePage.fill('#chat input[name=message]', 'something rude')
  await phonePage.click('#chat button[type=submit]')
  await amalPage.fill('#chat input[name=message]', 'مرحبا بالجميع')
  await amalPage.click('#chat button[type=submit]')
  await longPage.waitForSelector('#chat li:has-text("something rude")')
  await teacherPage.click('#chat li:has-text("something rude") button:has-text("Delete")')
  await waitFor(
    'the deletion at every student',
    () => Promise.all(students.map((page) => page.locator('#chat li:has-text("something rude")').count())),
    (counts) => counts.every((n) => n === 0),
  )
  expect(await longPage.locator('#chat li:has-text("مرحبا بالجميع")').count()).toBe(1)

  // Reactions arrive summed.
  await longPage.click('.reactions button:has-text("👏")')
  await teacherPage.waitForSelector('#reaction-counts:has-text("👏")')

  // Screenshots of both views in both languages.
  await screenshot(teacherPage, 'teacher-en')
  await screenshot(amalPage, 'student-ar')
  await screenshot(longPage, 'student-ar-phone')
  await teacherPage.click('#language')
  await teacherPage.waitForSelector('html[lang=ar]')
  await screenshot(teacherPage, 'teacher-ar')
  await amalPage.click('#language')
  await amalPage.waitForSelector('html[lang=en]')
  await screenshot(amalPage, 'student-en')
  await teacherPage.click('#language')

  // A student removed.
  await teacherPage.click(`#participants button[aria-label="Remove: ${viaPhone.user.name}"]`)
  await phonePage.waitForSelector('#removed')

  // The end: attendance with three rows and a CSV; students get the recording's link once it is ready.
  await teacherPage.click('#end-class')
  await teacherPage.waitForSelector('#attendance table')
  expect(await teacherPage.locator('#attendance tbody tr').count()).toBe(3)
  const [csv] = await Promise.all([teacherPage.waitForEvent('download'), teacherPage.click('#attendance-csv')])
  const rows = (await Bun.file((await csv.path())!).text()).replace('\uFEFF', '').trim().split('\r\n')
  expect(rows).toHaveLength(4)
  expect(rows.some((row) => row.startsWith(`${LONG_ARABIC_NAME},`))).toBe(true)
  for (const page of [amalPage, longPage]) {
    await page.waitForSelector('#ended')
    const link = await page.waitForSelector('#recording a', { timeout: 45_000 })
    expect(await link.getAttribute('href')).toContain('/recordings/')
  }
  const recordingUrl = await amalPage.locator('#recording a').getAttribute('href')
  expect((await fetch(recordingUrl!, { headers: { range: 'bytes=0-99' } })).status).toBe(206)
}, 180_000)
