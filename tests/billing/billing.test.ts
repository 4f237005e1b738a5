import { describe, expect, test } from 'bun:test'
import { createTestApp, freshAppPerTest } from '../helpers/app.ts'
import { completeCheckout, payInvoice, sendWebhook, startPayment } from './helpers.ts'

const ctx = freshAppPerTest()
const DAY = 24 * 60 * 60 * 1000

async function buyCoins(packId = 'coins_550') {
  const buyer = await ctx.t.register()
  const bought = await ctx.t.api(buyer, 'POST', `/coin-packs/${packId}/buy`)
  expect(bought.status).toBe(201)
  return { buyer, invoice: bought.body.invoice }
}
const balanceOf = async (who: { accessToken: string }) => (await ctx.t.api(who, 'GET', '/me/wallet')).body

describe('invoices and the mock checkout', () => {
  test('a coin pack: invoice from the catalogue, pay on the mock page, coins credited once with a ledger row and a notification', async () => {
    const packs = (await ctx.t.api(null, 'GET', '/coin-packs')).body
    expect(packs.map((pack: { id: string }) => pack.id)).toEqual(['coins_100', 'coins_550', 'coins_1200'])
    const { buyer, invoice } = await buyCoins()
    expect(invoice).toMatchObject({
      purpose: 'coins',
      subjectId: 'coins_550',
      amount: 2499,
      currency: 'SAR',
      status: 'pending',
      paidAt: null,
    })
    expect(invoice.code).toMatch(/^INV-20260101-[2-9A-Z]{6}$/)
    expect(invoice.lines).toEqual([{ description: '550 coins', quantity: 550, amount: 2499 }])

    const attempt = await startPayment(ctx.t, buyer, invoice.id, 'key-1')
    expect(attempt).toMatchObject({ invoiceId: invoice.id, provider: 'mock', status: 'initiated' })
    expect(attempt.checkoutUrl).toBe(`http://localhost/api/v1/billing/mock/checkout/${attempt.reference}`)
    const again = await ctx.t.api(buyer, 'POST', `/billing/invoices/${invoice.id}/pay`, {
      provider: 'mock',
      idempotencyKey: 'key-1',
    })
    expect(again.status).toBe(200)
    expect(again.body.id).toBe(attempt.id)

    const checkout = await completeCheckout(ctx.t, attempt.checkoutUrl)
    expect(checkout.page).toContain(invoice.code)
    expect(checkout.page).toContain('<li>550 coins: 24.99 SAR</li>')
    expect(checkout.page).not.toContain('dev-only-webhook-secret')
    expect(checkout.result).toContain('Payment complete')
    const revisited = await (await ctx.t.app.handle(new Request(attempt.checkoutUrl))).text()
    expect(revisited).toContain('This payment is complete. The invoice is paid.')
    expect(revisited).not.toContain('<button')

    const paid = (await ctx.t.api(buyer, 'GET', `/billing/invoices/${invoice.id}`)).body
    expect(paid.status).toBe('paid')
    expect(paid.paidAt).not.toBeNull()
    const wallet = await balanceOf(buyer)
    expect(wallet.balance).toBe(550)
    expect(wallet.transactions).toMatchObject([
      { amount: 550, balanceAfter: 550, kind: 'purchase', reference: invoice.code },
    ])
    const notices = (await ctx.t.api(buyer, 'GET', '/notifications')).body.items
    expect(notices.map((notice: { type: string }) => notice.type)).toContain('billing.invoice_paid')

    // The page now offers nothing; paying again is refused.
    const revisit = await ctx.t.app.handle(new Request(attempt.checkoutUrl))
    expect(await revisit.text()).not.toContain('/pay"')
    expect(
      (await ctx.t.api(buyer, 'POST', `/billing/invoices/${invoice.id}/pay`, { provider: 'mock' })).body.error.code,
    ).toBe('INVALID_STATE')
    expect((await balanceOf(buyer)).balance).toBe(550)
  })

  test('the checkout page is an HTML page with its own strict policy; an unknown reference is 404', async () => {
    const { buyer, invoice } = await buyCoins()
    const attempt = await startPayment(ctx.t, buyer, invoice.id)
    const page = await ctx.t.app.handle(new Request(attempt.checkoutUrl))
    expect(page.headers.get('content-type')).toContain('text/html')
    expect(page.headers.get('content-security-policy')).toContain("form-action 'self'")
    expect(page.headers.get('content-security-policy')).not.toContain('script-src')
    expect((await ctx.t.app.handle(new Request('http://localhost/api/v1/billing/mock/checkout/nope'))).status).toBe(404)
  })

  test('declining marks the attempt failed and leaves the invoice pending; it can be paid later', async () => {
    const { buyer, invoice } = await buyCoins('coins_100')
    const declined = await startPayment(ctx.t, buyer, invoice.id)
    expect((await completeCheckout(ctx.t, declined.checkoutUrl, 'fail')).result).toContain('Payment failed')
    expect((await ctx.t.api(buyer, 'GET', `/billing/invoices/${invoice.id}`)).body.status).toBe('pending')
    expect((await balanceOf(buyer)).balance).toBe(0)
    await payInvoice(ctx.t, buyer, invoice.id)
    expect((await balanceOf(buyer)).balance).toBe(100)
  })

  test('invoices: listed newest first with filters, visible to the owner and billing staff only; cancel while pending', async () => {
    const { buyer, invoice } = await buyCoins()
    ctx.clock.advance(1000)
    const second = (await ctx.t.api(buyer, 'POST', '/extras/priority-listing/buy')).body.invoice
    const mine = (await ctx.t.api(buyer, 'GET', '/billing/invoices')).body
    expect(mine.items.map((item: { id: string }) => item.id)).toEqual([second.id, invoice.id])
    expect((await ctx.t.api(buyer, 'GET', '/billing/invoices?purpose=extra')).body.items).toHaveLength(1)
    expect((await ctx.t.api(buyer, 'GET', '/billing/invoices?status=paid')).body.items).toHaveLength(0)
    expect((await ctx.t.api(buyer, 'GET', '/billing/invoices?limit=1')).body.nextCursor).not.toBeNull()
    expect((await ctx.t.api(buyer, 'GET', '/billing/invoices?status=owed')).status).toBe(422)

    const stranger = await ctx.t.register()
    expect((await ctx.t.api(stranger, 'GET', `/billing/invoices/${invoice.id}`)).status).toBe(404)
    expect(
      (await ctx.t.api(stranger, 'POST', `/billing/invoices/${invoice.id}/pay`, { provider: 'mock' })).status,
    ).toBe(404)
    expect((await ctx.t.api(stranger, 'POST', `/billing/invoices/${invoice.id}/cancel`)).status).toBe(404)
    const billingStaff = await ctx.t.registerStaff('qa', ['billing'])
    expect((await ctx.t.api(billingStaff, 'GET', `/billing/invoices/${invoice.id}`)).body.code).toBe(invoice.code)
    const otherStaff = await ctx.t.registerStaff('power', ['tickets'])
    expect((await ctx.t.api(otherStaff, 'GET', `/billing/invoices/${invoice.id}`)).status).toBe(403)

    expect(
      (await ctx.t.api(buyer, 'POST', `/billing/invoices/${invoice.id}/pay`, { provider: 'paypal' })).body.error.code,
    ).toBe('UNKNOWN_PAYMENT_PROVIDER')
    expect((await ctx.t.api(buyer, 'POST', `/billing/invoices/${invoice.id}/pay`, {})).status).toBe(422)
    expect(
      (await ctx.t.api(buyer, 'POST', `/billing/invoices/${invoice.id}/pay`, { provider: 'mock', amount: 1 })).status,
    ).toBe(201)
    expect((await ctx.t.api(buyer, 'POST', `/billing/invoices/${invoice.id}/cancel`)).body.status).toBe('cancelled')
    expect((await ctx.t.api(buyer, 'POST', `/billing/invoices/${invoice.id}/cancel`)).body.error.code).toBe(
      'INVALID_STATE',
    )
    expect(
      (await ctx.t.api(buyer, 'POST', `/billing/invoices/${invoice.id}/pay`, { provider: 'mock' })).body.error.code,
    ).toBe('INVALID_STATE')
    expect((await ctx.t.api(buyer, 'POST', '/coin-packs/coins_nope/buy')).status).toBe(404)
    expect((await ctx.t.api(null, 'POST', '/coin-packs/coins_100/buy')).status).toBe(401)
  })
})

