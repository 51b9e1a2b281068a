import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointAddress, Endpoints, EndpointSubset, Pod, Service } from './endpoints-types.js';
import { type EndpointsPlan, reconcileEndpoints } from './reconcile-endpoints.js';
import { truncateSubsets } from './truncate-endpoints.js';

const NS = 'default';

function svc(name: string, opts: Partial<NonNullable<Service['spec']>> & { labels?: Record<string, string> } = {}): Service {
  const { labels, ...spec } = opts;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: NS, uid: `svc-${name}`, creationTimestamp: '2024-05-01T10:00:00Z', ...(labels ? { labels } : {}) },
    spec: { selector: { app: 'web' }, clusterIP: '10.96.0.10', ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec },
  };
}

interface PodOpts {
  ip?: string;
  ready?: boolean;
  labels?: Record<string, string>;
  node?: string;
  phase?: string;
  deleting?: boolean;
  hostname?: string;
  subdomain?: string;
  ports?: { name: string; containerPort: number; protocol?: string }[];
}

function pod(name: string, o: PodOpts = {}): Pod {
  const ip = o.ip ?? '10.244.0.1';
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: NS,
      uid: `uid-${name}`,
      resourceVersion: '1',
      labels: o.labels ?? { app: 'web' },
      ...(o.deleting ? { deletionTimestamp: '2024-05-01T11:00:00Z' } : {}),
    },
    spec: {
      nodeName: o.node ?? 'node-1',
      ...(o.hostname ? { hostname: o.hostname } : {}),
      ...(o.subdomain ? { subdomain: o.subdomain } : {}),
      containers: [{ name: 'c', ports: o.ports ?? [] }],
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(ip ? { podIP: ip, podIPs: [{ ip }] } : {}),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: '2024-05-01T10:05:00Z' }],
    },
  };
}

const addr = (p: Pod, extra: { hostname?: string } = {}): EndpointAddress => ({
  ip: p.status?.podIP ?? '',
  ...extra,
  nodeName: p.spec?.nodeName ?? '',
  targetRef: { kind: 'Pod', namespace: NS, name: p.metadata.name ?? '', uid: p.metadata.uid ?? '' },
});

const http8080 = [{ name: 'http', port: 8080, protocol: 'TCP' }];

function written(plan: EndpointsPlan): Endpoints {
  assert.ok(plan.action === 'create' || plan.action === 'update', `expected a write, got ${plan.action}`);
  return plan.endpoints;
}

interface SubsetCase {
  readonly name: string;
  readonly service: Service;
  readonly pods: Pod[];
  readonly want: EndpointSubset[];
}

const a = pod('a', { ip: '10.244.0.1' });
const b = pod('b', { ip: '10.244.0.2' });
const notReady = pod('c', { ip: '10.244.0.3', ready: false });

