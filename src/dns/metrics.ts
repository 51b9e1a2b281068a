/**
 * Prometheus metrics under CoreDNS's names and labels, so existing dashboards and alerts work:
 * the `prometheus`, `cache`, `forward` and `autopath` plugins' families. A minimal registry
 * (counters, gauges, histograms; text exposition format 0.0.4) — no client library needed.
 */

type Labels = readonly string[];

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelText(names: readonly string[], values: Labels, extra = ''): string {
  const parts = names.map((n, i) => `${n}="${escapeLabel(values[i] ?? '')}"`);
  if (extra) parts.push(extra);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function fmt(n: number): string {
  if (n === Infinity) return '+Inf';
  return Number.isInteger(n) ? String(n) : String(n);
}

interface Family {
  render(): string;
}

export interface CounterSeries {
  readonly labels: Labels;
  value: number;
}

/** One labelled histogram series; `observe` costs a bucket search, no string work. */
export class HistogramSeries {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    private readonly buckets: readonly number[],
  ) {
    this.counts = new Array<number>(buckets.length).fill(0);
  }
  observe(value: number): void {
    const b = this.buckets;
    let i = 0;
    while (i < b.length && value > (b[i] as number)) i++;
    if (i < b.length) this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += value;
    this.count++;
  }
}

export class Counter implements Family {
  private readonly series = new Map<string, { labels: Labels; value: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {
    // A counter without labels exists from the start, at 0.
    if (labelNames.length === 0) this.series.set('', { labels: [], value: 0 });
  }

  inc(labels: Labels = [], by = 1): void {
    this.child(labels).value += by;
  }

  /** The series for `labels`, created at 0; hot paths keep it and bump `value` directly. */
  child(labels: Labels): CounterSeries {
    const key = labels.join('\u0000');
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = { labels: [...labels], value: 0 }));
    return s;
  }

  get(labels: Labels = []): number {
    return this.series.get(labels.join('\u0000'))?.value ?? 0;
  }

  dump(): [Labels, number][] {
    return [...this.series.values()].map((s) => [s.labels, s.value]);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    for (const s of this.series.values()) lines.push(`${this.name}${labelText(this.labelNames, s.labels)} ${fmt(s.value)}`);
    return lines.join('\n');
  }
}

export class Gauge implements Family {
  private readonly series = new Map<string, { labels: Labels; value: number | (() => number) }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[] = [],
  ) {}

  /** A fixed value, or a function read at scrape time. */
  set(labels: Labels, value: number | (() => number)): void {
    this.series.set(labels.join('\u0000'), { labels: [...labels], value });
  }

  /** Adds to a fixed value (summing worker processes' gauges). */
  add(labels: Labels, by: number): void {
    const s = this.series.get(labels.join('\u0000'));
    const cur = s === undefined ? 0 : typeof s.value === 'function' ? s.value() : s.value;
    this.set(labels, cur + by);
  }

  dump(): [Labels, number][] {
    return [...this.series.values()].map((s) => [s.labels, typeof s.value === 'function' ? s.value() : s.value]);
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const s of this.series.values()) {
      const v = typeof s.value === 'function' ? s.value() : s.value;
      lines.push(`${this.name}${labelText(this.labelNames, s.labels)} ${fmt(v)}`);
    }
    return lines.join('\n');
  }
}

export class Histogram implements Family {
  private readonly series = new Map<string, HistogramSeries>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly buckets: readonly number[],
  ) {}

  observe(labels: Labels, value: number): void {
    this.child(labels).observe(value);
  }

  child(labels: Labels): HistogramSeries {
    const key = labels.join('\u0000');
    let s = this.series.get(key);
    if (!s) this.series.set(key, (s = new HistogramSeries([...labels], this.buckets)));
    return s;
  }

  count(labels: Labels): number {
    return this.series.get(labels.join('\u0000'))?.count ?? 0;
  }

  dump(): [Labels, number[], number, number][] {
    return [...this.series.values()].map((s) => [s.labels, s.counts, s.sum, s.count]);
  }

  /** Adds another process's series (same buckets). */
  add(labels: Labels, counts: readonly number[], sum: number, count: number): void {
    const s = this.child(labels);
    for (let i = 0; i < s.counts.length; i++) s.counts[i] = (s.counts[i] as number) + (counts[i] ?? 0);
    s.sum += sum;
    s.count += count;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const s of this.series.values()) {
      let acc = 0;
      this.buckets.forEach((le, i) => {
        acc += s.counts[i] ?? 0;
        lines.push(`${this.name}_bucket${labelText(this.labelNames, s.labels, `le="${fmt(le)}"`)} ${acc}`);
      });
      lines.push(`${this.name}_bucket${labelText(this.labelNames, s.labels, 'le="+Inf"')} ${s.count}`);
      lines.push(`${this.name}_sum${labelText(this.labelNames, s.labels)} ${s.sum}`);
      lines.push(`${this.name}_count${labelText(this.labelNames, s.labels)} ${s.count}`);
    }
    return lines.join('\n');
  }
}

const exponential = (start: number, factor: number, n: number): number[] => Array.from({ length: n }, (_, i) => start * factor ** i);

// CoreDNS's buckets: durations ExponentialBuckets(0.00025, 2, 16); sizes its fixed byte list.
const DURATION_BUCKETS = exponential(0.00025, 2, 16);
const SIZE_BUCKETS = [0, 100, 200, 300, 400, 511, 1023, 2047, 4095, 8291, 16000, 32000, 48000, 64000];
const FORWARD_BUCKETS = exponential(0.00025, 2, 16);

