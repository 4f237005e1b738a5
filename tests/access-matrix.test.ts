import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { staffModules, type StaffModule, type StaffProfile } from '../src/db/schema/auth.ts'
import type { StaffLevel } from '../src/access/policy.ts'
import { createTestApp, type TestApp } from './helpers/app.ts'
import { pdf, uploadForm } from './helpers/files.ts'
import { tempDir } from './helpers/server-process.ts'

/**
 * Role × staff profile × module × route: every route that gives staff powers is probed with
 * every kind of account, and the matrix fails on any leak (or any refusal the rules do not call for).
 */
let t: TestApp
let world: Awaited<ReturnType<typeof buildWorld>>

const levelsOf: Record<StaffProfile, StaffLevel[]> = {
  admin: ['read', 'routine', 'manage'],
  power: ['read', 'routine', 'manage'],
  user: ['read', 'routine'],
  qa: ['read'],
}

async function buildWorld() {
  const owner = await t.register()
  const supporter = await t.register('supporter')
  const teacher = await t.register('teacher')
  const ticket = (
    await t.call('POST', '/api/v1/tickets', { token: owner.accessToken, body: { subject: 'Printer on fire' } })
  ).body
  const newRequest = async () =>
    (
      await t.call('POST', '/api/v1/support-requests', {
        token: owner.accessToken,
        body: { subject: 'Router', description: 'Down' },
      })
    ).body
  const pending = await newRequest()
  const { videoCall } = (
    await t.call('POST', `/api/v1/support-requests/${(await newRequest()).id}/accept`, { token: supporter.accessToken })
  ).body
  const course = (await t.call('POST', '/api/v1/courses', { token: teacher.accessToken, body: { title: 'Algebra' } }))
    .body
  await t.call('POST', `/api/v1/courses/${course.id}/enroll`, { token: owner.accessToken })
  const scheduledAt = new Date(Date.now() + 86_400_000).toISOString()
  const session = (
    await t.call('POST', '/api/v1/live-sessions', {
      token: teacher.accessToken,
      body: { title: 'Week 1', courseId: course.id, scheduledAt },
    })
  ).body
  const applicant = async () =>
    (
      await t.call('POST', '/api/v1/auth/register', {
        body: {
          email: `a.${crypto.randomUUID()}@example.com`,
          password: 'applicant pw',
          name: 'Applicant',
          role: 'supporter',
        },
      })
    ).body
  const privateStream = (
    await t.call('POST', '/api/v1/streams', {
      token: teacher.accessToken,
      body: { title: 'Inner circle', type: 'video', isPrivate: true },
    })
  ).body
  const newStream = async () => {
    const host = await t.register()
    return (
      await t.call('POST', '/api/v1/streams', { token: host.accessToken, body: { title: 'Open mic', type: 'audio' } })
    ).body
  }
  const newVideo = async () =>
    (
      await t.call('POST', '/api/v1/videos', {
        token: owner.accessToken,
        body: { title: 'Clip', category: 'x', videoUrl: 'https://cdn.example.com/c.mp4', duration: 5 },
      })
    ).body
  const catalogAdmin = (await t.registerStaff('admin', [])).accessToken
  const category = (await t.call('POST', '/api/v1/categories', { token: catalogAdmin, body: { name: 'Plumbing' } }))
    .body
  const subcategory = (
    await t.call('POST', `/api/v1/categories/${category.id}/subcategories`, {
      token: catalogAdmin,
      body: { name: 'Leaks' },
    })
  ).body
  const hiddenCategory = (
    await t.call('POST', '/api/v1/categories', { token: catalogAdmin, body: { name: 'Retired', isActive: false } })
  ).body
  const plumber = await t.register()
  const provider = (
    await t.call('POST', '/api/v1/providers/register', {
      token: plumber.accessToken,
      body: { displayName: 'Plumber', city: 'Riyadh', subcategoryIds: [subcategory.id] },
    })
  ).body
  const service = (
    await t.call('POST', '/api/v1/providers/me/services', {
      token: plumber.accessToken,
      body: { title: 'Fix', subcategoryId: subcategory.id },
    })
  ).body
  const newServiceRequest = async () =>
    (
      await t.call('POST', '/api/v1/service-requests', {
        token: owner.accessToken,
        body: {
          type: 'normal',
          providerId: provider.id,
          title: 'Leak',
          description: 'Sink',
          subcategoryId: subcategory.id,
          city: 'Riyadh',
        },
      })
    ).body
  const marketplace = {
    category,
    subcategory,
    hiddenCategory,
    provider,
    service,
    newServiceRequest,
    serviceRequest: await newServiceRequest(),
  }
  const invoice = (await t.call('POST', '/api/v1/coin-packs/coins_100/buy', { token: owner.accessToken })).body.invoice
  const verification = (
    await t.call('POST', '/api/v1/verification/requests', { token: plumber.accessToken, body: { badge: 'blue' } })
  ).body
  const document = await (
    await uploadForm(
      t,
      plumber.accessToken,
      `/api/v1/verification/requests/${verification.id}/documents`,
      { bytes: pdf(), type: 'application/pdf', name: 'l.pdf' },
      { docType: 'license' },
    )
  ).json()
  const newPromo = async (title = 'Sale') =>
    (
      await t.call('POST', '/api/v1/promo/requests', {
        token: owner.accessToken,
        body: { adType: 'banner', title, startAt: new Date(), endAt: new Date(Date.now() + 86_400_000) },
      })
    ).body
  const billing = {
    invoice,
    verification,
    document: document as { id: string; url: string },
    newPromo,
    promo: await newPromo('The probed promotion'),
  }
  return {
    owner,
    supporter,
    teacher,
    ticket,
    pending,
    newRequest,
    videoCall,
    course,
    session,
    applicant,
    firstApplicant: await applicant(),
    privateStream,
    newStream,
    newVideo,
    marketplace,
    billing,
  }
}

