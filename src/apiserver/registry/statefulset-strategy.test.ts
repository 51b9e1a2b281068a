import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { cloneJson } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { statefulSetStrategy } from './statefulset-strategy.js';

function sts(): KubeObject {
  const obj: KubeObject = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      serviceName: 'nginx',
      selector: { matchLabels: { app: 'nginx' } },
      template: { metadata: { labels: { app: 'nginx' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.27' }] } },
      volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
  statefulSetStrategy.prepareForCreate?.(obj);
  statefulSetStrategy.defaults?.(obj);
  return obj;
}

const spec = (o: KubeObject): Record<string, any> => o['spec'] as Record<string, any>;

describe('statefulset defaults', () => {
  test('upstream defaults are filled in', () => {
    const s = spec(sts());
    assert.equal(s['replicas'], 1);
    assert.equal(s['podManagementPolicy'], 'OrderedReady');
    assert.deepEqual(s['updateStrategy'], { type: 'RollingUpdate', rollingUpdate: { partition: 0 } });
    assert.equal(s['revisionHistoryLimit'], 10);
    assert.deepEqual(s['persistentVolumeClaimRetentionPolicy'], { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(s['template'].spec.restartPolicy, 'Always');
    assert.deepEqual(s['volumeClaimTemplates'][0], {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'www', creationTimestamp: null },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, volumeMode: 'Filesystem' },
      status: { phase: 'Pending' },
    });
  });

  test('OnDelete gets no rollingUpdate; an explicit RollingUpdate type without one stays without', () => {
    for (const type of ['OnDelete', 'RollingUpdate']) {
      const obj: KubeObject = { metadata: { name: 'x' }, spec: { updateStrategy: { type } } };
      statefulSetStrategy.defaults?.(obj);
      assert.deepEqual(spec(obj)['updateStrategy'], { type });
    }
  });
});

describe('statefulset validation', () => {
  const cases: { name: string; mutate: (s: Record<string, any>) => void; expect: string[] }[] = [
    { name: 'valid', mutate: () => {}, expect: [] },
    {
      name: 'unknown podManagementPolicy',
      mutate: (s) => (s.podManagementPolicy = 'Random'),
      expect: ['spec.podManagementPolicy: Invalid value: "Random": must be \'OrderedReady\' or \'Parallel\''],
    },
    {
      name: 'empty selector',
      mutate: (s) => (s.selector = {}),
      expect: ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for statefulset'],
    },
    {
      name: 'activeDeadlineSeconds is forbidden',
      mutate: (s) => (s.template.spec.activeDeadlineSeconds = 10),
      expect: ['spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported'],
    },
    {
      name: 'negative partition',
      mutate: (s) => (s.updateStrategy.rollingUpdate.partition = -1),
      expect: ['spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const obj = sts();
      c.mutate(spec(obj));
      assert.deepEqual((statefulSetStrategy.validateCreate?.(obj) ?? []).map(fieldErrorString), c.expect);
    });
  }

  const updates: { name: string; mutate: (s: Record<string, any>) => void; expect: string[] }[] = [
    { name: 'scaling is allowed', mutate: (s) => (s.replicas = 5), expect: [] },
    { name: 'changing the template is allowed', mutate: (s) => (s.template.spec.containers[0].image = 'nginx:1.28'), expect: [] },
    { name: 'changing minReadySeconds is allowed', mutate: (s) => (s.minReadySeconds = 5), expect: [] },
    {
      name: 'changing serviceName is forbidden',
      mutate: (s) => (s.serviceName = 'other'),
      expect: [
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ],
    },
    {
      name: 'changing volumeClaimTemplates is forbidden',
      mutate: (s) => (s.volumeClaimTemplates[0].spec.resources.requests.storage = '2Gi'),
      expect: [
        "spec: Forbidden: updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ],
    },
  ];
  for (const c of updates) {
    test(`update: ${c.name}`, () => {
      const old = sts();
      const next = cloneJson(old);
      c.mutate(spec(next));
      assert.deepEqual((statefulSetStrategy.validateUpdate?.(next, old) ?? []).map(fieldErrorString), c.expect);
    });
  }

  test('a template change bumps the generation', () => {
    const old = sts();
    const next = cloneJson(old);
    spec(next)['template'].spec.containers[0].image = 'nginx:1.28';
    statefulSetStrategy.prepareForUpdate?.(next, old);
    assert.equal(next.metadata.generation, 2);
  });
});
