import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { T0, at, deployment, rs } from '../replicaset/test-fixtures.js';
import type { ConditionJson, DeploymentStatusJson } from '../replicaset/workload-types.js';
import { calculateStatus, deploymentTimedOut, rolloutStatus, setCondition, statusEqual, stuckRequeueMs } from './deployment-status.js';

const NOW = T0 + 100_000;

const cond = (s: DeploymentStatusJson, type: string): ConditionJson | undefined => s.conditions?.find((c) => c.type === type);

describe('calculateStatus', () => {
  test('sums the ReplicaSets and sets Available', () => {
    const d = deployment({ replicas: 4, maxUnavailable: 1, maxSurge: 1, generation: 3 });
    const newRS = rs('new', { replicas: 2, actual: 2, available: 1, ready: 2 });
    const old = rs('old', { replicas: 3, actual: 3, available: 3 });
    const s = calculateStatus([old, newRS], newRS, d, NOW);
    assert.deepEqual(
      { ...s, conditions: undefined },
      { observedGeneration: 3, replicas: 5, updatedReplicas: 2, readyReplicas: 5, availableReplicas: 4, unavailableReplicas: 1, conditions: undefined },
    );
    assert.deepEqual(cond(s, 'Available'), {
      type: 'Available',
      status: 'True',
      reason: 'MinimumReplicasAvailable',
      message: 'Deployment has minimum availability.',
      lastUpdateTime: at(100),
      lastTransitionTime: at(100),
    });
  });

  test('below replicas - maxUnavailable: MinimumReplicasUnavailable', () => {
    const d = deployment({ replicas: 4, maxUnavailable: 1, maxSurge: 1 });
    const s = calculateStatus([rs('new', { replicas: 4, available: 2 })], undefined, d, NOW);
    assert.equal(cond(s, 'Available')?.status, 'False');
    assert.equal(cond(s, 'Available')?.reason, 'MinimumReplicasUnavailable');
  });

  test('unavailableReplicas never goes negative', () => {
    const d = deployment({ replicas: 1 });
    const s = calculateStatus([rs('new', { replicas: 1, actual: 3, available: 3 })], undefined, d, NOW);
    assert.equal(s.unavailableReplicas, 0);
  });
});

describe('setCondition', () => {
  test('same status and reason: untouched; same status, new reason: keeps lastTransitionTime', () => {
    const s: DeploymentStatusJson = { conditions: [{ type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: at(1), lastUpdateTime: at(1) }] };
    setCondition(s, { type: 'Progressing', status: 'True', reason: 'A', message: 'x', lastTransitionTime: at(5), lastUpdateTime: at(5) });
    assert.equal(cond(s, 'Progressing')?.message, undefined);
    setCondition(s, { type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: at(5), lastUpdateTime: at(5) });
    assert.deepEqual(cond(s, 'Progressing'), { type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: at(1), lastUpdateTime: at(5) });
    setCondition(s, { type: 'Progressing', status: 'False', reason: 'C', lastTransitionTime: at(7), lastUpdateTime: at(7) });
    assert.equal(cond(s, 'Progressing')?.lastTransitionTime, at(7));
  });
});