interface Probe {
  name: string
  module: StaffModule
  level: StaffLevel
  /** Whether the caller got at the foreign resource (a list counts only if it shows it). */
  granted(token: string): Promise<boolean>
}

const ids = (body: any): string[] => (body?.items ?? []).map((item: { id: string }) => item.id)
const ok = (status: number) => status >= 200 && status < 300

const probes: Probe[] = [
  {
    name: 'GET /tickets',
    module: 'tickets',
    level: 'read',
    granted: async (token) =>
      ids((await t.call('GET', '/api/v1/tickets?limit=100', { token })).body).includes(world.ticket.id),
  },
  {
    name: 'GET /tickets/:id',
    module: 'tickets',
    level: 'read',
    granted: async (token) => ok((await t.call('GET', `/api/v1/tickets/${world.ticket.id}`, { token })).status),
  },
  {
    name: 'GET /tickets/:id/messages',
    module: 'tickets',
    level: 'read',
    granted: async (token) =>
      ok((await t.call('GET', `/api/v1/tickets/${world.ticket.id}/messages`, { token })).status),
  },
  {
    name: 'GET /tickets/stats/counts',
    module: 'tickets',
    level: 'read',
    granted: async (token) => {
      const response = await t.call('GET', '/api/v1/tickets/stats/counts', { token })
      return ok(response.status) && response.body.total > 0
    },
  },
  {
    name: 'PATCH /tickets/:id priority',
    module: 'tickets',
    level: 'routine',
    granted: async (token) =>
      ok((await t.call('PATCH', `/api/v1/tickets/${world.ticket.id}`, { token, body: { priority: 'high' } })).status),
  },
  {
    name: 'POST /tickets/:id/assign',
    module: 'tickets',
    level: 'routine',
    granted: async (token) => ok((await t.call('POST', `/api/v1/tickets/${world.ticket.id}/assign`, { token })).status),
  },
  {
    name: 'POST /tickets/:id/messages',
    module: 'tickets',
    level: 'routine',
    granted: async (token) =>
      ok(
        (await t.call('POST', `/api/v1/tickets/${world.ticket.id}/messages`, { token, body: { content: 'hello' } }))
          .status,
      ),
  },
  {
    name: 'GET /support-requests',
    module: 'support',
    level: 'read',
    granted: async (token) =>
      ids((await t.call('GET', '/api/v1/support-requests?limit=100', { token })).body).includes(world.pending.id),
  },
  {
    name: 'GET /support-requests/:id',
    module: 'support',
    level: 'read',
    granted: async (token) =>
      ok((await t.call('GET', `/api/v1/support-requests/${world.pending.id}`, { token })).status),
  },
  {
    name: 'POST /support-requests/:id/reject',
    module: 'support',
    level: 'routine',
    granted: async (token) =>
      ok((await t.call('POST', `/api/v1/support-requests/${(await world.newRequest()).id}/reject`, { token })).status),
  },
  {
    name: 'GET /video-calls/:id',
    module: 'support',
    level: 'read',
    granted: async (token) => ok((await t.call('GET', `/api/v1/video-calls/${world.videoCall.id}`, { token })).status),
  },
  {
    name: 'GET /video-calls/room/:roomId',
    module: 'support',
    level: 'read',
    granted: async (token) =>
      ok((await t.call('GET', `/api/v1/video-calls/room/${world.videoCall.roomId}`, { token })).status),
  },
  {
    name: 'GET /courses/:id/students',
    module: 'courses',
    level: 'read',
    granted: async (token) =>
      ok((await t.call('GET', `/api/v1/courses/${world.course.id}/students`, { token })).status),
  },
  {
    name: 'GET /live-sessions',
    module: 'courses',
    level: 'read',
    granted: async (token) =>
      ids((await t.call('GET', '/api/v1/live-sessions?limit=100', { token })).body).includes(world.session.id),
  },
  {
    name: 'GET /live-sessions/:id',
    module: 'courses',
    level: 'read',
    granted: async (token) => ok((await t.call('GET', `/api/v1/live-sessions/${world.session.id}`, { token })).status),
  },
  {
    name: 'GET /live-sessions/:id/ice',
    module: 'courses',
    level: 'read',
    granted: async (token) =>
      ok((await t.call('GET', `/api/v1/live-sessions/${world.session.id}/ice`, { token })).status),
  },
  {
    name: 'GET /backoffice/users/pending-supporters',
    module: 'support',
    level: 'read',
    granted: async (token) =>
      ids((await t.call('GET', '/api/v1/backoffice/users/pending-supporters?limit=100', { token })).body).includes(
        world.firstApplicant.user.id,
      ),
  },
  {
    name: 'POST /backoffice/users/:id/approve-supporter',
    module: 'support',
    level: 'manage',
    granted: async (token) =>
      ok(
        (
          await t.call('POST', `/api/v1/backoffice/users/${(await world.applicant()).user.id}/approve-supporter`, {
            token,
          })
        ).status,
      ),
  },
  {
    name: 'GET /streams/:id (private)',
    module: 'streams',
    level: 'read',
    granted: async (token) => ok((await t.call('GET', `/api/v1/streams/${world.privateStream.id}`, { token })).status),
  },
  {
    name: 'POST /streams/:id/moderation',
    module: 'streams',
    level: 'routine',
    granted: async (token) =>
      ok(
        (
          await t.call('POST', `/api/v1/streams/${world.privateStream.id}/moderation`, {
            token,
            body: { userId: world.owner.user.id, action: 'mute' },
          })
        ).status,
      ),
  },
  {
    name: 'POST /streams/:id/end',
    module: 'streams',
    level: 'routine',
    granted: async (token) =>
      ok((await t.call('POST', `/api/v1/streams/${(await world.newStream()).id}/end`, { token })).status),
  },
  {
    name: 'DELETE /videos/:id',
    module: 'streams',
    level: 'routine',
    granted: async (token) =>
      ok((await t.call('DELETE', `/api/v1/videos/${(await world.newVideo()).id}`, { token })).status),
  },
  {
    name: 'GET /backoffice/gifts',
    module: 'streams',
    level: 'read',
    granted: async (token) => ok((await t.call('GET', '/api/v1/backoffice/gifts', { token })).status),
  },
  {
    name: 'POST /backoffice/gifts',
    module: 'streams',
    level: 'manage',
    granted: async (token) =>
      ok(
        (
          await t.call('POST', '/api/v1/backoffice/gifts', {
            token,
            body: { name: 'Lamp', icon: '🪔', coins: 3, animation: 'glow' },
          })
        ).status,
      ),
  },
  {
    name: 'POST /backoffice/users/:id/coins',
    module: 'users',
    level: 'manage',
    granted: async (token) =>
      ok(
        (
          await t.call('POST', `/api/v1/backoffice/users/${world.owner.user.id}/coins`, {
            token,
            body: { amount: 1, reason: 'probe' },
          })
        ).status,
      ),
  },
  {
    name: 'GET /analytics/streams?userId=',
    module: 'analytics',
    level: 'read',
    granted: async (token) =>
      ok((await t.call('GET', `/api/v1/analytics/streams?userId=${world.teacher.user.id}`, { token })).status),
  },
  {
    name: 'GET /categories (inactive ones)',
    module: 'catalog',
    level: 'read',
    granted: async (token) =>
      (await t.call('GET', '/api/v1/categories', { token })).body.some(
        (c: { id: string }) => c.id === world.marketplace.hiddenCategory.id,
      ),
  },
  {
    name: 'POST /categories',
    module: 'catalog',
    level: 'manage',
    granted: async (token) =>
      ok((await t.call('POST', '/api/v1/categories', { token, body: { name: 'Probe' } })).status),
  },
  {
    name: 'PATCH /subcategories/:id',
    module: 'catalog',
    level: 'manage',
    granted: async (token) =>
      ok(
        (
          await t.call('PATCH', `/api/v1/subcategories/${world.marketplace.subcategory.id}`, {
            token,
            body: { name: 'Leaks' },
          })
        ).status,
      ),
  },
  {
    name: 'GET /service-requests/:id',
    module: 'marketplace',
    level: 'read',
    granted: async (token) =>
      ok((await t.call('GET', `/api/v1/service-requests/${world.marketplace.serviceRequest.id}`, { token })).status),
  },
  {
    name: 'GET /service-requests/:id/messages',
    module: 'marketplace',
    level: 'read',
    granted: async (token) =>
      ok(
        (await t.call('GET', `/api/v1/service-requests/${world.marketplace.serviceRequest.id}/messages`, { token }))
          .status,
      ),
  },
  {
    name: 'GET /backoffice/service-requests',
    module: 'marketplace',
    level: 'read',
    granted: async (token) =>
      ids((await t.call('GET', '/api/v1/backoffice/service-requests?limit=100', { token })).body).includes(
        world.marketplace.serviceRequest.id,
      ),
  },
  {
    name: 'POST /backoffice/service-requests/:id/messages',
    module: 'marketplace',
    level: 'routine',
    granted: async (token) =>
      ok(
        (
          await t.call('POST', `/api/v1/backoffice/service-requests/${world.marketplace.serviceRequest.id}/messages`, {
            token,
            body: { body: 'probe' },
          })
        ).status,
      ),
  },
  {
    name: 'POST /backoffice/service-requests/:id/transition',
    module: 'marketplace',
    level: 'manage',
    granted: async (token) =>
      ok(
        (
          await t.call(
            'POST',
            `/api/v1/backoffice/service-requests/${(await world.marketplace.newServiceRequest()).id}/transition`,
            { token, body: { to: 'cancelled' } },
          )
        ).status,
      ),
  },
  {
    name: 'GET /backoffice/providers',
    module: 'marketplace',
    level: 'read',
    granted: async (token) =>
      ids((await t.call('GET', '/api/v1/backoffice/providers?limit=100', { token })).body).includes(
        world.marketplace.provider.id,
      ),
  },
  {
    name: 'PATCH /backoffice/providers/:id',
    module: 'marketplace',
    level: 'manage',
    granted: async (token) =>
      ok(
        (
          await t.call('PATCH', `/api/v1/backoffice/providers/${world.marketplace.provider.id}`, {
            token,
            body: { isActive: true },
          })
        ).status,
      ),
  },
  {
    name: 'PATCH /backoffice/services/:id',
    module: 'marketplace',
    level: 'manage',
    granted: async (token) =>
      ok(
        (
          await t.call('PATCH', `/api/v1/backoffice/services/${world.marketplace.service.id}`, {
            token,
            body: { isActive: true },
          })
        ).status,
      ),
  },
  {
    name: 'GET /billing/invoices/:id',
    module: 'billing',
    level: 'read',
    granted: async (token) =>
      ok((await t.call('GET', `/api/v1/billing/invoices/${world.billing.invoice.id}`, { token })).status),
  },
  {
    name: 'GET /backoffice/plans',
    module: 'billing',
    level: 'read',
    granted: async (token) => ok((await t.call('GET', '/api/v1/backoffice/plans', { token })).status),
  },
  {
    name: 'PATCH /backoffice/coin-packs/:id',
    module: 'billing',
    level: 'manage',
    granted: async (token) =>
      ok(
        (await t.call('PATCH', '/api/v1/backoffice/coin-packs/coins_100', { token, body: { isActive: true } })).status,
      ),
  },
  {
    name: 'GET /backoffice/verification/requests',
    module: 'verification',
    level: 'read',
    granted: async (token) =>
      ids((await t.call('GET', '/api/v1/backoffice/verification/requests', { token })).body).includes(
        world.billing.verification.id,
      ),
  },
  {
    name: 'GET /verification/requests/:id',
    module: 'verification',
    level: 'read',
    granted: async (token) =>
      ok((await t.call('GET', `/api/v1/verification/requests/${world.billing.verification.id}`, { token })).status),
  },
  {
    name: 'GET /verification/documents/:id/file',
    module: 'verification',
    level: 'read',
    granted: async (token) =>
      ok(
        (await t.app.handle(new Request(world.billing.document.url, { headers: { authorization: `Bearer ${token}` } })))
          .status,
      ),
  },
  {
    name: 'PATCH /backoffice/verification/documents/:id',
    module: 'verification',
    level: 'routine',
    granted: async (token) =>
      ok(
        (
          await t.call('PATCH', `/api/v1/backoffice/verification/documents/${world.billing.document.id}`, {
            token,
            body: { isApproved: true },
          })
        ).status,
      ),
  },
  {
    name: 'GET /backoffice/promo/requests',
    module: 'promo',
    level: 'read',
    granted: async (token) =>
      ids((await t.call('GET', '/api/v1/backoffice/promo/requests?q=probed', { token })).body).includes(
        world.billing.promo.id,
      ),
  },
  {
    name: 'GET /promo/requests/:id',
    module: 'promo',
    level: 'read',
    granted: async (token) =>
      ok((await t.call('GET', `/api/v1/promo/requests/${world.billing.promo.id}`, { token })).status),
  },
  {
    name: 'POST /backoffice/promo/requests/:id/quote',
    module: 'promo',
    level: 'manage',
    granted: async (token) =>
      ok(
        (
          await t.call('POST', `/api/v1/backoffice/promo/requests/${(await world.billing.newPromo()).id}/quote`, {
            token,
            body: { amount: 1000 },
          })
        ).status,
      ),
  },
  {
    name: 'GET /backoffice/analytics/kpis',
    module: 'analytics',
    level: 'read',
    granted: async (token) => ok((await t.call('GET', '/api/v1/backoffice/analytics/kpis', { token })).status),
  },
  {
    name: 'GET /backoffice/analytics/export/paid-invoices.csv',
    module: 'analytics',
    level: 'read',
    granted: async (token) =>
      ok((await t.call('GET', '/api/v1/backoffice/analytics/export/paid-invoices.csv', { token })).status),
  },
  {
    name: 'GET /backoffice/users',
    module: 'users',
    level: 'read',
    granted: async (token) =>
      ids(
        (await t.call('GET', `/api/v1/backoffice/users?q=${encodeURIComponent(world.owner.email)}`, { token })).body,
      ).includes(world.owner.user.id),
  },
]

