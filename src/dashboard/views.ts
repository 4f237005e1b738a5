import type { Api } from './api.ts'
import { barChart, h, table } from '../ui/dom.ts'
import type { TextKey } from './i18n.ts'

export interface ViewContext {
  api: Api
  t: (key: TextKey) => string
  /** A status, type, priority or badge the API sends, in the page's language. */
  value: (value: string) => string
  /** Draws the current view again (after an action changed what it shows). */
  refresh(): void
  /** Shows the outcome of an action (an error message, or "done"). */
  report(error?: unknown): void
}

// biome-ignore lint/suspicious/noExplicitAny: rows are the API's JSON, shown by column name
type Row = Record<string, any>
interface PageOf<Item> {
  items: Item[]
  nextCursor: string | null
}

const sar = (halalas: number) =>
  (halalas / 100).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })
const day = (date: string | null) => (date ? new Date(date).toISOString().slice(0, 10) : '')
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** A button that runs an action, reports its outcome and redraws the view. */
function action(ctx: ViewContext, label: string, run: () => Promise<unknown>, name?: string) {
  return h(
    'button',
    {
      type: 'button',
      'data-action': name,
      onclick: async () => {
        try {
          await run()
          ctx.report()
          ctx.refresh()
        } catch (error) {
          ctx.report(error)
        }
      },
    },
    label,
  )
}

/** A small form of labelled inputs whose submit runs an action with their values. */
function miniForm(
  ctx: ViewContext,
  fields: { name: string; label: string; type?: string; value?: string; required?: boolean }[],
  submit: string,
  run: (values: Record<string, string>) => Promise<unknown>,
  name?: string,
) {
  const form = h(
    'form',
    { class: 'inline', 'data-form': name },
    ...fields.map((field) =>
      h(
        'label',
        {},
        field.label,
        h('input', {
          name: field.name,
          type: field.type ?? 'text',
          value: field.value,
          required: field.required ?? true,
        }),
      ),
    ),
    h('button', { type: 'submit' }, submit),
  )
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const values = Object.fromEntries([...new FormData(form).entries()].map(([key, value]) => [key, String(value)]))
    try {
      await run(values)
      ctx.report()
      ctx.refresh()
    } catch (error) {
      ctx.report(error)
    }
  })
  return form
}

const empty = (ctx: ViewContext) => h('p', { class: 'empty' }, ctx.t('nothing'))

export async function kpisView(
  ctx: ViewContext,
  range = { start: isoDay(Date.now() - 29 * 86_400_000), end: isoDay(Date.now()) },
) {
  const query = `start=${range.start}&end=${range.end}`
  const [kpis, daily, breakdown] = await Promise.all([
    ctx.api.call<Row>('GET', `/backoffice/analytics/kpis?${query}`),
    ctx.api.call<{ date: string; amount: number }[]>('GET', `/backoffice/analytics/revenue/daily?${query}`),
    ctx.api.call<{ type: string; status: string; count: number }[]>(
      'GET',
      `/backoffice/analytics/requests/breakdown?${query}`,
    ),
  ])
  const card = (key: TextKey, value: string | number, id: string) =>
    h('div', { class: 'card', id: `kpi-${id}` }, h('span', { class: 'label' }, ctx.t(key)), h('strong', {}, value))
  const view = h('section', {})
  const rangeForm = miniForm(
    ctx,
    [
      { name: 'start', label: ctx.t('from'), type: 'date', value: range.start },
      { name: 'end', label: ctx.t('to'), type: 'date', value: range.end },
    ],
    ctx.t('show'),
    async (values) => view.replaceWith(await kpisView(ctx, { start: values.start!, end: values.end! })),
  )
  const download = action(
    ctx,
    ctx.t('exportCsv'),
    async () => {
      const { url } = await ctx.api.blobUrl(`/backoffice/analytics/export/paid-invoices.csv?${query}`)
      h('a', { href: url, download: `paid-invoices-${range.start}-${range.end}.csv` }).click()
    },
    'export-csv',
  )
  view.append(
    rangeForm,
    h(
      'div',
      { class: 'cards' },
      card('revenue', sar(kpis.revenue), 'revenue'),
      card('paidInvoices', kpis.paidInvoices, 'paid-invoices'),
      card('users', kpis.users, 'users'),
      card('providers', kpis.providers, 'providers'),
      card('requestsTotal', kpis.requests.total, 'requests'),
      card('completedRequests', kpis.completedRequests, 'completed'),
      card('averageRating', kpis.averageRating, 'rating'),
      card('streams', kpis.streams, 'streams'),
      card('liveSessions', kpis.liveSessions, 'live-sessions'),
    ),
    h('h2', {}, ctx.t('dailyRevenue')),
    barChart(
      daily.map((point) => ({ label: point.date, value: point.amount })),
      sar,
    ),
    h('h2', {}, ctx.t('breakdown')),
    breakdown.length === 0
      ? empty(ctx)
      : table(
          [ctx.t('type'), ctx.t('status'), ctx.t('count')],
          breakdown.map((row) => [ctx.value(row.type), ctx.value(row.status), row.count]),
        ),
    download,
  )
  return view
}

