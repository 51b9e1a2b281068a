import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import {
  type HeartbeatRecord,
  type HeartbeatSighting,
  type NodeCondition,
  type Taint,
  NODE_STARTUP_GRACE_PERIOD_MS,
  msUntilStale,
  observeHeartbeat,
  podStatusNotReady,
  reconcileTaints,
  sightingOf,
  silentNodeConditions,
} from './node-health.js';

const GRACE = 40_000;
const T = 1_700_000_000_000;
const NOW_ISO = '2024-01-01T00:10:00Z';

const sight = (ready: string | undefined, lease: string | undefined, hasReady = true): HeartbeatSighting => ({
  readyHeartbeat: ready,
  leaseRenewTime: lease,
  hasReadyCondition: hasReady,
  createdMs: T - 30_000,
});

describe('heartbeat staleness', () => {
  const cases: { name: string; steps: [atMs: number, seen: HeartbeatSighting][]; checkAt: number; stale: boolean }[] = [
    { name: 'first sight counts as a heartbeat', steps: [[T, sight('h1', undefined)]], checkAt: T + GRACE - 1, stale: false },
    { name: 'silent for the grace period: stale', steps: [[T, sight('h1', undefined)]], checkAt: T + GRACE, stale: true },
    {
      name: 'lease renewal keeps the node fresh',
      steps: [
        [T, sight('h1', '2024-01-01T00:00:00.000000Z')],
        [T + 30_000, sight('h1', '2024-01-01T00:00:30.000000Z')],
      ],
      checkAt: T + 60_000,
      stale: false,
    },
    {
      name: 'lease renewTime unchanged: no heartbeat',
      steps: [
        [T, sight('h1', '2024-01-01T00:00:00.000000Z')],
        [T + 30_000, sight('h1', '2024-01-01T00:00:00.000000Z')],
      ],
      checkAt: T + 45_000,
      stale: true,
    },
    {
      name: 'lease moving backwards does not count',
      steps: [
        [T, sight('h1', '2024-01-01T00:00:30Z')],
        [T + 30_000, sight('h1', '2024-01-01T00:00:10Z')],
      ],
      checkAt: T + 45_000,
      stale: true,
    },
    {
      name: 'new Ready heartbeat keeps the node fresh',
      steps: [
        [T, sight('h1', undefined)],
        [T + 30_000, sight('h2', undefined)],
      ],
      checkAt: T + 60_000,
      stale: false,
    },
    {
      name: 'never posted Ready: startup grace from creation',
      steps: [[T, sight(undefined, undefined, false)]],
      checkAt: T - 30_000 + NODE_STARTUP_GRACE_PERIOD_MS - 1,
      stale: false,
    },
    {
      name: 'never posted Ready, startup grace over: stale',
      steps: [[T, sight(undefined, undefined, false)]],
      checkAt: T - 30_000 + NODE_STARTUP_GRACE_PERIOD_MS,
      stale: true,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      let rec: HeartbeatRecord | undefined;
      for (const [at, seen] of c.steps) rec = observeHeartbeat(rec, seen, at);
      assert.ok(rec);
      assert.equal(msUntilStale(rec, c.checkAt, GRACE) <= 0, c.stale);
    });
  }

  test('sightingOf reads the Ready heartbeat and the lease renewTime', () => {
    const s = sightingOf(
      { metadata: { creationTimestamp: '2024-01-01T00:00:00Z' }, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'hb' }] } },
      { metadata: {}, spec: { renewTime: 'rt' } },
    );
    assert.deepEqual(s, { readyHeartbeat: 'hb', leaseRenewTime: 'rt', hasReadyCondition: true, createdMs: Date.parse('2024-01-01T00:00:00Z') });
  });
});

const nodeWith = (conditions: NodeCondition[], taints: Taint[] = [], unschedulable = false): KubeObject => ({
  metadata: { name: 'n1', creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { taints, ...(unschedulable ? { unschedulable: true } : {}) },
  status: { conditions },
});

describe('silentNodeConditions', () => {
  test('Ready True becomes Unknown with upstream reason and message; heartbeat kept; missing pressure conditions added', () => {
    const got = silentNodeConditions(
      nodeWith([
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: 'hb', lastTransitionTime: 'old' },
        { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: 'hb', lastTransitionTime: 'old' },
      ]),
      NOW_ISO,
    );
    assert.deepEqual(got, [
      { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: 'hb', lastTransitionTime: NOW_ISO },
      { type: 'MemoryPressure', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: 'hb', lastTransitionTime: NOW_ISO },
      { type: 'DiskPressure', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: '2024-01-01T00:00:00Z', lastTransitionTime: NOW_ISO },
      { type: 'PIDPressure', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: '2024-01-01T00:00:00Z', lastTransitionTime: NOW_ISO },
    ]);
  });

  test('already Unknown: no change (no write)', () => {
    const unknown = (type: string): NodeCondition => ({ type, status: 'Unknown', reason: 'NodeStatusUnknown' });
    assert.equal(silentNodeConditions(nodeWith(['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'].map(unknown)), NOW_ISO), undefined);
  });
});

describe('reconcileTaints', () => {
  const ready = (status: string): NodeCondition => ({ type: 'Ready', status });
  const custom: Taint = { key: 'example.com/dedicated', value: 'db', effect: 'NoSchedule' };
  const cases: { name: string; node: KubeObject; want: Taint[] | undefined }[] = [
    { name: 'Ready node without taints: nothing to do', node: nodeWith([ready('True')]), want: undefined },
    {
      name: 'Ready Unknown: unreachable NoSchedule and NoExecute',
      node: nodeWith([ready('Unknown')], [custom]),
      want: [custom, { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: NOW_ISO }],
    },
    {
      name: 'Ready False replaces unreachable with not-ready',
      node: nodeWith(
        [ready('False')],
        [
          { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'earlier' },
        ],
      ),
      want: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: NOW_ISO }],
    },
    {
      name: 'back to Ready: controller taints removed, others kept',
      node: nodeWith(
        [ready('True')],
        [
          { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
          custom,
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'earlier' },
        ],
      ),
      want: [custom],
    },
    {
      name: 'already tainted as wanted: no change (timeAdded kept)',
      node: nodeWith(
        [ready('Unknown')],
        [
          { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' },
          { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'earlier' },
        ],
      ),
      want: undefined,
    },
    {
      name: 'pressure conditions and unschedulable',
      node: nodeWith([ready('True'), { type: 'MemoryPressure', status: 'True' }, { type: 'DiskPressure', status: 'False' }], [], true),
      want: [
        { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
        { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
      ],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(reconcileTaints(c.node, NOW_ISO), c.want));
});

describe('podStatusNotReady', () => {
  const pod = (conditions: unknown[]): KubeObject => ({ metadata: { name: 'p' }, status: { phase: 'Running', conditions } });
  const cases: { name: string; pod: KubeObject; want: unknown }[] = [
    {
      name: 'Ready True flips to False, reason and message kept',
      pod: pod([
        { type: 'PodScheduled', status: 'True' },
        { type: 'Ready', status: 'True', reason: 'r', lastTransitionTime: 'old' },
      ]),
      want: { phase: 'Running', conditions: [{ type: 'PodScheduled', status: 'True' }, { type: 'Ready', status: 'False', reason: 'r', lastTransitionTime: NOW_ISO }] },
    },
    { name: 'already False: nothing', pod: pod([{ type: 'Ready', status: 'False' }]), want: undefined },
    { name: 'no Ready condition: nothing', pod: pod([{ type: 'PodScheduled', status: 'True' }]), want: undefined },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(podStatusNotReady(c.pod, NOW_ISO), c.want));
});
