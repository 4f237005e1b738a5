/** A small Prometheus text-format registry: counters and histograms with labels. */

type Labels = Record<string, string>

const labelKey = (labels: Labels) =>
  Object.entries(labels)
    .map(([name, value]) => `${name}="${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
    .join(',')

const withBraces = (key: string) => (key === '' ? '' : `{${key}}`)

export interface Metric {
  render(): string | Promise<string>
}

export class Counter implements Metric {
  private readonly values = new Map<string, number>()
  constructor(
    readonly name: string,
    readonly help: string,
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(labels)
    this.values.set(key, (this.values.get(key) ?? 0) + by)
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`]
    for (const [key, value] of this.values) lines.push(`${this.name}${withBraces(key)} ${value}`)
    return lines.join('\n')
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { buckets: number[]; sum: number; count: number }>()
  constructor(
    readonly name: string,
    readonly help: string,
    readonly bounds: number[],
  ) {}

  observe(labels: Labels, value: number): void {
    const key = labelKey(labels)
    let entry = this.series.get(key)
    if (!entry) {
      entry = { buckets: this.bounds.map(() => 0), sum: 0, count: 0 }
      this.series.set(key, entry)
    }
    this.bounds.forEach((bound, i) => {
      if (value <= bound) entry.buckets[i]! += 1
    })
    entry.sum += value
    entry.count += 1
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`]
    for (const [key, entry] of this.series) {
      const prefix = key === '' ? '' : `${key},`
      for (const [i, bound] of this.bounds.entries())
        lines.push(`${this.name}_bucket{${prefix}le="${bound}"} ${entry.buckets[i]}`)
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${entry.count}`)
      lines.push(`${this.name}_sum${withBraces(key)} ${entry.sum}`)
      lines.push(`${this.name}_count${withBraces(key)} ${entry.count}`)
    }
    return lines.join('\n')
  }
}

export type Samples = Array<[Labels, number]>

export function renderGauge(name: string, help: string, samples: Samples, type: 'gauge' | 'counter' = 'gauge'): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`]
  for (const [labels, value] of samples) lines.push(`${name}${withBraces(labelKey(labels))} ${value}`)
  return lines.join('\n')
}

/** Gauges of one label-less value each, read together when /metrics is scraped (e.g. by one database query). */
export const gaugesFrom = (read: () => Promise<Array<[name: string, help: string, value: number]>>): Metric => ({
  render: async () => (await read()).map(([name, help, value]) => renderGauge(name, help, [[{}, value]])).join('\n'),
})

/** A gauge whose samples are read when /metrics is scraped. */
export class CollectedGauge implements Metric {
  constructor(
    readonly name: string,
    readonly help: string,
    private readonly collect: () => Samples,
  ) {}

  render(): string {
    return renderGauge(this.name, this.help, this.collect())
  }
}

export class MetricsRegistry {
  private readonly metrics: Metric[] = []

  register<M extends Metric>(metric: M): M {
    this.metrics.push(metric)
    return metric
  }

  async render(): Promise<string> {
    return `${(await Promise.all(this.metrics.map((metric) => metric.render()))).join('\n')}\n`
  }
}