const subsetCases: SubsetCase[] = [
  { name: 'no pods: empty subsets', service: svc('web'), pods: [], want: [] },
  {
    name: 'ready pods are addresses, with nodeName and a Pod targetRef',
    service: svc('web'),
    pods: [b, a],
    want: [{ addresses: [addr(a), addr(b)], ports: http8080 }],
  },
  {
    name: 'a not-ready pod is in notReadyAddresses of the same subset',
    service: svc('web'),
    pods: [a, notReady],
    want: [{ addresses: [addr(a)], notReadyAddresses: [addr(notReady)], ports: http8080 }],
  },
  {
    name: 'publishNotReadyAddresses lists not-ready pods as ready',
    service: svc('web', { publishNotReadyAddresses: true }),
    pods: [a, notReady],
    want: [{ addresses: [addr(a), addr(notReady)], ports: http8080 }],
  },
  {
    name: 'pods not matching the selector, without IP, terminal or terminating are left out',
    service: svc('web'),
    pods: [
      a,
      pod('other', { ip: '10.244.0.9', labels: { app: 'db' } }),
      pod('noip', { ip: '' }),
      pod('done', { ip: '10.244.0.7', phase: 'Succeeded' }),
      pod('bye', { ip: '10.244.0.8', deleting: true }),
    ],
    want: [{ addresses: [addr(a)], ports: http8080 }],
  },
  {
    name: 'publishNotReadyAddresses keeps terminating pods',
    service: svc('web', { publishNotReadyAddresses: true }),
    pods: [pod('bye', { ip: '10.244.0.8', deleting: true })],
    want: [{ addresses: [addr(pod('bye', { ip: '10.244.0.8' }))], ports: http8080 }],
  },
  {
    name: 'a named targetPort resolves per pod; pods without the port are left out of it',
    service: svc('web', { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }] }),
    pods: [
      pod('p1', { ip: '10.244.0.1', ports: [{ name: 'web', containerPort: 8080 }] }),
      pod('p2', { ip: '10.244.0.2', ports: [{ name: 'web', containerPort: 9090 }] }),
      pod('p3', { ip: '10.244.0.3', ports: [{ name: 'web', containerPort: 53, protocol: 'UDP' }] }),
    ],
    want: [
      { addresses: [addr(pod('p1', { ip: '10.244.0.1' }))], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
      { addresses: [addr(pod('p2', { ip: '10.244.0.2' }))], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
    ],
  },
  {
    name: 'multi-port service: one subset with both ports',
    service: svc('web', {
      ports: [
        { name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 },
        { name: 'https', port: 443, protocol: 'TCP', targetPort: 8443 },
      ],
    }),
    pods: [a],
    want: [{ addresses: [addr(a)], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'https', port: 8443, protocol: 'TCP' }] }],
  },
  {
    name: 'hostname is set when the pod subdomain is the service name',
    service: svc('web'),
    pods: [pod('h', { ip: '10.244.0.5', hostname: 'web-0', subdomain: 'web' }), pod('x', { ip: '10.244.0.6', hostname: 'other', subdomain: 'elsewhere' })],
    want: [{ addresses: [addr(pod('h', { ip: '10.244.0.5' }), { hostname: 'web-0' }), addr(pod('x', { ip: '10.244.0.6' }))], ports: http8080 }],
  },
  {
    name: 'headless service without ports lists bare addresses',
    service: svc('web', { clusterIP: 'None', ports: [] }),
    pods: [a],
    want: [{ addresses: [addr(a)] }],
  },
  {
    name: 'IPv6 service picks the pod IPv6 address',
    service: svc('web', { ipFamilies: ['IPv6'], clusterIP: 'fd00::10' }),
    pods: [{ ...a, status: { ...a.status, podIP: '10.244.0.1', podIPs: [{ ip: '10.244.0.1' }, { ip: 'fd00:10:244::1' }] } }],
    want: [{ addresses: [{ ...addr(a), ip: 'fd00:10:244::1' }], ports: http8080 }],
  },
];

describe('reconcileEndpoints: subsets', () => {
  for (const c of subsetCases) {
    test(c.name, () => {
      const plan = reconcileEndpoints({ namespace: NS, name: 'web', service: c.service, pods: c.pods, current: undefined });
      assert.equal(plan.action, 'create');
      assert.deepEqual(written(plan).subsets, c.want);
    });
  }
});

