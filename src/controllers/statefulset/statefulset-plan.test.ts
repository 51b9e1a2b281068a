import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statusChanged } from './statefulset-controller.js';
import { computeStatus, planStatefulSet, type StatefulSetAction } from './statefulset-plan.js';
import { newStatefulSetPod } from './statefulset-pods.js';
import { updateRevisionName } from './statefulset-revision.js';
import type { Pod, PodTemplate, StatefulSet } from './statefulset-types.js';

const NOW = Date.parse('2026-01-01T00:01:00Z');
const T1: PodTemplate = { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } };
const T2: PodTemplate = { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.26' }] } };

function sts(opts: { replicas?: number; template?: PodTemplate; policy?: string; partition?: number; start?: number; minReady?: number; currentRevision?: string; deleting?: boolean } = {}): StatefulSet {
  return {
    metadata: { name: 'web', namespace: 'default', uid: 'uid-web', generation: 3, ...(opts.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      replicas: opts.replicas ?? 3,
      selector: { matchLabels: { app: 'nginx' } },
      serviceName: 'nginx',
      template: opts.template ?? T1,
      podManagementPolicy: opts.policy ?? 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: opts.partition ?? 0 } },
      ...(opts.minReady ? { minReadySeconds: opts.minReady } : {}),
      ...(opts.start !== undefined ? { ordinals: { start: opts.start } } : {}),
    },
    status: { replicas: 0, ...(opts.currentRevision ? { currentRevision: opts.currentRevision } : {}) },
  };
}

const REV1 = updateRevisionName(sts());
const REV2 = updateRevisionName(sts({ template: T2 }));

type State = 'pending' | 'ready' | 'running' | 'failed' | 'terminating';

function pod(ordinal: number, state: State, opts: { template?: PodTemplate; revision?: string; readySince?: string } = {}): Pod {
  const p = newStatefulSetPod(sts(), ordinal, opts.template ?? T1, opts.revision ?? REV1);
  p.metadata.uid = `uid-${ordinal}`;
  const phase = state === 'pending' ? 'Pending' : state === 'failed' ? 'Failed' : 'Running';
  const ready = state === 'ready' || state === 'terminating';
  p.status = { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: opts.readySince ?? '2026-01-01T00:00:00Z' }] };
  if (state === 'terminating') p.metadata.deletionTimestamp = '2026-01-01T00:00:30Z';
  return p;
}

/** Actions as `create web-1@rev`, `delete web-2 (why)`, `fixIdentity web-0`. */
function describeActions(actions: readonly StatefulSetAction[]): string[] {
  return actions.map((a) => {
    const name = a.pod.metadata.name ?? '';
    if (a.kind === 'create') return `create ${name}@${a.pod.metadata.labels?.['controller-revision-hash'] === REV1 ? 'rev1' : a.pod.metadata.labels?.['controller-revision-hash'] === REV2 ? 'rev2' : '?'}`;
    if (a.kind === 'delete') return `delete ${name} (${a.why})`;
    return `fixIdentity ${name}`;
  });
}

