import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Histogram, ProxyMetrics, Registry } from './metrics.js';

test('text format: counter with labels, histogram buckets cumulative', () => {
  const r = new Registry();
  const c = r.register(new Counter('x_total', 'X things'));
  const h = r.register(new Histogram('d_seconds', 'D', [0.1, 1]));
  c.inc({ code: '200' });
  c.inc({ code: '200' });
  c.inc({ code: 'a"b' });
  h.observe(0.05);
  h.observe(0.5);
  h.observe(5);
  assert.equal(
    r.render(),
    [
      '# HELP x_total X things',
      '# TYPE x_total counter',
      'x_total{code="200"} 2',
      'x_total{code="a\\"b"} 1',
      '# HELP d_seconds D',
      '# TYPE d_seconds histogram',
      'd_seconds_bucket{le="0.1"} 1',
      'd_seconds_bucket{le="1"} 2',
      'd_seconds_bucket{le="+Inf"} 3',
      'd_seconds_sum 5.55',
      'd_seconds_count 3',
      '',
    ].join('\n'),
  );
  assert.throws(() => r.register(new Counter('x_total', 'again')), /twice/);
});

test('kube-proxy metric names are exported from the start', () => {
  const text = new ProxyMetrics().render();
  for (const name of [
    'kubeproxy_sync_proxy_rules_duration_seconds',
    'kubeproxy_network_programming_duration_seconds',
    'kubeproxy_sync_proxy_rules_endpoint_changes_pending 0',
    'kubeproxy_sync_proxy_rules_service_changes_pending 0',
    'kubeproxy_sync_proxy_rules_last_timestamp_seconds 0',
    'kubeproxy_sync_proxy_rules_endpoint_changes_total 0',
    'kubeproxy_sync_proxy_rules_no_local_endpoints_total{traffic_policy="internal"} 0',
  ]) {
    assert.ok(text.includes(name), name);
  }
});