describe('reconcileEndpoints: metadata and decisions', () => {
  test('create: name, namespace, service labels, trigger-time annotation', () => {
    const plan = reconcileEndpoints({
      namespace: NS,
      name: 'web',
      service: svc('web', { labels: { app: 'web', tier: 'front' } }),
      pods: [a],
      current: undefined,
      triggerTime: '2024-05-01T10:00:00Z',
    });
    const ep = written(plan);
    assert.equal(ep.metadata.name, 'web');
    assert.equal(ep.metadata.namespace, NS);
    assert.deepEqual(ep.metadata.labels, { app: 'web', tier: 'front' });
    assert.deepEqual(ep.metadata.annotations, { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-05-01T10:00:00Z' });
  });

  test('headless service: the headless label is added', () => {
    const ep = written(reconcileEndpoints({ namespace: NS, name: 'web', service: svc('web', { clusterIP: 'None' }), pods: [a], current: undefined }));
    assert.deepEqual(ep.metadata.labels, { 'service.kubernetes.io/headless': '' });
  });

  const existing = (subsets: EndpointSubset[], extra: Partial<Endpoints['metadata']> = {}): Endpoints => ({
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'web', namespace: NS, resourceVersion: '42', ...extra },
    subsets,
  });

  const decisions: { name: string; service: Service | undefined; pods: Pod[]; current: Endpoints | undefined; want: EndpointsPlan['action'] }[] = [
    { name: 'service deleted: delete its Endpoints', service: undefined, pods: [], current: existing([]), want: 'delete' },
    { name: 'service without selector: leave the Endpoints alone', service: svc('web', { selector: undefined }), pods: [a], current: existing([]), want: 'none' },
    { name: 'empty selector counts as none', service: svc('web', { selector: {} }), pods: [a], current: undefined, want: 'none' },
    { name: 'ExternalName: nothing', service: svc('web', { type: 'ExternalName' }), pods: [a], current: undefined, want: 'none' },
    {
      name: 'unchanged subsets and labels: no write, even with a new trigger time',
      service: svc('web'),
      pods: [a],
      current: existing([{ addresses: [addr(a)], ports: http8080 }]),
      want: 'none',
    },
    {
      name: 'unchanged except the pod resourceVersion in targetRef: no write',
      service: svc('web'),
      pods: [a],
      current: existing([{ addresses: [{ ...addr(a), targetRef: { ...addr(a).targetRef, resourceVersion: '7' } }], ports: http8080 }]),
      want: 'none',
    },
    {
      name: 'headless label on the current object is ignored in the comparison',
      service: svc('web', { clusterIP: 'None' }),
      pods: [a],
      current: existing([{ addresses: [addr(a)], ports: http8080 }], { labels: { 'service.kubernetes.io/headless': '' } }),
      want: 'none',
    },
    {
      name: 'a pod turning not ready: update',
      service: svc('web'),
      pods: [pod('a', { ip: '10.244.0.1', ready: false })],
      current: existing([{ addresses: [addr(a)], ports: http8080 }]),
      want: 'update',
    },
    {
      name: 'service labels changed: update',
      service: svc('web', { labels: { new: 'label' } }),
      pods: [a],
      current: existing([{ addresses: [addr(a)], ports: http8080 }]),
      want: 'update',
    },
    {
      name: 'a stale over-capacity annotation: update to remove it',
      service: svc('web'),
      pods: [a],
      current: existing([{ addresses: [addr(a)], ports: http8080 }], { annotations: { 'endpoints.kubernetes.io/over-capacity': 'truncated' } }),
      want: 'update',
    },
  ];
  for (const d of decisions) {
    test(d.name, () => {
      assert.equal(reconcileEndpoints({ namespace: NS, name: 'web', service: d.service, pods: d.pods, current: d.current, triggerTime: '2024-06-01T00:00:00Z' }).action, d.want);
    });
  }

  test('update keeps other annotations and the resourceVersion, sets the trigger time, drops over-capacity', () => {
    const current = existing([{ addresses: [addr(a)], ports: http8080 }], {
      annotations: { keep: 'me', 'endpoints.kubernetes.io/over-capacity': 'truncated' },
      labels: { old: 'x' },
    });
    const plan = reconcileEndpoints({ namespace: NS, name: 'web', service: svc('web'), pods: [a, b], current, triggerTime: '2024-06-01T00:00:00Z' });
    assert.equal(plan.action, 'update');
    const ep = written(plan);
    assert.equal(ep.metadata.resourceVersion, '42');
    assert.deepEqual(ep.metadata.annotations, { keep: 'me', 'endpoints.kubernetes.io/last-change-trigger-time': '2024-06-01T00:00:00Z' });
    assert.deepEqual(ep.metadata.labels, {});
    assert.deepEqual(ep.subsets, [{ addresses: [addr(a), addr(b)], ports: http8080 }]);
  });

  test('without a trigger time the annotation is removed', () => {
    const current = existing([], { annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-01-01T00:00:00Z' } });
    const ep = written(reconcileEndpoints({ namespace: NS, name: 'web', service: svc('web'), pods: [a], current }));
    assert.equal(ep.metadata.annotations, undefined);
  });
});

describe('truncation at 1,000 addresses', () => {
  const many = (n: number, ready: boolean, base = 0): Pod[] =>
    Array.from({ length: n }, (_, i) => {
      const k = base + i;
      return pod(`p${k}`, { ip: `10.${Math.floor(k / 65536) + 1}.${Math.floor(k / 256) % 256}.${k % 256}`, ready });
    });

  test('1,000 ready pods: not truncated', () => {
    const ep = written(reconcileEndpoints({ namespace: NS, name: 'web', service: svc('web'), pods: many(1000, true), current: undefined }));
    assert.equal(ep.subsets?.[0]?.addresses?.length, 1000);
    assert.equal(ep.metadata.annotations?.['endpoints.kubernetes.io/over-capacity'], undefined);
  });

  test('1,001 ready pods: 1,000 kept, annotation truncated', () => {
    const ep = written(reconcileEndpoints({ namespace: NS, name: 'web', service: svc('web'), pods: many(1001, true), current: undefined }));
    assert.equal(ep.subsets?.[0]?.addresses?.length, 1000);
    assert.equal(ep.metadata.annotations?.['endpoints.kubernetes.io/over-capacity'], 'truncated');
  });

  test('900 ready + 200 not ready: all ready kept, not-ready cut to 100', () => {
    const pods = [...many(900, true), ...many(200, false, 900)];
    const ep = written(reconcileEndpoints({ namespace: NS, name: 'web', service: svc('web'), pods, current: undefined }));
    assert.equal(ep.subsets?.[0]?.addresses?.length, 900);
    assert.equal(ep.subsets?.[0]?.notReadyAddresses?.length, 100);
    assert.equal(ep.metadata.annotations?.['endpoints.kubernetes.io/over-capacity'], 'truncated');
  });

  test('a truncated object already in place: no further write', () => {
    const pods = many(1200, true);
    const first = written(reconcileEndpoints({ namespace: NS, name: 'web', service: svc('web'), pods, current: undefined }));
    const current = { ...first, metadata: { ...first.metadata, resourceVersion: '5' } };
    assert.equal(reconcileEndpoints({ namespace: NS, name: 'web', service: svc('web'), pods, current }).action, 'none');
  });

  const ips = (prefix: string, n: number): { ip: string }[] => Array.from({ length: n }, (_, i) => ({ ip: `${prefix}.${Math.floor(i / 256)}.${i % 256}` }));
  const truncCases: { name: string; input: EndpointSubset[]; want: [number, number][] }[] = [
    { name: 'ready over capacity: proportional shares, not-ready dropped', input: [{ addresses: ips('10.1', 1500), notReadyAddresses: ips('10.2', 10) }, { addresses: ips('10.3', 500) }], want: [[750, 0], [250, 0]] },
    { name: 'only not-ready cut, spread by share', input: [{ addresses: ips('10.1', 600), notReadyAddresses: ips('10.2', 300) }, { addresses: ips('10.3', 200), notReadyAddresses: ips('10.4', 100) }], want: [[600, 150], [200, 50]] },
    { name: 'a subset left with nothing is dropped', input: [{ addresses: ips('10.1', 1001) }, { notReadyAddresses: ips('10.2', 5) }], want: [[1000, 0]] },
  ];
  for (const c of truncCases) {
    test(c.name, () => {
      const { subsets, truncated } = truncateSubsets(c.input);
      assert.equal(truncated, true);
      assert.deepEqual(
        subsets.map((s) => [s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0]),
        c.want,
      );
    });
  }
});
