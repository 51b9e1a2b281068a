import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, EndpointSubset, Service } from '../endpoints/endpoints-types.js';
import type { EndpointSlice, SliceEndpoint } from './endpointslice-types.js';
import { type MirroringPlan, parseEndpointIP, reconcileMirroring } from './reconcile-mirroring.js';

const NS = 'default';
const NAME = 'external-http-service';

const service = (selector?: Record<string, string>): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: NAME, namespace: NS },
  spec: { ...(selector ? { selector } : {}), ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }] },
});

const endpoints = (subsets: EndpointSubset[], meta: Partial<Endpoints['metadata']> = {}): Endpoints => ({
  apiVersion: 'v1',
  kind: 'Endpoints',
  metadata: { name: NAME, namespace: NS, uid: 'ep-uid', resourceVersion: '10', ...meta },
  subsets,
});

/** The seed's Endpoints, as kubectl apply leaves it (with the last-applied annotation). */
const seedEndpoints = endpoints([{ addresses: [{ ip: '192.168.3.215' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }], {
  annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"v1","kind":"Endpoints"}' },
});

const httpPort = [{ name: 'http', protocol: 'TCP', port: 80 }];
const ready = (ip: string, r = true): SliceEndpoint => ({ addresses: [ip], conditions: { ready: r } });

const LABELS = { 'kubernetes.io/service-name': NAME, 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' };

function mirrored(name: string, eps: SliceEndpoint[], ports = httpPort, addressType: 'IPv4' | 'IPv6' = 'IPv4', labels: Record<string, string> = LABELS): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: NS, resourceVersion: '20', labels },
    addressType,
    endpoints: eps,
    ports,
  };
}

const run = (ep: Endpoints | undefined, existing: EndpointSlice[] = [], svc: Service | undefined = service(), max?: number): MirroringPlan =>
  reconcileMirroring({ namespace: NS, name: NAME, endpoints: ep, service: svc, existingSlices: existing, ...(max ? { maxEndpointsPerSubset: max } : {}) });

const summary = (p: MirroringPlan): { create: number; update: string[]; delete: string[] } => ({
  create: p.toCreate.length,
  update: p.toUpdate.map((s) => s.metadata.name ?? ''),
  delete: p.toDelete.map((s) => s.metadata.name ?? ''),
});

describe('reconcileMirroring: the seed example (192.168.3.215:80)', () => {
  test('creates one IPv4 slice with the address, ready, and port http', () => {
    const plan = run(seedEndpoints);
    assert.deepEqual(summary(plan), { create: 1, update: [], delete: [] });
    assert.deepEqual(plan.toCreate[0], {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: {
        generateName: 'external-http-service-',
        namespace: NS,
        labels: LABELS,
        ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: NAME, uid: 'ep-uid', controller: true, blockOwnerDeletion: true }],
      },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['192.168.3.215'], conditions: { ready: true } }],
      ports: [{ name: 'http', protocol: 'TCP', port: 80 }],
    });
  });

  test('once mirrored, a second sync writes nothing', () => {
    const plan = run(seedEndpoints, [mirrored('external-http-service-abcde', [ready('192.168.3.215')])]);
    assert.deepEqual(summary(plan), { create: 0, update: [], delete: [] });
  });
});

interface Case {
  readonly name: string;
  readonly endpoints: Endpoints | undefined;
  readonly service?: Service | undefined;
  readonly existing?: EndpointSlice[];
  readonly max?: number;
  readonly want: { create: number; update: string[]; delete: string[] };
  readonly check?: (p: MirroringPlan) => void;
}

const one = mirrored('s-1', [ready('192.168.3.215')]);

