import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { png, uploadForm, type UploadFile } from '../helpers/files.ts'
import { createTestApp, ManualClock, type TestApp } from '../helpers/app.ts'
import { tempDir } from '../helpers/server-process.ts'
import { payInvoice } from '../billing/helpers.ts'
import { makeCatalogue, makeProvider, type Account } from './helpers.ts'

let t: TestApp
let clock: ManualClock
let uploadDir: string
beforeEach(async () => {
  clock = new ManualClock()
  uploadDir = tempDir('majlis-portfolio-')
  t = await createTestApp({
    clock,
    env: { UPLOAD_DIR: uploadDir, MAX_UPLOAD_MB: '1', PUBLIC_URL: 'https://files.example.com' },
  })
})
afterEach(() => t.close())

const ids = (items: { id: string }[]) => items.map((item) => item.id)

describe('catalogue', () => {
  test('the public tree shows active categories and subcategories; staff with catalog see and manage all', async () => {
    const { staff, plumbing, leaks, tutoring, maths, retired } = await makeCatalogue(t)
    const publicTree = (await t.api(null, 'GET', '/categories')).body
    expect(publicTree.map((c: { nameEn: string }) => c.nameEn)).toEqual(['Plumbing', 'Tutoring'])
    expect(ids(publicTree[1].subcategories)).toEqual([maths.id])
    expect(ids((await t.api(staff, 'GET', '/categories')).body[1].subcategories)).toEqual([maths.id, retired.id])

    expect((await t.api(staff, 'PATCH', `/categories/${tutoring.id}`, { isActive: false })).body).toMatchObject({
      isActive: false,
    })
    expect(ids((await t.api(null, 'GET', '/categories')).body)).toEqual([plumbing.id])
    expect((await t.api(staff, 'PATCH', `/subcategories/${leaks.id}`, { name: 'تسريبات' })).body).toMatchObject({
      name: 'تسريبات',
      isActive: true,
    })

    const customer = await t.register()
    expect((await t.api(customer, 'POST', '/categories', { name: 'x' })).status).toBe(403)
    expect((await t.api(await t.registerStaff('qa', ['catalog']), 'POST', '/categories', { name: 'x' })).status).toBe(
      403,
    )
    expect(
      (await t.api(await t.registerStaff('power', ['marketplace']), 'POST', '/categories', { name: 'x' })).status,
    ).toBe(403)
    expect((await t.api(staff, 'POST', '/categories', { name: '' })).status).toBe(422)
    expect((await t.api(staff, 'PATCH', `/categories/${plumbing.id}`, {})).status).toBe(422)
    expect((await t.api(staff, 'PATCH', '/categories/cat_nope', { name: 'x' })).status).toBe(404)
    expect((await t.api(staff, 'POST', '/categories/cat_nope/subcategories', { name: 'x' })).status).toBe(404)
  })
})