/** Query types CoreDNS labels by name; the rest count as "other". */
const MONITORED_TYPES = new Set(['A', 'AAAA', 'NS', 'PTR', 'SOA', 'MX', 'TXT', 'SRV', 'CNAME', 'DS', 'DNSKEY', 'NAPTR', 'SVCB', 'HTTPS', 'ANY', 'AXFR', 'IXFR', 'CAA', 'NSEC', 'RRSIG']);

export function metricType(typeName: string): string {
  return MONITORED_TYPES.has(typeName) ? typeName : 'other';
}

/**
 * The values of a worker process's DnsMetrics, plain data for IPC: family name → series.
 * build_info and the sync gauge are the primary's own and are not included.
 */
export interface MetricsSnapshot {
  readonly counters: Record<string, [Labels, number][]>;
  readonly gauges: Record<string, [Labels, number][]>;
  readonly histograms: Record<string, [Labels, number[], number, number][]>;
}

/** Every metric family of the DNS server, with CoreDNS's names. */
export class DnsMetrics {
  readonly requests = new Counter('coredns_dns_requests_total', 'Counter of DNS requests made per zone, protocol and family.', ['server', 'zone', 'view', 'proto', 'family', 'type']);
  readonly responses = new Counter('coredns_dns_responses_total', 'Counter of response status codes.', ['server', 'zone', 'view', 'rcode', 'plugin']);
  readonly duration = new Histogram('coredns_dns_request_duration_seconds', 'Histogram of the time (in seconds) each request took per zone.', ['server', 'zone', 'view', 'type'], DURATION_BUCKETS);
  readonly requestSize = new Histogram('coredns_dns_request_size_bytes', 'Size of the EDNS0 UDP buffer in bytes (64K for TCP) per zone and protocol.', ['server', 'zone', 'view', 'proto'], SIZE_BUCKETS);
  readonly responseSize = new Histogram('coredns_dns_response_size_bytes', 'Size of the returned response in bytes.', ['server', 'zone', 'view', 'proto'], SIZE_BUCKETS);
  readonly panics = new Counter('coredns_panics_total', 'A metrics that counts the number of panics.');
  readonly cacheEntries = new Gauge('coredns_cache_entries', 'The number of elements in the cache.', ['server', 'type', 'zones', 'view']);
  readonly cacheHits = new Counter('coredns_cache_hits_total', 'The count of cache hits.', ['server', 'type', 'zones', 'view']);
  readonly cacheMisses = new Counter('coredns_cache_misses_total', 'The count of cache misses. Deprecated, derive misses from cache hits/requests counters.', ['server', 'zones', 'view']);
  readonly forwardRequests = new Counter('coredns_forward_requests_total', 'Counter of requests made per upstream.', ['to']);
  readonly forwardResponses = new Counter('coredns_forward_responses_total', 'Counter of responses received per upstream.', ['to', 'rcode']);
  readonly forwardDuration = new Histogram('coredns_forward_request_duration_seconds', 'Histogram of the time each request took.', ['to', 'rcode'], FORWARD_BUCKETS);
  readonly forwardHealthcheckFailures = new Counter('coredns_forward_healthcheck_failures_total', 'Counter of the number of failed healthchecks.', ['to']);
  readonly autopathSuccess = new Counter('coredns_autopath_success_total', 'Counter of requests that did autopath.', ['server']);
  readonly buildInfo = new Gauge('coredns_build_info', 'A metric with a constant \'1\' value labeled by version, revision, and goversion from which CoreDNS was built.', ['version', 'revision', 'goversion']);
  readonly kubernetesSynced = new Gauge('switchyard_dns_kubernetes_synced', '1 once the Services, EndpointSlices and Namespaces have been listed, else 0.');

  /** `server` label value, CoreDNS style: `dns://host:port`. */
  constructor(readonly server: string) {
    this.buildInfo.set(['switchyard-0.1.0', '', process.version], 1);
  }

  private counterFamilies(): Counter[] {
    return [this.requests, this.responses, this.panics, this.cacheHits, this.cacheMisses, this.forwardRequests, this.forwardResponses, this.forwardHealthcheckFailures, this.autopathSuccess];
  }

  private histogramFamilies(): Histogram[] {
    return [this.duration, this.requestSize, this.responseSize, this.forwardDuration];
  }

  /** Current values of the per-query families (what worker processes send the primary). */
  snapshot(): MetricsSnapshot {
    const counters: Record<string, [Labels, number][]> = {};
    for (const c of this.counterFamilies()) counters[c.name] = c.dump();
    const histograms: Record<string, [Labels, number[], number, number][]> = {};
    for (const h of this.histogramFamilies()) histograms[h.name] = h.dump();
    return { counters, gauges: { [this.cacheEntries.name]: this.cacheEntries.dump() }, histograms };
  }

  /** Adds a snapshot's values to these (the primary sums its workers this way before rendering). */
  absorb(s: MetricsSnapshot): void {
    for (const c of this.counterFamilies()) for (const [labels, v] of s.counters[c.name] ?? []) c.inc(labels, v);
    for (const h of this.histogramFamilies()) for (const [labels, counts, sum, count] of s.histograms[h.name] ?? []) h.add(labels, counts, sum, count);
    for (const [labels, v] of s.gauges[this.cacheEntries.name] ?? []) this.cacheEntries.add(labels, v);
  }

  render(): string {
    const families: Family[] = [
      this.buildInfo,
      this.requests,
      this.responses,
      this.duration,
      this.requestSize,
      this.responseSize,
      this.panics,
      this.cacheEntries,
      this.cacheHits,
      this.cacheMisses,
      this.forwardRequests,
      this.forwardResponses,
      this.forwardDuration,
      this.forwardHealthcheckFailures,
      this.autopathSuccess,
      this.kubernetesSynced,
    ];
    return `${families.map((f) => f.render()).join('\n')}\n`;
  }
}
