import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, ManagedFieldsEntry } from '../../api/object.js';
import { applyPatch } from './index.js';
import { capUpdateManagers, decodeManagedFields, formatTime, updateManagedFields } from './managed-fields.js';
import { FieldSet } from './field-set.js';

const T0 = new Date('2026-11-22T02:00:00.123Z');
const T1 = new Date('2026-11-22T02:05:00Z');

function service(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'my-nginx', namespace: 'default', uid: 'u1', resourceVersion: '1', labels: { run: 'my-nginx' } },
    spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], selector: { run: 'my-nginx' }, type: 'ClusterIP' },
    status: { loadBalancer: {} },
  };
}

function create(obj: KubeObject, manager: string, now = T0): KubeObject {
  const managedFields = updateManagedFields({ old: undefined, updated: obj, manager, operation: 'Update', apiVersion: obj.apiVersion ?? 'v1', now });
  return { ...obj, metadata: { ...obj.metadata, managedFields } };
}

function patch(live: KubeObject, type: string, body: unknown, manager: string, now = T1, subresource?: string): KubeObject {
  const updated = applyPatch(type, live, body, live.apiVersion ?? 'v1', live.kind ?? '');
  const managedFields = updateManagedFields({
    old: live,
    updated,
    manager,
    operation: 'Update',
    apiVersion: live.apiVersion ?? 'v1',
    now,
    ...(subresource ? { subresource } : {}),
  });
  return { ...updated, metadata: { ...updated.metadata, managedFields } };
}

function entry(obj: KubeObject, manager: string): ManagedFieldsEntry | undefined {
  return obj.metadata.managedFields?.find((e) => e.manager === manager);
}

describe('updateManagedFields', () => {
  test('create: the creator owns everything it set, in upstream FieldsV1 shape', () => {
    const obj = create(service(), 'kubectl-create');
    assert.deepEqual(obj.metadata.managedFields, [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        time: '2026-11-22T02:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:run': {} } },
          'f:spec': {
            'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {}, 'f:targetPort': {} } },
            'f:selector': {},
            'f:type': {},
          },
        },
      },
    ]);
  });

  test('label: a new manager owns only the label it added', () => {
    const obj = patch(create(service(), 'kubectl-create'), 'application/merge-patch+json', { metadata: { labels: { tier: 'web' } } }, 'kubectl-label');
    assert.deepEqual(entry(obj, 'kubectl-label')?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:tier': {} } } });
    assert.equal(entry(obj, 'kubectl-label')?.time, '2026-11-22T02:05:00Z');
    assert.equal(entry(obj, 'kubectl-create')?.time, '2026-11-22T02:00:00Z', 'untouched entry keeps its time');
  });

  test('changing a field moves it to the writer; emptied entries disappear', () => {
    let obj = create(service(), 'kubectl-create');
    obj = patch(obj, 'application/merge-patch+json', { metadata: { labels: { tier: 'web' } } }, 'kubectl-label');
    obj = patch(obj, 'application/merge-patch+json', { metadata: { labels: { tier: 'api' } } }, 'other');
    assert.equal(entry(obj, 'kubectl-label'), undefined);
    assert.deepEqual(entry(obj, 'other')?.fieldsV1, { 'f:metadata': { 'f:labels': { 'f:tier': {} } } });
  });

  test('removing a field removes it from its owner', () => {
    let obj = create(service(), 'kubectl-create');
    obj = patch(obj, 'application/merge-patch+json', { metadata: { labels: { run: null } } }, 'kubectl-label');
    const fields = entry(obj, 'kubectl-create')?.fieldsV1 as Record<string, Record<string, unknown>>;
    assert.equal(fields['f:metadata'], undefined);
    assert.equal(entry(obj, 'kubectl-label'), undefined, 'a pure removal owns nothing');
  });

  test('a no-op write adds no entry and keeps times', () => {
    const before = create(service(), 'kubectl-create');
    const after = patch(before, 'application/merge-patch+json', { metadata: { labels: { run: 'my-nginx' } } }, 'kubectl-label');
    assert.deepEqual(after.metadata.managedFields, before.metadata.managedFields);
  });

  test('server-maintained metadata is never owned', () => {
    const obj = patch(create(service(), 'kubectl-create'), 'application/json-patch+json', [
      { op: 'replace', path: '/metadata/resourceVersion', value: '2' },
      { op: 'add', path: '/metadata/generation', value: 2 },
    ], 'x');
    assert.equal(entry(obj, 'x'), undefined);
  });

  test('status subresource writes own only status and record the subresource', () => {
    const obj = patch(
      create(service(), 'kubectl-create'),
      'application/merge-patch+json',
      { spec: { type: 'NodePort' }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } },
      'lb-controller',
      T1,
      'status',
    );
    const e = entry(obj, 'lb-controller');
    assert.equal(e?.subresource, 'status');
    assert.deepEqual(e?.fieldsV1, { 'f:status': { 'f:loadBalancer': { 'f:ingress': {} } } });
  });

  test('main-resource writes do not own status', () => {
    const obj = patch(create(service(), 'kubectl-create'), 'application/merge-patch+json', { status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } }, 'x');
    assert.equal(entry(obj, 'x'), undefined);
  });

  test('managedFields: [] in the write resets tracking', () => {
    const live = create(service(), 'kubectl-create');
    const updated = { ...live, metadata: { ...live.metadata, managedFields: [] } };
    assert.deepEqual(updateManagedFields({ old: live, updated, manager: 'm', operation: 'Update', apiVersion: 'v1', now: T1 }), []);
  });

  test('managedFields sent by the client replace the stored ones (CSA → SSA migration)', () => {
    const live = create(service(), 'kubectl-client-side-apply');
    const migrated = (live.metadata.managedFields ?? []).map((e) => ({ ...e, manager: 'kubectl', operation: 'Apply' as const }));
    const updated = applyPatch(
      'application/json-patch+json',
      live,
      [
        { op: 'replace', path: '/metadata/managedFields', value: migrated },
        { op: 'replace', path: '/metadata/resourceVersion', value: '1' },
      ],
      'v1',
      'Service',
    );
    const out = updateManagedFields({ old: live, updated, manager: 'kubectl', operation: 'Update', apiVersion: 'v1', now: T1 });
    assert.deepEqual(
      out.map((e) => [e.manager, e.operation]),
      [['kubectl', 'Apply']],
    );
  });

  test('entries sort Apply first, then by time', () => {
    const decoded = decodeManagedFields([
      { manager: 'b', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:02Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:a': {} } },
      { manager: 'a', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:01Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:b': {} } },
      { manager: 'z', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:09Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:c': {} } },
    ]);
    assert.ok(decoded);
    const obj: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', managedFields: [] } };
    const out = updateManagedFields({
      old: { ...obj, metadata: { name: 'c', managedFields: [{ manager: 'b', operation: 'Update', apiVersion: 'v1', time: '2026-01-01T00:00:02Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:x': {} } } }, { manager: 'z', operation: 'Apply', apiVersion: 'v1', time: '2026-01-01T00:00:09Z', fieldsType: 'FieldsV1', fieldsV1: { 'f:data': { 'f:y': {} } } }] }, data: { x: '1', y: '2' } },
      updated: { ...obj, metadata: { name: 'c' }, data: { x: '1', y: '2', w: '3' } },
      manager: 'a',
      operation: 'Update',
      apiVersion: 'v1',
      now: T1,
    });
    assert.deepEqual(
      out.map((e) => e.manager),
      ['z', 'b', 'a'],
    );
  });

  test('more than ten updaters fold the oldest into ancient-changes', () => {
    const entries = Array.from({ length: 12 }, (_, i) => ({
      manager: `m${i}`,
      operation: 'Update' as const,
      apiVersion: 'v1',
      time: formatTime(new Date(Date.UTC(2026, 0, 1, 0, 0, i))),
      set: new FieldSet([[`f:f${i}`]]),
    }));
    const capped = capUpdateManagers(entries);
    assert.equal(capped.length, 10);
    const bucket = capped.find((e) => e.manager === 'ancient-changes');
    assert.deepEqual(bucket?.set.list(), [['f:f0'], ['f:f1'], ['f:f2']]);
  });
});

