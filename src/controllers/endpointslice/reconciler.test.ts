import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ReconcilePlan, formatTriggerTime, reconcile } from './reconciler.js';
import type { EndpointSlice, Node, Pod, Service } from './slice-types.js';
import { FakeSliceStore, node, pod, pods, svc } from './test-fixtures.js';

const NODES: Node[] = [node('node-a', 'zone-a'), node('node-b', 'zone-b'), node('node-c', 'zone-c')];
const NOW = new Date('2025-01-01T00:00:10.500Z');

interface Step {
  readonly service?: Service;
  readonly pods: Pod[];
  readonly nodes?: Node[];
  readonly max?: number;
  readonly triggerTime?: Date | null;
  /** Expected [creates, updates, deletes]. */
  readonly writes?: [number, number, number];
  readonly check?: (plan: ReconcilePlan, slices: EndpointSlice[]) => void;
}

interface Case {
  readonly name: string;
  readonly steps: Step[];
}

const sizes = (slices: EndpointSlice[]): number[] => slices.map((s) => s.endpoints.length).sort((a, b) => b - a);
const allEndpoints = (slices: EndpointSlice[]): EndpointSlice['endpoints'] => slices.flatMap((s) => s.endpoints);
const byPod = (slices: EndpointSlice[], name: string): EndpointSlice['endpoints'][number] | undefined =>
  allEndpoints(slices).find((e) => e.targetRef?.name === name);

const flipped = (list: Pod[], index: number, ready: boolean): Pod[] =>
  list.map((p, i) => (i === index ? pod(p.metadata.name ?? '', i, { ready, readySince: '2025-01-01T00:01:00Z' }) : p));