beforeAll(async () => {
  t = await createTestApp({ env: { UPLOAD_DIR: tempDir('majlis-access-') } })
  world = await buildWorld()
})
afterAll(() => t.close())

describe('access matrix', () => {
  const moduleSets: StaffModule[][] = [
    [],
    ['tickets'],
    ['support'],
    ['courses'],
    ['streams'],
    ['users', 'analytics'],
    ['catalog'],
    ['marketplace'],
    ['billing'],
    ['verification', 'promo'],
    [...staffModules],
  ]
  for (const profile of ['admin', 'power', 'user', 'qa'] as const) {
    for (const modules of moduleSets) {
      test(`staff ${profile} with [${modules.join(',')}]`, async () => {
        const staff = await t.registerStaff(profile, modules)
        const outcome: Record<string, boolean> = {}
        const expected: Record<string, boolean> = {}
        for (const probe of probes) {
          outcome[probe.name] = await probe.granted(staff.accessToken)
          expected[probe.name] =
            (profile === 'admin' || modules.includes(probe.module)) && levelsOf[profile].includes(probe.level)
        }
        expect(outcome).toEqual(expected)
      })
    }
  }

  test('customers, supporter applicants, other teachers and phone_only accounts reach none of it', async () => {
    const outsiders = {
      customer: await t.register(),
      applicant: world.firstApplicant,
      teacher: await t.register('teacher'),
      phoneOnly: await (async () => {
        const phone = '+966500009999'
        const code = (await t.call('POST', '/api/v1/auth/otp/send', { body: { phone } })).body.devCode
        return (await t.call('POST', '/api/v1/auth/otp/verify', { body: { phone, code } })).body
      })(),
    }
    for (const [who, account] of Object.entries(outsiders)) {
      const leaks = []
      for (const probe of probes) if (await probe.granted(account.accessToken)) leaks.push(probe.name)
      expect(leaks, who).toEqual([])
    }
  })

  test("an approved supporter works tickets and support requests, but not others' calls or any staff route", async () => {
    const supporter = await t.register('supporter')
    const granted: string[] = []
    for (const probe of probes) if (await probe.granted(supporter.accessToken)) granted.push(probe.name)
    const agentWork = probes.filter(
      (p) => ['tickets', 'support'].includes(p.module) && !/backoffice|video-calls/.test(p.name),
    )
    expect(granted).toEqual(agentWork.map((p) => p.name))
  })

  test('a route that lets staff in without naming its module is refused when the app is built', async () => {
    const { authGuard, accessTokens, cachedAccessTokenVerifier } = await import('../src/http/auth.ts')
    const { Elysia } = await import('elysia')
    const tokens = accessTokens('x'.repeat(32), 5)
    const guard = authGuard({ tokens, verifyToken: cachedAccessTokenVerifier(tokens), loadUser: async () => null })
    expect(() => new Elysia().use(guard).get('/x', () => 'x', { auth: ['supporter', 'staff'] })).toThrow(
      'must name its module',
    )
  })
})
