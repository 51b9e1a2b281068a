/**
 * Server-side apply through the kubectl flows that matter: SSA create and
 * re-apply, pruning removed fields, conflicts with kubectl edit / scale / set
 * image, --force-conflicts, and the client-side → server-side apply upgrade.
 * A tiny simulated apiserver defaults objects and tracks managedFields the way
 * the real write paths would call this package.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, ManagedFieldsEntry } from '../../api/object.js';
import { applyPatch } from './index.js';
import { updateManagedFields } from './managed-fields.js';
import { PatchError } from './patch-error.js';
import {
  applyConflictCauses,
  formatApplyConflictMessage,
  LAST_APPLIED_ANNOTATION,
  serverSideApply,
  type ApplyConflict,
} from './server-side-apply.js';

const NOW = new Date('2026-11-22T02:00:00Z');
const LATER = new Date('2026-11-22T03:00:00Z');

/** Server defaulting, as the Service and Deployment strategies would do it after a write. */
function defaults(obj: KubeObject): KubeObject {
  const o = structuredClone(obj) as any;
  o.metadata.uid ??= 'uid-1';
  o.metadata.resourceVersion ??= '1';
  if (o.kind === 'Service') {
    o.spec.type ??= 'ClusterIP';
    o.spec.clusterIP ??= '10.96.0.10';
    o.spec.sessionAffinity ??= 'None';
    for (const p of o.spec.ports ?? []) {
      p.protocol ??= 'TCP';
      p.targetPort ??= p.port;
    }
  }
  if (o.kind === 'Deployment') {
    o.spec.replicas ??= 1;
    o.spec.strategy ??= { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } };
    for (const c of o.spec.template.spec.containers ?? []) c.imagePullPolicy ??= 'IfNotPresent';
  }
  return o;
}

function apply(live: KubeObject | undefined, applied: KubeObject, manager = 'kubectl', force = false, now = NOW) {
  const r = serverSideApply({ live, applied, manager, force, apiVersion: applied.apiVersion ?? 'v1', now });
  return r.ok ? { ok: true as const, object: defaults(r.object) } : r;
}

function mustApply(live: KubeObject | undefined, applied: KubeObject, manager = 'kubectl', force = false, now = NOW): KubeObject {
  const r = apply(live, applied, manager, force, now);
  if (!r.ok) assert.fail(`unexpected conflicts: ${formatApplyConflictMessage(r.conflicts)}`);
  return r.object;
}

/** A non-apply write (POST or PATCH) by `manager`, with managedFields tracked after defaulting. */
function write(old: KubeObject | undefined, updated: KubeObject, manager: string, subresource?: string): KubeObject {
  const obj = defaults(updated);
  const managedFields = updateManagedFields({
    old,
    updated: obj,
    manager,
    operation: 'Update',
    apiVersion: obj.apiVersion ?? 'v1',
    now: LATER,
    ...(subresource ? { subresource } : {}),
  });
  return { ...obj, metadata: { ...obj.metadata, managedFields } };
}

function patch(live: KubeObject, type: string, body: unknown, manager: string, subresource?: string): KubeObject {
  return write(live, applyPatch(type, live, body, live.apiVersion ?? 'v1', live.kind ?? ''), manager, subresource);
}

function entry(obj: KubeObject, manager: string, operation?: string): ManagedFieldsEntry | undefined {
  return obj.metadata.managedFields?.find((e) => e.manager === manager && (!operation || e.operation === operation));
}

function svcConfig(ports: object[], extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { labels: { run: 'my-nginx' }, name: 'my-nginx', namespace: 'default', ...extra },
    spec: { ports, selector: { run: 'my-nginx' } },
  };
}

function deployConfig(container: Record<string, unknown>, replicas?: number): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default' },
    spec: {
      ...(replicas !== undefined ? { replicas } : {}),
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', ...container }] } },
    },
  };
}