describe('create fast path equals the general computation', () => {
  const now = new Date('2026-11-22T06:00:00Z');
  const objects: ReadonlyArray<{ name: string; obj: KubeObject; subresource?: string }> = [
    {
      name: 'defaulted Service with status',
      obj: {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default', uid: 'u', creationTimestamp: '2026-01-01T00:00:00Z', labels: { app: 'web' }, annotations: {} },
        spec: {
          ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }, { name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }],
          selector: { app: 'web' },
          clusterIP: '10.96.0.5',
          clusterIPs: ['10.96.0.5'],
          type: 'ClusterIP',
          sessionAffinity: 'None',
          ipFamilies: ['IPv4'],
          ipFamilyPolicy: 'SingleStack',
          internalTrafficPolicy: 'Cluster',
        },
        status: { loadBalancer: {} },
      },
    },
    {
      name: 'Pod with containers, env, empty lists and maps',
      obj: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p', namespace: 'default', generation: 1, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'x', controller: true }] },
        spec: {
          containers: [{ name: 'c', image: 'nginx', env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 80 }], args: [], resources: {} }],
          nodeSelector: {},
          tolerations: [{ key: 'k', operator: 'Exists' }],
        },
        status: { phase: 'Pending' },
      },
    },
    { name: 'ConfigMap (no status subresource)', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', namespace: 'default' }, data: { a: 'b', c: '' }, binaryData: {} } },
    { name: 'nothing but metadata', obj: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'empty', namespace: 'default' } } },
    {
      name: 'Deployment with template',
      obj: {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', namespace: 'default', labels: { app: 'd' } },
        spec: { replicas: 2, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
      },
    },
    { name: 'status subresource write', subresource: 'status', obj: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'default' }, spec: { ports: [{ port: 1 }] }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } } },
  ];
  for (const c of objects) {
    test(c.name, () => {
      const base = { old: undefined, manager: 'kubectl-create', operation: 'Update' as const, apiVersion: c.obj.apiVersion ?? 'v1', now, ...(c.subresource ? { subresource: c.subresource } : {}) };
      const fast = updateManagedFields({ ...base, updated: c.obj });
      // managedFields: null is not a request to reset, so it takes the general path with the same inputs.
      const general = updateManagedFields({ ...base, updated: { ...c.obj, metadata: { ...c.obj.metadata, managedFields: null as unknown as ManagedFieldsEntry[] } } });
      assert.deepEqual(fast, general);
      assert.equal(JSON.stringify(fast), JSON.stringify(general), 'same key order');
    });
  }
});
