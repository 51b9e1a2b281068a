/**
 * The cluster zone as a DnsBackend: the slim index, the record rules and, for autopath, the
 * search path of a client pod (found by its source IP).
 */
import type { BackendResult, DnsBackend } from '../backend.js';
import type { Question } from '../message/message.js';
import type { ClusterIndex } from './cluster-index.js';
import { answerCluster, type RecordsConfig } from './records.js';

export class KubernetesBackend implements DnsBackend {
  readonly name = 'kubernetes';
  readonly zones: readonly string[];

  constructor(
    private readonly index: ClusterIndex,
    private readonly cfg: RecordsConfig,
    private readonly synced: () => boolean,
    private readonly autopath = true,
  ) {
    this.zones = [cfg.zone];
  }

  ready(): boolean {
    return this.synced();
  }

  lookup(q: Question): BackendResult {
    return answerCluster(q, this.index, this.cfg);
  }

  generation(): number {
    return this.index.generation();
  }

  /** ClusterFirst search path of the pod at `ip`: `<ns>.svc.<zone> svc.<zone> <zone>`. */
  searchPath(ip: string): readonly string[] | undefined {
    if (!this.autopath) return undefined;
    const ns = this.index.podNamespace(ip);
    if (ns === undefined) return undefined;
    const z = this.cfg.zone;
    return [`${ns}.svc.${z}`, `svc.${z}`, z];
  }
}
