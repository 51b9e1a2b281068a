import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCE_TYPES, apiVersionOf, groupVersions } from '../resources.js';
import { openapiDocument, openapiDocumentJson, openapiIndex } from './openapi-documents.js';
import type { OpenApiDocument } from './openapi-documents.js';
import type { OpenApiSchema } from './schema-dsl.js';
import { ALL_SCHEMAS, directRefs, resolveSchema } from './schema-registry.js';

function gvPathOf(gv: { group: string; version: string }): string {
  return gv.group ? `apis/${gv.group}/${gv.version}` : `api/${gv.version}`;
}

function doc(p: string): OpenApiDocument {
  const d = openapiDocument(p);
  assert.ok(d, `document ${p} exists`);
  return d;
}

describe('openapiIndex', () => {
  test('lists every served group-version with a hashed URL', () => {
    const idx = openapiIndex();
    const expected = groupVersions().map(gvPathOf).sort();
    assert.deepEqual(Object.keys(idx.paths).sort(), expected);
    for (const [p, entry] of Object.entries(idx.paths)) {
      assert.match(entry.serverRelativeURL, new RegExp(`^/openapi/v3/${p.replace(/\./g, '\\.')}\\?hash=[0-9A-F]{128}$`));
      const served = openapiDocumentJson(p);
      assert.ok(served);
      assert.ok(entry.serverRelativeURL.endsWith(served.hash));
    }
  });

  test('unknown group-versions have no document', () => {
    assert.equal(openapiDocument('apis/batch/v1'), undefined);
    assert.equal(openapiDocumentJson('apis/apps/v2'), undefined);
  });

  test('leading slashes are tolerated', () => {
    assert.equal(openapiDocument('/api/v1'), openapiDocument('api/v1'));
  });
});

describe('group-version documents', () => {
  for (const t of RESOURCE_TYPES) {
    const p = gvPathOf(t);
    test(`${apiVersionOf(t)} ${t.kind}: PATCH op with GVK, fieldValidation and all patch types`, () => {
      const d = doc(p);
      const patches = Object.entries(d.paths).filter(
        ([, item]) =>
          item.patch !== undefined &&
          item.patch['x-kubernetes-group-version-kind'].kind === t.kind &&
          item.patch['x-kubernetes-group-version-kind'].group === t.group &&
          item.patch['x-kubernetes-group-version-kind'].version === t.version,
      );
      assert.ok(patches.length >= 1, 'a patch operation for the kind');
      for (const [path, item] of patches) {
        const op = item.patch;
        assert.ok(op);
        const names = (op.parameters ?? []).filter((x) => x.in === 'query').map((x) => x.name);
        for (const n of ['dryRun', 'fieldManager', 'fieldValidation', 'force']) assert.ok(names.includes(n), `${path} has ${n}`);
        assert.deepEqual(Object.keys(op.requestBody?.content ?? {}), [
          'application/apply-patch+yaml',
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/strategic-merge-patch+json',
        ]);
        assert.equal(op['x-kubernetes-action'], 'patch');
      }
    });

    test(`${apiVersionOf(t)} ${t.kind}: explain can find the resource path and the GVK-tagged schema`, () => {
      const d = doc(p);
      const item = Object.entries(d.paths).find(([path]) => path.endsWith(`/${t.plural}/{name}`));
      assert.ok(item, `a /${t.plural}/{name} path`);
      assert.equal(item[1].get?.['x-kubernetes-group-version-kind'].kind, t.kind);
      const tagged = Object.values(d.components.schemas).filter((s) =>
        (s['x-kubernetes-group-version-kind'] ?? []).some((g) => g.group === t.group && g.version === t.version && g.kind === t.kind),
      );
      assert.equal(tagged.length, 1);
    });

    for (const sub of t.subresources) {
      test(`${apiVersionOf(t)} ${t.kind}: /${sub} subresource path`, () => {
        const d = doc(p);
        const entry = Object.entries(d.paths).find(([path]) => path.endsWith(`/${t.plural}/{name}/${sub}`));
        assert.ok(entry);
        const kind = entry[1].patch?.['x-kubernetes-group-version-kind'].kind;
        assert.equal(kind, sub === 'scale' ? 'Scale' : t.kind);
      });
    }
  }

  test('namespaced and cluster-scoped paths', () => {
    const core = doc('api/v1');
    assert.ok(core.paths['/api/v1/namespaces/{namespace}/services/{name}']);
    assert.ok(core.paths['/api/v1/services'], 'list across namespaces');
    assert.ok(core.paths['/api/v1/nodes/{name}/status']);
    assert.equal(core.paths['/api/v1/namespaces/{namespace}/nodes'], undefined);
    const apps = doc('apis/apps/v1');
    assert.equal(
      apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']?.put?.operationId,
      'replaceAppsV1NamespacedDeploymentScale',
    );
  });

  for (const gv of groupVersions()) {
    const p = gvPathOf(gv);
    test(`${p}: every $ref resolves within components.schemas`, () => {
      const d = doc(p);
      const names = new Set(Object.keys(d.components.schemas));
      for (const [name, s] of Object.entries(d.components.schemas)) {
        for (const r of directRefs(s)) assert.ok(names.has(r), `${name} -> ${r}`);
      }
      const json = JSON.stringify(d.paths);
      for (const m of json.matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)) {
        assert.ok(names.has(m[1] ?? ''), `path ref ${m[1]}`);
      }
    });
  }
});

