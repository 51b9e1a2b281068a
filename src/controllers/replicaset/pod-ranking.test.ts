import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { comparePodsForDeletion, podsToDelete, relatedPodsOnSameNode } from './pod-ranking.js';
import { T0, pod } from './test-fixtures.js';
import type { PodJson } from './workload-types.js';

const NOW = T0 + 10_000 * 1000;

describe('comparePodsForDeletion: the first pod is deleted first', () => {
  const cases: { name: string; first: PodJson; second: PodJson; rank?: [number, number] }[] = [
    { name: 'unscheduled before scheduled', first: pod('a', { phase: 'Pending' }), second: pod('b', { node: 'n1', phase: 'Pending' }) },
    { name: 'pending before running', first: pod('a', { node: 'n1', phase: 'Pending' }), second: pod('b', { node: 'n1', phase: 'Running' }) },
    { name: 'unknown before running', first: pod('a', { node: 'n1', phase: 'Unknown' }), second: pod('b', { node: 'n1' }) },
    { name: 'pending before unknown', first: pod('a', { node: 'n1', phase: 'Pending' }), second: pod('b', { node: 'n1', phase: 'Unknown' }) },
    { name: 'not ready before ready', first: pod('a', { node: 'n1' }), second: pod('b', { node: 'n1', readySince: 0 }) },
    {
      name: 'lower deletion cost first',
      first: pod('a', { node: 'n1', readySince: 0, annotations: { 'controller.kubernetes.io/pod-deletion-cost': '-5' } }),
      second: pod('b', { node: 'n1', readySince: 0 }),
    },
    { name: 'more siblings on the node first', first: pod('a', { node: 'n1', readySince: 0 }), second: pod('b', { node: 'n2', readySince: 0 }), rank: [3, 1] },
    { name: 'ready more recently first (different log2 bucket)', first: pod('a', { node: 'n1', readySince: 9_990 }), second: pod('b', { node: 'n1', readySince: 10 }) },
    { name: 'more restarts first', first: pod('a', { node: 'n1', readySince: 5, restarts: 4 }), second: pod('b', { node: 'n1', readySince: 5, restarts: 1 }) },
    { name: 'newer first', first: pod('a', { node: 'n1', createdAt: 9_000 }), second: pod('b', { node: 'n1', createdAt: 1 }) },
    {
      name: 'same age bucket: ordered by uid',
      first: pod('a', { node: 'n1', createdAt: 5_000 }),
      second: pod('b', { node: 'n1', createdAt: 5_001 }),
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const [ra, rb] = c.rank ?? [0, 0];
      assert.ok(comparePodsForDeletion(c.first, ra, c.second, rb, NOW) < 0, 'first < second');
      assert.ok(comparePodsForDeletion(c.second, rb, c.first, ra, NOW) > 0, 'second > first');
    });
  }
});

describe('podsToDelete', () => {
  const cases: { name: string; pods: PodJson[]; count: number; want: string[] }[] = [
    {
      name: 'picks the not-ready and pending pods before the running ready ones',
      pods: [pod('ready-old', { node: 'n1', readySince: 0 }), pod('pending', { phase: 'Pending' }), pod('not-ready', { node: 'n1' }), pod('ready-new', { node: 'n1', readySince: 9_999 })],
      count: 2,
      want: ['pending', 'not-ready'],
    },
    {
      name: 'among ready pods, the most recently ready goes first',
      pods: [pod('r1', { node: 'n1', readySince: 0 }), pod('r2', { node: 'n1', readySince: 9_999 })],
      count: 1,
      want: ['r2'],
    },
    { name: 'count 0 deletes nothing', pods: [pod('a')], count: 0, want: [] },
    { name: 'count above the number of pods deletes all', pods: [pod('a'), pod('b')], count: 5, want: ['a', 'b'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(
        podsToDelete(c.pods, c.pods, c.count, NOW).map((p) => p.metadata.name),
        c.want,
      );
    });
  }

  test('doubled-up pods rank by ready siblings on their node', () => {
    const pods = [pod('a', { node: 'n1', readySince: 0 }), pod('b', { node: 'n1', readySince: 0 }), pod('c', { node: 'n2', readySince: 0 }), pod('d', { node: 'n3' })];
    assert.deepEqual(relatedPodsOnSameNode(pods, pods), [2, 2, 1, 0]);
    assert.deepEqual(
      podsToDelete(pods.slice(0, 3), pods, 1, NOW).map((p) => p.metadata.name),
      ['a'],
    );
  });
});
