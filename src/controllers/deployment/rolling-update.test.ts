import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { deployment, rs } from '../replicaset/test-fixtures.js';
import type { ReplicaSetJson } from '../replicaset/workload-types.js';
import { maxSurge, maxUnavailable, newRSNewReplicas, planOldReplicaSetScaleDown, resolveFenceposts, scaledValue } from './rolling-update.js';

describe('scaledValue', () => {
  const cases: [number | string, number, boolean, number][] = [
    [2, 10, true, 2],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['25%', 3, true, 1],
    ['25%', 3, false, 0],
    ['100%', 7, false, 7],
    ['0%', 7, true, 0],
  ];
  for (const [v, total, up, want] of cases) test(`${String(v)} of ${total} rounded ${up ? 'up' : 'down'} = ${want}`, () => assert.equal(scaledValue(v, total, up), want));
  test('a non-percentage string is an error', () => assert.throws(() => scaledValue('5', 10, true), /not a percentage/));
});

describe('resolveFenceposts', () => {
  const cases: { surge: number | string; unavailable: number | string; desired: number; want: [number, number] }[] = [
    { surge: '25%', unavailable: '25%', desired: 4, want: [1, 1] },
    { surge: '25%', unavailable: '25%', desired: 10, want: [3, 2] },
    { surge: 0, unavailable: '25%', desired: 3, want: [0, 1] }, // both 0 after rounding: maxUnavailable becomes 1
    { surge: 2, unavailable: 0, desired: 5, want: [2, 0] },
    { surge: '50%', unavailable: 1, desired: 1, want: [1, 1] },
  ];
  for (const c of cases) {
    test(`${String(c.surge)}/${String(c.unavailable)} of ${c.desired}`, () => {
      const f = resolveFenceposts(c.surge, c.unavailable, c.desired);
      assert.deepEqual([f.maxSurge, f.maxUnavailable], c.want);
    });
  }
  test('maxUnavailable is 0 for Recreate and for 0 replicas, and capped at replicas', () => {
    assert.equal(maxUnavailable(deployment({ replicas: 3, strategy: 'Recreate' })), 0);
    assert.equal(maxUnavailable(deployment({ replicas: 0 })), 0);
    assert.equal(maxUnavailable(deployment({ replicas: 2, maxUnavailable: 5 })), 2);
    assert.equal(maxSurge(deployment({ replicas: 3, strategy: 'Recreate' })), 0);
  });
});

describe('newRSNewReplicas', () => {
  const cases: { name: string; replicas: number; surge: number; newSize: number; oldSizes: number[]; want: number }[] = [
    { name: 'fresh rollout grows by maxSurge', replicas: 10, surge: 3, newSize: 0, oldSizes: [10], want: 3 },
    { name: 'no room above replicas + maxSurge', replicas: 10, surge: 3, newSize: 3, oldSizes: [10], want: 3 },
    { name: 'room freed by scaled-down old RSes', replicas: 10, surge: 3, newSize: 3, oldSizes: [8], want: 5 },
    { name: 'never above replicas', replicas: 10, surge: 3, newSize: 9, oldSizes: [0], want: 10 },
    { name: 'new deployment without old RSes', replicas: 4, surge: 1, newSize: 0, oldSizes: [], want: 4 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = deployment({ replicas: c.replicas, maxSurge: c.surge, maxUnavailable: 1 });
      const newRS = rs('new', { replicas: c.newSize });
      const all = [...c.oldSizes.map((n, i) => rs(`old${i}`, { replicas: n })), newRS];
      assert.equal(newRSNewReplicas(d, all, newRS), c.want);
    });
  }
  test('Recreate goes straight to replicas', () => {
    assert.equal(newRSNewReplicas(deployment({ replicas: 5, strategy: 'Recreate' }), [], rs('new', { replicas: 0 })), 5);
  });
});

describe('planOldReplicaSetScaleDown', () => {
  interface Case {
    name: string;
    replicas: number;
    surge: number;
    unavailable: number;
    old: { replicas: number; available: number; createdAt?: number }[];
    newRS: { replicas: number; available: number };
    want: [string, number][];
  }
  const cases: Case[] = [
    {
      name: 'healthy old RS scales down by what availability allows',
      replicas: 10,
      surge: 3,
      unavailable: 2,
      old: [{ replicas: 10, available: 10 }],
      newRS: { replicas: 3, available: 0 },
      want: [['old0', 8]],
    },
    {
      name: 'unavailable new pods block scaling down',
      replicas: 10,
      surge: 3,
      unavailable: 0,
      old: [{ replicas: 10, available: 10 }],
      newRS: { replicas: 3, available: 0 },
      want: [],
    },
    {
      name: 'unhealthy old replicas go first',
      replicas: 10,
      surge: 0,
      unavailable: 2,
      old: [{ replicas: 10, available: 7 }],
      newRS: { replicas: 0, available: 0 },
      want: [['old0', 8]],
    },
    {
      name: 'oldest ReplicaSet first',
      replicas: 4,
      surge: 1,
      unavailable: 1,
      old: [
        { replicas: 2, available: 2, createdAt: 100 },
        { replicas: 2, available: 2, createdAt: 0 },
      ],
      newRS: { replicas: 1, available: 1 },
      want: [['old1', 0]],
    },
    {
      name: 'new pods available: all old pods can go',
      replicas: 3,
      surge: 1,
      unavailable: 0,
      old: [{ replicas: 1, available: 1 }],
      newRS: { replicas: 3, available: 3 },
      want: [['old0', 0]],
    },
    { name: 'nothing old left', replicas: 3, surge: 1, unavailable: 0, old: [{ replicas: 0, available: 0 }], newRS: { replicas: 3, available: 3 }, want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const d = deployment({ replicas: c.replicas, maxSurge: c.surge, maxUnavailable: c.unavailable });
      const old: ReplicaSetJson[] = c.old.map((o, i) => rs(`old${i}`, { replicas: o.replicas, available: o.available, createdAt: o.createdAt ?? 0 }));
      const newRS = rs('new', { replicas: c.newRS.replicas, available: c.newRS.available, createdAt: 1000 });
      assert.deepEqual(
        planOldReplicaSetScaleDown(d, old, newRS).map((s) => [s.name, s.replicas]),
        c.want,
      );
    });
  }
});
