import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNodeInfo } from './node-info.js';
import { fitErrorMessage, schedulePod, type ScheduleResult } from './schedule-pod.js';
import type { Node, Pod, PodSpecShape, Taint } from './scheduling-types.js';

function node(name: string, opts: { labels?: Record<string, string>; taints?: Taint[]; pods?: string } = {}): Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: opts.taints ? { taints: opts.taints } : {},
    status: { allocatable: { cpu: '2', memory: '4Gi', pods: opts.pods ?? '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

function pod(name: string, opts: { owner?: string; labels?: Record<string, string>; spec?: PodSpecShape } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      labels: opts.labels ?? {},
      ...(opts.owner ? { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: opts.owner, controller: true }] } : {}),
    },
    spec: { containers: [{ name: 'c' }], ...opts.spec },
  };
}

describe('schedulePod', () => {
  const n1 = node('node-1');
  const n2 = node('node-2');
  const n3 = node('node-3');
  const cases: { name: string; pod: Pod; nodes: [Node, Pod[]][]; want: ScheduleResult }[] = [
    { name: 'no nodes at all', pod: pod('p'), nodes: [], want: { kind: 'unschedulable', message: 'no nodes available to schedule pods' } },
    { name: 'empty cluster: lowest name wins the tie', pod: pod('p'), nodes: [[n2, []], [n1, []], [n3, []]], want: { kind: 'bind', nodeName: 'node-1' } },
    { name: 'fewest pods wins', pod: pod('p'), nodes: [[n1, [pod('a')]], [n2, []], [n3, [pod('b')]]], want: { kind: 'bind', nodeName: 'node-2' } },
    {
      name: 'equal load: fewer pods of the same owner wins',
      pod: pod('web-2', { owner: 'rs-1' }),
      nodes: [[n1, [pod('web-0', { owner: 'rs-1' })]], [n2, [pod('other', { owner: 'rs-9' })]]],
      want: { kind: 'bind', nodeName: 'node-2' },
    },
    {
      name: 'bare pods group by identical labels',
      pod: pod('p', { labels: { app: 'x' } }),
      nodes: [[n1, [pod('q', { labels: { app: 'x' } })]], [n2, [pod('r', { labels: { app: 'y' } })]]],
      want: { kind: 'bind', nodeName: 'node-2' },
    },
    {
      name: 'PreferNoSchedule steers away',
      pod: pod('p'),
      nodes: [[node('node-1', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }), []], [n2, [pod('a')]]],
      want: { kind: 'bind', nodeName: 'node-2' },
    },
    {
      name: 'nodeSelector limits the choice',
      pod: pod('p', { spec: { nodeSelector: { disktype: 'ssd' } } }),
      nodes: [[n1, []], [node('node-2', { labels: { disktype: 'ssd' } }), [pod('a'), pod('b')]]],
      want: { kind: 'bind', nodeName: 'node-2' },
    },
    {
      name: 'selector matches no node',
      pod: pod('p', { spec: { nodeSelector: { disktype: 'ssd' } } }),
      nodes: [[n1, []], [n2, []], [n3, []]],
      want: {
        kind: 'unschedulable',
        message:
          "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.",
      },
    },
    {
      name: 'mixed reasons are counted and sorted',
      pod: pod('p', { spec: { nodeSelector: { disktype: 'ssd' } } }),
      nodes: [
        [node('node-1', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }), []],
        [node('node-2', { labels: { disktype: 'ssd' }, pods: '1' }), [pod('a')]],
        [n3, []],
      ],
      want: {
        kind: 'unschedulable',
        message:
          "0/3 nodes are available: 1 Too many pods, 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: db}. preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.",
      },
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual(schedulePod(c.pod, c.nodes.map(([n, pods]) => buildNodeInfo(n, pods))), c.want));
  }
});

describe('fitErrorMessage', () => {
  test('preemptionPolicy Never', () => {
    assert.equal(
      fitErrorMessage(1, [{ reasons: ['Insufficient cpu'], resolvable: true }], 'Never'),
      '0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.',
    );
  });
  test('several reasons on one node each count', () => {
    assert.equal(
      fitErrorMessage(2, [{ reasons: ['Insufficient cpu', 'Insufficient memory'], resolvable: true }, { reasons: ['Insufficient cpu'], resolvable: true }], undefined),
      '0/2 nodes are available: 1 Insufficient memory, 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.',
    );
  });
});
