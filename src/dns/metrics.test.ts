/** Summing worker processes' metrics: snapshot → JSON → absorb, counters, histograms, gauges. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsMetrics, type MetricsSnapshot } from './metrics.js';

test('absorb sums snapshots of several processes', () => {
  const a = new DnsMetrics('dns://127.0.0.1:53');
  const b = new DnsMetrics('dns://127.0.0.1:53');
  const labels = ['dns://127.0.0.1:53', '.', '', 'udp', '1', 'A'];
  a.requests.inc(labels, 3);
  b.requests.inc(labels, 4);
  b.panics.inc();
  a.duration.observe(['dns://127.0.0.1:53', '.', '', 'A'], 0.0001);
  b.duration.observe(['dns://127.0.0.1:53', '.', '', 'A'], 0.01);
  let entries = 2;
  a.cacheEntries.set(['dns://127.0.0.1:53', 'success', '.', ''], () => entries);
  b.cacheEntries.set(['dns://127.0.0.1:53', 'success', '.', ''], 5);

  const sum = new DnsMetrics('dns://127.0.0.1:53');
  sum.kubernetesSynced.set([], 1);
  for (const m of [a, b]) sum.absorb(JSON.parse(JSON.stringify(m.snapshot())) as MetricsSnapshot);
  entries = 100; // read at snapshot time, not later
  assert.equal(sum.requests.get(labels), 7);
  assert.equal(sum.panics.get(), 1);
  assert.equal(sum.duration.count(['dns://127.0.0.1:53', '.', '', 'A']), 2);
  const text = sum.render();
  assert.match(text, /^coredns_dns_request_duration_seconds_bucket\{server="dns:\/\/127\.0\.0\.1:53",zone="\.",view="",type="A",le="0\.00025"\} 1$/m);
  assert.match(text, /^coredns_dns_request_duration_seconds_bucket\{server="dns:\/\/127\.0\.0\.1:53",zone="\.",view="",type="A",le="\+Inf"\} 2$/m);
  assert.match(text, /^coredns_cache_entries\{server="dns:\/\/127\.0\.0\.1:53",type="success",zones="\.",view=""\} 7$/m);
  assert.match(text, /^switchyard_dns_kubernetes_synced 1$/m);
  // build_info stays a single constant series.
  assert.equal(text.match(/^coredns_build_info\{/gm)?.length, 1);
});
