import type { TestApp } from '../helpers/app.ts'

export type Account = Awaited<ReturnType<TestApp['register']>>

/** A catalogue of two categories, one subcategory of them inactive, made through the staff API. */
export async function makeCatalogue(t: TestApp) {
  const staff = await t.registerStaff('power', ['catalog'])
  const call = (method: string, path: string, body?: unknown) =>
    t.call(method, `/api/v1${path}`, { token: staff.accessToken, body })
  const plumbing = (await call('POST', '/categories', { name: 'سباكة', nameEn: 'Plumbing' })).body
  const leaks = (
    await call('POST', `/categories/${plumbing.id}/subcategories`, { name: 'إصلاح التسريبات', nameEn: 'Leak repair' })
  ).body
  const heaters = (
    await call('POST', `/categories/${plumbing.id}/subcategories`, { name: 'سخانات', nameEn: 'Heaters' })
  ).body
  const tutoring = (await call('POST', '/categories', { name: 'دروس', nameEn: 'Tutoring' })).body
  const maths = (await call('POST', `/categories/${tutoring.id}/subcategories`, { name: 'رياضيات', nameEn: 'Maths' }))
    .body
  const retired = (
    await call('POST', `/categories/${tutoring.id}/subcategories`, { name: 'قديم', nameEn: 'Retired', isActive: false })
  ).body
  return { staff, plumbing, leaks, heaters, tutoring, maths, retired }
}

/** Registers a fresh account as a provider working in the given subcategories and city. */
export async function makeProvider(
  t: TestApp,
  subcategoryIds: string[],
  { city = 'Riyadh', displayName = 'Provider', bio }: { city?: string; displayName?: string; bio?: string } = {},
) {
  const account = await t.register()
  const response = await t.call('POST', '/api/v1/providers/register', {
    token: account.accessToken,
    body: { displayName, bio, city, subcategoryIds },
  })
  if (response.status !== 201)
    throw new Error(`provider registration failed: ${response.status} ${JSON.stringify(response.body)}`)
  return { ...account, provider: response.body as { id: string; userId: string } }
}
