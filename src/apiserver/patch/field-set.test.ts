import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareObjects,
  computeFieldSet,
  ensureNamedFieldsAreMembers,
  FieldSet,
  formatFieldPath,
  fromFieldsV1,
  removeFields,
  toFieldsV1,
} from './field-set.js';
import { PatchError } from './patch-error.js';
import { patchSchemaFor } from './schema.js';

const svc = patchSchemaFor('v1', 'Service');
const deploy = patchSchemaFor('apps/v1', 'Deployment');

const appliedService = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { labels: { run: 'my-nginx' }, name: 'my-nginx', namespace: 'default' },
  spec: { ports: [{ port: 80 }], selector: { run: 'my-nginx' } },
};

describe('computeFieldSet + toFieldsV1', () => {
  const cases: { name: string; obj: unknown; schema: typeof svc; want: unknown }[] = [
    {
      name: 'kubectl SSA service body (protocol key defaulted, selector atomic)',
      obj: appliedService,
      schema: svc,
      want: {
        'f:apiVersion': {},
        'f:kind': {},
        'f:metadata': { 'f:labels': { 'f:run': {} }, 'f:name': {}, 'f:namespace': {} },
        'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } }, 'f:selector': {} },
      },
    },
    {
      name: 'deployment containers keyed by name, container ports by containerPort+protocol',
      obj: {
        spec: {
          template: {
            spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }] }] },
          },
        },
      },
      schema: deploy,
      want: {
        'f:spec': {
          'f:template': {
            'f:spec': {
              'f:containers': {
                'k:{"name":"nginx"}': {
                  '.': {},
                  'f:image': {},
                  'f:name': {},
                  'f:ports': { 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } },
                },
              },
            },
          },
        },
      },
    },
    {
      name: 'finalizers are a set, atomic lists are leaves, empty structs own nothing',
      obj: { metadata: { finalizers: ['a/b', 'c'] }, spec: { externalIPs: ['1.2.3.4'], sessionAffinityConfig: {} } },
      schema: svc,
      want: { 'f:metadata': { 'f:finalizers': { 'v:"a/b"': {}, 'v:"c"': {} } }, 'f:spec': { 'f:externalIPs': {} } },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const fields = toFieldsV1(computeFieldSet(c.obj, c.schema));
      assert.deepEqual(fields, c.want);
      assert.equal(JSON.stringify(Object.keys(fields)), JSON.stringify(Object.keys(c.want as object)), 'key order');
    });
  }

  test('"." comes first and keys sort numerically', () => {
    const set = computeFieldSet({ spec: { ports: [{ port: 9000 }, { port: 80 }] } }, svc);
    const ports = (toFieldsV1(set)['f:spec'] as Record<string, Record<string, unknown>>)['f:ports'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(ports), ['k:{"port":80,"protocol":"TCP"}', 'k:{"port":9000,"protocol":"TCP"}']);
  });

  test('FieldsV1 round-trips', () => {
    const set = computeFieldSet(appliedService, svc);
    const back = fromFieldsV1(toFieldsV1(set));
    assert.deepEqual(back.list(), set.list());
  });

  test('fromFieldsV1 canonicalizes key order inside k:', () => {
    const set = fromFieldsV1({ 'f:spec': { 'f:ports': { 'k:{"protocol":"TCP","port":80}': { '.': {}, 'f:port': {} } } } });
    assert.ok(set.has(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}']));
  });

  test('fromFieldsV1 rejects unknown path element kinds', () => {
    assert.throws(() => fromFieldsV1({ 'x:foo': {} }), PatchError);
  });

  test('strict mode reports missing and duplicate keys like upstream', () => {
    assert.throws(
      () => computeFieldSet({ spec: { ports: [{ name: 'x' }] } }, svc, true),
      (e: unknown) =>
        e instanceof PatchError &&
        e.message === '.spec.ports: element 0: associative list with keys has an element that omits key field "port" (and doesn\'t have default value)',
    );
    assert.throws(
      () => computeFieldSet({ spec: { ports: [{ port: 80 }, { port: 80, protocol: 'TCP' }] } }, svc, true),
      (e: unknown) => e instanceof PatchError && e.message === '.spec.ports: duplicate entries for key [port=80,protocol="TCP"]',
    );
  });
});