const cases: Case[] = [
  {
    name: 'scale 0: one placeholder slice without ports or endpoints',
    steps: [
      {
        pods: [],
        writes: [1, 0, 0],
        check: (plan) => {
          const s = plan.toCreate[0];
          assert.ok(s);
          assert.deepEqual(s.endpoints, []);
          assert.equal(s.ports, undefined);
          assert.equal(s.addressType, 'IPv4');
        },
      },
      { pods: [], writes: [0, 0, 0] },
    ],
  },
  {
    name: 'scale 5: one slice with every field upstream sets',
    steps: [
      {
        pods: pods(5),
        writes: [1, 0, 0],
        check: (plan) => {
          const s = plan.toCreate[0];
          assert.ok(s);
          assert.equal(s.metadata.generateName, 'myapp-');
          assert.equal(s.metadata.name, undefined);
          assert.deepEqual(s.metadata.labels, {
            'kubernetes.io/service-name': 'myapp',
            'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
          });
          assert.deepEqual(s.metadata.ownerReferences, [
            { apiVersion: 'v1', kind: 'Service', name: 'myapp', uid: 'svc-uid', controller: true, blockOwnerDeletion: true },
          ]);
          assert.deepEqual(s.ports, [{ name: 'http', protocol: 'TCP', port: 80 }]);
          assert.equal(s.endpoints.length, 5);
          assert.deepEqual(s.endpoints[0], {
            addresses: ['10.0.0.1'],
            conditions: { ready: true, serving: true, terminating: false },
            targetRef: { kind: 'Pod', namespace: 'default', name: 'pod-0', uid: 'uid-pod-0' },
            nodeName: 'node-a',
            zone: 'zone-a',
          });
          assert.equal(s.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2025-01-01T00:00:10.5Z');
        },
      },
      { pods: pods(5), writes: [0, 0, 0] },
    ],
  },
  {
    name: 'scale 3 -> 0 -> 5 reuses the one slice (create+delete become one update)',
    steps: [
      { pods: pods(3), writes: [1, 0, 0] },
      {
        pods: [],
        writes: [0, 1, 0],
        check: (plan) => {
          assert.deepEqual(plan.toUpdate[0]?.endpoints, []);
          assert.equal(plan.toUpdate[0]?.ports, undefined);
        },
      },
      { pods: [], writes: [0, 0, 0] },
      { pods: pods(5), writes: [0, 1, 0], check: (_p, slices) => assert.deepEqual(sizes(slices), [5]) },
    ],
  },
  {
    name: 'scale 250 at 100 per slice: three slices',
    steps: [
      { pods: pods(250), writes: [3, 0, 0], check: (_p, slices) => assert.deepEqual(sizes(slices), [100, 100, 50]) },
      { pods: pods(250), writes: [0, 0, 0] },
    ],
  },
  {
    name: 'one pod flipping readiness is exactly one slice update',
    steps: [
      { pods: pods(250), writes: [3, 0, 0] },
      {
        pods: flipped(pods(250), 137, false),
        triggerTime: new Date('2025-01-01T00:01:00Z'),
        writes: [0, 1, 0],
        check: (plan, slices) => {
          const changed = plan.toUpdate[0]?.endpoints.find((e) => e.targetRef?.name === 'pod-137');
          assert.deepEqual(changed?.conditions, { ready: false, serving: false, terminating: false });
          assert.equal(plan.toUpdate[0]?.endpoints.length, 100, 'the slice keeps its other endpoints');
          assert.equal(allEndpoints(slices).filter((e) => e.conditions.ready === false).length, 1);
          assert.equal(plan.toUpdate[0]?.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], '2025-01-01T00:01:00Z');
        },
      },
      { pods: flipped(pods(250), 137, true), writes: [0, 1, 0] },
    ],
  },
  {
    name: 'removed endpoints leave room that new pods fill before any new slice',
    steps: [
      { pods: pods(250), writes: [3, 0, 0] },
      // 20 pods go away, 20 others arrive: the touched slices take them, no create.
      {
        pods: [...pods(250).slice(20), ...Array.from({ length: 20 }, (_, i) => pod(`new-${i}`, i, { ip: `10.2.0.${i + 1}` }))],
        writes: [0, 1, 0],
        check: (_p, s) => assert.deepEqual(sizes(s), [100, 100, 50]),
      },
    ],
  },
  {
    name: 'new pods go into the unchanged slice they fill best',
    steps: [
      { pods: pods(150), writes: [2, 0, 0], check: (_p, s) => assert.deepEqual(sizes(s), [100, 50]) },
      { pods: pods(180), writes: [0, 1, 0], check: (_p, s) => assert.deepEqual(sizes(s), [100, 80]) },
      // 80 new ones fit no existing slice: a new slice rather than rewriting two.
      { pods: pods(260), writes: [1, 0, 0], check: (_p, s) => assert.deepEqual(sizes(s), [100, 80, 80]) },
      { pods: pods(275), writes: [0, 1, 0], check: (_p, s) => assert.deepEqual(sizes(s), [100, 95, 80]) },
    ],
  },
  {
    name: 'named targetPort resolved per pod; a pod without the name gets its own slice without that port',
    steps: [
      {
        service: svc({
          ports: [
            { name: 'http', protocol: 'TCP', port: 80, targetPort: 'web' },
            { name: 'metrics', protocol: 'TCP', port: 9090, targetPort: 'metrics', appProtocol: 'http' },
          ],
        }),
        pods: [
          pod('a', 0, { ports: [{ name: 'web', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }] }),
          pod('b', 1, { ports: [{ name: 'web', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }] }),
          pod('c', 2, { ports: [{ name: 'web', containerPort: 8081 }] }),
        ],
        writes: [2, 0, 0],
        check: (plan) => {
          const both = plan.toCreate.find((s) => s.ports?.length === 2);
          const webOnly = plan.toCreate.find((s) => s.ports?.length === 1);
          assert.deepEqual(both?.ports, [
            { name: 'http', protocol: 'TCP', port: 8080 },
            { name: 'metrics', protocol: 'TCP', port: 9100, appProtocol: 'http' },
          ]);
          assert.deepEqual(both?.endpoints.map((e) => e.targetRef?.name), ['a', 'b']);
          assert.deepEqual(webOnly?.ports, [{ name: 'http', protocol: 'TCP', port: 8081 }]);
          assert.deepEqual(webOnly?.endpoints.map((e) => e.targetRef?.name), ['c']);
        },
      },
    ],
  },
  {
    name: 'unnamed service port: name is present and empty',
    steps: [
      {
        service: svc({ ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }] }),
        pods: pods(1),
        check: (plan) => assert.deepEqual(plan.toCreate[0]?.ports, [{ name: '', protocol: 'TCP', port: 8080 }]),
      },
    ],
  },
  {
    name: 'headless service without ports: slice without ports, headless label, hostnames for its subdomain',
    steps: [
      {
        service: svc({ name: 'db', clusterIP: 'None', ports: [], selector: { app: 'db' } }),
        pods: [
          pod('db-0', 0, { labels: { app: 'db' }, hostname: 'db-0', subdomain: 'db' }),
          pod('db-1', 1, { labels: { app: 'db' }, hostname: 'db-1', subdomain: 'other' }),
          pod('db-2', 2, { labels: { app: 'db' } }),
        ],
        writes: [1, 0, 0],
        check: (plan) => {
          const s = plan.toCreate[0];
          assert.equal(s?.ports, undefined);
          assert.equal(s?.metadata.labels?.['service.kubernetes.io/headless'], '');
          assert.equal(s?.endpoints.find((e) => e.targetRef?.name === 'db-0')?.hostname, 'db-0');
          assert.equal(s?.endpoints.find((e) => e.targetRef?.name === 'db-1')?.hostname, undefined);
          assert.equal(s?.endpoints.find((e) => e.targetRef?.name === 'db-2')?.hostname, undefined);
        },
      },
    ],
  },
  {
    name: 'unready pods are listed not ready; publishNotReadyAddresses makes them ready but not serving',
    steps: [
      { pods: pods(2, { ready: false }), check: (_p, s) => assert.deepEqual(byPod(s, 'pod-0')?.conditions, { ready: false, serving: false, terminating: false }) },
      {
        service: svc({ publishNotReadyAddresses: true }),
        pods: pods(2, { ready: false }),
        writes: [0, 1, 0],
        check: (_p, s) => assert.deepEqual(byPod(s, 'pod-0')?.conditions, { ready: true, serving: false, terminating: false }),
      },
    ],
  },
  {
    name: 'terminating pods stay, serving but not ready; terminal and IP-less pods are left out',
    steps: [
      {
        pods: [pod('t', 0, { deleting: true }), pod('done', 1, { phase: 'Succeeded' }), pod('failed', 2, { phase: 'Failed' }), pod('noip', 3, { ip: null }), pod('ok', 4)],
        check: (_p, s) => {
          assert.deepEqual(allEndpoints(s).map((e) => e.targetRef?.name).sort(), ['ok', 't']);
          assert.deepEqual(byPod(s, 't')?.conditions, { ready: false, serving: true, terminating: true });
        },
      },
    ],
  },
  {
    name: 'a pod on an unknown node is skipped and reported (unless publishNotReadyAddresses)',
    steps: [
      {
        pods: [pod('lost', 0, { node: 'gone' }), pod('ok', 1)],
        check: (plan, s) => {
          assert.deepEqual(plan.skippedPods, ['lost']);
          assert.deepEqual(allEndpoints(s).map((e) => e.targetRef?.name), ['ok']);
        },
      },
      {
        service: svc({ publishNotReadyAddresses: true }),
        pods: [pod('lost', 0, { node: 'gone' }), pod('ok', 1)],
        check: (plan, s) => {
          assert.deepEqual(plan.skippedPods, []);
          assert.equal(byPod(s, 'lost')?.zone, undefined);
          assert.equal(byPod(s, 'lost')?.nodeName, 'gone');
        },
      },
    ],
  },
  {
    name: 'service labels are copied (reserved ones excluded); a label change rewrites labels only',
    steps: [
      {
        service: svc({ labels: { team: 'a', 'kubernetes.io/service-name': 'evil' } }),
        pods: pods(3),
        check: (plan) => assert.deepEqual(plan.toCreate[0]?.metadata.labels?.['team'], 'a'),
      },
      {
        service: svc({ labels: { team: 'b' } }),
        pods: pods(3),
        writes: [0, 1, 0],
        check: (_p, s) => {
          assert.equal(s[0]?.metadata.labels?.['team'], 'b');
          assert.equal(s[0]?.metadata.labels?.['kubernetes.io/service-name'], 'myapp');
        },
      },
    ],
  },
  {
    name: 'selector removed or ExternalName: managed slices are deleted and none created',
    steps: [
      { pods: pods(3), writes: [1, 0, 0] },
      { service: svc({ selector: null }), pods: pods(3), writes: [0, 0, 1] },
      { service: svc({ selector: null }), pods: pods(3), writes: [0, 0, 0] },
      { pods: pods(3), writes: [1, 0, 0] },
      { service: svc({ type: 'ExternalName' }), pods: pods(3), writes: [0, 0, 1] },
    ],
  },
  {
    name: 'slices of an older service with the same name are deleted, not reused',
    steps: [
      { service: svc({ uid: 'old-uid' }), pods: pods(3), writes: [1, 0, 0] },
      {
        service: svc({ uid: 'new-uid' }),
        pods: pods(3),
        writes: [1, 0, 1],
        check: (plan) => assert.equal(plan.toCreate[0]?.metadata.ownerReferences?.[0]?.uid, 'new-uid'),
      },
    ],
  },
  {
    name: 'a service being deleted gets no new slices',
    steps: [{ service: svc({ deleting: true }), pods: pods(3), writes: [0, 0, 0] }],
  },
  {
    name: 'trafficDistribution PreferClose hints ready endpoints for their own zone; removing it removes hints',
    steps: [
      {
        service: svc({ trafficDistribution: 'PreferClose' }),
        pods: [pod('a', 0, { node: 'node-a' }), pod('b', 1, { node: 'node-b' }), pod('u', 2, { ready: false })],
        check: (_p, s) => {
          assert.deepEqual(byPod(s, 'a')?.hints, { forZones: [{ name: 'zone-a' }] });
          assert.deepEqual(byPod(s, 'b')?.hints, { forZones: [{ name: 'zone-b' }] });
          assert.equal(byPod(s, 'u')?.hints, undefined);
        },
      },
      { service: svc({ trafficDistribution: 'PreferClose' }), pods: [pod('a', 0, { node: 'node-a' }), pod('b', 1, { node: 'node-b' }), pod('u', 2, { ready: false })], writes: [0, 0, 0] },
      {
        pods: [pod('a', 0, { node: 'node-a' }), pod('b', 1, { node: 'node-b' }), pod('u', 2, { ready: false })],
        writes: [0, 1, 0],
        check: (_p, s) => assert.ok(allEndpoints(s).every((e) => e.hints === undefined)),
      },
    ],
  },
  {
    name: 'trafficDistribution PreferSameNode adds node hints too',
    steps: [
      {
        service: svc({ trafficDistribution: 'PreferSameNode' }),
        pods: [pod('a', 0, { node: 'node-a' })],
        check: (_p, s) => assert.deepEqual(byPod(s, 'a')?.hints, { forZones: [{ name: 'zone-a' }], forNodes: [{ name: 'node-a' }] }),
      },
    ],
  },
  {
    name: 'topology-mode Auto: endpoints spread over zones by CPU, each hinted for its zone',
    steps: [
      {
        service: svc({ annotations: { 'service.kubernetes.io/topology-mode': 'Auto' } }),
        pods: [0, 1, 2, 3, 4, 5].map((i) => pod(`p${i}`, i, { node: ['node-a', 'node-b', 'node-c'][i % 3] })),
        check: (plan, s) => {
          assert.deepEqual([...(plan.hintsByZone ?? new Map())].sort(), [['zone-a', 2], ['zone-b', 2], ['zone-c', 2]]);
          for (const e of allEndpoints(s)) assert.deepEqual(e.hints, { forZones: [{ name: e.zone ?? '' }] });
          assert.deepEqual(plan.events, []);
        },
      },
      {
        service: svc({ annotations: { 'service.kubernetes.io/topology-mode': 'Auto' } }),
        pods: [0, 1, 2, 3, 4, 5].map((i) => pod(`p${i}`, i, { node: ['node-a', 'node-b', 'node-c'][i % 3] })),
        writes: [0, 0, 0],
      },
    ],
  },
  {
    name: 'topology-mode Auto: an over-served zone gives endpoints to an under-served one',
    steps: [
      {
        service: svc({ annotations: { 'service.kubernetes.io/topology-aware-hints': 'auto' } }),
        nodes: [node('node-a', 'zone-a'), node('node-b', 'zone-b')],
        pods: [0, 1, 2, 3, 4, 5].map((i) => pod(`p${i}`, i, { node: i < 5 ? 'node-a' : 'node-b' })),
        check: (plan, s) => {
          assert.deepEqual([...(plan.hintsByZone ?? new Map())].sort(), [['zone-a', 3], ['zone-b', 3]]);
          const forB = allEndpoints(s).filter((e) => e.hints?.forZones?.[0]?.name === 'zone-b');
          assert.equal(forB.length, 3);
        },
      },
    ],
  },
  {
    name: 'topology-mode Auto without zone information: no hints and a Warning event',
    steps: [
      {
        service: svc({ annotations: { 'service.kubernetes.io/topology-mode': 'Auto' } }),
        nodes: [node('node-a', 'zone-a'), node('node-b')],
        pods: pods(4),
        check: (plan, s) => {
          assert.equal(plan.hintsByZone, null);
          assert.ok(allEndpoints(s).every((e) => e.hints === undefined));
          assert.deepEqual(plan.events, [
            {
              type: 'Warning',
              reason: 'TopologyAwareHintsDisabled',
              message: 'Insufficient Node information: allocatable CPU or zone not specified on one or more nodes, addressType: IPv4',
            },
          ]);
        },
      },
    ],
  },
];