describe('webhooks', () => {
  test('signature, timestamp window and body are checked before anything changes', async () => {
    const { buyer, invoice } = await buyCoins()
    const attempt = await startPayment(ctx.t, buyer, invoice.id)
    const now = ctx.clock.now()
    const body = { reference: attempt.reference, status: 'paid' }
    const code = async (response: Promise<{ status: number; body: { error?: { code: string } } }>) => {
      const answer = await response
      return `${answer.status} ${answer.body.error?.code ?? ''}`.trim()
    }
    expect(await code(sendWebhook(ctx.t, body, { at: now, signature: '' }))).toBe('401 INVALID_SIGNATURE')
    expect(await code(sendWebhook(ctx.t, body, { at: now, secret: 'another-secret-of-enough-length' }))).toBe(
      '401 INVALID_SIGNATURE',
    )
    expect(await code(sendWebhook(ctx.t, body, { at: now, signature: 'zz'.repeat(32) }))).toBe('401 INVALID_SIGNATURE')
    expect(await code(sendWebhook(ctx.t, body, { at: now, timestamp: 'yesterday' }))).toBe('401 INVALID_SIGNATURE')
    expect(await code(sendWebhook(ctx.t, body, { at: now - 6 * 60 * 1000 }))).toBe('401 STALE_WEBHOOK')
    expect(await code(sendWebhook(ctx.t, body, { at: now + 6 * 60 * 1000 }))).toBe('401 STALE_WEBHOOK')
    // The signature covers the timestamp: a fresh timestamp on an old signature does not verify.
    const old = String(Math.floor(now / 1000) - 600)
    const { signWebhook } = await import('../../src/modules/billing/webhooks.ts')
    const replayed = signWebhook(
      'dev-only-webhook-secret-never-use-in-production',
      old,
      'evt-replayed',
      JSON.stringify(body),
    )
    expect(await code(sendWebhook(ctx.t, body, { at: now, eventId: 'evt-replayed', signature: replayed }))).toBe(
      '401 INVALID_SIGNATURE',
    )
    // The event id is signed too: a captured delivery cannot be replayed under a new id.
    const signedForA = signWebhook(
      'dev-only-webhook-secret-never-use-in-production',
      String(Math.floor(now / 1000)),
      'evt-a',
      JSON.stringify(body),
    )
    expect(await code(sendWebhook(ctx.t, body, { at: now, eventId: 'evt-b', signature: signedForA }))).toBe(
      '401 INVALID_SIGNATURE',
    )
    // Nothing of an unsigned delivery is read: junk bodies and unknown providers are 401, not 400/404/422.
    for (const junk of ['{"reference":', '[]', '{"status":"maybe"}'])
      expect(await code(sendWebhook(ctx.t, junk, { at: now, signature: '' }))).toBe('401 INVALID_SIGNATURE')
    expect(await code(sendWebhook(ctx.t, body, { at: now, provider: 'stripe', signature: '' }))).toBe(
      '401 INVALID_SIGNATURE',
    )
    // A signed event that charged something else pays nothing.
    expect(await code(sendWebhook(ctx.t, { ...body, amount: 1, currency: 'USD' }, { at: now }))).toBe(
      '422 AMOUNT_MISMATCH',
    )
    expect(await code(sendWebhook(ctx.t, { ...body, amount: invoice.amount, currency: 'USD' }, { at: now }))).toBe(
      '422 AMOUNT_MISMATCH',
    )
    expect(await code(sendWebhook(ctx.t, { ...body, amount: invoice.amount - 1 }, { at: now }))).toBe(
      '422 AMOUNT_MISMATCH',
    )
    expect(await code(sendWebhook(ctx.t, { reference: attempt.reference, status: 'maybe' }, { at: now }))).toBe(
      '422 VALIDATION_FAILED',
    )
    expect(await code(sendWebhook(ctx.t, { status: 'paid' }, { at: now }))).toBe('422 VALIDATION_FAILED')
    expect(await code(sendWebhook(ctx.t, { reference: 'pay_unknown', status: 'paid' }, { at: now }))).toBe(
      '404 NOT_FOUND',
    )
    expect(await code(sendWebhook(ctx.t, body, { at: now, provider: 'stripe' }))).toBe('404 NOT_FOUND')
    expect(await code(sendWebhook(ctx.t, '{"reference":', { at: now }))).toBe('400 MALFORMED_BODY')
    expect((await ctx.t.api(buyer, 'GET', `/billing/invoices/${invoice.id}`)).body.status).toBe('pending')
    expect((await balanceOf(buyer)).balance).toBe(0)

    // Within the window and well signed: applied once; the same event id again is a duplicate.
    const first = await sendWebhook(
      ctx.t,
      { ...body, amount: invoice.amount, currency: invoice.currency },
      { at: now - 4 * 60 * 1000, eventId: 'evt-1' },
    )
    expect(first.status).toBe(200)
    expect(first.body).toEqual({ received: true, duplicate: false })
    expect((await sendWebhook(ctx.t, body, { at: now, eventId: 'evt-1' })).body).toEqual({
      received: true,
      duplicate: true,
    })
    // Another event for the paid invoice (by its code) is accepted and changes nothing.
    expect(
      (await sendWebhook(ctx.t, { invoiceCode: invoice.code, status: 'paid' }, { at: now, eventId: 'evt-2' })).body,
    ).toEqual({ received: true, duplicate: false })
    expect((await balanceOf(buyer)).transactions).toHaveLength(1)
    expect((await balanceOf(buyer)).balance).toBe(550)
  })

  test('20 concurrent deliveries for one invoice, same and different event ids: one effect', async () => {
    const { buyer, invoice } = await buyCoins('coins_1200')
    const attempt = await startPayment(ctx.t, buyer, invoice.id)
    const at = ctx.clock.now()
    const deliveries = Array.from({ length: 20 }, (_, index) =>
      sendWebhook(
        ctx.t,
        index % 2 === 0
          ? { reference: attempt.reference, status: 'paid' }
          : { invoiceCode: invoice.code, status: 'paid' },
        { at, eventId: index < 10 ? 'evt-same' : `evt-${index}` },
      ),
    )
    const answers = await Promise.all(deliveries)
    expect(answers.every((answer) => answer.status === 200)).toBe(true)
    expect(answers.filter((answer) => answer.body.duplicate === true)).toHaveLength(9)
    const wallet = await balanceOf(buyer)
    expect(wallet.balance).toBe(1200)
    expect(wallet.transactions).toHaveLength(1)
    const notices = (await ctx.t.api(buyer, 'GET', '/notifications')).body.items.filter(
      (notice: { type: string }) => notice.type === 'billing.invoice_paid',
    )
    expect(notices).toHaveLength(1)
  })
})