describe('formatFieldPath', () => {
  const cases: [string[], string][] = [
    [['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}', 'f:targetPort'], '.spec.ports[port=80,protocol="TCP"].targetPort'],
    [['f:metadata', 'f:finalizers', 'v:"foo"'], '.metadata.finalizers[="foo"]'],
    [['f:spec', 'f:replicas'], '.spec.replicas'],
    [['f:a', 'i:3'], '.a[3]'],
  ];
  for (const [p, want] of cases) test(want, () => assert.equal(formatFieldPath(p), want));
});

describe('compareObjects', () => {
  test('create: new maps and list items are reported, always-present structs are not', () => {
    const after = { metadata: { name: 'x', labels: { a: '1' } }, spec: { ports: [{ port: 80, targetPort: 80 }], selector: { a: '1' } } };
    const c = compareObjects(svc.emptyObject, after, svc);
    assert.deepEqual(toFieldsV1(c.added.union(c.modified)), {
      'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} }, 'f:name': {} },
      'f:spec': {
        'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {}, 'f:targetPort': {} } },
        'f:selector': {},
      },
    });
    assert.ok(c.removed.has(['f:status', 'f:loadBalancer']));
  });

  test('modified leaf, removed item, added item', () => {
    const before = { spec: { ports: [{ port: 80, targetPort: 80 }, { port: 81 }] } };
    const after = { spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 82 }] } };
    const c = compareObjects(before, after, svc);
    assert.deepEqual(c.modified.list(), [['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}', 'f:targetPort']]);
    assert.ok(c.removed.has(['f:spec', 'f:ports', 'k:{"port":81,"protocol":"TCP"}']));
    assert.ok(c.added.has(['f:spec', 'f:ports', 'k:{"port":82,"protocol":"TCP"}', 'f:port']));
  });

  test('an atomic map changes as one leaf', () => {
    const c = compareObjects({ spec: { selector: { a: '1' } } }, { spec: { selector: { a: '2', b: '1' } } }, svc);
    assert.deepEqual(c.modified.list(), [['f:spec', 'f:selector']]);
  });
});

describe('ensureNamedFieldsAreMembers / removeFields', () => {
  test('struct fields become members, map entries and items do not', () => {
    const set = new FieldSet([['f:metadata', 'f:labels', 'f:app'], ['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}', 'f:port']]);
    const ensured = ensureNamedFieldsAreMembers(set, svc);
    assert.ok(ensured.has(['f:metadata']));
    assert.ok(ensured.has(['f:metadata', 'f:labels']));
    assert.ok(ensured.has(['f:spec', 'f:ports']));
    assert.ok(!ensured.has(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}']));
  });

  test('removing the last list item drops the list but keeps the parent', () => {
    const obj = { spec: { ports: [{ port: 80, targetPort: 80 }], type: 'ClusterIP' } };
    const out = removeFields(obj, new FieldSet([['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}']]), svc);
    assert.deepEqual(out, { spec: { type: 'ClusterIP' } });
    assert.equal(obj.spec.ports.length, 1, 'input untouched');
  });

  test('removing a set value and a map entry', () => {
    const obj = { metadata: { finalizers: ['a', 'b'], labels: { x: '1', y: '2' } } };
    const out = removeFields(obj, new FieldSet([['f:metadata', 'f:finalizers', 'v:"a"'], ['f:metadata', 'f:labels', 'f:y']]), svc);
    assert.deepEqual(out, { metadata: { finalizers: ['b'], labels: { x: '1' } } });
  });
});