const requestMoves = ['accepted', 'in_progress', 'completed', 'cancelled', 'rejected']

export async function requestsView(ctx: ViewContext) {
  const page = await ctx.api.call<PageOf<Row>>('GET', '/backoffice/service-requests?limit=50')
  const move = (request: Row) => {
    const select = h('select', {}, ...requestMoves.map((status) => h('option', { value: status }, ctx.value(status))))
    return h(
      'span',
      {},
      select,
      action(ctx, ctx.t('apply'), () =>
        ctx.api.call('POST', `/backoffice/service-requests/${request.id}/transition`, { to: select.value }),
      ),
    )
  }
  return h(
    'section',
    {},
    page.items.length === 0
      ? empty(ctx)
      : table(
          [ctx.t('titleColumn'), ctx.t('type'), ctx.t('status'), ctx.t('city'), ctx.t('moveTo')],
          page.items.map((request) => [
            request.title,
            ctx.value(request.type),
            ctx.value(request.status),
            request.city,
            move(request),
          ]),
        ),
  )
}

export async function catalogView(ctx: ViewContext) {
  const [providers, categories] = await Promise.all([
    ctx.api.call<PageOf<Row>>('GET', '/backoffice/providers?limit=50'),
    ctx.api.call<Row[]>('GET', '/categories'),
  ])
  const toggle = (path: string, item: Row) =>
    action(ctx, item.isActive ? ctx.t('deactivate') : ctx.t('activate'), () =>
      ctx.api.call('PATCH', path, { isActive: !item.isActive }),
    )
  const services = async (provider: Row, cell: HTMLElement) => {
    const page = await ctx.api.call<Row>('GET', `/providers/${provider.id}`)
    cell.replaceChildren(
      ...(page.services ?? []).map((service: Row) =>
        h(
          'div',
          {},
          service.title,
          ' ',
          action(ctx, ctx.t('hide'), () =>
            ctx.api.call('PATCH', `/backoffice/services/${service.id}`, { isActive: false }),
          ),
        ),
      ),
    )
  }
  const servicesCell = (provider: Row) => {
    const cell = h('div', {})
    cell.append(action(ctx, ctx.t('services'), () => services(provider, cell)))
    return cell
  }
  return h(
    'section',
    {},
    h('h2', {}, ctx.t('catalog')),
    providers.items.length === 0
      ? empty(ctx)
      : table(
          [ctx.t('name'), ctx.t('city'), ctx.t('status'), '', ctx.t('services')],
          providers.items.map((provider) => [
            provider.displayName,
            provider.city,
            provider.isActive ? ctx.t('active') : ctx.t('inactive'),
            toggle(`/backoffice/providers/${provider.id}`, provider),
            servicesCell(provider),
          ]),
        ),
    h('h2', {}, ctx.t('categories')),
    table(
      [ctx.t('name'), ctx.t('status'), ''],
      categories.flatMap((category) => [
        [
          category.nameEn ? `${category.name} — ${category.nameEn}` : category.name,
          category.isActive ? ctx.t('active') : ctx.t('inactive'),
          toggle(`/categories/${category.id}`, category),
        ],
        ...category.subcategories.map((sub: Row) => [
          `↳ ${sub.name}`,
          sub.isActive ? ctx.t('active') : ctx.t('inactive'),
          toggle(`/subcategories/${sub.id}`, sub),
        ]),
      ]),
    ),
  )
}

