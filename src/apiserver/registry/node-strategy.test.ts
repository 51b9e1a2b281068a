import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { cloneJson } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { nodeStrategy } from './node-strategy.js';

const node = (spec: Record<string, unknown>, status?: Record<string, unknown>): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Node',
  metadata: { name: 'node-1' },
  spec,
  ...(status ? { status } : {}),
});

describe('node', () => {
  test('podCIDR and podCIDRs are kept in step; allocatable defaults to capacity', () => {
    const obj = node({ podCIDR: '10.244.1.0/24' }, { capacity: { cpu: '4', pods: '110' } });
    nodeStrategy.defaults?.(obj);
    assert.deepEqual(obj['spec'], { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] });
    assert.deepEqual((obj['status'] as any).allocatable, { cpu: '4', pods: '110' });
  });

  test('status is kept on a main-resource update', () => {
    const old = node({}, { capacity: { cpu: '4' } });
    const next = cloneJson(old);
    next['status'] = {};
    nodeStrategy.prepareForUpdate?.(next, old);
    assert.deepEqual(next['status'], { capacity: { cpu: '4' } });
  });

  const cases: { name: string; spec: Record<string, unknown>; expect: string[] }[] = [
    { name: 'valid taints', spec: { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }, expect: [] },
    {
      name: 'bad taint effect (reported under metadata.taints, as upstream)',
      spec: { taints: [{ key: 'dedicated', effect: 'Never' }] },
      expect: ['metadata.taints[0].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'],
    },
    {
      name: 'bad pod CIDR',
      spec: { podCIDRs: ['10.244.1.0/33'] },
      expect: ['spec.podCIDRs[0]: Invalid value: "10.244.1.0/33": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual((nodeStrategy.validateCreate?.(node(c.spec)) ?? []).map(fieldErrorString), c.expect));
  }

  test('podCIDRs are set-once', () => {
    const old = node({ podCIDRs: ['10.244.1.0/24'] });
    const next = node({ podCIDRs: ['10.244.2.0/24'] });
    assert.deepEqual((nodeStrategy.validateUpdate?.(next, old) ?? []).map(fieldErrorString), [
      'spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid',
    ]);
    assert.deepEqual(nodeStrategy.validateUpdate?.(node({ podCIDRs: ['10.244.1.0/24'] }), node({})), []);
  });

  test('field label spec.unschedulable', () => {
    assert.deepEqual(nodeStrategy.fieldLabels?.(node({ unschedulable: true })), { 'spec.unschedulable': 'true' });
    assert.deepEqual(nodeStrategy.fieldLabels?.(node({})), { 'spec.unschedulable': 'false' });
  });
});
