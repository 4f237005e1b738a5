type Child = Node | string | number | null | undefined | false
type Attributes = Record<string, string | number | boolean | EventListener | undefined>

/** An element with attributes (on… names become listeners) and children; text is always text, never HTML. */
export function h<Tag extends keyof HTMLElementTagNameMap>(
  tag: Tag,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[Tag] {
  const element = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue
    if (typeof value === 'function') element.addEventListener(name.slice(2).toLowerCase(), value)
    else element.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children)
    if (child !== null && child !== undefined && child !== false)
      element.append(typeof child === 'number' ? String(child) : child)
  return element
}

/** A table of rows; each cell is text or a node. */
export function table(headings: string[], rows: Child[][]): HTMLTableElement {
  return h(
    'table',
    {},
    h('thead', {}, h('tr', {}, ...headings.map((heading) => h('th', {}, heading)))),
    h('tbody', {}, ...rows.map((row) => h('tr', {}, ...row.map((cell) => h('td', {}, cell))))),
  )
}

const SVG = 'http://www.w3.org/2000/svg'
function svg(tag: string, attributes: Record<string, string | number>, text?: string): SVGElement {
  const element = document.createElementNS(SVG, tag)
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value))
  if (text !== undefined) element.textContent = text
  return element
}

/** A bar chart of labelled values as inline SVG (no chart library). */
export function barChart(points: { label: string; value: number }[], format: (value: number) => string): SVGElement {
  const width = 720
  const height = 220
  const max = Math.max(1, ...points.map((point) => point.value))
  const step = width / Math.max(points.length, 1)
  // Time runs left to right in both languages; inherited rtl would anchor the date labels outside the chart.
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height + 30}`, class: 'chart', role: 'img', direction: 'ltr' })
  points.forEach((point, index) => {
    const barHeight = Math.round((point.value / max) * height)
    const bar = svg('rect', {
      x: index * step + 2,
      y: height - barHeight,
      width: Math.max(step - 4, 1),
      height: barHeight,
      class: 'bar',
    })
    bar.append(svg('title', {}, `${point.label}: ${format(point.value)}`))
    chart.append(bar)
  })
  chart.append(svg('line', { x1: 0, y1: height, x2: width, y2: height, class: 'axis' }))
  const first = points[0]
  const last = points.at(-1)
  if (first) chart.append(svg('text', { x: 2, y: height + 20, class: 'tick' }, first.label))
  if (last && last !== first)
    chart.append(svg('text', { x: width - 2, y: height + 20, class: 'tick', 'text-anchor': 'end' }, last.label))
  return chart
}