describe('planStatefulSet actions', () => {
  const cases: { name: string; set: StatefulSet; pods: Pod[]; want: string[] }[] = [
    { name: 'OrderedReady creates only ordinal 0 first', set: sts(), pods: [], want: ['create web-0@rev1'] },
    { name: 'waits while web-0 is not ready', set: sts(), pods: [pod(0, 'pending')], want: [] },
    { name: 'waits while web-0 runs but is not ready', set: sts(), pods: [pod(0, 'running')], want: [] },
    { name: 'creates web-1 once web-0 is Running and Ready', set: sts(), pods: [pod(0, 'ready')], want: ['create web-1@rev1'] },
    { name: 'fills a gap at the lowest missing ordinal', set: sts(), pods: [pod(0, 'ready'), pod(2, 'ready')], want: ['create web-1@rev1'] },
    { name: 'Parallel creates every missing pod at once', set: sts({ policy: 'Parallel' }), pods: [pod(1, 'pending')], want: ['create web-0@rev1', 'create web-2@rev1'] },
    { name: 'ordinals.start shifts the names', set: sts({ replicas: 2, start: 5 }), pods: [pod(5, 'ready')], want: ['create web-6@rev1'] },
    { name: 'steady state does nothing', set: sts(), pods: [pod(0, 'ready'), pod(1, 'ready'), pod(2, 'ready')], want: [] },
    {
      name: 'scale down removes the highest ordinal only',
      set: sts({ replicas: 1 }),
      pods: [pod(0, 'ready'), pod(1, 'ready'), pod(2, 'ready')],
      want: ['delete web-2 (condemned)'],
    },
    { name: 'scale down waits for the terminating pod', set: sts({ replicas: 1 }), pods: [pod(0, 'ready'), pod(1, 'ready'), pod(2, 'terminating')], want: [] },
    { name: 'scale to zero ends with web-0', set: sts({ replicas: 0 }), pods: [pod(0, 'ready')], want: ['delete web-0 (condemned)'] },
    {
      name: 'an unhealthy condemned pod blocks unless it is the first unhealthy one',
      set: sts({ replicas: 1 }),
      pods: [pod(0, 'ready'), pod(1, 'pending'), pod(2, 'ready')],
      want: ['delete web-2 (condemned)'],
    },
    {
      name: 'the first unhealthy condemned pod may go even if not ready',
      set: sts({ replicas: 1 }),
      pods: [pod(0, 'ready'), pod(1, 'pending')],
      want: ['delete web-1 (condemned)'],
    },
    {
      name: 'Parallel scale down deletes all condemned pods',
      set: sts({ replicas: 1, policy: 'Parallel' }),
      pods: [pod(0, 'ready'), pod(1, 'pending'), pod(2, 'ready')],
      want: ['delete web-2 (condemned)', 'delete web-1 (condemned)'],
    },
    { name: 'a failed pod is deleted (recreated on a later pass)', set: sts(), pods: [pod(0, 'ready'), pod(1, 'failed')], want: ['delete web-1 (finished)'] },
    {
      name: 'Parallel: a failed pod does not block the others',
      set: sts({ policy: 'Parallel' }),
      pods: [pod(0, 'failed'), pod(1, 'ready')],
      want: ['delete web-0 (finished)', 'create web-2@rev1'],
    },
    {
      name: 'rolling update starts at the highest ordinal',
      set: sts({ template: T2, currentRevision: REV1 }),
      pods: [pod(0, 'ready'), pod(1, 'ready'), pod(2, 'ready')],
      want: ['delete web-2 (update)'],
    },
    {
      name: 'the updated pod comes back at the update revision',
      set: sts({ template: T2, currentRevision: REV1 }),
      pods: [pod(0, 'ready'), pod(1, 'ready')],
      want: ['create web-2@rev2'],
    },
    {
      name: 'rolling update waits for the updated pod to be ready',
      set: sts({ template: T2, currentRevision: REV1 }),
      pods: [pod(0, 'ready'), pod(1, 'ready'), pod(2, 'running', { template: T2, revision: REV2 })],
      want: [],
    },
    {
      name: 'then continues downwards',
      set: sts({ template: T2, currentRevision: REV1 }),
      pods: [pod(0, 'ready'), pod(1, 'ready'), pod(2, 'ready', { template: T2, revision: REV2 })],
      want: ['delete web-1 (update)'],
    },
    {
      name: 'partition stops the update',
      set: sts({ template: T2, currentRevision: REV1, partition: 2 }),
      pods: [pod(0, 'ready'), pod(1, 'ready'), pod(2, 'ready', { template: T2, revision: REV2 })],
      want: [],
    },
    {
      name: 'below the partition a pod is recreated at the current revision',
      set: sts({ template: T2, currentRevision: REV1, partition: 2 }),
      pods: [pod(1, 'ready'), pod(2, 'ready', { template: T2, revision: REV2 })],
      want: ['create web-0@rev1'],
    },
    {
      name: 'identity labels are put back',
      set: sts({ replicas: 1 }),
      pods: [(() => {
        const p = pod(0, 'ready');
        delete p.metadata.labels?.['apps.kubernetes.io/pod-index'];
        return p;
      })()],
      want: ['fixIdentity web-0'],
    },
    { name: 'a set being deleted gets no writes', set: sts({ deleting: true }), pods: [pod(0, 'ready')], want: [] },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(describeActions(planStatefulSet({ set: c.set, pods: c.pods, nowMs: NOW }).actions), c.want));
});