describe('plans, extras and features', () => {
  test('subscribe → pay → active until endsAt with the plan’s features; the durable job expires it', async () => {
    const user = await ctx.t.register()
    const free = (await ctx.t.api(user, 'GET', '/features/mine')).body
    expect(free).toEqual({
      flags: { portfolioItems: 10, portfolioVideos: true, priorityListing: false },
      maxUploadMb: 5,
      planId: null,
    })
    const plans = (await ctx.t.api(null, 'GET', '/subscriptions/plans')).body
    expect(plans.map((plan: { id: string }) => plan.id)).toEqual(['plan_pro', 'plan_business'])

    const subscribed = await ctx.t.api(user, 'POST', '/subscriptions/plans/plan_pro/subscribe')
    expect(subscribed.status).toBe(201)
    expect(subscribed.body.subscription).toMatchObject({ planId: 'plan_pro', status: 'pending_payment', endsAt: null })
    expect(subscribed.body.invoice).toMatchObject({
      purpose: 'subscription',
      subjectId: subscribed.body.subscription.id,
      amount: 4900,
    })
    expect((await ctx.t.api(user, 'GET', '/features/mine')).body.planId).toBeNull()

    await payInvoice(ctx.t, user, subscribed.body.invoice.id)
    const [active] = (await ctx.t.api(user, 'GET', '/subscriptions/mine')).body
    expect(active.status).toBe('active')
    expect(new Date(active.endsAt).getTime() - new Date(active.startsAt).getTime()).toBe(30 * DAY)
    expect((await ctx.t.api(user, 'GET', '/features/mine')).body).toEqual({
      flags: { portfolioItems: 50, portfolioVideos: true, priorityListing: true },
      maxUploadMb: 10,
      planId: 'plan_pro',
    })
    expect((await ctx.t.api(user, 'POST', '/subscriptions/plans/plan_business/subscribe')).body.error.code).toBe(
      'ALREADY_SUBSCRIBED',
    )

    ctx.clock.advance(30 * DAY - 1000)
    await ctx.t.app.decorator.scheduler.runDue()
    expect((await ctx.t.api(user, 'GET', '/subscriptions/mine')).body[0].status).toBe('active')
    ctx.clock.advance(1000)
    expect(await ctx.t.app.decorator.scheduler.runDue()).toBe(1)
    expect((await ctx.t.api(user, 'GET', '/subscriptions/mine')).body[0].status).toBe('expired')
    expect((await ctx.t.api(user, 'GET', '/features/mine')).body.planId).toBeNull()
    expect((await ctx.t.api(user, 'POST', '/subscriptions/plans/plan_business/subscribe')).status).toBe(201)
  })

  test('cancelling a plan’s invoice cancels its subscription; two pending subscriptions both paid run one after the other', async () => {
    const user = await ctx.t.register()
    const dropped = (await ctx.t.api(user, 'POST', '/subscriptions/plans/plan_pro/subscribe')).body
    expect((await ctx.t.api(user, 'POST', `/billing/invoices/${dropped.invoice.id}/cancel`)).body.status).toBe(
      'cancelled',
    )
    expect((await ctx.t.api(user, 'GET', '/subscriptions/mine')).body).toMatchObject([
      { id: dropped.subscription.id, status: 'cancelled' },
    ])

    const first = (await ctx.t.api(user, 'POST', '/subscriptions/plans/plan_pro/subscribe')).body
    const second = (await ctx.t.api(user, 'POST', '/subscriptions/plans/plan_business/subscribe')).body
    await payInvoice(ctx.t, user, first.invoice.id)
    await payInvoice(ctx.t, user, second.invoice.id)
    const byId = new Map(
      (await ctx.t.api(user, 'GET', '/subscriptions/mine')).body.map((subscription: { id: string }) => [
        subscription.id,
        subscription,
      ]),
    )
    const [pro, business] = [
      byId.get(first.subscription.id) as { startsAt: string; endsAt: string },
      byId.get(second.subscription.id) as { startsAt: string; endsAt: string },
    ]
    expect(business.startsAt).toBe(pro.endsAt)
    expect((await ctx.t.api(user, 'GET', '/features/mine')).body.planId).toBe('plan_pro')
    ctx.clock.advance(30 * DAY)
    await ctx.t.app.decorator.scheduler.runDue()
    expect((await ctx.t.api(user, 'GET', '/features/mine')).body.planId).toBe('plan_business')
  })

  test('extras add to the features once paid; unknown or inactive entries are 404', async () => {
    const user = await ctx.t.register()
    const extras = (await ctx.t.api(null, 'GET', '/extras')).body
    expect(extras.map((extra: { sku: string }) => extra.sku)).toEqual(['portfolio-20', 'priority-listing'])
    const bought = await ctx.t.api(user, 'POST', '/extras/portfolio-20/buy')
    expect(bought.status).toBe(201)
    expect((await ctx.t.api(user, 'GET', '/extras/mine')).body).toEqual([])
    await payInvoice(ctx.t, user, bought.body.invoice.id)
    expect((await ctx.t.api(user, 'GET', '/extras/mine')).body).toMatchObject([
      { sku: 'portfolio-20', grants: { portfolioItems: 20 }, invoiceId: bought.body.invoice.id },
    ])
    expect((await ctx.t.api(user, 'GET', '/features/mine')).body.flags.portfolioItems).toBe(30)
    expect((await ctx.t.api(user, 'POST', '/extras/nope/buy')).status).toBe(404)
    expect((await ctx.t.api(user, 'POST', '/extras/NOT A SKU/buy')).status).toBe(422)
    expect((await ctx.t.api(user, 'POST', '/subscriptions/plans/plan_nope/subscribe')).status).toBe(404)
  })

  test('staff with billing manage the catalogues; others are refused; inactive entries leave the shop', async () => {
    const manager = await ctx.t.registerStaff('power', ['billing'])
    const reader = await ctx.t.registerStaff('qa', ['billing'])
    const outsider = await ctx.t.registerStaff('power', ['tickets'])
    const customer = await ctx.t.register()
    const plan = await ctx.t.api(manager, 'POST', '/backoffice/plans', {
      name: 'Starter',
      amount: 1900,
      periodDays: 7,
      flags: { portfolioItems: 20 },
      maxUploadMb: 8,
    })
    expect(plan.status).toBe(201)
    expect(plan.body).toMatchObject({ name: 'Starter', currency: 'SAR', isActive: true })
    expect(
      (await ctx.t.api(null, 'GET', '/subscriptions/plans')).body.map((entry: { name: string }) => entry.name),
    ).toEqual(['Starter', 'Pro', 'Business'])
    expect(
      (
        await ctx.t.api(manager, 'POST', '/backoffice/plans', {
          name: 'Free',
          amount: 0,
          periodDays: 7,
          flags: {},
          maxUploadMb: 8,
        })
      ).status,
    ).toBe(422)
    expect(
      (
        await ctx.t.api(manager, 'POST', '/backoffice/plans', {
          name: 'Bad',
          amount: 100,
          periodDays: 7,
          flags: { 'no spaces': true },
          maxUploadMb: 8,
        })
      ).status,
    ).toBe(422)
    expect(
      (
        await ctx.t.api(reader, 'POST', '/backoffice/plans', {
          name: 'X',
          amount: 100,
          periodDays: 7,
          flags: {},
          maxUploadMb: 8,
        })
      ).status,
    ).toBe(403)
    expect((await ctx.t.api(outsider, 'GET', '/backoffice/plans')).status).toBe(403)
    expect((await ctx.t.api(customer, 'GET', '/backoffice/plans')).status).toBe(403)
    expect((await ctx.t.api(reader, 'GET', '/backoffice/coin-packs')).body).toHaveLength(3)

    expect(
      (await ctx.t.api(manager, 'PATCH', '/backoffice/coin-packs/coins_100', { isActive: false })).body.isActive,
    ).toBe(false)
    expect((await ctx.t.api(null, 'GET', '/coin-packs')).body).toHaveLength(2)
    expect((await ctx.t.api(customer, 'POST', '/coin-packs/coins_100/buy')).status).toBe(404)
    expect((await ctx.t.api(manager, 'PATCH', '/backoffice/coin-packs/coins_100', {})).status).toBe(422)
    expect((await ctx.t.api(manager, 'PATCH', '/backoffice/coin-packs/nope', { isActive: true })).status).toBe(404)
    const extra = await ctx.t.api(manager, 'POST', '/backoffice/extras', {
      sku: 'video-pack',
      name: 'Videos',
      amount: 900,
      grants: { portfolioVideos: true },
    })
    expect(extra.status).toBe(201)
    expect(
      (
        await ctx.t.api(manager, 'POST', '/backoffice/extras', {
          sku: 'video-pack',
          name: 'Again',
          amount: 900,
          grants: {},
        })
      ).body.error.code,
    ).toBe('SKU_TAKEN')
    expect((await ctx.t.api(manager, 'PATCH', '/backoffice/extras/video-pack', { amount: 1200 })).body.amount).toBe(
      1200,
    )
  })
})

