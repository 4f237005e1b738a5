import { describe, expect, test } from 'bun:test'
import { invoices } from '../../src/db/schema/billing.ts'
import { csvField } from '../../src/http/csv.ts'
import { freshAppPerTest } from '../helpers/app.ts'
import { makeCatalogue, makeProvider } from '../marketplace/helpers.ts'
import { payInvoice } from './helpers.ts'

const ctx = freshAppPerTest()
const DAY = 24 * 60 * 60 * 1000

/** A strict RFC 4180 reader: quoted fields may hold commas, doubled quotes and line breaks; records end with CRLF. */
function parseCsv(text: string): string[][] {
  const records: string[][] = []
  let record: string[] = []
  let field = ''
  let quoted = false
  for (let index = 0; index < text.length; index++) {
    const character = text[index]!
    if (quoted) {
      if (character === '"' && text[index + 1] === '"') (field += '"'), index++
      else if (character === '"') quoted = false
      else field += character
    } else if (character === '"' && field === '') quoted = true
    else if (character === ',') record.push(field), (field = '')
    else if (character === '\r' && text[index + 1] === '\n')
      record.push(field), records.push(record), (record = []), (field = ''), index++
    else if (character === '\n') throw new Error(`bare LF at ${index}`)
    else field += character
  }
  if (field !== '' || record.length > 0) throw new Error('the last record does not end with CRLF')
  return records
}

async function buyAndPay(who: { accessToken: string }, packId: string) {
  const invoice = (await ctx.t.api(who, 'POST', `/coin-packs/${packId}/buy`)).body.invoice
  await payInvoice(ctx.t, who, invoice.id)
  return invoice
}

describe('analytics', () => {
  test('KPIs, daily and monthly revenue and the request breakdown, aggregated over a range of days', async () => {
    const analyst = await ctx.t.registerStaff('qa', ['analytics'])
    const { leaks } = await makeCatalogue(ctx.t)
    const provider = await makeProvider(ctx.t, [leaks.id])
    const client = await ctx.t.register()
    await ctx.t.api(client, 'POST', '/service-requests', {
      type: 'normal',
      title: 'Leak',
      description: 'Sink',
      city: 'Riyadh',
      subcategoryId: leaks.id,
      providerId: provider.provider.id,
    })
    await ctx.t.api(client, 'POST', '/service-requests', {
      type: 'competitive',
      title: 'Heater',
      description: 'Cold',
      city: 'Riyadh',
      subcategoryId: leaks.id,
    })
    await buyAndPay(client, 'coins_100') // 2026-01-01
    ctx.clock.advance(DAY)
    await buyAndPay(client, 'coins_550') // 2026-01-02
    await buyAndPay(provider, 'coins_100')
    await ctx.t.api(client, 'POST', '/coin-packs/coins_1200/buy') // pending: not revenue
    ctx.clock.advance(31 * DAY) // 2026-02-02
    await buyAndPay(client, 'coins_1200')

    const kpis = (await ctx.t.api(analyst, 'GET', '/backoffice/analytics/kpis?start=2026-01-01&end=2026-01-31')).body
    expect(kpis).toMatchObject({
      start: '2026-01-01',
      end: '2026-01-31',
      users: 2, // the client and the provider; staff accounts here are made outside the manual clock
      providers: 1,
      requests: { total: 2, byStatus: { sent: 2 } },
      completedRequests: 0,
      revenue: 499 + 2499 + 499,
      paidInvoices: 3,
      averageRating: 0,
      streams: 0,
      liveSessions: 0,
    })
    const daily = (
      await ctx.t.api(analyst, 'GET', '/backoffice/analytics/revenue/daily?start=2026-01-01&end=2026-01-03')
    ).body
    expect(daily).toEqual([
      { date: '2026-01-01', amount: 499, invoices: 1 },
      { date: '2026-01-02', amount: 2998, invoices: 2 },
      { date: '2026-01-03', amount: 0, invoices: 0 },
    ])
    expect(
      (await ctx.t.api(analyst, 'GET', '/backoffice/analytics/revenue/monthly?start=2026-01-01&end=2026-02-28')).body,
    ).toEqual([
      { date: '2026-01', amount: 3497, invoices: 3 },
      { date: '2026-02', amount: 4999, invoices: 1 },
    ])
    expect(
      (await ctx.t.api(analyst, 'GET', '/backoffice/analytics/requests/breakdown?start=2026-01-01&end=2026-01-01'))
        .body,
    ).toEqual([
      { type: 'competitive', status: 'sent', count: 1 },
      { type: 'normal', status: 'sent', count: 1 },
    ])
    // Without a range: the last 30 days up to today (2026-02-02).
    expect((await ctx.t.api(analyst, 'GET', '/backoffice/analytics/kpis')).body).toMatchObject({
      start: '2026-01-04',
      end: '2026-02-02',
      revenue: 4999,
    })

    // Bad ranges and other staff.
    expect(
      (await ctx.t.api(analyst, 'GET', '/backoffice/analytics/kpis?start=2026-02-01&end=2026-01-01')).body.error.code,
    ).toBe('INVALID_DATES')
    expect((await ctx.t.api(analyst, 'GET', '/backoffice/analytics/kpis?start=2026-02-30')).body.error.code).toBe(
      'INVALID_DATES',
    )
    expect((await ctx.t.api(analyst, 'GET', '/backoffice/analytics/kpis?start=yesterday')).status).toBe(422)
    expect(
      (await ctx.t.api(analyst, 'GET', '/backoffice/analytics/revenue/daily?start=2024-01-01&end=2026-01-01')).body
        .error.code,
    ).toBe('INVALID_DATES')
    expect(
      (await ctx.t.api(await ctx.t.registerStaff('power', ['billing']), 'GET', '/backoffice/analytics/kpis')).status,
    ).toBe(403)
    expect((await ctx.t.api(client, 'GET', '/backoffice/analytics/kpis')).status).toBe(403)
  })

  test('the paid-invoices CSV: RFC 4180 quoting, no formulas, every row of a long export streamed in order', async () => {
    const analyst = await ctx.t.registerStaff('admin')
    const sneaky = await ctx.t.register('customer', { name: '=HYPERLINK("http://evil"), "Boss"\nline two' })
    const plain = await ctx.t.register('customer', { name: '+Plus, minus' })
    const first = await buyAndPay(sneaky, 'coins_550')
    ctx.clock.advance(1000)
    await buyAndPay(plain, 'coins_100')

    const response = await ctx.t.app.handle(
      new Request(
        'http://localhost/api/v1/backoffice/analytics/export/paid-invoices.csv?start=2026-01-01&end=2026-01-01',
        { headers: { authorization: `Bearer ${analyst.accessToken}` } },
      ),
    )
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    expect(response.headers.get('content-disposition')).toBe(
      'attachment; filename="paid-invoices-2026-01-01-2026-01-01.csv"',
    )
    const bytes = new Uint8Array(await response.arrayBuffer())
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    const records = parseCsv(new TextDecoder().decode(bytes))
    expect(records[0]).toEqual([
      'code',
      'paid_at',
      'purpose',
      'amount_sar',
      'currency',
      'user_id',
      'name',
      'email',
      'phone',
    ])
    expect(records[1]).toEqual([
      first.code,
      '2026-01-01T09:00:00.000Z',
      'coins',
      '24.99',
      'SAR',
      sneaky.user.id,
      `'=HYPERLINK("http://evil"), "Boss"\nline two`,
      sneaky.email,
      '',
    ])
    expect(records[2]![6]).toBe(`'+Plus, minus`)
    expect(records).toHaveLength(3)
    for (const start of [';', ' ', '\t', '\n', '＝', '＋', '－', '＠', '=', '+', '-', '@'])
      expect(csvField(`${start}SUM(A1)`)).toBe(csvField(`'${start}SUM(A1)`))
    expect(csvField('Plain ＝ inside')).toBe('Plain ＝ inside')
    expect(csvField(-5)).toBe('-5')

    // 1,234 paid invoices (more than two pages of the export), stored as the flows store them.
    const rows = Array.from({ length: 1234 }, (_, index) => ({
      id: `inv_bulk_${String(index).padStart(5, '0')}`,
      code: `INV-BULK-${index}`,
      userId: plain.user.id,
      purpose: 'coins' as const,
      subjectId: 'coins_100',
      amount: 100 + index,
      currency: 'SAR' as const,
      status: 'paid' as const,
      lines: [{ description: 'bulk', quantity: 1, amount: 100 + index }],
      createdAt: new Date(Date.UTC(2026, 0, 5)),
      paidAt: new Date(Date.UTC(2026, 0, 5, 0, 0, index)),
    }))
    for (let start = 0; start < rows.length; start += 200)
      await ctx.t.db.insert(invoices).values(rows.slice(start, start + 200))
    const bulk = await ctx.t.app.handle(
      new Request(
        'http://localhost/api/v1/backoffice/analytics/export/paid-invoices.csv?start=2026-01-05&end=2026-01-05',
        { headers: { authorization: `Bearer ${analyst.accessToken}` } },
      ),
    )
    const bulkRecords = parseCsv(await bulk.text())
    expect(bulkRecords).toHaveLength(1235)
    expect(bulkRecords.slice(1).map((record) => record[0])).toEqual(rows.map((row) => row.code))
    expect(bulkRecords[1234]![3]).toBe('13.33')

    const noAccess = await ctx.t.app.handle(
      new Request('http://localhost/api/v1/backoffice/analytics/export/paid-invoices.csv', {
        headers: { authorization: `Bearer ${sneaky.accessToken}` },
      }),
    )
    expect(noAccess.status).toBe(403)
  })
})

