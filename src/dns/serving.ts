/**
 * What answers queries, given an index: kubernetes backend → query handler (autopath, wire-answer
 * cache) → forwarder. Built the same way in the single process and in each DNS worker process,
 * from a configuration that is plain data so it can be sent to a worker.
 */
import type { Logger } from '../log/logger.js';
import { Forwarder } from './forward.js';
import { QueryHandler } from './handler.js';
import type { ClusterIndex } from './kubernetes/cluster-index.js';
import { KubernetesBackend } from './kubernetes/kubernetes-backend.js';
import { DnsMetrics } from './metrics.js';
import type { Upstream } from './resolv-conf.js';

export interface ServingConfig {
  /** Address to bind. */
  readonly host: string;
  /** Configured port (0: any free one). */
  readonly port: number;
  /** Canonical cluster zone. */
  readonly zone: string;
  readonly ttl: number;
  readonly nsAddresses: readonly string[];
  readonly autopath: boolean;
  readonly upstreams: readonly Upstream[];
  /** Canonical host search domains (outside the zone). */
  readonly hostSearch: readonly string[];
  readonly logQueries: boolean;
  readonly shuffle: boolean;
  readonly cacheSize?: number;
  readonly upstreamTimeoutMs?: number;
}

export interface Serving {
  readonly handler: QueryHandler;
  readonly metrics: DnsMetrics;
  readonly forwarder: Forwarder;
}

/** `dns://host:port`, the `server` label of every metric (CoreDNS style; the configured port). */
export function serverLabel(cfg: Pick<ServingConfig, 'host' | 'port'>): string {
  return `dns://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${cfg.port}`;
}

/** The handler for `cfg`, answering the cluster zone from `index` once `synced()` is true. */
export function buildServing(cfg: ServingConfig, index: ClusterIndex, synced: () => boolean, log: Logger): Serving {
  const backend = new KubernetesBackend(index, { zone: cfg.zone, ttl: cfg.ttl, nsAddresses: cfg.nsAddresses }, synced, cfg.autopath);
  const metrics = new DnsMetrics(serverLabel(cfg));
  const forwarder = new Forwarder({ upstreams: cfg.upstreams, metrics, log: log.child('dns-forward'), cacheSize: cfg.cacheSize, timeoutMs: cfg.upstreamTimeoutMs });
  const handler = new QueryHandler({ backends: [backend], forwarder, metrics, log, logQueries: cfg.logQueries, shuffle: cfg.shuffle, hostSearch: cfg.hostSearch });
  return { handler, metrics, forwarder };
}
