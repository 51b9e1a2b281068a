/**
 * kube-proxy's health state (pkg/proxy/healthcheck ProxyHealthServer): the
 * proxy is unhealthy when a queued change has waited longer than the health
 * timeout for a sync, and /healthz (not /livez) also fails while the node is
 * being deleted or carries the cluster-autoscaler's ToBeDeleted taint.
 */
import type http from 'node:http';
import type { KubeObject } from '../api/object.js';
import type { Clock } from '../client/clock.js';
import { realClock } from '../client/clock.js';
import { rec, recs } from './json-fields.js';
import type { ProxyMetrics } from './metrics.js';

export const TO_BE_DELETED_TAINT = 'ToBeDeletedByClusterAutoscaler';

/** Go's time.Time String() layout without the monotonic part: `2025-01-02 15:04:05.123 +0000 UTC`. */
export function goTimeString(ms: number): string {
  if (ms <= 0) return '0001-01-01 00:00:00 +0000 UTC';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} +0000 UTC`;
}

export class ProxyHealth {
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private lastUpdated = 0;
  private oldestPending: number | undefined;
  private nodeEligible = true;

  constructor(opts: { readonly healthTimeoutMs: number; readonly clock?: Clock }) {
    this.timeoutMs = opts.healthTimeoutMs;
    this.clock = opts.clock ?? realClock;
  }

  /** A change arrived that needs a sync. */
  queuedUpdate(): void {
    if (this.oldestPending === undefined) this.oldestPending = this.clock.now();
  }

  /** A sync programmed everything queued so far. */
  updated(): void {
    this.oldestPending = undefined;
    this.lastUpdated = this.clock.now();
  }

  /** Healthy unless a queued change is older than the timeout (healthy while starting up). */
  isHealthy(): boolean {
    return this.oldestPending === undefined || this.clock.now() - this.oldestPending < this.timeoutMs;
  }

  /** Tracks node eligibility; undefined means the Node object is gone. */
  syncNode(node: KubeObject | undefined): void {
    if (!node || node.metadata.deletionTimestamp) {
      this.nodeEligible = false;
      return;
    }
    this.nodeEligible = !recs(rec(node['spec'])?.['taints']).some((t) => t['key'] === TO_BE_DELETED_TAINT);
  }

  get eligible(): boolean {
    return this.nodeEligible;
  }

  /** `/healthz` (withNode) or `/livez` response: status code and JSON body as kube-proxy writes them. */
  report(withNode: boolean): { code: number; body: string } {
    const now = this.clock.now();
    const healthy = this.isHealthy() && (!withNode || this.nodeEligible);
    // When healthy, upstream reports lastUpdated as now (older releases' meaning of the field).
    const last = goTimeString(healthy ? now : this.lastUpdated);
    const current = goTimeString(now);
    const body = withNode
      ? `{"lastUpdated": ${JSON.stringify(last)},"currentTime": ${JSON.stringify(current)}, "nodeEligible": ${this.nodeEligible}}`
      : `{"lastUpdated": ${JSON.stringify(last)},"currentTime": ${JSON.stringify(current)}}`;
    return { code: healthy ? 200 : 503, body };
  }

  /** Serves /healthz and /livez; returns false for other paths. */
  handle(req: http.IncomingMessage, res: http.ServerResponse, metrics?: ProxyMetrics): boolean {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/healthz' && path !== '/livez') return false;
    const r = this.report(path === '/healthz');
    (path === '/healthz' ? metrics?.healthzTotal : metrics?.livezTotal)?.inc({ code: String(r.code) });
    res.writeHead(r.code, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
    res.end(r.body);
    return true;
  }
}
