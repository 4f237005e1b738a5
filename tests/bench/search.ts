/**
 * Scenario 8 — provider search. 50,000 providers (Arabic and English names and bios, 10 cities,
 * the development catalogue's subcategories) offering 200,000 services; `GET /providers` with
 * `q` + city + category, and with `q` alone, under wrk: the FTS5 index against a LIKE scan of the
 * same folded text (PROVIDER_SEARCH=like), same data, same machine.
 * Knobs: BENCH_SEARCH_PROVIDERS (50000), BENCH_SEARCH_SERVICES_EACH (4), BENCH_SEARCH_SECONDS (5), BENCH_SEARCH_CONNECTIONS (32).
 */
import { ensureDebianPackages } from '../../media/build/debian.ts'
import type { Database } from '../../src/db/client.ts'
import {
  categories,
  providers,
  providerSubcategories,
  services,
  subcategories,
} from '../../src/db/schema/marketplace.ts'
import { developmentCatalogue } from '../../src/modules/marketplace/seed-catalog.ts'
import { searchableText } from '../../src/modules/marketplace/search-text.ts'
import { fixed, knob, printTable, ratio } from './lib/report.ts'
import { startBenchServer } from './lib/server.ts'
import { wrk, type WrkResult } from './lib/wrk.ts'

const providerCount = knob('BENCH_SEARCH_PROVIDERS', 50_000)
const servicesEach = knob('BENCH_SEARCH_SERVICES_EACH', 4)
const seconds = knob('BENCH_SEARCH_SECONDS', 5)
const connections = knob('BENCH_SEARCH_CONNECTIONS', 32)
ensureDebianPackages(['wrk'], 'the search benchmark')

const cities = ['الرياض', 'جدة', 'مكة', 'المدينة', 'الدمام', 'الخبر', 'الطائف', 'تبوك', 'أبها', 'حائل']
const givenNames = [
  'أحمد',
  'محمد',
  'فهد',
  'خالد',
  'سارة',
  'نورة',
  'عبدالله',
  'فاطمة',
  'Omar',
  'Lina',
  'Yusuf',
  'Maha',
  'سلطان',
  'ريم',
  'ماجد',
  'هند',
  'تركي',
  'منيرة',
  'Sami',
  'Dana',
]
const familyNames = [
  'العتيبي',
  'القحطاني',
  'الشمري',
  'الدوسري',
  'الغامدي',
  'الزهراني',
  'المطيري',
  'الحربي',
  'Haddad',
  'Nasser',
  'السبيعي',
  'العنزي',
  'البقمي',
  'الشهري',
  'Khalil',
  'العمري',
  'الرشيدي',
  'اليامي',
  'Saleh',
  'الجهني',
]
const trades = [
  'للسباكة',
  'للكهرباء',
  'للتكييف',
  'للتنظيف',
  'للتصميم',
  'Services',
  'Pro',
  'Experts',
  'للنقل',
  'للصيانة',
]
// A bio vocabulary of 3,375 made-up words (three syllables each), plus one word in every tenth bio.
const syllables = ['با', 'تي', 'جو', 'دا', 'رم', 'سل', 'شو', 'صف', 'طا', 'عي', 'فر', 'قل', 'كو', 'مي', 'نا']
const vocabulary = syllables.flatMap((a) => syllables.flatMap((b) => syllables.map((c) => a + b + c)))
const pick = <T>(list: readonly T[], n: number) => list[n % list.length]!
const bioOf = (n: number) =>
  [
    ...Array.from({ length: 12 }, (_, w) => pick(vocabulary, (n * 7919 + w * 104729) % 3371)),
    n % 10 === 0 ? 'ضمان' : 'خبرة',
  ].join(' ')

