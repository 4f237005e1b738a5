import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { createTestApp, ManualClock, type TestApp } from '../helpers/app.ts'
import { pdf, png, uploadForm } from '../helpers/files.ts'
import { tempDir } from '../helpers/server-process.ts'
import { makeCatalogue, makeProvider } from '../marketplace/helpers.ts'
import { payInvoice } from './helpers.ts'

let t: TestApp
let clock: ManualClock
let uploadDir: string
beforeEach(async () => {
  clock = new ManualClock()
  uploadDir = tempDir('majlis-verification-')
  t = await createTestApp({ clock, env: { UPLOAD_DIR: uploadDir, MAX_UPLOAD_MB: '1' } })
})
afterEach(() => t.close())

type Who = { accessToken: string } | null
const YEAR = 365 * 24 * 60 * 60 * 1000
const fetchAs = (who: Who, url: string) =>
  t.app.handle(new Request(url, { headers: who ? { authorization: `Bearer ${who.accessToken}` } : {} }))
const noticeTypes = async (who: Who) =>
  (await t.api(who, 'GET', '/notifications?limit=100')).body.items.map((notice: { type: string }) => notice.type)

describe('verification', () => {
  test('request → documents → review → finalize → invoice → pay on the mock page → verified for a year, then withdrawn by the job', async () => {
    const { leaks } = await makeCatalogue(t)
    const provider = await makeProvider(t, [leaks.id], { displayName: 'Careful Plumbing' })
    const created = await t.api(provider, 'POST', '/verification/requests', {
      badge: 'blue',
      note: 'Licensed since 2015',
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ badge: 'blue', status: 'pending', invoiceId: null, documents: [] })
    const id = created.body.id
    expect((await t.api(provider, 'POST', '/verification/requests', { badge: 'green' })).body.error.code).toBe(
      'ALREADY_REQUESTED',
    )

    const upload = (file: Parameters<typeof uploadForm>[3], fields: Record<string, string>) =>
      uploadForm(t, provider.accessToken, `/api/v1/verification/requests/${id}/documents`, file, fields)
    const license = await upload(
      { bytes: pdf(), type: 'application/pdf', name: 'license.pdf' },
      { docType: 'license', title: 'Trade license' },
    )
    expect(license.status).toBe(201)
    const licenseDoc = (await license.json()) as { id: string; url: string; isApproved: null }
    expect(licenseDoc).toMatchObject({
      docType: 'license',
      title: 'Trade license',
      mimeType: 'application/pdf',
      isApproved: null,
    })
    const idCard = (await (
      await upload({ bytes: png(), type: 'image/png', name: 'id.png' }, { docType: 'national_id' })
    ).json()) as { id: string; url: string }

    // Bad input: wrong type by content, too big, missing docType, no file.
    const fake = await upload(
      { bytes: new TextEncoder().encode('MZ this is an exe'), type: 'application/pdf', name: 'x.pdf' },
      { docType: 'license' },
    )
    expect([fake.status, ((await fake.json()) as { error: { code: string } }).error.code]).toEqual([
      422,
      'UNSUPPORTED_FILE_TYPE',
    ])
    const video = await upload(
      {
        bytes: new Uint8Array([0, 0, 0, 0x18, ...new TextEncoder().encode('ftypisom'), 1, 2, 3, 4]),
        type: 'video/mp4',
        name: 'v.mp4',
      },
      { docType: 'license' },
    )
    expect(video.status).toBe(422)
    expect(
      (
        await upload(
          {
            bytes: new Uint8Array([...pdf(), ...new Uint8Array(1024 * 1024)]),
            type: 'application/pdf',
            name: 'big.pdf',
          },
          { docType: 'license' },
        )
      ).status,
    ).toBe(413)
    expect((await upload({ bytes: pdf(), type: 'application/pdf', name: 'a.pdf' }, {})).status).toBe(422)
    expect(
      (await upload({ bytes: pdf(), type: 'application/pdf', name: 'a.pdf' }, { docType: 'Not A Type!' })).status,
    ).toBe(422)
    expect((await upload(null, { docType: 'license' })).status).toBe(422)
    await Bun.sleep(50)
    expect(readdirSync(join(uploadDir, 'private', 'verification'))).toHaveLength(2)

    // Files are private: the owner and verification staff only, never under the public /uploads.
    const reviewer = await t.registerStaff('user', ['verification'])
    const otherStaff = await t.registerStaff('power', ['promo'])
    const stranger = await t.register()
    expect((await fetchAs(provider, licenseDoc.url)).status).toBe(200)
    const asReviewer = await fetchAs(reviewer, licenseDoc.url)
    expect(asReviewer.headers.get('content-type')).toBe('application/pdf')
    expect(new Uint8Array(await asReviewer.arrayBuffer())).toEqual(pdf())
    expect((await fetchAs(stranger, licenseDoc.url)).status).toBe(404)
    expect((await fetchAs(otherStaff, licenseDoc.url)).status).toBe(403)
    expect((await fetchAs(null, licenseDoc.url)).status).toBe(401)
    const stored = readdirSync(join(uploadDir, 'private', 'verification'))[0]!
    expect((await t.app.handle(new Request(`http://localhost/uploads/private/${stored}`))).status).toBe(404)
    expect((await t.app.handle(new Request(`http://localhost/uploads/verification/${stored}`))).status).toBe(404)
    expect((await t.api(stranger, 'GET', `/verification/requests/${id}`)).status).toBe(404)

    // Review: finalize waits for every document; the queue is searchable.
    expect(
      (await t.api(reviewer, 'GET', '/backoffice/verification/requests?status=pending&q=Licensed')).body.items.map(
        (item: { id: string }) => item.id,
      ),
    ).toEqual([id])
    expect((await t.api(reviewer, 'GET', '/backoffice/verification/requests?q=nobody')).body.items).toEqual([])
    expect((await t.api(reviewer, 'POST', `/backoffice/verification/requests/${id}/finalize`)).body.error.code).toBe(
      'DOCUMENTS_REQUIRED',
    )
    expect(
      (await t.api(reviewer, 'PATCH', `/backoffice/verification/documents/${licenseDoc.id}`, { isApproved: true })).body
        .isApproved,
    ).toBe(true)
    expect(
      (await t.api(reviewer, 'PATCH', `/backoffice/verification/documents/${idCard.id}`, { isApproved: 'yes' })).status,
    ).toBe(422)
    expect(
      (await t.api(otherStaff, 'PATCH', `/backoffice/verification/documents/${idCard.id}`, { isApproved: true }))
        .status,
    ).toBe(403)
    expect(
      (await t.api(provider, 'PATCH', `/backoffice/verification/documents/${idCard.id}`, { isApproved: true })).status,
    ).toBe(403)
    expect(
      (
        await t.api(reviewer, 'PATCH', `/backoffice/verification/documents/${idCard.id}`, {
          isApproved: true,
          decisionNote: 'Readable',
        })
      ).status,
    ).toBe(200)
    expect(await noticeTypes(provider)).toContain('verification.document_approved')

    const finalized = await t.api(reviewer, 'POST', `/backoffice/verification/requests/${id}/finalize`)
    expect(finalized.body).toMatchObject({ status: 'pending_payment' })
    expect((await t.api(reviewer, 'POST', `/backoffice/verification/requests/${id}/finalize`)).status).toBe(409)
    expect(
      (await upload({ bytes: pdf(), type: 'application/pdf', name: 'late.pdf' }, { docType: 'license' })).status,
    ).toBe(409)
    const invoice = (await t.api(provider, 'GET', `/billing/invoices/${finalized.body.invoiceId}`)).body
    expect(invoice).toMatchObject({ purpose: 'verification', subjectId: id, amount: 19_900, status: 'pending' })
    expect(await noticeTypes(provider)).toContain('verification.approved')
    expect((await t.api(null, 'GET', `/providers/${provider.provider.id}`)).body.verified).toBe(false)

    await payInvoice(t, provider, invoice.id)
    const verified = (await t.api(provider, 'GET', `/verification/requests/${id}`)).body
    expect(verified.status).toBe('verified')
    expect(new Date(verified.verifiedUntil).getTime()).toBe(clock.now() + YEAR)
    const page = (await t.api(null, 'GET', `/providers/${provider.provider.id}`)).body
    expect(page.verified).toBe(true)

    clock.advance(YEAR)
    await t.app.decorator.scheduler.runDue()
    expect((await t.api(null, 'GET', `/providers/${provider.provider.id}`)).body.verified).toBe(false)
  })

  test('a rejected document makes finalize reject; only providers may ask; bad bodies are 422', async () => {
    const { leaks } = await makeCatalogue(t)
    const provider = await makeProvider(t, [leaks.id])
    const customer = await t.register()
    expect((await t.api(customer, 'POST', '/verification/requests', { badge: 'blue' })).status).toBe(403)
    expect((await t.api(provider, 'POST', '/verification/requests', { badge: 'gold' })).status).toBe(422)
    const id = (await t.api(provider, 'POST', '/verification/requests', { badge: 'green' })).body.id
    const doc = (await (
      await uploadForm(
        t,
        provider.accessToken,
        `/api/v1/verification/requests/${id}/documents`,
        { bytes: png(), type: 'image/png', name: 'a.png' },
        { docType: 'license' },
      )
    ).json()) as { id: string }
    const admin = await t.registerStaff('admin')
    await t.api(admin, 'PATCH', `/backoffice/verification/documents/${doc.id}`, {
      isApproved: false,
      decisionNote: 'Expired license',
    })
    const rejected = await t.api(admin, 'POST', `/backoffice/verification/requests/${id}/finalize`)
    expect(rejected.body).toMatchObject({ status: 'rejected', invoiceId: null })
    expect(await noticeTypes(provider)).toEqual(
      expect.arrayContaining(['verification.document_rejected', 'verification.rejected']),
    )
    const mine = (await t.api(provider, 'GET', '/verification/requests/mine')).body
    expect(mine.items.map((request: { status: string }) => request.status)).toEqual(['rejected'])
    expect(mine.nextCursor).toBeNull()
    // A rejected request no longer blocks a new one; nor does one whose invoice its owner cancelled.
    const again = (await t.api(provider, 'POST', '/verification/requests', { badge: 'green' })).body
    const doc2 = (await (
      await uploadForm(
        t,
        provider.accessToken,
        `/api/v1/verification/requests/${again.id}/documents`,
        { bytes: png(), type: 'image/png', name: 'b.png' },
        { docType: 'license' },
      )
    ).json()) as { id: string }
    await t.api(admin, 'PATCH', `/backoffice/verification/documents/${doc2.id}`, { isApproved: true })
    const invoiceId = (await t.api(admin, 'POST', `/backoffice/verification/requests/${again.id}/finalize`)).body
      .invoiceId
    expect((await t.api(provider, 'POST', '/verification/requests', { badge: 'green' })).body.error.code).toBe(
      'ALREADY_REQUESTED',
    )
    expect((await t.api(provider, 'POST', `/billing/invoices/${invoiceId}/cancel`)).status).toBe(200)
    expect((await t.api(provider, 'GET', `/verification/requests/${again.id}`)).body.status).toBe('cancelled')
    expect((await t.api(provider, 'POST', '/verification/requests', { badge: 'green' })).status).toBe(201)
    expect((await t.api(admin, 'POST', '/backoffice/verification/requests/ver_nope/finalize')).status).toBe(404)
  })
})

