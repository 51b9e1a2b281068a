import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { cloneJson } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { replicaSetStrategy } from './replicaset-strategy.js';

function rs(): KubeObject {
  const obj: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-5d4f', namespace: 'default' },
    spec: {
      selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web'] }] },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } },
    },
    status: { replicas: 7 },
  };
  replicaSetStrategy.prepareForCreate?.(obj);
  replicaSetStrategy.defaults?.(obj);
  return obj;
}

describe('replicaset', () => {
  test('defaults: one replica, defaulted template, cleared status', () => {
    const obj = rs();
    assert.equal((obj['spec'] as any).replicas, 1);
    assert.equal((obj['spec'] as any).template.spec.dnsPolicy, 'ClusterFirst');
    assert.deepEqual(obj['status'], {});
    assert.deepEqual(replicaSetStrategy.validateCreate?.(obj), []);
  });

  const cases: { name: string; mutate: (o: any) => void; expect: string[] }[] = [
    {
      name: 'matchExpressions not satisfied by the template',
      mutate: (o) => (o.spec.template.metadata.labels = { app: 'api' }),
      expect: ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"api"}: `selector` does not match template `labels`'],
    },
    {
      name: 'In without values is an invalid selector',
      mutate: (o) => (o.spec.selector.matchExpressions[0].values = []),
      expect: [
        "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
        'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"app", Operator:"In", Values:[]string{}}}}: invalid label selector',
      ],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const obj = rs();
      c.mutate(obj);
      assert.deepEqual((replicaSetStrategy.validateCreate?.(obj) ?? []).map(fieldErrorString), c.expect);
    });
  }

  test('field label status.replicas', () => {
    const obj = rs();
    assert.deepEqual(replicaSetStrategy.fieldLabels?.(obj), { 'status.replicas': '0' });
    obj['status'] = { replicas: 3 };
    assert.deepEqual(replicaSetStrategy.fieldLabels?.(obj), { 'status.replicas': '3' });
  });

  test('a spec change bumps the generation, status is kept', () => {
    const old = rs();
    old['status'] = { replicas: 1 };
    const next = cloneJson(old);
    (next['spec'] as any).replicas = 2;
    next['status'] = {};
    replicaSetStrategy.prepareForUpdate?.(next, old);
    assert.equal(next.metadata.generation, 2);
    assert.deepEqual(next['status'], { replicas: 1 });
  });
});
