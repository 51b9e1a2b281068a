import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, at, deployment, pod, rs } from '../replicaset/test-fixtures.js';
import type { ConditionJson, DeploymentJson, PodJson, ReplicaSetJson } from '../replicaset/workload-types.js';
import { type DeploymentAction, findNewReplicaSet, newReplicaSetFor, planDeploymentSync } from './deployment-sync.js';
import { computePodTemplateHash } from './pod-template-hash.js';

const NOW = T0 + 100_000;

/** One line per action, in the notation of `kubectl get`: what is written and the parts that matter. */
function summarize(actions: readonly DeploymentAction[]): string[] {
  return actions.map((a) => {
    switch (a.kind) {
      case 'createReplicaSet':
        return `create ${a.rs.metadata.name === newReplicaSetFor(DEFAULT_D).metadata.name ? 'NEW' : (a.rs.metadata.name ?? '')} replicas=${a.rs.spec?.replicas ?? 0} rev=${a.rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? ''}`;
      case 'updateReplicaSet':
        return a.scaledFrom !== undefined
          ? `scale ${a.rs.metadata.name ?? ''} ${a.scaledFrom}->${a.rs.spec?.replicas ?? 0}`
          : `update ${a.rs.metadata.name ?? ''} rev=${a.rs.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? ''}`;
      case 'deleteReplicaSet':
        return `delete ${a.name}`;
      case 'updateStatus': {
        const conds = (a.status.conditions ?? []).map((c: ConditionJson) => `${c.type}=${c.reason ?? ''}`).join(',');
        return `status${a.revision !== undefined ? ` rev=${a.revision}` : ''} gen=${a.status.observedGeneration ?? 0} r=${a.status.replicas ?? 0} u=${a.status.updatedReplicas ?? 0} a=${a.status.availableReplicas ?? 0} [${conds}]`;
      }
    }
  });
}

const DEFAULT_D = deployment({ replicas: 3, image: 'nginx:2' });

const done = (reason = 'NewReplicaSetAvailable'): ConditionJson[] => [
  { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: at(0), lastTransitionTime: at(0) },
  { type: 'Progressing', status: 'True', reason, message: 'ReplicaSet "cur" has successfully progressed.', lastUpdateTime: at(0), lastTransitionTime: at(0) },
];

interface Case {
  name: string;
  d: DeploymentJson;
  rss: ReplicaSetJson[];
  pods?: Map<string, PodJson[]>;
  want: string[];
  requeueAfterMs?: number;
}

const withReplicasAnnotations = (r: ReplicaSetJson, desired: number, max: number): ReplicaSetJson => {
  r.metadata.annotations = { ...r.metadata.annotations, 'deployment.kubernetes.io/desired-replicas': String(desired), 'deployment.kubernetes.io/max-replicas': String(max) };
  return r;
};