describe('planStatefulSet details', () => {
  test('created pods carry identity, revision and owner', () => {
    const [action] = planStatefulSet({ set: sts(), pods: [], nowMs: NOW }).actions;
    assert.equal(action?.kind, 'create');
    const p = action?.pod;
    assert.deepEqual(p?.metadata, {
      name: 'web-0',
      namespace: 'default',
      labels: { app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-0', 'apps.kubernetes.io/pod-index': '0', 'controller-revision-hash': REV1 },
      ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }],
    });
    assert.deepEqual(p?.spec, { containers: [{ name: 'nginx', image: 'nginx:1.25' }], hostname: 'web-0', subdomain: 'nginx' });
  });

  test('minReadySeconds holds the next pod back and asks to look again', () => {
    const plan = planStatefulSet({ set: sts({ minReady: 10 }), pods: [pod(0, 'ready', { readySince: '2026-01-01T00:00:55Z' })], nowMs: NOW });
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.requeueAfterMs, 5001);
    assert.equal(plan.status.readyReplicas, 1);
    assert.equal(plan.status.availableReplicas, 0);
  });

  test('after minReadySeconds the next pod is created', () => {
    const plan = planStatefulSet({ set: sts({ minReady: 10 }), pods: [pod(0, 'ready', { readySince: '2026-01-01T00:00:40Z' })], nowMs: NOW });
    assert.deepEqual(describeActions(plan.actions), ['create web-1@rev1']);
  });
});

describe('computeStatus', () => {
  const cases: { name: string; set: StatefulSet; pods: Pod[]; want: Record<string, unknown> }[] = [
    {
      name: 'counts created, ready and available pods; first sync takes the update revision as current',
      set: sts(),
      pods: [pod(0, 'ready'), pod(1, 'pending')],
      want: { observedGeneration: 3, replicas: 2, readyReplicas: 1, availableReplicas: 1, currentReplicas: 2, updatedReplicas: 2, currentRevision: REV1, updateRevision: REV1, collisionCount: 0 },
    },
    {
      name: 'mid-rollout',
      set: sts({ template: T2, currentRevision: REV1 }),
      pods: [pod(0, 'ready'), pod(1, 'ready'), pod(2, 'ready', { template: T2, revision: REV2 })],
      want: { observedGeneration: 3, replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 2, updatedReplicas: 1, currentRevision: REV1, updateRevision: REV2, collisionCount: 0 },
    },
    {
      name: 'rollout completes when every pod is updated and ready',
      set: sts({ template: T2, currentRevision: REV1 }),
      pods: [0, 1, 2].map((i) => pod(i, 'ready', { template: T2, revision: REV2 })),
      want: { observedGeneration: 3, replicas: 3, readyReplicas: 3, availableReplicas: 3, currentReplicas: 3, updatedReplicas: 3, currentRevision: REV2, updateRevision: REV2, collisionCount: 0 },
    },
    {
      name: 'terminating pods count as replicas but not as current or updated',
      set: sts(),
      pods: [pod(0, 'ready'), pod(1, 'terminating')],
      want: { observedGeneration: 3, replicas: 2, readyReplicas: 2, availableReplicas: 2, currentReplicas: 1, updatedReplicas: 1, currentRevision: REV1, updateRevision: REV1, collisionCount: 0 },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const rev = c.set.status?.currentRevision || updateRevisionName(c.set);
      assert.deepEqual(computeStatus(c.set, c.pods, rev, updateRevisionName(c.set), NOW), c.want);
    });
  }
});

describe('statusChanged', () => {
  test('only owned fields matter', () => {
    const s = computeStatus(sts(), [pod(0, 'ready')], REV1, REV1, NOW);
    assert.equal(statusChanged({ ...s, conditions: [{ type: 'X' }] }, s), false);
    assert.equal(statusChanged({ ...s, readyReplicas: 0 }, s), true);
    assert.equal(statusChanged(undefined, s), true);
  });
});
