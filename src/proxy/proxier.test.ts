import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ListWatchClient } from '../client/informer.js';
import { Proxier } from './proxier.js';
import { FakeDataplane } from './testing/fake-dataplane.js';
import { service, slice } from './testing/fixtures.js';

const noClient = {} as ListWatchClient;
const interfaces = () => ({ lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }] });

function setup() {
  const dp = new FakeDataplane();
  const p = new Proxier({ client: noClient, nodeName: 'node-1', dataplane: dp, nodePortAddresses: ['127.0.0.1/32'], interfaces });
  return { dp, p };
}

const web = service('web', { ports: [{ name: 'http', port: 80 }] });
const webSlice = (ips: string[]) => slice('web-abc', 'web', [{ name: 'http', port: 8080 }], ips.map((ip) => ({ ip, node: ip.endsWith('.1') ? 'node-1' : 'node-2' })));

describe('Proxier', () => {
  test('nothing is programmed before Services and EndpointSlices are both synced', async () => {
    const { dp, p } = setup();
    p.onServiceAdd(web);
    p.onEndpointSliceUpdate(webSlice(['10.244.0.1']), false);
    await p.syncProxyRules();
    p.onServicesSynced();
    await p.syncProxyRules();
    assert.equal(dp.syncs.length, 0);
    p.onEndpointSlicesSynced();
    await p.syncProxyRules();
    assert.equal(dp.syncs.length, 1);
    assert.equal(dp.changedOf(0), 'full');
    const s = dp.syncs[0]?.services.get('default/web:http/TCP');
    assert.deepEqual(s?.internalEndpoints.map((e) => `${e.ip}:${e.port}`), ['10.244.0.1:8080']);
    assert.deepEqual(dp.syncs[0]?.nodePortAddresses, ['127.0.0.1']);
  });

  test('cluster IPs on a local interface (userspace identity mapping) are not NodePort addresses', async () => {
    const dp = new FakeDataplane();
    const lo = () => ({
      lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }, { address: '10.96.0.10', family: 'IPv4', internal: false }],
      eth0: [{ address: '192.0.2.7', family: 'IPv4', internal: false }],
    });
    const p = new Proxier({ client: noClient, nodeName: 'node-1', dataplane: dp, interfaces: lo });
    p.onServiceAdd(service('dns', { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 53 }] }));
    p.onServicesSynced();
    p.onEndpointSlicesSynced();
    await p.syncProxyRules();
    assert.deepEqual(dp.syncs[0]?.nodePortAddresses, ['192.0.2.7']);
  });

  test('later syncs are partial and name exactly the changed service ports', async () => {
    const { dp, p } = setup();
    p.onServicesSynced();
    p.onEndpointSlicesSynced();
    p.onServiceAdd(web);
    p.onServiceAdd(service('db', { clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11'], ports: [{ port: 5432 }] }));
    await p.syncProxyRules();
    p.onEndpointSliceUpdate(webSlice(['10.244.0.1', '10.244.0.2']), false);
    await p.syncProxyRules();
    assert.deepEqual(dp.changedOf(1), ['default/web:http/TCP']);
    p.onServiceDelete(web);
    await p.syncProxyRules();
    assert.deepEqual(dp.changedOf(2), ['default/web:http/TCP']);
    assert.equal(dp.syncs[2]?.services.has('default/web:http/TCP'), false);
    await p.syncProxyRules();
    assert.deepEqual(dp.changedOf(3), [], 'no changes: an empty partial sync');
  });

  test('a failed sync makes the next one full; a node label change too', async () => {
    const { dp, p } = setup();
    p.onServicesSynced();
    p.onEndpointSlicesSynced();
    await p.syncProxyRules();
    dp.results.push({ ok: false, failures: [{ service: 'default/web:http/TCP', protocol: 'TCP', address: '10.96.0.10', port: 80, error: 'EADDRINUSE' }] });
    p.onServiceAdd(web);
    await p.syncProxyRules();
    assert.deepEqual(dp.changedOf(1), ['default/web:http/TCP']);
    await p.syncProxyRules();
    assert.equal(dp.changedOf(2), 'full');
    assert.equal(p.metrics.syncFailuresTotal.value(), 1);
    await p.syncProxyRules();
    assert.deepEqual(dp.changedOf(3), []);
    p.onNodeUpdate({ metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'a' } } });
    await p.syncProxyRules();
    assert.equal(dp.changedOf(4), 'full');
    assert.deepEqual(dp.syncs[4]?.nodeLabels, { 'topology.kubernetes.io/zone': 'a' });
  });

  test('metrics: pending changes counted, cleared by a sync; timestamps and latency recorded', async () => {
    const { p } = setup();
    p.onServicesSynced();
    p.onEndpointSlicesSynced();
    p.onServiceAdd(web);
    p.onEndpointSliceUpdate(webSlice(['10.244.0.1']), false);
    assert.equal(p.metrics.serviceChangesPending.value(), 1);
    assert.equal(p.metrics.endpointChangesPending.value(), 1);
    await p.syncProxyRules();
    assert.equal(p.metrics.serviceChangesPending.value(), 0);
    assert.equal(p.metrics.endpointChangesPending.value(), 0);
    assert.equal(p.metrics.syncProxyRulesLatency.count(), 1);
    assert.ok(p.metrics.syncProxyRulesLastTimestamp.value() > 1e9);
    assert.match(p.metrics.render(), /kubeproxy_sync_proxy_rules_service_changes_total 1/);
  });

  test('eTP Local LoadBalancer: health check port and local endpoint count go to the service health server', async () => {
    const synced: { services?: Map<string, number>; counts?: Map<string, number> } = {};
    const dp = new FakeDataplane();
    const p = new Proxier({
      client: noClient,
      nodeName: 'node-1',
      dataplane: dp,
      interfaces,
      serviceHealth: {
        syncServices: async (m: ReadonlyMap<string, number>) => void (synced.services = new Map(m)),
        syncEndpoints: (m: ReadonlyMap<string, number>) => void (synced.counts = new Map(m)),
      } as never,
    });
    p.onServicesSynced();
    p.onEndpointSlicesSynced();
    p.onServiceAdd(service('lb', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32100, ports: [{ name: 'http', port: 80, nodePort: 30100 }] }));
    p.onEndpointSliceUpdate(slice('lb-1', 'lb', [{ name: 'http', port: 8080 }], [{ ip: '10.244.0.1', node: 'node-1' }, { ip: '10.244.0.2', node: 'node-2' }]), false);
    await p.syncProxyRules();
    assert.deepEqual([...(synced.services ?? [])], [['default/lb', 32100]]);
    assert.deepEqual([...(synced.counts ?? [])], [['default/lb', 1]]);
    assert.equal(p.metrics.noLocalEndpointsTotal.value({ traffic_policy: 'external' }), 0);
  });
});