const cases: Case[] = [
  {
    name: 'a new Deployment creates its ReplicaSet at full size (revision 1)',
    d: deployment({ replicas: 3, image: 'nginx:2' }),
    rss: [],
    want: ['create NEW replicas=3 rev=1', 'status rev=1 gen=0 r=0 u=0 a=0 [Progressing=NewReplicaSetCreated]', 'status gen=1 r=0 u=0 a=0 [Progressing=NewReplicaSetCreated,Available=MinimumReplicasUnavailable]'],
  },
  {
    name: 'a finished rollout writes nothing',
    d: deployment({
      replicas: 3,
      image: 'nginx:1',
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0, conditions: done() },
    }),
    rss: [withReplicasAnnotations(rs('cur', { replicas: 3, revision: 1 }), 3, 4)],
    want: [],
  },
  {
    name: 'a template change creates the new ReplicaSet within maxSurge',
    d: deployment({ replicas: 3, image: 'nginx:2', annotations: { 'deployment.kubernetes.io/revision': '1' }, generation: 2 }),
    rss: [withReplicasAnnotations(rs('old', { replicas: 3, revision: 1, image: 'nginx:1' }), 3, 4)],
    want: ['create NEW replicas=1 rev=2', 'status rev=2 gen=0 r=0 u=0 a=0 [Progressing=NewReplicaSetCreated]', 'status gen=2 r=3 u=0 a=3 [Available=MinimumReplicasAvailable,Progressing=ReplicaSetUpdated]'],
  },
  {
    name: 'once the new pod is available an old one goes',
    d: deployment({ replicas: 3, image: 'nginx:2', annotations: { 'deployment.kubernetes.io/revision': '2' }, status: { observedGeneration: 1, conditions: done('ReplicaSetUpdated') } }),
    rss: [
      withReplicasAnnotations(rs('old', { replicas: 3, revision: 1, image: 'nginx:1' }), 3, 4),
      withReplicasAnnotations(rs('new', { replicas: 1, revision: 2, image: 'nginx:2', createdAt: 50 }), 3, 4),
    ],
    want: ['scale old 3->2', 'status gen=1 r=4 u=1 a=4 [Available=MinimumReplicasAvailable,Progressing=ReplicaSetUpdated]'],
  },
  {
    name: 'kubectl scale: the single ReplicaSet takes the new size',
    d: deployment({
      replicas: 5,
      image: 'nginx:1',
      annotations: { 'deployment.kubernetes.io/revision': '1' },
      status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: done() },
      generation: 2,
    }),
    rss: [withReplicasAnnotations(rs('cur', { replicas: 3, revision: 1 }), 3, 4)],
    // 3 of 5 available is below 5 - maxUnavailable (25% of 5 = 1).
    want: ['scale cur 3->5', 'status gen=2 r=3 u=3 a=3 [Progressing=NewReplicaSetAvailable,Available=MinimumReplicasUnavailable]'],
  },
  {
    name: 'a paused Deployment does not roll out and says so',
    d: deployment({ replicas: 3, image: 'nginx:2', paused: true, annotations: { 'deployment.kubernetes.io/revision': '1' }, status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, conditions: done() } }),
    rss: [withReplicasAnnotations(rs('cur', { replicas: 3, revision: 1 }), 3, 4)],
    want: ['status gen=1 r=3 u=3 a=3 [Available=MinimumReplicasAvailable,Progressing=DeploymentPaused]', 'status gen=1 r=3 u=0 a=3 [Available=MinimumReplicasAvailable,Progressing=DeploymentPaused]'],
  },
  {
    name: 'Recreate scales the old ReplicaSet to zero first',
    d: deployment({ replicas: 3, image: 'nginx:2', strategy: 'Recreate', annotations: { 'deployment.kubernetes.io/revision': '1' }, status: { observedGeneration: 1, conditions: done() } }),
    rss: [withReplicasAnnotations(rs('old', { replicas: 3, revision: 1 }), 3, 3)],
    want: ['scale old 3->0', 'status gen=1 r=3 u=0 a=3 [Available=MinimumReplicasAvailable,Progressing=ReplicaSetUpdated]'],
  },
  {
    name: 'Recreate waits while old pods are still running',
    d: deployment({ replicas: 3, image: 'nginx:2', strategy: 'Recreate', annotations: { 'deployment.kubernetes.io/revision': '1' }, status: { observedGeneration: 1, conditions: done() } }),
    rss: [withReplicasAnnotations(rs('old', { replicas: 0, actual: 0 }), 3, 3)],
    pods: new Map([['uid-old', [pod('old-a')]]]),
    want: ['status gen=1 r=0 u=0 a=0 [Progressing=NewReplicaSetAvailable,Available=MinimumReplicasUnavailable]'],
  },
  {
    name: 'Recreate creates the new ReplicaSet once the old pods are gone',
    d: deployment({ replicas: 3, image: 'nginx:2', strategy: 'Recreate', annotations: { 'deployment.kubernetes.io/revision': '1' }, status: { observedGeneration: 1, conditions: done() } }),
    rss: [withReplicasAnnotations(rs('old', { replicas: 0, actual: 0, revision: 1 }), 3, 3)],
    pods: new Map([['uid-old', [pod('old-a', { phase: 'Succeeded' })]]]),
    want: ['create NEW replicas=3 rev=2', 'status rev=2 gen=1 r=0 u=0 a=0 [Available=MinimumReplicasAvailable,Progressing=NewReplicaSetCreated]', 'status gen=1 r=0 u=0 a=0 [Progressing=NewReplicaSetCreated,Available=MinimumReplicasUnavailable]'],
  },
  {
    name: 'rollout undo: the old ReplicaSet becomes the new one with the next revision',
    d: deployment({ replicas: 3, image: 'nginx:1', annotations: { 'deployment.kubernetes.io/revision': '2' }, generation: 3, status: { observedGeneration: 2, conditions: done() } }),
    rss: [
      withReplicasAnnotations(rs('first', { replicas: 0, actual: 0, revision: 1, image: 'nginx:1' }), 3, 4),
      withReplicasAnnotations(rs('second', { replicas: 3, revision: 2, image: 'nginx:2', createdAt: 50 }), 3, 4),
    ],
    want: [
      'update first rev=3',
      'status rev=3 gen=2 r=0 u=0 a=0 [Available=MinimumReplicasAvailable,Progressing=NewReplicaSetAvailable]',
      'scale first 0->1',
      'status gen=3 r=3 u=0 a=3 [Available=MinimumReplicasAvailable,Progressing=ReplicaSetUpdated]',
    ],
  },
  {
    name: 'revisionHistoryLimit removes the oldest empty ReplicaSets of a finished rollout',
    d: deployment({
      replicas: 3,
      image: 'nginx:1',
      revisionHistoryLimit: 1,
      annotations: { 'deployment.kubernetes.io/revision': '4' },
      status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0, conditions: done() },
    }),
    rss: [
      rs('r1', { replicas: 0, revision: 1, image: 'a' }),
      rs('r2', { replicas: 0, revision: 2, image: 'b' }),
      rs('r3', { replicas: 0, revision: 3, image: 'c' }),
      withReplicasAnnotations(rs('cur', { replicas: 3, revision: 4 }), 3, 4),
    ],
    want: ['delete r1', 'delete r2'],
  },
  {
    name: 'an existing new ReplicaSet whose revision the Deployment lacks: FoundNewReplicaSet',
    d: deployment({ replicas: 3, image: 'nginx:1', status: { observedGeneration: 1, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, unavailableReplicas: 0 } }),
    rss: [withReplicasAnnotations(rs('cur', { replicas: 3, revision: 1 }), 3, 4)],
    want: ['status rev=1 gen=1 r=3 u=3 a=3 [Progressing=FoundNewReplicaSet]', 'status gen=1 r=3 u=3 a=3 [Available=MinimumReplicasAvailable,Progressing=NewReplicaSetAvailable]'],
  },
  {
    name: 'a Deployment selecting everything only records the observed generation',
    d: (() => {
      const d = deployment({ replicas: 3, generation: 2 });
      d.spec!.selector = {};
      return d;
    })(),
    rss: [],
    want: ['status gen=2 r=0 u=0 a=0 []'],
  },
];