describe('reconcile', () => {
  for (const c of cases) {
    test(c.name, () => {
      const store = new FakeSliceStore();
      let service = svc();
      c.steps.forEach((step, i) => {
        service = step.service ?? svc();
        const plan = reconcile({
          service,
          pods: step.pods,
          nodes: step.nodes ?? NODES,
          existingSlices: store.list(),
          maxEndpointsPerSlice: step.max ?? 100,
          now: NOW,
          triggerTime: step.triggerTime,
        });
        if (step.writes) {
          assert.deepEqual([plan.toCreate.length, plan.toUpdate.length, plan.toDelete.length], step.writes, `step ${i}: [creates, updates, deletes]`);
        }
        store.apply(plan);
        for (const s of store.slices.values()) {
          for (const e of s.endpoints) assert.ok(e.addresses.length > 0, 'no endpoint without addresses');
          for (const p of s.ports ?? []) assert.equal(typeof p.name, 'string', 'port name always present');
          assert.ok(s.endpoints.length <= (step.max ?? 100));
        }
        step.check?.(plan, [...store.slices.values()]);
      });
    });
  }

  test('the inputs are not modified (informer objects are frozen)', () => {
    const store = new FakeSliceStore();
    const list = pods(120);
    store.apply(reconcile({ service: svc(), pods: list, nodes: NODES, existingSlices: [], maxEndpointsPerSlice: 100, now: NOW }));
    const frozen = store.list();
    const plan = reconcile({ service: svc({ trafficDistribution: 'PreferClose' }), pods: flipped(list, 3, false), nodes: NODES, existingSlices: frozen, maxEndpointsPerSlice: 100, now: NOW });
    assert.equal(plan.toUpdate.length, 2, 'both slices gain hints');
  });

  test('formatTriggerTime writes Go RFC3339Nano', () => {
    assert.equal(formatTriggerTime(new Date('2025-01-01T00:00:00.000Z')), '2025-01-01T00:00:00Z');
    assert.equal(formatTriggerTime(new Date('2025-01-01T00:00:00.120Z')), '2025-01-01T00:00:00.12Z');
  });
});
