import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ep, portInfo } from './testing/fixtures.js';
import { type NodeTopology, categorizeEndpoints, externalEndpoints, filterByTopologyKeys, internalEndpoints } from './topology.js';
import type { EndpointInfo, ServicePortInfo } from './types.js';

const node: NodeTopology = { nodeName: 'node-a', labels: { 'topology.kubernetes.io/zone': 'zone-a', 'kubernetes.io/hostname': 'node-a' } };
const ips = (eps: readonly EndpointInfo[]): string[] => eps.map((e) => e.ip);

describe('categorizeEndpoints', () => {
  const cases: {
    name: string;
    info?: Partial<ServicePortInfo>;
    eps: EndpointInfo[];
    node?: NodeTopology;
    cluster: string[];
    local: string[];
    all?: string[];
    hasAny: boolean;
    synthesize?: boolean;
  }[] = [
    { name: 'no endpoints', eps: [], cluster: [], local: [], hasAny: false },
    { name: 'ready endpoints, cluster policy', eps: [ep('10.0.0.1'), ep('10.0.0.2', { ready: false, serving: false })], cluster: ['10.0.0.1'], local: [], hasAny: true },
    {
      name: 'only terminating: serving+terminating are the fallback, not-serving ones never',
      eps: [ep('10.0.0.1', { ready: false, serving: true, terminating: true }), ep('10.0.0.2', { ready: false, serving: false, terminating: true })],
      cluster: ['10.0.0.1'],
      local: [],
      hasAny: true,
    },
    {
      name: 'ready beats terminating',
      eps: [ep('10.0.0.1', { ready: false, serving: true, terminating: true }), ep('10.0.0.2')],
      cluster: ['10.0.0.2'],
      local: [],
      hasAny: true,
    },
    {
      name: 'internalTrafficPolicy Local: only local endpoints, cluster unused',
      info: { internalPolicyLocal: true },
      eps: [ep('10.0.0.1', { isLocal: true }), ep('10.0.0.2')],
      cluster: [],
      local: ['10.0.0.1'],
      hasAny: true,
    },
    {
      name: 'iTP Local without local endpoints: none usable here, but the Service has endpoints',
      info: { internalPolicyLocal: true },
      eps: [ep('10.0.0.2')],
      cluster: [],
      local: [],
      hasAny: true,
    },
    {
      name: 'eTP Local on a NodePort: both lists; all = union',
      info: { type: 'NodePort', nodePort: 30080, externalPolicyLocal: true },
      eps: [ep('10.0.0.1', { isLocal: true }), ep('10.0.0.2')],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: ['10.0.0.1'],
      all: ['10.0.0.1', '10.0.0.2'],
      hasAny: true,
    },
    {
      name: 'eTP Local: local terminating used when no local ready exists',
      info: { type: 'NodePort', nodePort: 30080, externalPolicyLocal: true },
      eps: [ep('10.0.0.1', { isLocal: true, ready: false, terminating: true }), ep('10.0.0.2')],
      cluster: ['10.0.0.2'],
      local: ['10.0.0.1'],
      all: ['10.0.0.1', '10.0.0.2'],
      hasAny: true,
    },
    {
      name: 'zone hints: only same-zone endpoints',
      eps: [ep('10.0.0.1', { zoneHints: ['zone-a'] }), ep('10.0.0.2', { zoneHints: ['zone-b'] })],
      cluster: ['10.0.0.1'],
      local: [],
      hasAny: true,
    },
    {
      name: 'zone hints ignored when one ready endpoint lacks a hint',
      eps: [ep('10.0.0.1', { zoneHints: ['zone-a'] }), ep('10.0.0.2')],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: [],
      hasAny: true,
    },
    {
      name: 'zone hints ignored when none is for this zone',
      eps: [ep('10.0.0.1', { zoneHints: ['zone-b'] }), ep('10.0.0.2', { zoneHints: ['zone-c'] })],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: [],
      hasAny: true,
    },
    {
      name: 'node hints win over zone hints',
      eps: [ep('10.0.0.1', { zoneHints: ['zone-a'], nodeHints: ['node-a'] }), ep('10.0.0.2', { zoneHints: ['zone-a'], nodeHints: ['node-b'] })],
      cluster: ['10.0.0.1'],
      local: [],
      hasAny: true,
    },
    {
      name: 'trafficDistribution PreferClose without hints: hints derived from endpoint zones',
      info: { trafficDistribution: 'PreferClose' },
      eps: [ep('10.0.0.1', { zone: 'zone-a' }), ep('10.0.0.2', { zone: 'zone-b' })],
      cluster: ['10.0.0.1'],
      local: [],
      hasAny: true,
    },
    {
      name: 'trafficDistribution PreferSameNode without hints: same node first',
      info: { trafficDistribution: 'PreferSameNode' },
      eps: [ep('10.0.0.1', { zone: 'zone-a', nodeName: 'node-b' }), ep('10.0.0.2', { zone: 'zone-a', nodeName: 'node-a' }), ep('10.0.0.3', { zone: 'zone-b', nodeName: 'node-c' })],
      cluster: ['10.0.0.2'],
      local: [],
      hasAny: true,
    },
    {
      name: 'trafficDistribution without hints and synthesis off: upstream behaviour (no topology)',
      info: { trafficDistribution: 'PreferClose' },
      synthesize: false,
      eps: [ep('10.0.0.1', { zone: 'zone-a' }), ep('10.0.0.2', { zone: 'zone-b' })],
      cluster: ['10.0.0.1', '10.0.0.2'],
      local: [],
      hasAny: true,
    },
    {
      name: 'topologyKeys hostname then *: same-node endpoint',
      info: { topologyKeys: ['kubernetes.io/hostname', '*'] },
      eps: [ep('10.0.0.1', { nodeName: 'node-a' }), ep('10.0.0.2', { nodeName: 'node-b' })],
      cluster: ['10.0.0.1'],
      local: [],
      hasAny: true,
    },
    {
      name: 'topologyKeys without a match and no "*": no endpoints (rejected)',
      info: { topologyKeys: ['kubernetes.io/hostname'] },
      eps: [ep('10.0.0.2', { nodeName: 'node-b' })],
      cluster: [],
      local: [],
      hasAny: false,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = categorizeEndpoints(c.eps, portInfo(c.info), c.node ?? node, c.synthesize === false ? { synthesizeHints: false } : {});
      assert.deepEqual(ips(r.clusterEndpoints), c.cluster, 'cluster');
      assert.deepEqual(ips(r.localEndpoints), c.local, 'local');
      if (c.all) assert.deepEqual(ips(r.allReachableEndpoints), c.all, 'all');
      assert.equal(r.hasAnyEndpoints, c.hasAny, 'hasAny');
    });
  }

  test('internal vs external traffic pick the policy-specific lists', () => {
    const info = portInfo({ type: 'NodePort', nodePort: 30080, externalPolicyLocal: true });
    const r = categorizeEndpoints([ep('10.0.0.1', { isLocal: true }), ep('10.0.0.2')], info, node);
    assert.deepEqual(ips(internalEndpoints(info, r)), ['10.0.0.1', '10.0.0.2']);
    assert.deepEqual(ips(externalEndpoints(info, r)), ['10.0.0.1']);
  });
});

describe('filterByTopologyKeys', () => {
  const eps = [ep('10.0.0.1', { nodeName: 'node-b', zone: 'zone-a' }), ep('10.0.0.2', { nodeName: 'node-c', zone: 'zone-b' })];
  const cases: { name: string; keys: string[]; labels: Record<string, string>; want: string[] }[] = [
    { name: 'no keys: everything', keys: [], labels: {}, want: ['10.0.0.1', '10.0.0.2'] },
    { name: 'first key without matches falls through to the next', keys: ['kubernetes.io/hostname', 'topology.kubernetes.io/zone'], labels: node.labels, want: ['10.0.0.1'] },
    { name: 'node lacks the label: skip the key', keys: ['topology.kubernetes.io/region', '*'], labels: node.labels, want: ['10.0.0.1', '10.0.0.2'] },
    { name: 'node without labels and "*" last: everything', keys: ['kubernetes.io/hostname', '*'], labels: {}, want: ['10.0.0.1', '10.0.0.2'] },
    { name: 'node without labels and no "*": nothing', keys: ['kubernetes.io/hostname'], labels: {}, want: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(ips(filterByTopologyKeys(eps, c.keys, c.labels)), c.want));
});