test('in production the mock provider and its checkout page do not exist', async () => {
  const t = await createTestApp({
    env: {
      NODE_ENV: 'production',
      JWT_SECRET: 'a-production-secret-of-at-least-32-chars',
      PAYMENT_WEBHOOK_SECRET: 'production-webhook-secret',
    },
  })
  try {
    const buyer = await t.register()
    const invoice = (await t.call('POST', '/api/v1/coin-packs/coins_100/buy', { token: buyer.accessToken })).body
      .invoice
    const pay = await t.call('POST', `/api/v1/billing/invoices/${invoice.id}/pay`, {
      token: buyer.accessToken,
      body: { provider: 'mock' },
    })
    expect(pay.body.error.code).toBe('UNKNOWN_PAYMENT_PROVIDER')
    expect((await t.call('GET', '/api/v1/billing/mock/checkout/anything')).status).toBe(404)
  } finally {
    t.close()
  }
})

test('a paid subscription expires by its durable job after a restart on the same database file', async () => {
  const { ManualClock } = await import('../helpers/app.ts')
  const { tempDir } = await import('../helpers/server-process.ts')
  const { join } = await import('node:path')
  const env = { DATABASE_URL: `file:${join(tempDir(), 'majlis.db')}` }
  const clock = new ManualClock()
  const first = await createTestApp({ env, clock })
  const user = await first.register()
  const { invoice, subscription } = (
    await first.call('POST', '/api/v1/subscriptions/plans/plan_business/subscribe', { token: user.accessToken })
  ).body
  await payInvoice(first, user, invoice.id)
  first.close()

  clock.advance(31 * DAY)
  const second = await createTestApp({ env, clock })
  try {
    const before = (await second.call('GET', '/api/v1/subscriptions/mine', { token: user.accessToken })).body
    expect(before).toMatchObject([{ id: subscription.id, status: 'active' }])
    expect((await second.call('GET', '/api/v1/features/mine', { token: user.accessToken })).body.planId).toBeNull() // never more than paid for
    expect(await second.app.decorator.scheduler.runDue()).toBe(1)
    expect((await second.call('GET', '/api/v1/subscriptions/mine', { token: user.accessToken })).body[0].status).toBe(
      'expired',
    )
  } finally {
    second.close()
  }
})

test('webhooks are not held to the per-IP budget of anonymous callers (a gateway sends many from few addresses)', async () => {
  const clock = new (await import('../helpers/app.ts')).ManualClock()
  const t = await createTestApp({ clock, rateLimits: 'defaults' })
  try {
    const buyer = await t.register()
    const invoice = (await t.call('POST', '/api/v1/coin-packs/coins_100/buy', { token: buyer.accessToken })).body
      .invoice
    const answers = []
    // More than the anonymous budget of one address (300 a minute), all accepted.
    for (let index = 0; index < 320; index++)
      answers.push(
        (
          await sendWebhook(
            t,
            { invoiceCode: invoice.code, status: 'paid' },
            { at: clock.now(), eventId: `evt-${index}` },
          )
        ).status,
      )
    expect(answers.every((status) => status === 200)).toBe(true)
    expect((await t.call('GET', '/api/v1/categories')).status).toBe(200)
    const anonymous = await Promise.all(Array.from({ length: 320 }, () => t.call('GET', '/api/v1/coin-packs')))
    expect(anonymous.some((answer) => answer.status === 429)).toBe(true)
  } finally {
    t.close()
  }
})
