import { afterAll, beforeAll, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { inkRatio, launchChromium, waitFor } from '../helpers/browser.ts'
import { admin, startServer, tempDir } from '../helpers/server-process.ts'

/**
 * The back office and every purchase on the real entry point (src/index.ts, real clock, a real
 * database file) with headless Chromium: staff sign in, read KPIs, review and finalize a
 * verification, quote a promotion; users pay on the mock checkout page and the effects follow.
 */
let browser: Browser
let server: ReturnType<typeof startServer>
let env: Record<string, string>
beforeAll(async () => {
  env = {
    DATABASE_URL: `file:${join(tempDir(), 'majlis.db')}`,
    UPLOAD_DIR: tempDir('majlis-uploads-'),
    RATE_LIMIT_FACTOR: '10',
  }
  server = startServer(env)
  await server.waitUntilUp()
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  server?.child.kill('SIGTERM')
})

type Account = { accessToken: string; user: { id: string } }
async function api(method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${server.baseUrl}/api/v1${path}`, {
    method,
    headers: {
      'accept-language': 'en',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: response.status, body: (await response.json()) as any }
}
async function register(name: string): Promise<Account> {
  const response = await api('POST', '/auth/register', undefined, {
    email: `${name.toLowerCase()}.${crypto.randomUUID().slice(0, 6)}@example.com`,
    password: 'a good password',
    name,
  })
  expect(response.status).toBe(201)
  return response.body
}

/** A valid 1×1 PNG: the dashboard's preview must really decode it. */
const PNG = Uint8Array.from(
  atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=='),
  (c) => c.charCodeAt(0),
)

/** Pays an invoice the way a user does: start a mock payment, open its checkout page in Chromium, press Pay. */
async function payInBrowser(who: Account, invoiceId: string) {
  const attempt = await api('POST', `/billing/invoices/${invoiceId}/pay`, who.accessToken, {
    provider: 'mock',
    idempotencyKey: `pay-${invoiceId}`,
  })
  expect(attempt.status).toBe(201)
  const page = await browser.newPage()
  try {
    await page.goto(attempt.body.checkoutUrl)
    await page.click('button.pay')
    await page.waitForSelector('text=Payment complete')
  } finally {
    await page.close()
  }
}

test('purchases on the real server: a coin pack, a plan and an extra, each paid on the mock page with its effect', async () => {
  const buyer = await register('Buyer')
  const coins = (await api('POST', '/coin-packs/coins_550/buy', buyer.accessToken)).body.invoice
  await payInBrowser(buyer, coins.id)
  expect((await api('GET', '/me/wallet', buyer.accessToken)).body.balance).toBe(550)

  const { invoice: planInvoice } = (await api('POST', '/subscriptions/plans/plan_pro/subscribe', buyer.accessToken))
    .body
  await payInBrowser(buyer, planInvoice.id)
  const [subscription] = (await api('GET', '/subscriptions/mine', buyer.accessToken)).body
  expect(subscription.status).toBe('active')
  expect(new Date(subscription.endsAt).getTime() - new Date(subscription.startsAt).getTime()).toBe(30 * 86_400_000)

  const extra = (await api('POST', '/extras/portfolio-20/buy', buyer.accessToken)).body.invoice
  await payInBrowser(buyer, extra.id)
  expect((await api('GET', '/features/mine', buyer.accessToken)).body).toMatchObject({
    planId: 'plan_pro',
    flags: { portfolioItems: 70, priorityListing: true },
  })
  const paid = (await api('GET', '/billing/invoices?status=paid', buyer.accessToken)).body.items
  expect(paid).toHaveLength(3)
  expect(paid.every((invoice: { paidAt: string }) => Math.abs(Date.now() - Date.parse(invoice.paidAt)) < 60_000)).toBe(
    true,
  )
})

test('the dashboard in Chromium: sign in, KPIs, review a verification with a preview, finalize, quote a promotion, in English and Arabic', async () => {
  expect(
    admin(['create-staff', '--email', 'boss@example.com', '--name', 'Boss', '--profile', 'admin'], {
      ...env,
      STAFF_PASSWORD: 'boss password',
    }).exitCode,
  ).toBe(0)
  const provider = await register('Provider')
  expect(
    (
      await api('POST', '/providers/register', provider.accessToken, {
        displayName: 'Trusted Plumbing',
        city: 'Riyadh',
      })
    ).status,
  ).toBe(201)
  const verification = (
    await api('POST', '/verification/requests', provider.accessToken, { badge: 'green', note: 'Licensed' })
  ).body
  const form = new FormData()
  form.append('docType', 'license')
  form.append('title', 'Trade license')
  form.append('file', new Blob([PNG], { type: 'image/png' }), 'license.png')
  const uploaded = await fetch(`${server.baseUrl}/api/v1/verification/requests/${verification.id}/documents`, {
    method: 'POST',
    headers: { authorization: `Bearer ${provider.accessToken}` },
    body: form,
  })
  expect(uploaded.status).toBe(201)
  // A provider who signed up by OTP has no name yet: staff see the phone number instead.
  const phone = '+966500000123'
  const code = (await api('POST', '/auth/otp/send', undefined, { phone })).body.devCode
  const otpProvider = (await api('POST', '/auth/otp/verify', undefined, { phone, code })).body
  expect(
    (await api('POST', '/providers/register', otpProvider.accessToken, { displayName: 'OTP Plumbing', city: 'Riyadh' }))
      .status,
  ).toBe(201)
  const otpVerification = (await api('POST', '/verification/requests', otpProvider.accessToken, { badge: 'blue' })).body
  const customer = await register('Customer')
  expect((await api('POST', '/tickets', customer.accessToken, { subject: 'Cannot join the class' })).status).toBe(201)
  const advertiser = await register('Advertiser')
  const promo = (
    await api('POST', '/promo/requests', advertiser.accessToken, {
      adType: 'featured',
      title: 'Spring sale',
      startAt: new Date(),
      endAt: new Date(Date.now() + 7 * 86_400_000),
    })
  ).body

  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } })
  const page: Page = await context.newPage()
  const problems: string[] = []
  page.on('pageerror', (error) => problems.push(error.message))
  const response = await page.goto(`${server.baseUrl}/dashboard?lang=en`)
  expect(response!.headers()['content-security-policy']).toContain("script-src 'self'")
  expect(await page.getAttribute('html', 'dir')).toBe('ltr')

  await page.fill('input[name=email]', 'boss@example.com')
  await page.fill('input[name=password]', 'wrong password')
  await page.click('#sign-in button[type=submit]')
  await page.waitForSelector('.status.error')
  await page.fill('input[name=password]', 'boss password')
  await page.click('#sign-in button[type=submit]')
  await page.waitForSelector('#kpi-revenue')
  // The coin pack, plan and extra of the first test: 24.99 + 49.00 + 19.00 SAR.
  expect(await page.textContent('#kpi-revenue strong')).toBe('92.99')
  expect(await page.textContent('#kpi-paid-invoices strong')).toBe('3')
  expect(await page.locator('svg.chart rect.bar').count()).toBe(30)
  expect(await page.evaluate(() => document.cookie)).toBe('')
  expect(await inkRatio(browser, await page.screenshot({ fullPage: true }))).toBeGreaterThan(0.02)

  // The CSV button downloads the paid invoices, readable as UTF-8 by spreadsheet programs.
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-action=export-csv]')])
  expect(download.suggestedFilename()).toMatch(/^paid-invoices-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/)
  const csv = await Bun.file((await download.path())!).bytes()
  expect([...csv.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
  const csvLines = new TextDecoder().decode(csv).trim().split('\r\n')
  expect(csvLines[0]).toStartWith('code,paid_at,purpose')
  expect(
    csvLines
      .slice(1)
      .map((line) => line.split(',')[2])
      .sort(),
  ).toEqual(['coins', 'extra', 'subscription'])

  await page.click('nav a[href="#verification"]')
  await page.locator(`article[data-request="${otpVerification.id}"] h3`).waitFor()
  expect(await page.textContent(`article[data-request="${otpVerification.id}"] h3`)).toBe(`${phone} — blue`)
  const card = page.locator(`article[data-request="${verification.id}"]`)
  await card.waitFor()
  await card.locator('[data-action=preview]').click()
  await page.waitForFunction(
    () => (document.querySelector('#document-preview img') as HTMLImageElement | null)?.naturalWidth === 1,
  )
  await card.locator('[data-action=approve]').click()
  await page.waitForSelector(`article[data-request="${verification.id}"] .decision:text("Approved")`)
  await page.locator(`article[data-request="${verification.id}"] [data-action=finalize]`).click()
  await waitFor(
    'the request to leave the pending queue',
    () => page.locator(`article[data-request="${verification.id}"]`).count(),
    (count) => count === 0,
  )
  const finalized = (await api('GET', `/verification/requests/${verification.id}`, provider.accessToken)).body
  expect(finalized.status).toBe('pending_payment')

  await page.click('nav a[href="#promo"]')
  const promoCard = page.locator(`article[data-promo="${promo.id}"]`)
  await promoCard.waitFor()
  await promoCard.locator('[data-form=quote] input[name=amount]').fill('350')
  await promoCard.locator('[data-form=quote] button').click()
  await waitFor(
    'the quote',
    async () => (await api('GET', `/promo/requests/${promo.id}`, advertiser.accessToken)).body.status,
    (status) => status === 'pending_payment',
  )
  expect((await api('GET', `/promo/requests/${promo.id}`, advertiser.accessToken)).body.quoteAmount).toBe(35_000)

  await page.click('#language')
  expect(await page.getAttribute('html', 'dir')).toBe('rtl')
  expect(await page.textContent('nav a[href="#kpis"]')).toBe('المؤشرات')
  await page.click('nav a[href="#kpis"]')
  await page.waitForSelector('#kpi-revenue')
  expect(await inkRatio(browser, await page.screenshot({ fullPage: true }))).toBeGreaterThan(0.02)
  // Both date labels of the chart lie inside it, right to left or not.
  const overflow = await page.evaluate(() => {
    const chart = document.querySelector('svg.chart')!.getBoundingClientRect()
    return Array.from(document.querySelectorAll('svg.chart text.tick')).map((tick) => {
      const box = tick.getBoundingClientRect()
      return box.left < chart.left || box.right > chart.right || box.bottom > chart.bottom ? tick.textContent : null
    })
  })
  expect(overflow).toEqual([null, null])
  for (const view of ['requests', 'catalog', 'tickets']) {
    await page.click(`nav a[href="#${view}"]`)
    await page.waitForSelector(`#view[data-view="${view}"] section`)
    if (view === 'catalog') expect(await page.textContent('#view')).toContain('Trusted Plumbing')
  }
  // Statuses and priorities in Arabic, not the API's English values.
  const ticketRow = page.locator('#view tr', { hasText: 'Cannot join the class' })
  expect(await ticketRow.locator('td').nth(1).textContent()).toBe('عادي')
  expect(await ticketRow.locator('td').nth(2).textContent()).toBe('مفتوحة')
  await page.click('nav a[href="#verification"]')
  await page.locator(`article[data-request="${otpVerification.id}"] h3`).waitFor()
  expect(await page.textContent(`article[data-request="${otpVerification.id}"] h3`)).toBe(`${phone} — الشارة الزرقاء`)
  expect(problems).toEqual([])

  // The provider pays the verification invoice on the mock page: verified for a year.
  await payInBrowser(provider, finalized.invoiceId)
  const providerPage = (await api('GET', '/providers/me', provider.accessToken)).body
  expect(providerPage.verified).toBe(true)
  expect(Date.parse(providerPage.verifiedUntil) - Date.now()).toBeGreaterThan(364 * 86_400_000)
  await payInBrowser(
    advertiser,
    (await api('GET', `/promo/requests/${promo.id}`, advertiser.accessToken)).body.invoiceId,
  )
  expect((await api('GET', '/promo/active?adType=featured')).body.map((active: { id: string }) => active.id)).toEqual([
    promo.id,
  ])
  await context.close()
})