describe('serverSideApply: Service', () => {
  test('create: the applier owns exactly what it sent; defaults are unowned', () => {
    const obj = mustApply(undefined, svcConfig([{ port: 80, protocol: 'TCP' }]));
    assert.deepEqual(obj.metadata.managedFields, [
      {
        manager: 'kubectl',
        operation: 'Apply',
        apiVersion: 'v1',
        time: '2026-11-22T02:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:run': {} } },
          'f:spec': {
            'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:protocol': {} } },
            'f:selector': {},
          },
        },
      },
    ]);
    assert.deepEqual((obj as any).spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
  });

  test('re-apply without a port removes that port (and its defaulted fields)', () => {
    let obj = mustApply(undefined, svcConfig([{ port: 80 }, { port: 8080 }]));
    obj = mustApply(obj, svcConfig([{ port: 80 }]));
    assert.deepEqual((obj as any).spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    assert.equal((obj as any).spec.clusterIP, '10.96.0.10', 'unowned fields stay');
  });

  test('re-apply without the labels map removes it', () => {
    let obj = mustApply(undefined, svcConfig([{ port: 80 }]));
    const cfg = svcConfig([{ port: 80 }]);
    delete cfg.metadata.labels;
    obj = mustApply(obj, cfg);
    assert.equal(obj.metadata.labels, undefined);
    assert.equal(obj.metadata.name, 'my-nginx');
  });

  test('re-applying the same configuration changes nothing and keeps the timestamp', () => {
    const first = mustApply(undefined, svcConfig([{ port: 80 }]));
    const second = mustApply(first, svcConfig([{ port: 80 }]), 'kubectl', false, LATER);
    assert.deepEqual(second, first);
  });

  test('conflict with a kubectl edit of targetPort, then --force-conflicts', () => {
    let obj = mustApply(undefined, svcConfig([{ port: 80, protocol: 'TCP' }]));
    obj = patch(
      obj,
      'application/strategic-merge-patch+json',
      { spec: { '$setElementOrder/ports': [{ port: 80 }], ports: [{ port: 80, targetPort: 8080 }] } },
      'kubectl-edit',
    );
    assert.deepEqual(entry(obj, 'kubectl-edit')?.fieldsV1, {
      'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { 'f:targetPort': {} } } },
    });

    const cfg = svcConfig([{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    const r = apply(obj, cfg);
    assert.equal(r.ok, false);
    const conflicts = (r as { conflicts: ApplyConflict[] }).conflicts;
    assert.equal(
      formatApplyConflictMessage(conflicts, 'v1'),
      'Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: .spec.ports[port=80,protocol="TCP"].targetPort',
    );
    assert.deepEqual(applyConflictCauses(conflicts, 'v1'), [
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-edit" using v1', field: '.spec.ports[port=80,protocol="TCP"].targetPort' },
    ]);

    const forced = mustApply(obj, cfg, 'kubectl', true);
    assert.equal((forced as any).spec.ports[0].targetPort, 80);
    assert.equal(entry(forced, 'kubectl-edit'), undefined, 'the editor lost its only field');
    assert.ok(
      JSON.stringify(entry(forced, 'kubectl', 'Apply')?.fieldsV1).includes('f:targetPort'),
      'the applier owns targetPort now',
    );
  });

  test('applying the value another manager set is shared ownership, not a conflict', () => {
    let obj = mustApply(undefined, svcConfig([{ port: 80 }]));
    obj = patch(obj, 'application/merge-patch+json', { metadata: { labels: { tier: 'web' } } }, 'kubectl-label');
    const cfg = svcConfig([{ port: 80 }]);
    cfg.metadata.labels = { run: 'my-nginx', tier: 'web' };
    obj = mustApply(obj, cfg);
    assert.ok(entry(obj, 'kubectl-label'));
    // The applier drops the label again: another manager still owns it, so it stays.
    obj = mustApply(obj, svcConfig([{ port: 80 }]));
    assert.equal(obj.metadata.labels?.['tier'], 'web');
  });

  test('a port removed by kubectl edit is recreated by the next apply without conflict', () => {
    let obj = mustApply(undefined, svcConfig([{ port: 80, protocol: 'TCP' }]));
    obj = patch(
      obj,
      'application/strategic-merge-patch+json',
      {
        metadata: { labels: { edited: 'yes' } },
        spec: { '$setElementOrder/ports': [{ port: 8081 }], ports: [{ port: 8081, protocol: 'TCP', targetPort: 80 }, { $patch: 'delete', port: 80 }] },
      },
      'kubectl-edit',
    );
    obj = mustApply(obj, svcConfig([{ port: 80, protocol: 'TCP' }]));
    assert.deepEqual(
      (obj as any).spec.ports.map((p: any) => p.port),
      [8081, 80],
    );
  });

  test('two conflicts with one manager use the plural message', () => {
    let obj = mustApply(undefined, svcConfig([{ port: 80 }], { annotations: { a: '1' } }));
    obj = patch(obj, 'application/merge-patch+json', { metadata: { annotations: { a: '2' }, labels: { run: 'x' } } }, 'm');
    const r = apply(obj, svcConfig([{ port: 80 }], { annotations: { a: '1' } }));
    assert.equal(r.ok, false);
    assert.equal(
      formatApplyConflictMessage((r as { conflicts: ApplyConflict[] }).conflicts),
      'Apply failed with 2 conflicts: conflicts with "m" using v1:\n- .metadata.annotations.a\n- .metadata.labels.run',
    );
  });

  test('conflicts with another applier print without a version', () => {
    const obj = mustApply(undefined, svcConfig([{ port: 80 }]), 'other-applier');
    const cfg = svcConfig([{ port: 80 }]);
    cfg.metadata.labels = { run: 'changed' };
    const r = apply(obj, cfg);
    assert.equal(r.ok, false);
    assert.equal(
      formatApplyConflictMessage((r as { conflicts: ApplyConflict[] }).conflicts),
      'Apply failed with 1 conflict: conflict with "other-applier": .metadata.labels.run',
    );
  });

  test('client-side apply, then server-side apply (kubectl 1.32 sequence)', () => {
    const manifest = svcConfig([{ port: 80, protocol: 'TCP' }]);
    const lastApplied = `${JSON.stringify(manifest)}\n`;
    // kubectl apply (client-side): POST with the annotation.
    let obj = write(undefined, { ...manifest, metadata: { ...manifest.metadata, annotations: { [LAST_APPLIED_ANNOTATION]: lastApplied } } }, 'kubectl-client-side-apply');

    // kubectl apply --server-side with an edited selector: the selector is owned by the
    // CSA manager, but the conflict is forgiven because last-applied records it unchanged.
    const changed = svcConfig([{ port: 80, protocol: 'TCP' }]);
    (changed as any).spec.selector = { run: 'other' };
    obj = mustApply(obj, changed);
    assert.deepEqual((obj as any).spec.selector, { run: 'other' });
    assert.equal(
      obj.metadata.annotations?.[LAST_APPLIED_ANNOTATION],
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { labels: { run: 'my-nginx' }, name: 'my-nginx', namespace: 'default' },
        spec: { ports: [{ port: 80, protocol: 'TCP' }], selector: { run: 'other' } },
      }),
      'the annotation follows the applied configuration',
    );

    // Follow-up 1: kubectl-last-applied applies just the annotation (its current value).
    const annotation = obj.metadata.annotations?.[LAST_APPLIED_ANNOTATION] as string;
    obj = mustApply(obj, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'my-nginx', namespace: 'default', annotations: { [LAST_APPLIED_ANNOTATION]: annotation } },
    }, 'kubectl-last-applied');
    assert.deepEqual((obj as any).spec.ports, [{ port: 80, protocol: 'TCP', targetPort: 80 }], 'spec survives');
    const lastAppliedEntry = entry(obj, 'kubectl-last-applied');
    assert.deepEqual(lastAppliedEntry?.fieldsV1, { 'f:metadata': { 'f:annotations': { [`f:${LAST_APPLIED_ANNOTATION}`]: {} } } });
    assert.equal(lastAppliedEntry?.time, undefined, 'a no-op apply records no time, as upstream');

    // Follow-up 2: the managedFields migration JSON patch turns the CSA entry into kubectl's Apply entry.
    const csa = entry(obj, 'kubectl-client-side-apply');
    assert.ok(csa);
    const migrated = (obj.metadata.managedFields ?? [])
      .filter((e) => e.manager !== 'kubectl-client-side-apply')
      .map((e) => (e.manager === 'kubectl' ? { ...e, fieldsV1: { ...csa.fieldsV1, ...e.fieldsV1 } } : e));
    obj = patch(
      obj,
      'application/json-patch+json',
      [
        { op: 'replace', path: '/metadata/managedFields', value: migrated },
        { op: 'replace', path: '/metadata/resourceVersion', value: obj.metadata.resourceVersion ?? '' },
      ],
      'kubectl',
    );
    assert.equal(entry(obj, 'kubectl-client-side-apply'), undefined);

    // Re-apply after migration, now without port 80's explicit protocol and with port 81:
    // kubectl owns everything the CSA manager had, so nothing conflicts and nothing lingers.
    obj = mustApply(obj, svcConfig([{ port: 81 }]));
    assert.deepEqual(
      (obj as any).spec.ports.map((p: any) => p.port),
      [81],
    );
  });

  test('CSA → SSA: conflicts on fields recorded in last-applied are forgiven', () => {
    const manifest = svcConfig([{ port: 80, protocol: 'TCP', targetPort: 80 }]);
    const annotated = { ...manifest, metadata: { ...manifest.metadata, annotations: { [LAST_APPLIED_ANNOTATION]: JSON.stringify(manifest) } } };
    let obj = write(undefined, annotated, 'kubectl-client-side-apply');
    obj = mustApply(obj, svcConfig([{ port: 80, protocol: 'TCP', targetPort: 9090 }]));
    assert.equal((obj as any).spec.ports[0].targetPort, 9090);
    // A manager other than "kubectl" gets the conflict.
    const r = apply(obj, svcConfig([{ port: 80, protocol: 'TCP', targetPort: 80 }]), 'my-tool');
    assert.equal(r.ok, false);
  });

  test('invalid configurations', () => {
    assert.throws(
      () => serverSideApply({ live: undefined, applied: svcConfig([{ name: 'x' }]), manager: 'kubectl', force: false, apiVersion: 'v1', now: NOW }),
      (e: unknown) =>
        e instanceof PatchError &&
        e.code === 500 &&
        e.message ===
          'failed to create typed patch object (default/my-nginx; /v1, Kind=Service): .spec.ports: element 0: associative list with keys has an element that omits key field "port" (and doesn\'t have default value)',
    );
    const withMF = svcConfig([{ port: 80 }]);
    withMF.metadata.managedFields = [{ manager: 'x', operation: 'Apply' }];
    assert.throws(
      () => serverSideApply({ live: undefined, applied: withMF, manager: 'kubectl', force: false, apiVersion: 'v1', now: NOW }),
      (e: unknown) => e instanceof PatchError && e.code === 400 && e.message === 'metadata.managedFields must be nil',
    );
  });
});

