/**
 * A tiny Prometheus text-format exporter (counters, gauges, histograms with
 * labels) and the kube-proxy metric set under its upstream names.
 */

type Labels = Readonly<Record<string, string>>;

function labelText(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return '';
  const esc = (v: string): string => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
  return `{${pairs.map(([k, v]) => `${k}="${esc(v)}"`).join(',')}}`;
}

function num(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return Number.isNaN(v) ? 'NaN' : String(v);
}

interface Metric {
  readonly name: string;
  render(): string[];
}

abstract class Vec<S> implements Metric {
  readonly name: string;
  readonly help: string;
  protected readonly series = new Map<string, { labels: Labels; s: S }>();
  protected abstract readonly type: string;

  constructor(name: string, help: string) {
    this.name = name;
    this.help = help;
  }
  protected abstract fresh(): S;
  protected abstract lines(labels: Labels, s: S): string[];

  protected get(labels: Labels = {}): S {
    const key = JSON.stringify(Object.entries(labels).sort());
    let e = this.series.get(key);
    if (!e) this.series.set(key, (e = { labels, s: this.fresh() }));
    return e.s;
  }

  render(): string[] {
    const out = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const { labels, s } of this.series.values()) out.push(...this.lines(labels, s));
    return out;
  }
}

export class Counter extends Vec<{ v: number }> {
  protected readonly type = 'counter';
  protected fresh(): { v: number } {
    return { v: 0 };
  }
  protected lines(labels: Labels, s: { v: number }): string[] {
    return [`${this.name}${labelText(labels)} ${num(s.v)}`];
  }
  inc(labels: Labels = {}, by = 1): void {
    this.get(labels).v += by;
  }
  value(labels: Labels = {}): number {
    return this.get(labels).v;
  }
}

export class Gauge extends Vec<{ v: number }> {
  protected readonly type = 'gauge';
  protected fresh(): { v: number } {
    return { v: 0 };
  }
  protected lines(labels: Labels, s: { v: number }): string[] {
    return [`${this.name}${labelText(labels)} ${num(s.v)}`];
  }
  set(v: number, labels: Labels = {}): void {
    this.get(labels).v = v;
  }
  value(labels: Labels = {}): number {
    return this.get(labels).v;
  }
}

interface HistogramState {
  counts: number[];
  sum: number;
  count: number;
}

export class Histogram extends Vec<HistogramState> {
  protected readonly type = 'histogram';
  readonly buckets: readonly number[];

  constructor(name: string, help: string, buckets: readonly number[]) {
    super(name, help);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }
  protected fresh(): HistogramState {
    return { counts: this.buckets.map(() => 0), sum: 0, count: 0 };
  }
  protected lines(labels: Labels, s: HistogramState): string[] {
    const out = this.buckets.map((b, i) => `${this.name}_bucket${labelText(labels, ['le', num(b)])} ${s.counts[i] ?? 0}`);
    out.push(`${this.name}_bucket${labelText(labels, ['le', '+Inf'])} ${s.count}`);
    out.push(`${this.name}_sum${labelText(labels)} ${num(s.sum)}`);
    out.push(`${this.name}_count${labelText(labels)} ${s.count}`);
    return out;
  }
  observe(v: number, labels: Labels = {}): void {
    const s = this.get(labels);
    s.sum += v;
    s.count++;
    // Cumulative buckets: every bucket at or above the value counts it.
    this.buckets.forEach((b, i) => {
      if (v <= b) s.counts[i] = (s.counts[i] ?? 0) + 1;
    });
  }
  count(labels: Labels = {}): number {
    return this.get(labels).count;
  }
}

export class Registry {
  private readonly metrics: Metric[] = [];
  register<M extends Metric>(m: M): M {
    if (this.metrics.some((x) => x.name === m.name)) throw new Error(`metric ${m.name} registered twice`);
    this.metrics.push(m);
    return m;
  }
  /** Prometheus text exposition format 0.0.4. */
  render(): string {
    return `${this.metrics.flatMap((m) => m.render()).join('\n')}\n`;
  }
}

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/** prometheus.ExponentialBuckets. */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start * factor ** i);
}

