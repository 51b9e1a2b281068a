import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../client/clock.js';
import { ProxyHealth } from './proxy-health.js';
import { resolveNodePortAddresses } from './node-addresses.js';
import { serviceHealthBody } from './service-health-server.js';

test('healthz: healthy while starting, 503 once a queued change is older than the timeout, 200 after a sync', () => {
  const clock = new FakeClock(Date.parse('2025-01-02T03:04:05.000Z'));
  const h = new ProxyHealth({ healthTimeoutMs: 60_000, clock });
  assert.equal(h.report(true).code, 200);
  h.queuedUpdate();
  clock.advance(59_000);
  assert.equal(h.report(true).code, 200);
  clock.advance(1_000);
  const stale = h.report(true);
  assert.equal(stale.code, 503);
  assert.equal(stale.body, '{"lastUpdated": "0001-01-01 00:00:00 +0000 UTC","currentTime": "2025-01-02 03:05:05.000 +0000 UTC", "nodeEligible": true}');
  h.updated();
  assert.equal(h.report(false).body, '{"lastUpdated": "2025-01-02 03:05:05.000 +0000 UTC","currentTime": "2025-01-02 03:05:05.000 +0000 UTC"}');
});

test('healthz fails (livez does not) while the node is tainted for deletion', () => {
  const h = new ProxyHealth({ healthTimeoutMs: 1000 });
  h.syncNode({ metadata: { name: 'n' }, spec: { taints: [{ key: 'ToBeDeletedByClusterAutoscaler', effect: 'NoSchedule' }] } });
  assert.equal(h.report(true).code, 503);
  assert.equal(h.report(false).code, 200);
  h.syncNode({ metadata: { name: 'n' }, spec: {} });
  assert.equal(h.report(true).code, 200);
});

test('service health body is upstream-shaped', () => {
  assert.equal(serviceHealthBody('default', 'lb', 2, true), '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "lb"\n\t},\n\t"localEndpoints": 2,\n\t"serviceProxyHealthy": true\n}');
});

test('node port addresses: non-loopback by default, CIDRs select', () => {
  const list = () => ({
    lo: [
      { address: '127.0.0.1', family: 'IPv4', internal: true },
      { address: '::1', family: 'IPv6', internal: true },
    ],
    eth0: [
      { address: '192.0.2.2', family: 'IPv4', internal: false },
      { address: 'fd00::2', family: 'IPv6', internal: false },
    ],
  });
  assert.deepEqual(resolveNodePortAddresses([], 'IPv4', list), ['192.0.2.2']);
  assert.deepEqual(resolveNodePortAddresses(['127.0.0.0/8'], 'IPv4', list), ['127.0.0.1']);
  assert.deepEqual(resolveNodePortAddresses(['0.0.0.0/0'], 'IPv4', list), ['127.0.0.1', '192.0.2.2']);
  assert.deepEqual(resolveNodePortAddresses([], 'IPv6', list), ['fd00::2']);
});