export async function verificationView(ctx: ViewContext) {
  const page = await ctx.api.call<PageOf<Row>>('GET', '/backoffice/verification/requests?status=pending&limit=50')
  const preview = h('div', { class: 'preview', id: 'document-preview' })
  const show = async (document: Row) => {
    const file = await ctx.api.blobUrl(document.url)
    preview.replaceChildren(
      file.type.startsWith('image/')
        ? h('img', { src: file.url, alt: document.title ?? document.docType })
        : h('iframe', { src: file.url, title: document.title ?? document.docType }),
    )
  }
  const decision = (document: Row) =>
    document.isApproved === null ? ctx.t('unreviewed') : document.isApproved ? ctx.t('approved') : ctx.t('rejected')
  const documentRow = (document: Row) =>
    h(
      'li',
      { 'data-document': document.id },
      `${document.title ?? document.docType} (${document.docType}) — `,
      h('span', { class: 'decision' }, decision(document)),
      ' ',
      h(
        'button',
        { type: 'button', 'data-action': 'preview', onclick: () => show(document).catch(ctx.report) },
        ctx.t('preview'),
      ),
      action(
        ctx,
        ctx.t('approve'),
        () => ctx.api.call('PATCH', `/backoffice/verification/documents/${document.id}`, { isApproved: true }),
        'approve',
      ),
      action(
        ctx,
        ctx.t('reject'),
        () => ctx.api.call('PATCH', `/backoffice/verification/documents/${document.id}`, { isApproved: false }),
        'reject',
      ),
    )
  const requestCard = (request: Row) =>
    h(
      'article',
      { class: 'request', 'data-request': request.id },
      h('h3', {}, `${request.userName} — ${ctx.value(request.badge)}`),
      request.note ? h('p', {}, request.note) : null,
      h('ul', {}, ...request.documents.map(documentRow)),
      action(
        ctx,
        ctx.t('finalize'),
        () => ctx.api.call('POST', `/backoffice/verification/requests/${request.id}/finalize`),
        'finalize',
      ),
    )
  return h('section', {}, page.items.length === 0 ? empty(ctx) : h('div', {}, ...page.items.map(requestCard)), preview)
}

export async function promoView(ctx: ViewContext) {
  const page = await ctx.api.call<PageOf<Row>>('GET', '/backoffice/promo/requests?status=pending&limit=50')
  const card = (request: Row) =>
    h(
      'article',
      { class: 'request', 'data-promo': request.id },
      h('h3', {}, `${request.title} (${ctx.value(request.adType)})`),
      h('p', {}, `${request.userName} · ${ctx.t('dates')}: ${day(request.startAt)} → ${day(request.endAt)}`),
      request.note ? h('p', {}, request.note) : null,
      miniForm(
        ctx,
        [{ name: 'amount', label: ctx.t('amountSar'), type: 'number' }],
        ctx.t('quote'),
        (values) =>
          ctx.api.call('POST', `/backoffice/promo/requests/${request.id}/quote`, {
            amount: Math.round(Number(values.amount) * 100),
          }),
        'quote',
      ),
      miniForm(
        ctx,
        [{ name: 'rejectReason', label: ctx.t('reason') }],
        ctx.t('reject'),
        (values) => ctx.api.call('POST', `/backoffice/promo/requests/${request.id}/reject`, values),
        'reject',
      ),
    )
  return h('section', {}, page.items.length === 0 ? empty(ctx) : h('div', {}, ...page.items.map(card)))
}

const ticketStatuses = ['open', 'pending', 'closed']

export async function ticketsView(ctx: ViewContext) {
  const page = await ctx.api.call<PageOf<Row>>('GET', '/tickets?limit=50')
  const statusPicker = (ticket: Row) => {
    const select = h(
      'select',
      {},
      ...ticketStatuses.map((status) =>
        h('option', { value: status, selected: status === ticket.status }, ctx.value(status)),
      ),
    )
    return h(
      'span',
      {},
      select,
      action(ctx, ctx.t('apply'), () => ctx.api.call('PATCH', `/tickets/${ticket.id}`, { status: select.value })),
    )
  }
  return h(
    'section',
    {},
    page.items.length === 0
      ? empty(ctx)
      : table(
          [ctx.t('subject'), ctx.t('priority'), ctx.t('status'), ctx.t('moveTo')],
          page.items.map((ticket) => [
            ticket.subject,
            ctx.value(ticket.priority),
            ctx.value(ticket.status),
            statusPicker(ticket),
          ]),
        ),
  )
}