/** prometheus.LinearBuckets. */
export function linearBuckets(start: number, width: number, count: number): number[] {
  return Array.from({ length: count }, (_, i) => start + width * i);
}

/** kube-proxy's metrics (pkg/proxy/metrics), same names and buckets. */
export class ProxyMetrics {
  readonly registry = new Registry();
  readonly syncProxyRulesLatency = this.registry.register(new Histogram('kubeproxy_sync_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds', exponentialBuckets(0.001, 2, 15)));
  readonly syncFullProxyRulesLatency = this.registry.register(
    new Histogram('kubeproxy_sync_full_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for full resyncs', exponentialBuckets(0.001, 2, 15)),
  );
  readonly syncPartialProxyRulesLatency = this.registry.register(
    new Histogram('kubeproxy_sync_partial_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for partial resyncs', exponentialBuckets(0.001, 2, 15)),
  );
  readonly syncProxyRulesLastTimestamp = this.registry.register(new Gauge('kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'The last time proxy rules were successfully synced'));
  readonly syncProxyRulesLastQueuedTimestamp = this.registry.register(
    new Gauge('kubeproxy_sync_proxy_rules_last_queued_timestamp_seconds', 'The last time a sync of proxy rules was queued'),
  );
  readonly networkProgrammingLatency = this.registry.register(
    new Histogram('kubeproxy_network_programming_duration_seconds', 'In Cluster Network Programming Latency in seconds', [
      0,
      ...linearBuckets(0.25, 0.25, 2),
      ...linearBuckets(1, 1, 59),
      ...linearBuckets(60, 5, 12),
      ...linearBuckets(120, 30, 7),
    ]),
  );
  readonly endpointChangesPending = this.registry.register(new Gauge('kubeproxy_sync_proxy_rules_endpoint_changes_pending', 'Pending proxy rules Endpoint changes'));
  readonly endpointChangesTotal = this.registry.register(new Counter('kubeproxy_sync_proxy_rules_endpoint_changes_total', 'Cumulative proxy rules Endpoint changes'));
  readonly serviceChangesPending = this.registry.register(new Gauge('kubeproxy_sync_proxy_rules_service_changes_pending', 'Pending proxy rules Service changes'));
  readonly serviceChangesTotal = this.registry.register(new Counter('kubeproxy_sync_proxy_rules_service_changes_total', 'Cumulative proxy rules Service changes'));
  readonly noLocalEndpointsTotal = this.registry.register(
    new Gauge('kubeproxy_sync_proxy_rules_no_local_endpoints_total', 'Number of services with a Local traffic policy and no endpoints'),
  );
  readonly healthzTotal = this.registry.register(new Counter('kubeproxy_proxy_healthz_total', 'Cumulative proxy healthz HTTP status'));
  readonly livezTotal = this.registry.register(new Counter('kubeproxy_proxy_livez_total', 'Cumulative proxy livez HTTP status'));
  /** Switchyard: dataplane programming failures (kube-proxy has one per kernel tool, e.g. iptables restore failures). */
  readonly syncFailuresTotal = this.registry.register(new Counter('switchyard_proxy_sync_failures_total', 'Syncs that left part of the state unprogrammed'));

  constructor() {
    // Like client_golang, label-less counters and gauges are exported from the start.
    for (const m of [this.endpointChangesTotal, this.serviceChangesTotal]) m.inc({}, 0);
    for (const g of [this.endpointChangesPending, this.serviceChangesPending, this.syncProxyRulesLastTimestamp]) g.set(0);
    this.noLocalEndpointsTotal.set(0, { traffic_policy: 'internal' });
    this.noLocalEndpointsTotal.set(0, { traffic_policy: 'external' });
  }

  render(): string {
    return this.registry.render();
  }
}
