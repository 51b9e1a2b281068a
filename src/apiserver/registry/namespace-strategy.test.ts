import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { cloneJson } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { namespaceStrategy } from './namespace-strategy.js';

function created(obj: KubeObject): KubeObject {
  namespaceStrategy.prepareForCreate?.(obj);
  namespaceStrategy.defaults?.(obj);
  return obj;
}

describe('namespace', () => {
  test('create: name label, kubernetes finalizer, phase Active', () => {
    const obj = created({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', labels: { team: 'a' } } });
    assert.deepEqual(obj, {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'dev', labels: { team: 'a', 'kubernetes.io/metadata.name': 'dev' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
  });

  test('the name label cannot be changed by an update', () => {
    const old = created({ metadata: { name: 'dev' } });
    const next = cloneJson(old);
    next.metadata.labels = { 'kubernetes.io/metadata.name': 'prod' };
    namespaceStrategy.prepareForUpdate?.(next, old);
    namespaceStrategy.defaults?.(next);
    assert.equal(next.metadata.labels?.['kubernetes.io/metadata.name'], 'dev');
  });

  test('spec.finalizers and status are kept on update', () => {
    const old = created({ metadata: { name: 'dev' } });
    const next = cloneJson(old);
    next['spec'] = { finalizers: [] };
    next['status'] = { phase: 'Terminating' };
    namespaceStrategy.prepareForUpdate?.(next, old);
    assert.deepEqual(next['spec'], { finalizers: ['kubernetes'] });
    assert.deepEqual(next['status'], { phase: 'Active' });
  });

  test('finalizer names', () => {
    const obj = created({ metadata: { name: 'dev' }, spec: { finalizers: ['example.com/cleanup', 'cleanup'] } });
    assert.deepEqual((namespaceStrategy.validateCreate?.(obj) ?? []).map(fieldErrorString), [
      'spec.finalizers: Invalid value: "cleanup": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });

  test('status phase must agree with deletionTimestamp', () => {
    const obj = created({ metadata: { name: 'dev' } });
    obj['status'] = { phase: 'Terminating' };
    assert.deepEqual((namespaceStrategy.validateStatusUpdate?.(obj, obj) ?? []).map(fieldErrorString), [
      'status.Phase: Invalid value: "Terminating": may only be \'Active\' if `deletionTimestamp` is empty',
    ]);
  });

  test('field label status.phase', () => {
    assert.deepEqual(namespaceStrategy.fieldLabels?.(created({ metadata: { name: 'dev' } })), { 'status.phase': 'Active' });
  });
});
