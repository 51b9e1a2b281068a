import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BURST_REPLICAS,
  calculateReplicaSetStatus,
  nextAvailabilityCheckMs,
  planReplicas,
  podFromTemplate,
  replicaSetStatusChanged,
  slowStartBatches,
} from './replicaset-plan.js';
import { T0, at, pod, rs } from './test-fixtures.js';
import type { PodJson, ReplicaSetJson } from './workload-types.js';

const NOW = T0 + 1000 * 1000;

describe('planReplicas', () => {
  const pods = (n: number): PodJson[] => Array.from({ length: n }, (_, i) => pod(`p${i}`, { node: 'n1', readySince: [0, 900, 990][i] ?? 0 }));
  const cases: { name: string; replicas: number; pods: PodJson[]; want: string }[] = [
    { name: 'missing pods are created', replicas: 3, pods: pods(1), want: 'create 2' },
    { name: 'nothing to do at the desired count', replicas: 2, pods: pods(2), want: 'none' },
    { name: 'surplus pods are deleted, most recently ready first', replicas: 1, pods: pods(3), want: 'delete p1,p2' },
    { name: 'creations are capped at the burst size', replicas: 2000, pods: [], want: `create ${BURST_REPLICAS}` },
    { name: 'scale to zero deletes everything', replicas: 0, pods: pods(2), want: 'delete p0,p1' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const plan = planReplicas({ rs: rs('web-1', { replicas: c.replicas }), pods: c.pods, nowMs: NOW });
      const got = plan.kind === 'create' ? `create ${plan.count}` : plan.kind === 'delete' ? `delete ${plan.pods.map((p) => p.metadata.name).sort().join(',')}` : 'none';
      assert.equal(got, c.want);
    });
  }
});

test('podFromTemplate copies labels, annotations and spec, and owns the pod', () => {
  const r = rs('web-abc', { replicas: 1 });
  r.spec!.template!.metadata!.annotations = { note: 'x' };
  const p = podFromTemplate(r);
  assert.deepEqual(p.metadata, {
    generateName: 'web-abc-',
    namespace: 'default',
    labels: { app: 'web', 'pod-template-hash': 'web-abc' },
    annotations: { note: 'x' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'uid-web-abc', controller: true, blockOwnerDeletion: true }],
  });
  assert.deepEqual(p.spec, { containers: [{ name: 'web', image: 'nginx:1' }] });
  // The template is copied, not shared.
  (p.spec as { containers: { image: string }[] }).containers[0]!.image = 'changed';
  assert.equal((r.spec!.template!.spec as { containers: { image: string }[] }).containers[0]!.image, 'nginx:1');
});

test('slowStartBatches doubles up to the count', () => {
  assert.deepEqual(slowStartBatches(0), []);
  assert.deepEqual(slowStartBatches(1), [1]);
  assert.deepEqual(slowStartBatches(10), [1, 2, 4, 3]);
  assert.deepEqual(slowStartBatches(15), [1, 2, 4, 8]);
});

describe('calculateReplicaSetStatus', () => {
  const withMinReady = (s: number): ReplicaSetJson => {
    const r = rs('web-1', { replicas: 3 });
    r.spec!.minReadySeconds = s;
    r.metadata.generation = 4;
    delete r.status;
    return r;
  };
  const cases: { name: string; rs: ReplicaSetJson; pods: PodJson[]; error?: string; want: Record<string, unknown> }[] = [
    {
      name: 'counts ready and available pods',
      rs: withMinReady(0),
      pods: [pod('a', { readySince: 0, labels: { app: 'web', 'pod-template-hash': 'web-1' } }), pod('b'), pod('c', { readySince: 5 })],
      want: { replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 2, observedGeneration: 4 },
    },
    {
      name: 'minReadySeconds holds back recently ready pods',
      rs: withMinReady(100),
      pods: [pod('a', { readySince: 0 }), pod('b', { readySince: 950 })],
      want: { replicas: 2, fullyLabeledReplicas: 0, readyReplicas: 2, availableReplicas: 1, observedGeneration: 4 },
    },
    {
      name: 'a failed creation adds ReplicaFailure FailedCreate',
      rs: withMinReady(0),
      pods: [],
      error: 'pods "x" is forbidden: exceeded quota',
      want: {
        replicas: 0,
        fullyLabeledReplicas: 0,
        readyReplicas: 0,
        availableReplicas: 0,
        observedGeneration: 4,
        conditions: [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: at(1000), reason: 'FailedCreate', message: 'pods "x" is forbidden: exceeded quota' }],
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(calculateReplicaSetStatus(c.rs, c.pods, c.error ? { message: c.error } : undefined, NOW), c.want);
    });
  }

  test('ReplicaFailure is removed once managing pods works again', () => {
    const r = withMinReady(0);
    r.status = { conditions: [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate' }] };
    assert.equal(calculateReplicaSetStatus(r, [], undefined, NOW).conditions, undefined);
  });

  test('replicaSetStatusChanged ignores nothing that matters and nothing else', () => {
    const s = { replicas: 1, fullyLabeledReplicas: 1, readyReplicas: 1, availableReplicas: 1, observedGeneration: 2 };
    assert.equal(replicaSetStatusChanged(s, { ...s }), false);
    assert.equal(replicaSetStatusChanged(s, { ...s, availableReplicas: 0 }), true);
    assert.equal(replicaSetStatusChanged(undefined, { replicas: 0, observedGeneration: 0 }), false);
    assert.equal(replicaSetStatusChanged(s, { ...s, observedGeneration: 3 }), true);
  });
});

test('nextAvailabilityCheckMs waits for the earliest pod to pass minReadySeconds', () => {
  const r = rs('web-1', { replicas: 2 });
  r.spec!.minReadySeconds = 30;
  const pods = [pod('a', { readySince: 990 }), pod('b', { readySince: 980 }), pod('c', { readySince: 0 })];
  assert.equal(nextAvailabilityCheckMs(r, pods, NOW), 10_001);
  r.spec!.minReadySeconds = 0;
  assert.equal(nextAvailabilityCheckMs(r, pods, NOW), undefined);
});
