import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deployment, rs } from '../replicaset/test-fixtures.js';
import type { ReplicaSetJson } from '../replicaset/workload-types.js';
import { findActiveOrLatest, planScale } from './proportional-scale.js';

/** A ReplicaSet last scaled for a Deployment of `prev` replicas with maxSurge 0. */
function sized(name: string, replicas: number, prev: number, createdAt: number, available = replicas): ReplicaSetJson {
  return rs(name, {
    replicas,
    available,
    createdAt,
    annotations: { 'deployment.kubernetes.io/desired-replicas': String(prev), 'deployment.kubernetes.io/max-replicas': String(prev) },
  });
}

describe('planScale (the upstream TestScale cases, maxSurge 0)', () => {
  interface Case {
    name: string;
    replicas: number;
    newRS?: [number, number];
    old: [number, number][];
    prev: number;
    want: Record<string, number>;
  }
  const cases: Case[] = [
    { name: 'normal scaling event: 10 -> 12', replicas: 12, newRS: [10, 0], old: [], prev: 10, want: { new: 12 } },
    { name: 'normal scaling event: 10 -> 5', replicas: 5, newRS: [10, 0], old: [], prev: 10, want: { new: 5 } },
    { name: 'proportional scaling: 5 -> 10', replicas: 10, newRS: [2, 10], old: [[3, 0]], prev: 5, want: { new: 4, old0: 6 } },
    { name: 'proportional scaling: 5 -> 3', replicas: 3, newRS: [2, 10], old: [[3, 0]], prev: 5, want: { new: 1, old0: 2 } },
    { name: 'proportional scaling: 9 -> 4', replicas: 4, newRS: [8, 10], old: [[1, 0]], prev: 9, want: { new: 4, old0: 0 } },
    { name: 'proportional scaling: 7 -> 10', replicas: 10, newRS: [2, 10], old: [[3, 0], [2, 1]], prev: 7, want: { new: 3, old0: 4, old1: 3 } },
    { name: 'proportional scaling: 13 -> 8', replicas: 8, newRS: [2, 10], old: [[8, 0], [3, 1]], prev: 13, want: { new: 1, old0: 5, old1: 2 } },
    { name: 'scaling to zero takes every ReplicaSet down', replicas: 0, newRS: [2, 10], old: [[3, 0]], prev: 5, want: { new: 0, old0: 0 } },
    { name: 'only an old ReplicaSet active: it takes the new size', replicas: 6, newRS: [0, 10], old: [[3, 0]], prev: 3, want: { old0: 6 } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = deployment({ replicas: c.replicas, maxSurge: 0, maxUnavailable: 1 });
      d.status = { replicas: c.prev };
      const newRS = c.newRS ? sized('new', c.newRS[0], c.prev, c.newRS[1]) : undefined;
      const old = c.old.map(([n, t], i) => sized(`old${i}`, n, c.prev, t));
      const got = Object.fromEntries(planScale(d, newRS, old).map((s) => [s.name, s.replicas]));
      for (const [name, want] of Object.entries(c.want)) assert.equal(got[name], want, name);
    });
  }

  test('a saturated new ReplicaSet scales the old ones to zero', () => {
    const d = deployment({ replicas: 3, maxSurge: 0, maxUnavailable: 1 });
    const newRS = sized('new', 3, 3, 10, 3);
    const steps = planScale(d, newRS, [sized('old0', 1, 3, 0)]);
    assert.deepEqual(
      steps.map((s) => [s.name, s.replicas]),
      [['old0', 0]],
    );
  });

  test('no change when the only ReplicaSet already has the size', () => {
    assert.deepEqual(planScale(deployment({ replicas: 3 }), sized('new', 3, 3, 0), []), []);
  });
});

test('findActiveOrLatest', () => {
  const a = rs('a', { replicas: 0, createdAt: 0 });
  const b = rs('b', { replicas: 0, createdAt: 10 });
  const n = rs('n', { replicas: 0, createdAt: 20 });
  assert.equal(findActiveOrLatest(n, [a, b])?.metadata.name, 'n', 'none active: the new one');
  assert.equal(findActiveOrLatest(undefined, [a, b])?.metadata.name, 'b', 'none active, no new one: the newest old one');
  assert.equal(findActiveOrLatest(n, [rs('a', { replicas: 2 }), b])?.metadata.name, 'a', 'the single active one');
  assert.equal(findActiveOrLatest(rs('n', { replicas: 1 }), [rs('a', { replicas: 2 })]), undefined, 'several active');
  assert.equal(findActiveOrLatest(undefined, []), undefined);
});
