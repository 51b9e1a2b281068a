import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorString } from '../field-errors.js';
import { leaseStrategy } from './lease-strategy.js';

describe('lease', () => {
  const cases: { name: string; spec: Record<string, unknown>; expect: string[] }[] = [
    { name: 'valid', spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40, leaseTransitions: 0 }, expect: [] },
    { name: 'duration must be positive', spec: { leaseDurationSeconds: 0 }, expect: ['spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0'] },
    { name: 'transitions not negative', spec: { leaseTransitions: -1 }, expect: ['spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0'] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const obj = { metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: c.spec };
      assert.deepEqual((leaseStrategy.validateCreate?.(obj) ?? []).map(fieldErrorString), c.expect);
    });
  }
});