describe('serverSideApply: Deployment', () => {
  test('create then remove an env var and a container port', () => {
    let obj = mustApply(undefined, deployConfig({ image: 'nginx:1.27', env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }], ports: [{ containerPort: 80 }] }));
    const c0 = (obj as any).spec.template.spec.containers[0];
    assert.equal(c0.imagePullPolicy, 'IfNotPresent');
    obj = mustApply(obj, deployConfig({ image: 'nginx:1.27', env: [{ name: 'A', value: '1' }] }));
    const c = (obj as any).spec.template.spec.containers[0];
    assert.deepEqual(c.env, [{ name: 'A', value: '1' }]);
    assert.equal(c.ports, undefined);
    assert.equal(c.imagePullPolicy, 'IfNotPresent', 'defaulted field survives');
    assert.equal((obj as any).spec.replicas, 1);
  });

  test('kubectl scale then apply with replicas: conflict with the scale subresource manager', () => {
    let obj = mustApply(undefined, deployConfig({ image: 'nginx:1.27' }, 2));
    obj = patch(obj, 'application/merge-patch+json', { spec: { replicas: 5 } }, 'kubectl-scale', 'scale');
    const r = apply(obj, deployConfig({ image: 'nginx:1.27' }, 2));
    assert.equal(r.ok, false);
    assert.equal(
      formatApplyConflictMessage((r as { conflicts: ApplyConflict[] }).conflicts),
      'Apply failed with 1 conflict: conflict with "kubectl-scale" with subresource "scale" using apps/v1: .spec.replicas',
    );
    // Leaving replicas out of the configuration releases it without changing it.
    obj = mustApply(obj, deployConfig({ image: 'nginx:1.27' }));
    assert.equal((obj as any).spec.replicas, 5);
  });

  test('kubectl set image then apply the old image: conflict on the container image', () => {
    let obj = mustApply(undefined, deployConfig({ image: 'nginx:1.27' }));
    obj = patch(
      obj,
      'application/strategic-merge-patch+json',
      { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }], containers: [{ image: 'nginx:1.28', name: 'nginx' }] } } } },
      'kubectl-set',
    );
    const r = apply(obj, deployConfig({ image: 'nginx:1.27' }));
    assert.equal(r.ok, false);
    assert.deepEqual(
      (r as { conflicts: ApplyConflict[] }).conflicts.map((c) => c.field),
      ['.spec.template.spec.containers[name="nginx"].image'],
    );
    const forced = mustApply(obj, deployConfig({ image: 'nginx:1.27' }), 'kubectl', true);
    assert.equal((forced as any).spec.template.spec.containers[0].image, 'nginx:1.27');
    assert.equal(entry(forced, 'kubectl-set'), undefined);
  });

  test('rollout restart annotation (another manager) survives re-apply', () => {
    let obj = mustApply(undefined, deployConfig({ image: 'nginx:1.27' }));
    obj = patch(
      obj,
      'application/strategic-merge-patch+json',
      { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-11-22T02:30:00Z' } } } } },
      'kubectl-rollout',
    );
    obj = mustApply(obj, deployConfig({ image: 'nginx:1.28' }));
    assert.equal((obj as any).spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], '2026-11-22T02:30:00Z');
    assert.equal((obj as any).spec.template.spec.containers[0].image, 'nginx:1.28');
  });

  test('container order follows the configuration; live-only containers keep their place', () => {
    let obj = mustApply(undefined, deployConfig({ image: 'nginx' }));
    obj = patch(
      obj,
      'application/strategic-merge-patch+json',
      { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'nginx' }, { name: 'sidecar' }], containers: [{ name: 'sidecar', image: 'busybox' }] } } } },
      'injector',
    );
    const cfg = deployConfig({ image: 'nginx' });
    (cfg as any).spec.template.spec.containers.push({ name: 'logger', image: 'fluent' });
    obj = mustApply(obj, cfg);
    assert.deepEqual(
      (obj as any).spec.template.spec.containers.map((c: any) => c.name),
      ['nginx', 'sidecar', 'logger'],
    );
  });
});
