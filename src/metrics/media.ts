import type { WorkerPool } from '../../media/index.ts'
import { renderGauge, type Metric } from './registry.ts'

/** Per-worker SFU figures, read once per scrape from the pool. */
export class MediaWorkerMetrics implements Metric {
  constructor(private readonly pool: WorkerPool) {}

  async render(): Promise<string> {
    const stats = await this.pool.stats()
    const by = (value: (s: (typeof stats)[number]) => number) =>
      stats.map((s): [Record<string, string>, number] => [{ worker: String(s.index) }, value(s)])
    return [
      renderGauge(
        'media_worker_up',
        'Whether the mediasoup worker is alive',
        by((s) => (s.alive ? 1 : 0)),
      ),
      renderGauge(
        'media_worker_cpu_seconds_total',
        'CPU time of the worker process (user + system)',
        by((s) => s.cpuMs / 1000),
        'counter',
      ),
      renderGauge(
        'media_worker_peers',
        'Room participants placed on the worker',
        by((s) => s.peers),
      ),
      renderGauge(
        'media_worker_routers',
        'Routers on the worker',
        by((s) => s.routers),
      ),
      renderGauge(
        'media_worker_transports',
        'Transports on the worker',
        by((s) => s.transports),
      ),
      renderGauge(
        'media_worker_producers',
        'Producers on the worker',
        by((s) => s.producers),
      ),
      renderGauge(
        'media_worker_consumers',
        'Consumers on the worker',
        by((s) => s.consumers),
      ),
    ].join('\n')
  }
}