const cases: Case[] = [
  {
    name: 'skip-mirror label (the kubernetes Endpoints): nothing mirrored, leftovers deleted',
    endpoints: endpoints(seedEndpoints.subsets ?? [], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }),
    existing: [one],
    want: { create: 0, update: [], delete: ['s-1'] },
    check: (p) => assert.equal(p.cleanupReason, 'endpoints must not be mirrored'),
  },
  {
    name: 'skip-mirror label with no slices: nothing at all',
    endpoints: endpoints(seedEndpoints.subsets ?? [], { labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }),
    want: { create: 0, update: [], delete: [] },
  },
  {
    name: 'leader-election lock Endpoints are not mirrored',
    endpoints: endpoints(seedEndpoints.subsets ?? [], { annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } }),
    want: { create: 0, update: [], delete: [] },
  },
  { name: 'service with a selector: mirrored slices deleted', endpoints: seedEndpoints, service: service({ app: 'web' }), existing: [one], want: { create: 0, update: [], delete: ['s-1'] } },
  { name: 'service gone: mirrored slices deleted', endpoints: seedEndpoints, service: undefined, existing: [one], want: { create: 0, update: [], delete: ['s-1'] } },
  { name: 'Endpoints gone: mirrored slices deleted', endpoints: undefined, existing: [one], want: { create: 0, update: [], delete: ['s-1'] } },
  { name: 'Endpoints without subsets: slices deleted', endpoints: endpoints([]), existing: [one], want: { create: 0, update: [], delete: ['s-1'] } },
  {
    name: 'not-ready addresses are mirrored with ready=false',
    endpoints: endpoints([{ addresses: [{ ip: '10.0.0.1' }], notReadyAddresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }]),
    want: { create: 1, update: [], delete: [] },
    check: (p) => assert.deepEqual(p.toCreate[0]?.endpoints, [ready('10.0.0.1'), ready('10.0.0.2', false)]),
  },
  {
    name: 'address change: the existing slice is updated in place (name and resourceVersion kept)',
    endpoints: endpoints([{ addresses: [{ ip: '192.168.3.216' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }]),
    existing: [one],
    want: { create: 0, update: ['s-1'], delete: [] },
    check: (p) => {
      assert.equal(p.toUpdate[0]?.metadata.resourceVersion, '20');
      assert.deepEqual(p.toUpdate[0]?.endpoints, [ready('192.168.3.216')]);
    },
  },
  {
    name: 'readiness change: update',
    endpoints: endpoints([{ notReadyAddresses: [{ ip: '192.168.3.215' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }]),
    existing: [one],
    want: { create: 0, update: ['s-1'], delete: [] },
  },
  {
    name: 'port change: the old slice is recycled for the new port set',
    endpoints: endpoints([{ addresses: [{ ip: '192.168.3.215' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }]),
    existing: [one],
    want: { create: 0, update: ['s-1'], delete: [] },
    check: (p) => assert.deepEqual(p.toUpdate[0]?.ports, [{ name: 'http', protocol: 'TCP', port: 8080 }]),
  },
  {
    name: 'Endpoints labels are copied; a label change updates the slice',
    endpoints: endpoints(seedEndpoints.subsets ?? [], { labels: { team: 'edge' } }),
    existing: [one],
    want: { create: 0, update: ['s-1'], delete: [] },
    check: (p) => assert.deepEqual(p.toUpdate[0]?.metadata.labels, { team: 'edge', ...LABELS }),
  },
  {
    name: 'Endpoints annotations are copied, except trigger time and last-applied',
    endpoints: endpoints(seedEndpoints.subsets ?? [], {
      annotations: { note: 'x', 'endpoints.kubernetes.io/last-change-trigger-time': 't', 'kubectl.kubernetes.io/last-applied-configuration': '{}' },
    }),
    want: { create: 1, update: [], delete: [] },
    check: (p) => assert.deepEqual(p.toCreate[0]?.metadata.annotations, { note: 'x' }),
  },
  {
    name: 'a duplicate slice for the same ports is deleted',
    endpoints: seedEndpoints,
    existing: [mirrored('s-2', [ready('192.168.3.215')]), one],
    want: { create: 0, update: [], delete: ['s-2'] },
  },
  {
    name: 'IPv4 and IPv6 addresses go to separate slices',
    endpoints: endpoints([{ addresses: [{ ip: '10.0.0.1' }, { ip: 'fd00:0:0::1' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }]),
    want: { create: 2, update: [], delete: [] },
    check: (p) => {
      const byType = Object.fromEntries(p.toCreate.map((s) => [s.addressType, s.endpoints]));
      assert.deepEqual(byType, { IPv4: [ready('10.0.0.1')], IPv6: [ready('fd00::1')] });
    },
  },
  {
    name: 'two subsets with different ports: two slices',
    endpoints: endpoints([
      { addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
      { addresses: [{ ip: '10.0.0.2' }], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] },
    ]),
    want: { create: 2, update: [], delete: [] },
  },
  {
    name: 'target references, node names and hostnames are carried over',
    endpoints: endpoints([
      { addresses: [{ ip: '10.0.0.1', hostname: 'db-0', nodeName: 'node-1', targetRef: { kind: 'Pod', namespace: NS, name: 'db-0', uid: 'u1' } }], ports: [{ port: 5432, protocol: 'TCP' }] },
    ]),
    want: { create: 1, update: [], delete: [] },
    check: (p) => {
      assert.deepEqual(p.toCreate[0]?.endpoints, [
        { addresses: ['10.0.0.1'], conditions: { ready: true }, hostname: 'db-0', targetRef: { kind: 'Pod', namespace: NS, name: 'db-0', uid: 'u1' }, nodeName: 'node-1' },
      ]);
      assert.deepEqual(p.toCreate[0]?.ports, [{ name: '', protocol: 'TCP', port: 5432 }]);
    },
  },
  {
    name: 'more addresses than maxEndpointsPerSubset: the rest is skipped',
    endpoints: endpoints([{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], notReadyAddresses: [{ ip: '10.0.0.3' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }]),
    max: 2,
    want: { create: 1, update: [], delete: [] },
    check: (p) => {
      assert.deepEqual(p.toCreate[0]?.endpoints, [ready('10.0.0.1'), ready('10.0.0.2')]);
      assert.equal(p.skippedAddresses, 1);
    },
  },
  {
    name: 'an address that is not an IP is skipped and counted',
    endpoints: endpoints([{ addresses: [{ ip: 'not-an-ip' }, { ip: '10.0.0.1' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }]),
    want: { create: 1, update: [], delete: [] },
    check: (p) => {
      assert.equal(p.invalidAddresses, 1);
      assert.equal(p.skippedAddresses, 0);
    },
  },
];

describe('reconcileMirroring', () => {
  for (const c of cases) {
    test(c.name, () => {
      const plan = reconcileMirroring({
        namespace: NS,
        name: NAME,
        endpoints: c.endpoints,
        service: 'service' in c ? c.service : service(),
        existingSlices: c.existing ?? [],
        ...(c.max ? { maxEndpointsPerSubset: c.max } : {}),
      });
      assert.deepEqual(summary(plan), c.want);
      c.check?.(plan);
    });
  }

  test('1,000 addresses per subset by default', () => {
    const addresses = Array.from({ length: 1001 }, (_, i) => ({ ip: `10.0.${Math.floor(i / 256)}.${i % 256}` }));
    const plan = run(endpoints([{ addresses, ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }]));
    assert.equal(plan.toCreate[0]?.endpoints?.length, 1000);
    assert.equal(plan.skippedAddresses, 1);
  });
});

describe('parseEndpointIP', () => {
  const ips: [string, ReturnType<typeof parseEndpointIP>][] = [
    ['192.168.3.215', { type: 'IPv4', ip: '192.168.3.215' }],
    ['FD00:0:0:0:0:0:0:1', { type: 'IPv6', ip: 'fd00::1' }],
    ['::ffff:10.1.2.3', { type: 'IPv4', ip: '10.1.2.3' }],
    ['fe80::1%eth0', undefined],
    ['example.com', undefined],
  ];
  for (const [ip, want] of ips) test(ip, () => assert.deepEqual(parseEndpointIP(ip), want));
});
