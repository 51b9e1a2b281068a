import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deployment, rs } from '../replicaset/test-fixtures.js';
import { maxRevision, replicaSetsToCleanUp, revisionOf, setNewReplicaSetAnnotations } from './revision.js';

describe('revisions', () => {
  test('revisionOf and maxRevision', () => {
    assert.equal(revisionOf(rs('a', { replicas: 1, revision: 4 })), 4);
    assert.equal(revisionOf(rs('a', { replicas: 1 })), 0);
    assert.equal(revisionOf(rs('a', { replicas: 1, annotations: { 'deployment.kubernetes.io/revision': 'x' } })), 0);
    assert.equal(maxRevision([rs('a', { replicas: 1, revision: 2 }), rs('b', { replicas: 1, revision: 7 })]), 7);
    assert.equal(maxRevision([]), 0);
  });
});

describe('setNewReplicaSetAnnotations', () => {
  const d = deployment({
    replicas: 4,
    maxSurge: 1,
    annotations: { team: 'a', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '9', 'kubernetes.io/change-cause': 'set image' },
  });
  const cases: { name: string; existing: Record<string, string>; exists: boolean; revision: number; changed: boolean; want: Record<string, string> }[] = [
    {
      name: 'a ReplicaSet about to be created gets revision, replicas and the copied annotations',
      existing: {},
      exists: false,
      revision: 1,
      changed: true,
      want: {
        team: 'a',
        'kubernetes.io/change-cause': 'set image',
        'deployment.kubernetes.io/revision': '1',
        'deployment.kubernetes.io/desired-replicas': '4',
        'deployment.kubernetes.io/max-replicas': '5',
      },
    },
    {
      name: 'an old ReplicaSet becoming new again (rollback) keeps its revision history',
      existing: { team: 'a', 'kubernetes.io/change-cause': 'set image', 'deployment.kubernetes.io/revision': '1' },
      exists: true,
      revision: 3,
      changed: true,
      want: { team: 'a', 'kubernetes.io/change-cause': 'set image', 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' },
    },
    {
      name: 'the history grows',
      existing: { team: 'a', 'kubernetes.io/change-cause': 'set image', 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' },
      exists: true,
      revision: 5,
      changed: true,
      want: { team: 'a', 'kubernetes.io/change-cause': 'set image', 'deployment.kubernetes.io/revision': '5', 'deployment.kubernetes.io/revision-history': '1,3' },
    },
    {
      name: 'a higher revision already there is kept',
      existing: { team: 'a', 'kubernetes.io/change-cause': 'set image', 'deployment.kubernetes.io/revision': '6' },
      exists: true,
      revision: 5,
      changed: false,
      want: { team: 'a', 'kubernetes.io/change-cause': 'set image', 'deployment.kubernetes.io/revision': '6' },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = rs('web-1', { replicas: 0, annotations: c.existing });
      assert.equal(setNewReplicaSetAnnotations(d, r, c.revision, c.exists), c.changed);
      assert.deepEqual(r.metadata.annotations, c.want);
    });
  }
});

describe('replicaSetsToCleanUp', () => {
  const old = [
    rs('r1', { replicas: 0, revision: 1 }),
    rs('r2', { replicas: 0, revision: 2 }),
    rs('r3', { replicas: 1, revision: 3 }),
    rs('r4', { replicas: 0, revision: 4 }),
  ];
  const cases: { name: string; limit: number | undefined; olds: typeof old; want: string[] }[] = [
    { name: 'keeps revisionHistoryLimit old ReplicaSets, deleting the oldest revisions', limit: 2, olds: old, want: ['r1', 'r2'] },
    { name: 'skips ReplicaSets that still have replicas', limit: 1, olds: old, want: ['r1', 'r2'] },
    { name: 'limit 0 removes every empty old ReplicaSet', limit: 0, olds: old, want: ['r1', 'r2', 'r4'] },
    { name: 'within the limit nothing goes', limit: 10, olds: old, want: [] },
    {
      name: 'skips ReplicaSets whose spec change was not yet observed',
      limit: 0,
      olds: [rs('r1', { replicas: 0, revision: 1, generation: 3, observedGeneration: 2 })],
      want: [],
    },
    { name: 'skips ReplicaSets that still report pods', limit: 0, olds: [rs('r1', { replicas: 0, actual: 1, revision: 1 })], want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = deployment({ replicas: 1, revisionHistoryLimit: c.limit });
      assert.deepEqual(
        replicaSetsToCleanUp(d, c.olds).map((r) => r.metadata.name),
        c.want,
      );
    });
  }
});