describe('rolloutStatus: the Progressing condition', () => {
  const progressing = (reason: string, updated: number): ConditionJson => ({
    type: 'Progressing',
    status: 'True',
    reason,
    message: 'm',
    lastUpdateTime: at(updated),
    lastTransitionTime: at(0),
  });
  interface Case {
    name: string;
    status: DeploymentStatusJson;
    newRS: { replicas: number; available: number };
    old?: { replicas: number; available: number };
    want: [string, string, string];
  }
  const cases: Case[] = [
    {
      name: 'complete: NewReplicaSetAvailable',
      status: { conditions: [progressing('ReplicaSetUpdated', 90)] },
      newRS: { replicas: 3, available: 3 },
      want: ['True', 'NewReplicaSetAvailable', 'ReplicaSet "new" has successfully progressed.'],
    },
    {
      name: 'progress made: ReplicaSetUpdated',
      status: { replicas: 3, updatedReplicas: 1, availableReplicas: 2, conditions: [progressing('NewReplicaSetCreated', 90)] },
      newRS: { replicas: 2, available: 1 },
      old: { replicas: 2, available: 2 },
      want: ['True', 'ReplicaSetUpdated', 'ReplicaSet "new" is progressing.'],
    },
    {
      name: 'no progress past the deadline: ProgressDeadlineExceeded',
      status: { replicas: 3, updatedReplicas: 1, availableReplicas: 2, readyReplicas: 3, conditions: [progressing('ReplicaSetUpdated', -600)] },
      newRS: { replicas: 1, available: 0 },
      old: { replicas: 2, available: 2 },
      want: ['False', 'ProgressDeadlineExceeded', 'ReplicaSet "new" has timed out progressing.'],
    },
    {
      name: 'no progress within the deadline: unchanged',
      status: { replicas: 3, updatedReplicas: 1, availableReplicas: 2, readyReplicas: 3, conditions: [progressing('ReplicaSetUpdated', 50)] },
      newRS: { replicas: 1, available: 0 },
      old: { replicas: 2, available: 2 },
      want: ['True', 'ReplicaSetUpdated', 'm'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = deployment({ replicas: 3, maxSurge: 1, maxUnavailable: 1, status: c.status });
      const newRS = rs('new', { replicas: c.newRS.replicas, available: c.newRS.available, ready: c.newRS.available });
      const all = c.old ? [rs('old', { replicas: c.old.replicas, available: c.old.available }), newRS] : [newRS];
      const p = cond(rolloutStatus(all, newRS, d, NOW), 'Progressing');
      assert.deepEqual([p?.status, p?.reason, p?.message], c.want);
    });
  }

  test('a ReplicaFailure of the new ReplicaSet is copied', () => {
    const d = deployment({ replicas: 1 });
    const newRS = rs('new', { replicas: 1, actual: 0 });
    newRS.status!.conditions = [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: at(3) }];
    const f = cond(rolloutStatus([newRS], newRS, d, NOW), 'ReplicaFailure');
    assert.deepEqual(f, { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: at(3), lastUpdateTime: at(3) });
  });

  test('without a progress deadline there is no Progressing condition', () => {
    const d = deployment({ replicas: 1, progressDeadlineSeconds: 2147483647, status: { conditions: [progressing('ReplicaSetUpdated', 0)] } });
    const newRS = rs('new', { replicas: 1 });
    assert.equal(cond(rolloutStatus([newRS], newRS, d, NOW), 'Progressing'), undefined);
  });
});

describe('deadline bookkeeping', () => {
  test('deploymentTimedOut compares lastUpdateTime + deadline with now', () => {
    const d = deployment({ replicas: 1, progressDeadlineSeconds: 60 });
    const status = (t: number, reason = 'ReplicaSetUpdated'): DeploymentStatusJson => ({
      conditions: [{ type: 'Progressing', status: 'True', reason, lastUpdateTime: at(t) }],
    });
    assert.equal(deploymentTimedOut(d, status(30), NOW), true);
    assert.equal(deploymentTimedOut(d, status(50), NOW), false);
    assert.equal(deploymentTimedOut(d, status(0, 'NewReplicaSetAvailable'), NOW), false);
  });

  test('stuckRequeueMs: a second after the deadline', () => {
    const d = deployment({ replicas: 2, progressDeadlineSeconds: 60 });
    d.status = { conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: at(90) }] };
    assert.equal(stuckRequeueMs(d, { replicas: 2, updatedReplicas: 1 }, NOW), 51_000);
    d.status.conditions![0]!.lastUpdateTime = at(40);
    assert.equal(stuckRequeueMs(d, { replicas: 2, updatedReplicas: 1 }, NOW), 1000, 'already due');
    assert.equal(stuckRequeueMs(d, { replicas: 2, updatedReplicas: 2, availableReplicas: 2, observedGeneration: 1 }, NOW), undefined, 'complete');
  });

  test('statusEqual treats missing counters as 0', () => {
    assert.equal(statusEqual({}, { replicas: 0, observedGeneration: 0 }), true);
    assert.equal(statusEqual({ replicas: 1 }, { replicas: 2 }), false);
  });
});
