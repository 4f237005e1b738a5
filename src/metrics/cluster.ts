import type { Cluster, InstanceInfo } from '../cluster/index.ts'
import { renderGauge, type Metric } from './registry.ts'

/** Who this instance is and how loaded; with REDIS_URL, how many instances it sees and pipes it feeds. */
export class ClusterMetrics implements Metric {
  constructor(
    private readonly instance: () => InstanceInfo,
    private readonly cluster: Cluster | undefined,
    private readonly pipesFed: () => number,
  ) {}

  async render(): Promise<string> {
    const self = this.instance()
    const labels = { instance: self.id }
    const lines = [
      renderGauge('majlis_instance_info', 'This instance: its id, URL and media address', [
        [{ instance: self.id, url: self.url, media_address: self.mediaAddress }, 1],
      ]),
      renderGauge('majlis_instance_peers', 'Media room participants on this instance', [[labels, self.peers]]),
      renderGauge('majlis_instance_capacity', 'Media room participants this instance takes', [[labels, self.capacity]]),
    ]
    if (this.cluster) {
      const instances = await this.cluster.members.list()
      lines.push(
        renderGauge('majlis_cluster_instances', 'Live instances this one sees in the cluster', [
          [labels, instances.length],
        ]),
      )
      lines.push(
        renderGauge('media_pipes_fed', 'Pipe transports feeding this instance’s producers to other instances', [
          [labels, this.pipesFed()],
        ]),
      )
    }
    return lines.join('\n')
  }
}
