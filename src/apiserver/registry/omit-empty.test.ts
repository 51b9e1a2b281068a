import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { defaultDeployment } from './deployment-strategy.js';
import { defaultReplicaSet } from './replicaset-strategy.js';

describe('omitempty status counters', () => {
  const cases: { name: string; apply: (o: KubeObject) => void; status: Record<string, unknown>; expect: Record<string, unknown> }[] = [
    {
      name: 'Deployment drops every zero counter',
      apply: defaultDeployment,
      status: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 0, availableReplicas: 0, unavailableReplicas: 1 },
      expect: { observedGeneration: 1, replicas: 1, updatedReplicas: 1, unavailableReplicas: 1 },
    },
    {
      name: 'ReplicaSet keeps replicas: 0 (not omitempty) and drops the rest',
      apply: defaultReplicaSet,
      status: { replicas: 0, fullyLabeledReplicas: 0, readyReplicas: 0, availableReplicas: 0, observedGeneration: 4 },
      expect: { replicas: 0, observedGeneration: 4 },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const obj = { apiVersion: 'apps/v1', kind: 'X', metadata: { name: 'x' }, spec: {}, status: { ...c.status } } as KubeObject;
      c.apply(obj);
      assert.deepEqual(obj['status'], c.expect);
    });
  }
});