/** Deterministic data, inserted in chunks inside one batch per table. */
async function prepare(db: Database) {
  const now = Date.now()
  const catalogue = developmentCatalogue.map((entry, c) => ({
    category: { id: `cat_${c}`, name: entry.name[0], nameEn: entry.name[1], createdAt: new Date(now) },
    subs: entry.subcategories.map(([name, nameEn], s) => ({
      id: `sub_${c}_${s}`,
      categoryId: `cat_${c}`,
      name,
      nameEn,
      createdAt: new Date(now),
    })),
  }))
  await db.insert(categories).values(catalogue.map((entry) => entry.category))
  const allSubs = catalogue.flatMap((entry) => entry.subs)
  await db.insert(subcategories).values(allSubs)

  const chunk = 2000
  for (let start = 0; start < providerCount; start += chunk) {
    const rows = Array.from({ length: Math.min(chunk, providerCount - start) }, (_, offset) => {
      const n = start + offset
      const displayName = `${pick(givenNames, n)} ${pick(familyNames, Math.floor(n / 20))} ${pick(trades, Math.floor(n / 7))}`
      const bio = bioOf(n)
      return {
        id: `prv_${n}`,
        userId: `usr_bench_customer_${n}`,
        displayName,
        bio,
        city: pick(cities, n),
        searchText: searchableText(`${displayName} ${bio}`),
        createdAt: new Date(now - n * 1000),
        updatedAt: new Date(now),
      }
    })
    await db.batch([
      db.insert(providers).values(rows),
      db.insert(providerSubcategories).values(
        rows.flatMap((row, i) =>
          [pick(allSubs, start + i), pick(allSubs, start + i + 11)].map((sub) => ({
            providerId: row.id,
            subcategoryId: sub.id,
          })),
        ),
      ),
      db.insert(services).values(
        rows.flatMap((row, i) =>
          Array.from({ length: servicesEach }, (_, k) => ({
            id: `svc_${start + i}_${k}`,
            providerId: row.id,
            subcategoryId: pick(allSubs, start + i + k).id,
            title: `خدمة ${k + 1}`,
            priceFrom: 5000 + k * 1000,
            createdAt: new Date(now),
            updatedAt: new Date(now),
          })),
        ),
      ),
    ])
  }
}

const queries = [
  {
    name: 'q + city + category',
    path: `/api/v1/providers?q=${encodeURIComponent('سباكه')}&city=${encodeURIComponent('الرياض')}&categoryId=cat_0&limit=20`,
  },
  { name: 'q: a full name', path: `/api/v1/providers?q=${encodeURIComponent('خالد الشمري')}&limit=20` },
  { name: 'q: a rare word', path: `/api/v1/providers?q=${encodeURIComponent(bioOf(12345).split(' ')[3]!)}&limit=20` },
  { name: 'q: a word in 1 of 10 bios', path: `/api/v1/providers?q=${encodeURIComponent('ضمان')}&limit=20` },
]

const results: Record<string, Record<string, WrkResult & { found: number }>> = {}
for (const mode of ['fts', 'like'] as const) {
  // The users table needs the providers' owners; customers are cheap rows.
  const server = await startBenchServer({
    users: [{ role: 'customer', count: providerCount }],
    prepare,
    env: { PROVIDER_SEARCH: mode },
  })
  results[mode] = {}
  for (const query of queries) {
    const url = `${server.baseUrl}${query.path}`
    const first = (await (await fetch(url)).json()) as { items: unknown[] }
    results[mode]![query.name] = { ...wrk(url, { connections, seconds }), found: first.items.length }
  }
  await server.stop()
}

printTable(
  `Provider search over ${providerCount.toLocaleString('en')} providers and ${(providerCount * servicesEach).toLocaleString('en')} services (wrk, 2 threads, ${connections} connections, ${seconds} s each)`,
  ['query', 'mode', 'first page', 'req/s', 'p50 ms', 'p99 ms', 'non-2xx', 'FTS vs LIKE req/s'],
  queries.flatMap((query) =>
    (['fts', 'like'] as const).map((mode) => {
      const result = results[mode]![query.name]!
      return [
        query.name,
        mode,
        result.found,
        fixed(result.requestsPerSecond, 0),
        fixed(result.p50Ms, 2),
        fixed(result.p99Ms, 2),
        result.errors,
        mode === 'fts' ? ratio(result.requestsPerSecond, results.like![query.name]!.requestsPerSecond) : '',
      ]
    }),
  ),
)
