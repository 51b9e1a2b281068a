import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { buildNodeInfo } from './node-info.js';
import { effectiveTaints, filterNode, matchesNodeAffinity, toleratesTaint, type FilterResult } from './node-filters.js';
import { podRequests } from './pod-resources.js';
import type { Node, Pod, PodSpecShape, Taint, Toleration } from './scheduling-types.js';

function node(name: string, opts: { labels?: Record<string, string>; ready?: string; taints?: Taint[]; unschedulable?: boolean; allocatable?: Record<string, string> } = {}): Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...opts.labels } },
    spec: { ...(opts.taints ? { taints: opts.taints } : {}), ...(opts.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: opts.allocatable ?? { cpu: '2', memory: '4Gi', pods: '110' },
      conditions: opts.ready === 'missing' ? [] : [{ type: 'Ready', status: opts.ready ?? 'True' }],
    },
  };
}

function pod(name: string, spec: PodSpecShape = {}): Pod {
  return { metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c' }], ...spec } };
}

const NOT_READY_TOLERATION: Toleration = { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoSchedule' };

describe('toleratesTaint', () => {
  const cases: { name: string; tol: Toleration; taint: Taint; want: boolean }[] = [
    { name: 'Equal with same value', tol: { key: 'k', operator: 'Equal', value: 'v', effect: 'NoSchedule' }, taint: { key: 'k', value: 'v', effect: 'NoSchedule' }, want: true },
    { name: 'empty operator means Equal', tol: { key: 'k', value: 'v' }, taint: { key: 'k', value: 'v', effect: 'NoExecute' }, want: true },
    { name: 'Equal with other value', tol: { key: 'k', value: 'x' }, taint: { key: 'k', value: 'v', effect: 'NoSchedule' }, want: false },
    { name: 'Exists ignores value', tol: { key: 'k', operator: 'Exists' }, taint: { key: 'k', value: 'v', effect: 'NoSchedule' }, want: true },
    { name: 'Exists with empty key matches every taint', tol: { operator: 'Exists' }, taint: { key: 'any', effect: 'NoExecute' }, want: true },
    { name: 'effect must match when set', tol: { key: 'k', operator: 'Exists', effect: 'NoExecute' }, taint: { key: 'k', effect: 'NoSchedule' }, want: false },
    { name: 'key must match when set', tol: { key: 'a', operator: 'Exists' }, taint: { key: 'b', effect: 'NoSchedule' }, want: false },
    { name: 'unknown operator', tol: { key: 'k', operator: 'Gt' }, taint: { key: 'k', effect: 'NoSchedule' }, want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(toleratesTaint(c.tol, c.taint), c.want));
});

describe('effectiveTaints adds the Ready-condition taints', () => {
  const cases: { name: string; n: Node; want: string[] }[] = [
    { name: 'Ready node', n: node('a'), want: [] },
    { name: 'NotReady node', n: node('a', { ready: 'False' }), want: ['node.kubernetes.io/not-ready:NoSchedule'] },
    { name: 'Unknown node', n: node('a', { ready: 'Unknown' }), want: ['node.kubernetes.io/unreachable:NoSchedule'] },
    { name: 'no Ready condition yet', n: node('a', { ready: 'missing' }), want: ['node.kubernetes.io/not-ready:NoSchedule'] },
    {
      name: 'already tainted by the lifecycle controller',
      n: node('a', { ready: 'False', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }),
      want: ['node.kubernetes.io/not-ready:NoSchedule'],
    },
  ];
  for (const c of cases) test(c.name, () => assert.deepEqual(effectiveTaints(c.n).map((t) => `${t.key}:${t.effect}`), c.want));
});

describe('matchesNodeAffinity', () => {
  const n = node('node-1', { labels: { disktype: 'ssd', zone: 'a', cores: '8' } });
  const required = (...terms: object[]): PodSpecShape => ({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } } } });
  const cases: { name: string; spec: PodSpecShape; want: boolean }[] = [
    { name: 'no constraints', spec: {}, want: true },
    { name: 'nodeSelector matches', spec: { nodeSelector: { disktype: 'ssd' } }, want: true },
    { name: 'nodeSelector value differs', spec: { nodeSelector: { disktype: 'hdd' } }, want: false },
    { name: 'nodeSelector label missing', spec: { nodeSelector: { gpu: 'true' } }, want: false },
    { name: 'In', spec: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a', 'b'] }] }), want: true },
    { name: 'NotIn', spec: required({ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }), want: false },
    { name: 'NotIn on a missing label', spec: required({ matchExpressions: [{ key: 'gpu', operator: 'NotIn', values: ['x'] }] }), want: true },
    { name: 'Exists', spec: required({ matchExpressions: [{ key: 'disktype', operator: 'Exists' }] }), want: true },
    { name: 'DoesNotExist', spec: required({ matchExpressions: [{ key: 'disktype', operator: 'DoesNotExist' }] }), want: false },
    { name: 'Gt', spec: required({ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }), want: true },
    { name: 'Lt', spec: required({ matchExpressions: [{ key: 'cores', operator: 'Lt', values: ['4'] }] }), want: false },
    { name: 'Gt on a non-number', spec: required({ matchExpressions: [{ key: 'zone', operator: 'Gt', values: ['4'] }] }), want: false },
    {
      name: 'terms are ORed',
      spec: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['z'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }),
      want: true,
    },
    {
      name: 'expressions in a term are ANDed',
      spec: required({ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }, { key: 'disktype', operator: 'In', values: ['hdd'] }] }),
      want: false,
    },
    { name: 'an empty term matches nothing', spec: required({}), want: false },
    { name: 'matchFields on metadata.name', spec: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1'] }] }), want: true },
    { name: 'matchFields on another node', spec: required({ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-2'] }] }), want: false },
    { name: 'selector and affinity must both hold', spec: { nodeSelector: { disktype: 'hdd' }, ...required({ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }) }, want: false },
  ];
  for (const c of cases) test(c.name, () => assert.equal(matchesNodeAffinity(pod('p', c.spec), n), c.want));
});

describe('filterNode', () => {
  const small = { cpu: '1', memory: '1Gi', pods: '2' };
  const withRequests = (cpu: string, memory: string): PodSpecShape => ({ containers: [{ name: 'c', resources: { requests: { cpu, memory } } }] });
  const cases: { name: string; n: Node; placed?: Pod[]; spec?: PodSpecShape; want: FilterResult }[] = [
    { name: 'fits', n: node('a'), want: { fits: true } },
    { name: 'cordoned', n: node('a', { unschedulable: true }), want: { fits: false, reasons: ['node(s) were unschedulable'], resolvable: false } },
    {
      name: 'cordoned but tolerated',
      n: node('a', { unschedulable: true }),
      spec: { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] },
      want: { fits: true },
    },
    {
      name: 'NoSchedule taint',
      n: node('a', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      want: { fits: false, reasons: ['node(s) had untolerated taint {dedicated: db}'], resolvable: false },
    },
    { name: 'PreferNoSchedule taint does not filter', n: node('a', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }), want: { fits: true } },
    {
      name: 'NotReady node',
      n: node('a', { ready: 'False' }),
      // The admission default tolerations are NoExecute only, so they do not help.
      spec: { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }] },
      want: { fits: false, reasons: ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'], resolvable: false },
    },
    { name: 'NotReady node, pod tolerates not-ready', n: node('a', { ready: 'False' }), spec: { tolerations: [NOT_READY_TOLERATION] }, want: { fits: true } },
    {
      name: 'unreachable node',
      n: node('a', { ready: 'Unknown' }),
      want: { fits: false, reasons: ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'], resolvable: false },
    },
    {
      name: 'selector mismatch',
      n: node('a'),
      spec: { nodeSelector: { disktype: 'ssd' } },
      want: { fits: false, reasons: ["node(s) didn't match Pod's node affinity/selector"], resolvable: false },
    },
    { name: 'too many pods', n: node('a', { allocatable: small }), placed: [pod('x'), pod('y')], want: { fits: false, reasons: ['Too many pods'], resolvable: true } },
    { name: 'cpu fits exactly', n: node('a', { allocatable: small }), spec: withRequests('1', '1Gi'), want: { fits: true } },
    {
      name: 'cpu and memory insufficient after placed pods',
      n: node('a', { allocatable: small }),
      placed: [pod('x', withRequests('500m', '512Mi'))],
      spec: withRequests('600m', '600Mi'),
      want: { fits: false, reasons: ['Insufficient cpu', 'Insufficient memory'], resolvable: true },
    },
    {
      name: 'memory only',
      n: node('a', { allocatable: small }),
      spec: withRequests('100m', '2Gi'),
      want: { fits: false, reasons: ['Insufficient memory'], resolvable: true },
    },
    {
      name: 'a node without resources in its status is unbounded',
      n: { metadata: { name: 'bare' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      spec: withRequests('64', '1Ti'),
      want: { fits: true },
    },
    {
      name: 'the first failing plugin decides (taint before selector)',
      n: node('a', { taints: [{ key: 'k', effect: 'NoExecute' }] }),
      spec: { nodeSelector: { disktype: 'ssd' } },
      want: { fits: false, reasons: ['node(s) had untolerated taint {k: }'], resolvable: false },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const p = pod('p', c.spec);
      assert.deepEqual(filterNode(p, podRequests(p.spec), buildNodeInfo(c.n, c.placed ?? [])), c.want);
    });
  }
});