describe('providers', () => {
  test('a phone_only account registers as a provider: its role becomes provider at once, on the token it already has', async () => {
    const { leaks } = await makeCatalogue(t)
    const sent = await t.api(null, 'POST', '/auth/otp/send', { phone: '+966500000001' })
    const session = (await t.api(null, 'POST', '/auth/otp/verify', { phone: '+966500000001', code: sent.body.devCode }))
      .body
    expect(session.user.role).toBe('phone_only')
    expect(
      (
        await t.api(session, 'POST', '/service-requests', {
          type: 'competitive',
          title: 'x',
          description: 'y',
          subcategoryId: leaks.id,
          city: 'Riyadh',
        })
      ).body.error.code,
    ).toBe('PROFILE_INCOMPLETE')

    const registered = await t.api(session, 'POST', '/providers/register', {
      displayName: 'Abu Fahd Plumbing',
      city: 'Riyadh',
      subcategoryIds: [leaks.id],
    })
    expect(registered.status).toBe(201)
    expect(registered.body).toMatchObject({
      userId: session.user.id,
      displayName: 'Abu Fahd Plumbing',
      verified: false,
      rating: { average: 0, count: 0 },
      followers: 0,
      likes: 0,
      services: [],
    })
    expect(registered.body.subcategories.map((s: { id: string }) => s.id)).toEqual([leaks.id])
    expect((await t.api(session, 'GET', '/me')).body.role).toBe('provider')
    expect((await t.api(session, 'GET', '/provider/requests')).status).toBe(200)
    expect(
      (await t.api(session, 'POST', '/providers/register', { displayName: 'Again', city: 'Riyadh' })).body.error.code,
    ).toBe('ALREADY_PROVIDER')
    expect((await t.api(session, 'POST', '/me/complete', { name: 'Fahd' })).body).toMatchObject({
      name: 'Fahd',
      role: 'provider',
    })
    expect((await t.api(session, 'POST', '/me/complete', { name: 'Again' })).body.error.code).toBe(
      'PROFILE_ALREADY_COMPLETE',
    )
  })

  test('registration and profile changes are validated; provider routes need a provider profile', async () => {
    const { leaks, retired } = await makeCatalogue(t)
    const someone = await t.register()
    expect((await t.api(someone, 'GET', '/providers/me')).body.error.code).toBe('NOT_A_PROVIDER')
    expect(
      (
        await t.api(someone, 'POST', '/providers/register', {
          displayName: 'X',
          city: 'Riyadh',
          subcategoryIds: [retired.id],
        })
      ).body.error.code,
    ).toBe('INVALID_SUBCATEGORY')
    expect((await t.api(someone, 'POST', '/providers/register', { displayName: '', city: 'Riyadh' })).status).toBe(422)
    expect((await t.api(someone, 'POST', '/providers/register', { city: 'Riyadh' })).status).toBe(422)
    expect((await t.api(null, 'POST', '/providers/register', { displayName: 'X', city: 'Riyadh' })).status).toBe(401)
    expect((await t.api(someone, 'GET', '/providers/me')).status).toBe(403)

    const { provider, ...account } = await makeProvider(t, [leaks.id], { displayName: 'Old name' })
    const changed = await t.api(account, 'PATCH', '/providers/me', {
      displayName: 'New name',
      bio: 'Twenty years of pipes',
    })
    expect(changed.body).toMatchObject({ id: provider.id, displayName: 'New name', bio: 'Twenty years of pipes' })
    expect((await t.api(null, 'GET', '/providers?q=pipes')).body.items.map((p: { id: string }) => p.id)).toEqual([
      provider.id,
    ])
    expect((await t.api(null, 'GET', '/providers?q=old')).body.items).toEqual([])
    expect((await t.api(account, 'PUT', '/providers/me/subcategories', { subcategoryIds: [] })).body).toEqual([])
    expect((await t.api(account, 'PUT', '/providers/me/subcategories', { subcategoryIds: [retired.id] })).status).toBe(
      422,
    )
    expect((await t.api(account, 'GET', '/providers/me/subcategories')).body).toEqual([])
  })

  test('services: CRUD by their provider, active ones on the public page, price range checked', async () => {
    const { leaks, heaters } = await makeCatalogue(t)
    const { provider, ...owner } = await makeProvider(t, [leaks.id])
    const other = await makeProvider(t, [leaks.id])
    const created = await t.api(owner, 'POST', '/providers/me/services', {
      title: 'Fix a leak',
      subcategoryId: leaks.id,
      priceFrom: 5000,
      priceTo: 15000,
    })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      providerId: provider.id,
      priceFrom: 5000,
      priceTo: 15000,
      currency: 'SAR',
      isActive: true,
    })
    const hidden = (
      await t.api(owner, 'POST', '/providers/me/services', {
        title: 'Heater',
        subcategoryId: heaters.id,
        isActive: false,
      })
    ).body
    expect(
      (
        await t.api(owner, 'POST', '/providers/me/services', {
          title: 'Bad',
          subcategoryId: leaks.id,
          priceFrom: 2,
          priceTo: 1,
        })
      ).body.error.code,
    ).toBe('INVALID_PRICE_RANGE')
    expect(
      (await t.api(owner, 'PATCH', `/providers/me/services/${created.body.id}`, { priceFrom: 20000 })).body.error.code,
    ).toBe('INVALID_PRICE_RANGE')
    expect(
      (await t.api(owner, 'POST', '/providers/me/services', { title: 'Bad', subcategoryId: leaks.id, priceFrom: -1 }))
        .status,
    ).toBe(422)
    expect(
      (await t.api(other, 'PATCH', `/providers/me/services/${created.body.id}`, { title: 'Mine now' })).status,
    ).toBe(404)
    expect((await t.api(other, 'DELETE', `/providers/me/services/${created.body.id}`)).status).toBe(404)

    expect(ids((await t.api(null, 'GET', `/providers/${provider.id}/services`)).body)).toEqual([created.body.id])
    expect(ids((await t.api(owner, 'GET', '/providers/me/services')).body)).toEqual([hidden.id, created.body.id])
    expect(ids((await t.api(null, 'GET', `/providers/${provider.id}`)).body.services)).toEqual([created.body.id])
    expect(
      (
        await t.api(owner, 'PATCH', `/providers/me/services/${created.body.id}`, {
          title: 'Fix any leak',
          priceTo: null,
        })
      ).body,
    ).toMatchObject({ title: 'Fix any leak', priceTo: null })
    expect((await t.api(owner, 'DELETE', `/providers/me/services/${created.body.id}`)).status).toBe(204)
    expect((await t.api(null, 'GET', `/providers/${provider.id}/services`)).body).toEqual([])

    const marketplaceStaff = await t.registerStaff('power', ['marketplace'])
    expect(
      (await t.api(marketplaceStaff, 'PATCH', `/backoffice/services/${hidden.id}`, { isActive: true })).body.isActive,
    ).toBe(true)
    expect(
      (
        await t.api(await t.registerStaff('qa', ['marketplace']), 'PATCH', `/backoffice/services/${hidden.id}`, {
          isActive: false,
        })
      ).status,
    ).toBe(403)
  })

  test('search: Arabic folded (hamza, harakat, taa marbuta), English case-insensitive, prefixes; city, category and subcategory; pages', async () => {
    const { leaks, heaters, maths, plumbing, tutoring } = await makeCatalogue(t)
    const ahmad = await makeProvider(t, [leaks.id], { displayName: 'أَحْمَد للسباكة', city: 'Riyadh' })
    clock.advance(1000)
    const fatima = await makeProvider(t, [maths.id], {
      displayName: 'Fatima',
      bio: 'مدرسة رياضيات خبيرة',
      city: 'Jeddah',
    })
    clock.advance(1000)
    const heat = await makeProvider(t, [heaters.id], { displayName: 'HeatPro Services', city: 'Riyadh' })
    const search = async (query: string) => ids((await t.api(null, 'GET', `/providers?${query}`)).body.items)

    expect(await search(`q=${encodeURIComponent('احمد')}`)).toEqual([ahmad.provider.id])
    expect(await search(`q=${encodeURIComponent('سباكه')}`)).toEqual([ahmad.provider.id])
    expect(await search(`q=${encodeURIComponent('مدرسه')}`)).toEqual([fatima.provider.id])
    expect(await search('q=heatpro')).toEqual([heat.provider.id])
    expect(await search('q=HEAT')).toEqual([heat.provider.id])
    expect(await search('q=heat%20services')).toEqual([heat.provider.id])
    expect(await search('q=heat%20maths')).toEqual([])
    expect(await search('q=%22%2A%20OR')).toEqual([])
    expect(await search('city=Riyadh')).toEqual([heat.provider.id, ahmad.provider.id])
    expect(await search(`categoryId=${plumbing.id}`)).toEqual([heat.provider.id, ahmad.provider.id])
    expect(await search(`categoryId=${tutoring.id}`)).toEqual([fatima.provider.id])
    expect(await search(`subcategoryId=${leaks.id}&city=Riyadh`)).toEqual([ahmad.provider.id])

    const first = (await t.api(null, 'GET', '/providers?limit=2')).body
    expect(ids(first.items)).toEqual([heat.provider.id, fatima.provider.id])
    const second = (await t.api(null, 'GET', `/providers?limit=2&cursor=${first.nextCursor}`)).body
    expect(second).toMatchObject({ items: [{ id: ahmad.provider.id }], nextCursor: null })
    expect((await t.api(null, 'GET', '/providers?cursor=bogus')).status).toBe(422)
    expect((await t.api(null, 'GET', `/providers?q=${'x'.repeat(101)}`)).status).toBe(422)

    const staff = await t.registerStaff('power', ['marketplace'])
    expect(
      (await t.api(staff, 'PATCH', `/backoffice/providers/${heat.provider.id}`, { isActive: false })).body.isActive,
    ).toBe(false)
    expect(await search('q=heat')).toEqual([])
    expect((await t.api(null, 'GET', `/providers/${heat.provider.id}`)).status).toBe(404)
    expect(ids((await t.api(staff, 'GET', '/backoffice/providers?isActive=false')).body.items)).toEqual([
      heat.provider.id,
    ])
    expect((await t.api(heat, 'GET', '/providers/me')).body.isActive).toBe(false)
    expect(
      (
        await t.api(
          await t.registerStaff('user', ['marketplace']),
          'PATCH',
          `/backoffice/providers/${heat.provider.id}`,
          { isActive: true },
        )
      ).status,
    ).toBe(403)
    expect((await t.api(staff, 'PATCH', '/backoffice/providers/prv_nope', { isActive: true })).status).toBe(404)
  })

  test('search folds the query like the text: the article and harakat of the query, and every spelling of a city', async () => {
    const { leaks } = await makeCatalogue(t)
    const plumber = await makeProvider(t, [leaks.id], { displayName: 'Abu Saad', bio: 'سَبّاك خبير', city: 'الرياض' })
    clock.advance(1000)
    const jeddah = await makeProvider(t, [leaks.id], { displayName: 'Jeddah Fix', city: 'جدة' })
    clock.advance(1000)
    const other = await makeProvider(t, [leaks.id], { displayName: 'Qassim', city: 'عنيزة' })
    const search = async (query: string) => ids((await t.api(null, 'GET', `/providers?${query}`)).body.items)

    for (const word of ['سباك', 'السباك', 'السَّبَّاك', 'سَبّاك'])
      expect([word, await search(`q=${encodeURIComponent(word)}`)]).toEqual([word, [plumber.provider.id]])
    for (const city of ['الرياض', 'رياض', 'الرّياض', 'Riyadh', 'riyadh', ' Ar-Riyadh '])
      expect([city, await search(`city=${encodeURIComponent(city)}`)]).toEqual([city, [plumber.provider.id]])
    for (const city of ['جدة', 'جده', 'Jeddah', 'JEDDA'])
      expect([city, await search(`city=${encodeURIComponent(city)}`)]).toEqual([city, [jeddah.provider.id]])
    expect(await search(`city=${encodeURIComponent('عُنَيْزة')}`)).toEqual([other.provider.id])
    expect(await search('city=Dammam')).toEqual([])

    // The cities in use, each once whatever the spelling, with both names of a known city.
    await makeProvider(t, [leaks.id], { displayName: 'Second in Riyadh', city: 'Riyadh' })
    const cities = (await t.api(null, 'GET', '/cities')).body
    expect(cities).toEqual([
      { key: 'رياض', name: 'الرياض', nameEn: 'Riyadh', providers: 2 },
      { key: 'جده', name: 'جدة', nameEn: 'Jeddah', providers: 1 },
      { key: 'عنيزه', name: 'عنيزة', nameEn: null, providers: 1 },
    ])
    // A provider in Riyadh sees a competitive request posted for "الرياض".
    const client = await t.register()
    const posted = await t.api(client, 'POST', '/service-requests', {
      type: 'competitive',
      title: 'Leak',
      description: 'Kitchen sink',
      subcategoryId: leaks.id,
      city: 'الرّياض',
    })
    expect(posted.status).toBe(201)
    const open = (await t.api(plumber, 'GET', '/provider/requests/available')).body.items
    expect(ids(open)).toEqual([posted.body.id])
    expect(ids((await t.api(jeddah, 'GET', '/provider/requests/available')).body.items)).toEqual([])
  })
})