describe('staff and users', () => {
  test('staff with the users module list accounts by role and words; a wallet adjustment is a ledger row with the reason', async () => {
    const staff = await ctx.t.registerStaff('power', ['users'])
    const teacher = await ctx.t.register('teacher', { name: 'Nour 100% Teacher' })
    await ctx.t.register('customer', { name: 'Someone Else' })
    const byRole = (await ctx.t.api(staff, 'GET', '/backoffice/users?role=teacher')).body.items
    expect(byRole.map((user: { id: string }) => user.id)).toEqual([teacher.user.id])
    expect(
      (await ctx.t.api(staff, 'GET', '/backoffice/users?q=100%25')).body.items.map((user: { id: string }) => user.id),
    ).toEqual([teacher.user.id])
    expect((await ctx.t.api(staff, 'GET', '/backoffice/users?q=_')).body.items).toEqual([])
    expect((await ctx.t.api(staff, 'GET', '/backoffice/users?role=king')).status).toBe(422)
    expect((await ctx.t.api(await ctx.t.registerStaff('power', ['billing']), 'GET', '/backoffice/users')).status).toBe(
      403,
    )

    expect(
      (
        await ctx.t.api(staff, 'POST', `/backoffice/users/${teacher.user.id}/coins`, {
          amount: 40,
          reason: 'Refund for a dropped class',
        })
      ).body.balance,
    ).toBe(40)
    const wallet = (await ctx.t.api(teacher, 'GET', '/me/wallet')).body
    expect(wallet.transactions[0]).toMatchObject({ amount: 40, kind: 'adjustment' })
    expect(wallet.transactions[0].reference).toContain('Refund for a dropped class')
  })
})