describe('promotion', () => {
  test('request with an asset → quote → pay → active between its dates, publicly listed with its asset', async () => {
    const advertiser = await t.register()
    const startAt = new Date(clock.now() + 24 * 60 * 60 * 1000)
    const endAt = new Date(clock.now() + 8 * 24 * 60 * 60 * 1000)
    const created = await t.api(advertiser, 'POST', '/promo/requests', {
      adType: 'banner',
      title: 'Ramadan offer',
      startAt,
      endAt,
      note: 'Home page please',
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({ adType: 'banner', status: 'pending', quoteAmount: null })
    const id = created.body.id
    const asset = await uploadForm(t, advertiser.accessToken, `/api/v1/promo/requests/${id}/assets`, {
      bytes: png(),
      type: 'image/png',
      name: 'banner.png',
    })
    expect(asset.status).toBe(201)
    const assetUrl = ((await asset.json()) as { url: string }).url
    expect(
      (
        await uploadForm(t, advertiser.accessToken, `/api/v1/promo/requests/${id}/assets`, {
          bytes: pdf(),
          type: 'application/pdf',
          name: 'a.pdf',
        })
      ).status,
    ).toBe(422)
    const stranger = await t.register()
    expect(
      (
        await uploadForm(t, stranger.accessToken, `/api/v1/promo/requests/${id}/assets`, {
          bytes: png(),
          type: 'image/png',
          name: 'b.png',
        })
      ).status,
    ).toBe(404)
    expect((await fetchAs(null, assetUrl)).status).toBe(404)
    expect((await fetchAs(stranger, assetUrl)).status).toBe(404)
    expect((await fetchAs(advertiser, assetUrl)).status).toBe(200)

    const promoStaff = await t.registerStaff('power', ['promo'])
    const promoReader = await t.registerStaff('qa', ['promo'])
    expect((await fetchAs(promoReader, assetUrl)).status).toBe(200)
    expect(
      (await t.api(promoReader, 'GET', '/backoffice/promo/requests?adType=banner&q=Ramadan')).body.items,
    ).toHaveLength(1)
    expect((await t.api(promoReader, 'GET', '/backoffice/promo/requests?adType=push')).body.items).toHaveLength(0)
    expect(
      (await t.api(promoReader, 'POST', `/backoffice/promo/requests/${id}/quote`, { amount: 50_000 })).status,
    ).toBe(403)
    expect((await t.api(promoStaff, 'POST', `/backoffice/promo/requests/${id}/quote`, { amount: 0 })).status).toBe(422)
    const quoted = await t.api(promoStaff, 'POST', `/backoffice/promo/requests/${id}/quote`, {
      amount: 50_000,
      quoteNote: 'One week, home banner',
    })
    expect(quoted.body).toMatchObject({ status: 'pending_payment', quoteAmount: 50_000 })
    expect((await t.api(promoStaff, 'POST', `/backoffice/promo/requests/${id}/quote`, { amount: 40_000 })).status).toBe(
      409,
    )
    expect(
      (await t.api(promoStaff, 'POST', `/backoffice/promo/requests/${id}/reject`, { rejectReason: 'late' })).status,
    ).toBe(409)
    expect(await noticeTypes(advertiser)).toContain('promo.quoted')

    await payInvoice(t, advertiser, quoted.body.invoiceId)
    expect((await t.api(advertiser, 'GET', `/promo/requests/${id}`)).body.status).toBe('active')
    expect((await t.api(null, 'GET', '/promo/active')).body).toEqual([]) // not started yet
    clock.advance(2 * 24 * 60 * 60 * 1000)
    const running = (await t.api(null, 'GET', '/promo/active?adType=banner')).body
    expect(running).toMatchObject([{ id, title: 'Ramadan offer', adType: 'banner' }])
    expect((await fetchAs(null, running[0].assets[0].url)).status).toBe(200)
    expect((await t.api(null, 'GET', '/promo/active?adType=push')).body).toEqual([])
    expect((await t.api(null, 'GET', '/promo/active?adType=radio')).status).toBe(422)
    clock.advance(7 * 24 * 60 * 60 * 1000)
    expect((await t.api(null, 'GET', '/promo/active')).body).toEqual([])
    expect((await fetchAs(null, assetUrl)).status).toBe(404)
  })

  test('dates are checked; staff reject with a reason; others see nothing', async () => {
    const advertiser = await t.register()
    const now = clock.now()
    const body = (startAt: number, endAt: number) => ({
      adType: 'featured',
      title: 'Offer',
      startAt: new Date(startAt),
      endAt: new Date(endAt),
    })
    expect((await t.api(advertiser, 'POST', '/promo/requests', body(now + 1000, now))).body.error.code).toBe(
      'INVALID_DATES',
    )
    expect((await t.api(advertiser, 'POST', '/promo/requests', body(now - 5000, now - 1000))).body.error.code).toBe(
      'INVALID_DATES',
    )
    expect(
      (await t.api(advertiser, 'POST', '/promo/requests', { ...body(now, now + 1000), startAt: 'soon' })).status,
    ).toBe(422)
    const id = (await t.api(advertiser, 'POST', '/promo/requests', body(now, now + 60_000))).body.id
    const staff = await t.registerStaff('power', ['promo'])
    expect((await t.api(staff, 'POST', `/backoffice/promo/requests/${id}/reject`, {})).status).toBe(422)
    const rejected = await t.api(staff, 'POST', `/backoffice/promo/requests/${id}/reject`, {
      rejectReason: 'Not allowed content',
    })
    expect(rejected.body).toMatchObject({ status: 'rejected', rejectReason: 'Not allowed content' })
    expect(
      (await t.api(staff, 'POST', `/backoffice/promo/requests/${id}/reject`, { rejectReason: 'again' })).status,
    ).toBe(409)
    const quotedId = (await t.api(advertiser, 'POST', '/promo/requests', body(now, now + 60_000))).body.id
    const invoiceId = (await t.api(staff, 'POST', `/backoffice/promo/requests/${quotedId}/quote`, { amount: 1000 }))
      .body.invoiceId
    expect((await t.api(advertiser, 'POST', `/billing/invoices/${invoiceId}/cancel`)).status).toBe(200)
    expect((await t.api(advertiser, 'GET', `/promo/requests/${quotedId}`)).body.status).toBe('cancelled')
    expect(await noticeTypes(advertiser)).toContain('promo.rejected')
    // My requests, a page at a time, newest first; nobody else's.
    const first = (await t.api(advertiser, 'GET', '/promo/requests/mine?limit=1')).body
    expect(first.items.map((request: { id: string }) => request.id)).toEqual([quotedId])
    const second = (await t.api(advertiser, 'GET', `/promo/requests/mine?limit=1&cursor=${first.nextCursor}`)).body
    expect(second).toMatchObject({ items: [{ id, status: 'rejected' }], nextCursor: null })
    const stranger = await t.register()
    expect((await t.api(stranger, 'GET', '/promo/requests/mine')).body).toEqual({ items: [], nextCursor: null })
    expect((await t.api(stranger, 'GET', `/promo/requests/${id}`)).status).toBe(404)
    expect((await t.api(await t.registerStaff('power', ['billing']), 'GET', '/backoffice/promo/requests')).status).toBe(
      403,
    )
    expect(existsSync(join(uploadDir, 'private', 'promo'))).toBe(false)
  })
})