const uploadPortfolio = (who: Account, file: UploadFile, caption?: string) =>
  uploadForm(t, who.accessToken, '/api/v1/providers/me/portfolio', file, caption === undefined ? {} : { caption })
const storedFiles = () => (existsSync(join(uploadDir, 'portfolio')) ? readdirSync(join(uploadDir, 'portfolio')) : [])

describe('portfolio', () => {
  test('images and short videos are checked by content and size, stored under UPLOAD_DIR and served; deleting removes the file', async () => {
    const { leaks } = await makeCatalogue(t)
    const owner = await makeProvider(t, [leaks.id])
    const response = await uploadPortfolio(
      owner,
      { bytes: png(), type: 'image/png', name: 'kitchen.png' },
      'Kitchen sink',
    )
    expect(response.status).toBe(201)
    const item = (await response.json()) as {
      id: string
      url: string
      kind: string
      caption: string
      sizeBytes: number
    }
    expect(item).toMatchObject({ kind: 'image', caption: 'Kitchen sink', sizeBytes: 208, likes: 0 })
    expect(item.url).toMatch(/^https:\/\/files\.example\.com\/uploads\/portfolio\/pfi_\w+\.png$/)
    const served = await t.app.handle(new Request(`http://localhost${new URL(item.url).pathname}`))
    expect(served.headers.get('content-type')).toBe('image/png')
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(png())

    const video = new Uint8Array([0, 0, 0, 0x18, ...new TextEncoder().encode('ftypisom'), ...new Array(100).fill(1)])
    expect((await uploadPortfolio(owner, { bytes: video, type: 'video/mp4', name: 'job.mp4' })).status).toBe(201)
    const fake = await uploadPortfolio(owner, {
      bytes: new TextEncoder().encode('#!/bin/sh\necho not an image at all'),
      type: 'image/png',
      name: 'x.png',
    })
    expect(fake.status).toBe(422)
    expect(((await fake.json()) as { error: { code: string } }).error.code).toBe('UNSUPPORTED_FILE_TYPE')
    const big = await uploadPortfolio(owner, {
      bytes: new Uint8Array([...png(), ...new Uint8Array(1024 * 1024)]),
      type: 'image/png',
      name: 'big.png',
    })
    expect(big.status).toBe(413)
    await Bun.sleep(50) // a refused upload's partial file is removed once its stream closes
    expect(storedFiles()).toHaveLength(2)
    const customer = await t.register()
    expect((await uploadPortfolio(customer, { bytes: png(), type: 'image/png', name: 'a.png' })).status).toBe(403)

    const listed = (await t.api(null, 'GET', `/providers/${owner.provider.id}/portfolio`)).body
    expect(listed.map((entry: { kind: string }) => entry.kind)).toEqual(['video', 'image'])
    expect((await t.api(customer, 'DELETE', `/providers/me/portfolio/${item.id}`)).status).toBe(403)
    expect((await t.api(owner, 'DELETE', `/providers/me/portfolio/${item.id}`)).status).toBe(204)
    expect((await t.api(owner, 'DELETE', `/providers/me/portfolio/${item.id}`)).status).toBe(404)
    expect(storedFiles()).toHaveLength(1)
  })
})

