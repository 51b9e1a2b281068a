import { test } from 'node:test';
import assert from 'node:assert/strict';
import { frontendsOf } from './frontends.js';
import { buildProxyState } from './proxy-state.js';
import { ep, portInfo } from './testing/fixtures.js';

test('frontends: cluster IP uses internal policy; node port, external and LB IPs use external policy', () => {
  const info = portInfo({
    type: 'LoadBalancer',
    nodePort: 30080,
    externalIPs: ['198.51.100.1'],
    loadBalancerIPs: ['203.0.113.7'],
    loadBalancerSourceRanges: ['192.0.2.0/24'],
    externalPolicyLocal: true,
  });
  const state = buildProxyState({
    serviceMap: new Map([[info.key, info]]),
    endpointsMap: new Map([[info.key, [ep('10.244.0.1', { isLocal: true, nodeName: 'n' }), ep('10.244.0.2', { nodeName: 'm' })]]]),
    node: { nodeName: 'n', labels: {} },
    nodePortAddresses: ['192.0.2.2'],
  });
  const s = state.services.get(info.key);
  assert.ok(s);
  const rows = frontendsOf(s, state.nodePortAddresses).map((f) => `${f.kind} ${f.address}:${f.port} -> ${f.endpoints.map((e) => e.ip).join(',')}${f.sourceRanges.length ? ` from ${f.sourceRanges.join(',')}` : ''}`);
  assert.deepEqual(rows, [
    'ClusterIP 10.96.0.10:80 -> 10.244.0.1,10.244.0.2',
    'NodePort 192.0.2.2:30080 -> 10.244.0.1',
    'ExternalIP 198.51.100.1:80 -> 10.244.0.1',
    'LoadBalancer 203.0.113.7:80 -> 10.244.0.1 from 192.0.2.0/24',
  ]);
});