describe('patch metadata agrees with upstream', () => {
  const cases: { schema: string; field: string; mergeKey?: string; strategy?: string; listType?: string; mapKeys?: string[] }[] = [
    { schema: 'io.k8s.api.core.v1.ServiceSpec', field: 'ports', mergeKey: 'port', strategy: 'merge', listType: 'map', mapKeys: ['port', 'protocol'] },
    { schema: 'io.k8s.api.core.v1.PodSpec', field: 'containers', mergeKey: 'name', strategy: 'merge', listType: 'map', mapKeys: ['name'] },
    { schema: 'io.k8s.api.core.v1.PodSpec', field: 'volumes', mergeKey: 'name', strategy: 'merge,retainKeys', listType: 'map', mapKeys: ['name'] },
    { schema: 'io.k8s.api.core.v1.PodSpec', field: 'tolerations', listType: 'atomic' },
    { schema: 'io.k8s.api.core.v1.Container', field: 'ports', mergeKey: 'containerPort', strategy: 'merge', listType: 'map', mapKeys: ['containerPort', 'protocol'] },
    { schema: 'io.k8s.api.core.v1.Container', field: 'env', mergeKey: 'name', strategy: 'merge', listType: 'map', mapKeys: ['name'] },
    { schema: 'io.k8s.api.core.v1.Container', field: 'volumeMounts', mergeKey: 'mountPath', strategy: 'merge', listType: 'map', mapKeys: ['mountPath'] },
    { schema: 'io.k8s.api.core.v1.Container', field: 'args', listType: 'atomic' },
    { schema: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', field: 'ownerReferences', mergeKey: 'uid', strategy: 'merge', listType: 'map', mapKeys: ['uid'] },
    { schema: 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta', field: 'finalizers', strategy: 'merge', listType: 'set' },
    { schema: 'io.k8s.api.apps.v1.DeploymentSpec', field: 'strategy', strategy: 'retainKeys' },
    { schema: 'io.k8s.api.apps.v1.DeploymentStatus', field: 'conditions', mergeKey: 'type', strategy: 'merge', listType: 'map', mapKeys: ['type'] },
    { schema: 'io.k8s.api.discovery.v1.EndpointSlice', field: 'endpoints', listType: 'atomic' },
    { schema: 'io.k8s.api.core.v1.Endpoints', field: 'subsets', listType: 'atomic' },
  ];
  for (const c of cases) {
    test(`${c.schema.split('.').pop()}.${c.field}`, () => {
      const f = ALL_SCHEMAS[c.schema]?.properties?.[c.field];
      assert.ok(f);
      assert.equal(f['x-kubernetes-patch-merge-key'], c.mergeKey);
      assert.equal(f['x-kubernetes-patch-strategy'], c.strategy);
      assert.equal(f['x-kubernetes-list-type'], c.listType);
      assert.deepEqual(f['x-kubernetes-list-map-keys'], c.mapKeys);
    });
  }

  test('ServiceSpec.selector and LabelSelector are atomic maps', () => {
    assert.equal(ALL_SCHEMAS['io.k8s.api.core.v1.ServiceSpec']?.properties?.['selector']?.['x-kubernetes-map-type'], 'atomic');
    assert.equal(ALL_SCHEMAS['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']?.['x-kubernetes-map-type'], 'atomic');
  });

  test('enums as upstream publishes them', () => {
    const port = ALL_SCHEMAS['io.k8s.api.core.v1.ServicePort']?.properties;
    assert.deepEqual(port?.['protocol']?.enum, ['SCTP', 'TCP', 'UDP']);
    assert.equal(port?.['protocol']?.default, 'TCP');
    const spec = ALL_SCHEMAS['io.k8s.api.core.v1.ServiceSpec']?.properties;
    assert.deepEqual(spec?.['type']?.enum, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']);
    assert.deepEqual(spec?.['sessionAffinity']?.enum, ['ClientIP', 'None']);
    assert.deepEqual(ALL_SCHEMAS['io.k8s.api.core.v1.ServicePort']?.required, ['port']);
  });

  test('IntOrString and Quantity have the upstream v3 shapes', () => {
    assert.deepEqual(ALL_SCHEMAS['io.k8s.apimachinery.pkg.util.intstr.IntOrString']?.oneOf, [{ type: 'integer' }, { type: 'string' }]);
    assert.equal(ALL_SCHEMAS['io.k8s.apimachinery.pkg.util.intstr.IntOrString']?.format, 'int-or-string');
    assert.deepEqual(ALL_SCHEMAS['io.k8s.apimachinery.pkg.api.resource.Quantity']?.oneOf, [{ type: 'string' }, { type: 'number' }]);
  });
});

describe('schema hygiene', () => {
  test('every schema and every property has a description', () => {
    const missing: string[] = [];
    for (const [name, s] of Object.entries(ALL_SCHEMAS)) {
      if (!s.description) missing.push(name);
      for (const [k, p] of Object.entries(s.properties ?? {})) if (!p.description) missing.push(`${name}.${k}`);
    }
    assert.deepEqual(missing, []);
  });

  test('required fields exist as properties', () => {
    const bad: string[] = [];
    for (const [name, s] of Object.entries(ALL_SCHEMAS)) {
      for (const r of s.required ?? []) if (!(r in (s.properties ?? {}))) bad.push(`${name}.${r}`);
    }
    assert.deepEqual(bad, []);
  });

  test('list-map keys are properties of the item schema', () => {
    const bad: string[] = [];
    for (const [name, s] of Object.entries(ALL_SCHEMAS)) {
      for (const [k, p] of Object.entries(s.properties ?? {})) {
        const keys = [...(p['x-kubernetes-list-map-keys'] ?? [])];
        const mk = p['x-kubernetes-patch-merge-key'];
        if (mk !== undefined) keys.push(mk);
        if (keys.length === 0) continue;
        const item = p.items === undefined ? undefined : resolveSchema(p.items);
        for (const key of keys) if (!(key in (item?.properties ?? {}))) bad.push(`${name}.${k}: ${key}`);
      }
    }
    assert.deepEqual(bad, []);
  });

  test('no closed object without properties would reject user fields by accident', () => {
    // An object schema must describe its content (properties or additionalProperties), be an
    // intentionally raw value, or preserve unknown fields.
    const raw = new Set([
      'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
      'io.k8s.apimachinery.pkg.apis.meta.v1.Patch',
      'io.k8s.apimachinery.pkg.runtime.RawExtension',
    ]);
    const bad = Object.entries(ALL_SCHEMAS)
      .filter(([n, s]: [string, OpenApiSchema]) => s.type === 'object' && !s.properties && !s.additionalProperties && !raw.has(n))
      .map(([n]) => n);
    assert.deepEqual(bad, []);
  });
});