describe('planDeploymentSync', () => {
  for (const c of cases) {
    test(c.name, () => {
      const plan = planDeploymentSync({ deployment: c.d, replicaSets: c.rss, podsByReplicaSet: c.pods ?? new Map(), nowMs: NOW });
      assert.deepEqual(summarize(plan.actions), c.want);
      if (c.requeueAfterMs !== undefined) assert.equal(plan.requeueAfterMs, c.requeueAfterMs);
    });
  }

  test('a stalled rollout is looked at again when its deadline passes', () => {
    const d = deployment({
      replicas: 3,
      image: 'nginx:2',
      progressDeadlineSeconds: 600,
      annotations: { 'deployment.kubernetes.io/revision': '2' },
      status: {
        observedGeneration: 1,
        replicas: 4,
        updatedReplicas: 1,
        readyReplicas: 3,
        availableReplicas: 3,
        unavailableReplicas: 1,
        conditions: [
          { type: 'Available', status: 'True', reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.', lastUpdateTime: at(0), lastTransitionTime: at(0) },
          { type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "new" is progressing.', lastUpdateTime: at(50), lastTransitionTime: at(0) },
        ],
      },
    });
    const rss = [
      withReplicasAnnotations(rs('old', { replicas: 3, revision: 1, image: 'nginx:1' }), 3, 4),
      withReplicasAnnotations(rs('new', { replicas: 1, available: 0, ready: 0, revision: 2, image: 'nginx:2', createdAt: 10 }), 3, 4),
    ];
    const plan = planDeploymentSync({ deployment: d, replicaSets: rss, podsByReplicaSet: new Map(), nowMs: NOW });
    assert.deepEqual(plan.actions, []);
    assert.equal(plan.requeueAfterMs, 50_000 + 600_000 - 100_000 + 1000);
  });
});

describe('the new ReplicaSet', () => {
  test('is named <deployment>-<hash> with the hash in labels, selector and template', () => {
    const d = deployment({ replicas: 2, image: 'nginx:2' });
    d.status = { collisionCount: 1 };
    const hash = computePodTemplateHash(d.spec?.template, 1);
    const r = newReplicaSetFor(d);
    assert.equal(r.metadata.name, `web-${hash}`);
    assert.deepEqual(r.metadata.labels, { app: 'web', 'pod-template-hash': hash });
    assert.deepEqual(r.spec?.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
    assert.deepEqual(r.spec?.template?.metadata?.labels, { app: 'web', 'pod-template-hash': hash });
    assert.deepEqual(r.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    // The Deployment is not changed.
    assert.deepEqual(d.spec?.template?.metadata?.labels, { app: 'web' });
  });

  test('findNewReplicaSet picks the oldest ReplicaSet with the same template', () => {
    const d = deployment({ replicas: 1, image: 'x' });
    const rss = [rs('b', { replicas: 1, image: 'x', createdAt: 20 }), rs('a', { replicas: 1, image: 'x', createdAt: 10 }), rs('c', { replicas: 1, image: 'y', createdAt: 0 })];
    assert.equal(findNewReplicaSet(d, rss)?.metadata.name, 'a');
    assert.equal(findNewReplicaSet(deployment({ replicas: 1, image: 'z' }), rss), undefined);
  });
});
