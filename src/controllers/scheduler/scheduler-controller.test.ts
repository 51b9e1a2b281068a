import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { needsScheduling, nodeChangeMayHelp } from './scheduler-controller.js';
import type { Node, Pod } from './scheduling-types.js';

describe('needsScheduling', () => {
  const base: Pod = { metadata: { name: 'p', namespace: 'default' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Pending' } };
  const cases: { name: string; pod: Pod; want: boolean }[] = [
    { name: 'unbound pending pod', pod: base, want: true },
    { name: 'explicit default-scheduler', pod: { ...base, spec: { ...base.spec, schedulerName: 'default-scheduler' } }, want: true },
    { name: 'another scheduler', pod: { ...base, spec: { ...base.spec, schedulerName: 'my-scheduler' } }, want: false },
    { name: 'already bound', pod: { ...base, spec: { ...base.spec, nodeName: 'node-1' } }, want: false },
    { name: 'being deleted', pod: { ...base, metadata: { ...base.metadata, deletionTimestamp: '2026-01-01T00:00:00Z' } }, want: false },
    { name: 'failed before scheduling', pod: { ...base, status: { phase: 'Failed' } }, want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(needsScheduling(c.pod), c.want));
});

describe('nodeChangeMayHelp', () => {
  const node: Node = {
    metadata: { name: 'n', labels: { a: '1' }, resourceVersion: '1' },
    spec: {},
    status: { allocatable: { pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
  const cases: { name: string; next: Node; want: boolean }[] = [
    { name: 'heartbeat only', next: { ...node, metadata: { ...node.metadata, resourceVersion: '2' } }, want: false },
    { name: 'label added', next: { ...node, metadata: { ...node.metadata, labels: { a: '1', b: '2' } } }, want: true },
    { name: 'no change', next: node, want: false },
    { name: 'uncordoned', next: { ...node, spec: { unschedulable: false } }, want: false },
    { name: 'cordoned', next: { ...node, spec: { unschedulable: true } }, want: true },
    { name: 'allocatable grew', next: { ...node, status: { ...node.status, allocatable: { pods: '200' } } }, want: true },
    { name: 'became NotReady', next: { ...node, status: { ...node.status, conditions: [{ type: 'Ready', status: 'False' }] } }, want: true },
  ];
  for (const c of cases) test(c.name, () => assert.equal(nodeChangeMayHelp(node, c.next), c.want));
  test('a removed taint counts', () => {
    const tainted: Node = { ...node, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }] } };
    assert.equal(nodeChangeMayHelp(tainted, node), true);
  });
});