describe('portfolio limits from the plan', () => {
  test('12 parallel uploads on the free plan: exactly 10 stored; an extra bought and paid makes room', async () => {
    const { leaks } = await makeCatalogue(t)
    const owner = await makeProvider(t, [leaks.id])
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        uploadPortfolio(owner, { bytes: png(), type: 'image/png', name: `${index}.png` }),
      ),
    )
    expect(answers.filter((answer) => answer.status === 201)).toHaveLength(10)
    const refused = answers.filter((answer) => answer.status === 403)
    expect(refused).toHaveLength(2)
    expect(((await refused[0]!.json()) as { error: { code: string } }).error.code).toBe('PLAN_LIMIT_REACHED')
    await Bun.sleep(50)
    expect(storedFiles()).toHaveLength(10)

    const invoice = (await t.api(owner, 'POST', '/extras/portfolio-20/buy')).body.invoice
    await payInvoice(t, owner, invoice.id)
    expect((await uploadPortfolio(owner, { bytes: png(), type: 'image/png', name: 'more.png' })).status).toBe(201)
  })
})

describe('follows and likes', () => {
  test('idempotent, exact under concurrency, listed both ways; phone_only accounts may follow', async () => {
    const { leaks } = await makeCatalogue(t)
    const owner = await makeProvider(t, [leaks.id])
    const fans = await Promise.all(Array.from({ length: 12 }, () => t.register()))
    const answers = await Promise.all(
      fans.flatMap((fan) => [
        t.api(fan, 'POST', `/providers/${owner.provider.id}/follow`),
        t.api(fan, 'POST', `/providers/${owner.provider.id}/follow`),
      ]),
    )
    expect(answers.every((answer) => answer.status === 200 && answer.body.following === true)).toBe(true)
    expect((await t.api(null, 'GET', `/providers/${owner.provider.id}`)).body.followers).toBe(12)
    expect((await t.api(fans[0]!, 'POST', `/providers/${owner.provider.id}/unfollow`)).body).toEqual({
      following: false,
      followers: 11,
    })
    expect((await t.api(fans[0]!, 'POST', `/providers/${owner.provider.id}/unfollow`)).body).toEqual({
      following: false,
      followers: 11,
    })
    expect((await t.api(fans[1]!, 'POST', `/providers/${owner.provider.id}/like`)).body).toEqual({
      liked: true,
      likes: 1,
    })
    expect((await t.api(fans[1]!, 'POST', `/providers/${owner.provider.id}/like`)).body).toEqual({
      liked: true,
      likes: 1,
    })

    const sent = await t.api(null, 'POST', '/auth/otp/send', { phone: '+966500000002' })
    const phoneOnly = (
      await t.api(null, 'POST', '/auth/otp/verify', { phone: '+966500000002', code: sent.body.devCode })
    ).body
    expect((await t.api(phoneOnly, 'POST', `/providers/${owner.provider.id}/follow`)).body.followers).toBe(12)
    expect(ids((await t.api(phoneOnly, 'GET', '/me/following-providers')).body.items)).toEqual([owner.provider.id])
    expect(ids((await t.api(fans[1]!, 'GET', '/me/liked-providers')).body.items)).toEqual([owner.provider.id])

    const followers = (await t.api(owner, 'GET', '/providers/me/followers?limit=5')).body
    expect(followers.items).toHaveLength(5)
    expect(followers.items[0]).toMatchObject({ userId: phoneOnly.user.id })
    const rest = (await t.api(owner, 'GET', `/providers/me/followers?limit=100&cursor=${followers.nextCursor}`)).body
    expect(new Set([...followers.items, ...rest.items].map((fan: { userId: string }) => fan.userId)).size).toBe(12)
    expect(
      (await t.api(owner, 'GET', '/providers/me/likers')).body.items.map((fan: { userId: string }) => fan.userId),
    ).toEqual([fans[1]!.user.id])

    const item = (await (await uploadPortfolio(owner, { bytes: png(), type: 'image/png', name: 'a.png' })).json()) as {
      id: string
    }
    expect((await t.api(fans[2]!, 'POST', `/portfolio/${item.id}/like`)).body).toEqual({ liked: true, likes: 1 })
    expect((await t.api(fans[2]!, 'GET', '/me/favorites')).body.items).toMatchObject([
      { id: item.id, likes: 1, url: expect.stringMatching(/^https:\/\/files\.example\.com\//) },
    ])
    expect((await t.api(fans[2]!, 'POST', `/portfolio/${item.id}/unlike`)).body).toEqual({ liked: false, likes: 0 })
    expect((await t.api(fans[2]!, 'POST', '/portfolio/pfi_nope/like')).status).toBe(404)
    expect((await t.api(fans[2]!, 'POST', '/providers/prv_nope/follow')).status).toBe(404)
    expect((await t.api(null, 'POST', `/providers/${owner.provider.id}/follow`)).status).toBe(401)
  })
})
