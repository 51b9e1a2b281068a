import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyJsonPatch, parseJsonPointer, PatchError } from './json-patch.js';

const doc = {
  metadata: { name: 'x', labels: { 'app.kubernetes.io/name': 'web', 'a~b': '1' } },
  spec: { ports: [{ port: 80 }, { port: 81 }], replicas: 1 },
};

const ok: { name: string; ops: unknown[]; want: unknown }[] = [
  {
    name: 'add a new member',
    ops: [{ op: 'add', path: '/spec/paused', value: true }],
    want: { ...doc, spec: { ...doc.spec, paused: true } },
  },
  {
    name: 'add appends with -',
    ops: [{ op: 'add', path: '/spec/ports/-', value: { port: 82 } }],
    want: { ...doc, spec: { ...doc.spec, ports: [{ port: 80 }, { port: 81 }, { port: 82 }] } },
  },
  {
    name: 'add inserts at an index',
    ops: [{ op: 'add', path: '/spec/ports/0', value: { port: 79 } }],
    want: { ...doc, spec: { ...doc.spec, ports: [{ port: 79 }, { port: 80 }, { port: 81 }] } },
  },
  {
    name: 'add at index == length appends',
    ops: [{ op: 'add', path: '/spec/ports/2', value: { port: 82 } }],
    want: { ...doc, spec: { ...doc.spec, ports: [{ port: 80 }, { port: 81 }, { port: 82 }] } },
  },
  {
    name: 'remove an array element',
    ops: [{ op: 'remove', path: '/spec/ports/0' }],
    want: { ...doc, spec: { ...doc.spec, ports: [{ port: 81 }] } },
  },
  {
    name: 'replace with ~1 escape (label key with a slash)',
    ops: [{ op: 'replace', path: '/metadata/labels/app.kubernetes.io~1name', value: 'api' }],
    want: { ...doc, metadata: { ...doc.metadata, labels: { 'app.kubernetes.io/name': 'api', 'a~b': '1' } } },
  },
  {
    name: 'remove with ~0 escape',
    ops: [{ op: 'remove', path: '/metadata/labels/a~0b' }],
    want: { ...doc, metadata: { ...doc.metadata, labels: { 'app.kubernetes.io/name': 'web' } } },
  },
  {
    name: 'move a member',
    ops: [{ op: 'move', from: '/spec/replicas', path: '/spec/count' }],
    want: { ...doc, spec: { ports: doc.spec.ports, count: 1 } },
  },
  {
    name: 'copy an element',
    ops: [{ op: 'copy', from: '/spec/ports/1', path: '/spec/ports/-' }],
    want: { ...doc, spec: { ...doc.spec, ports: [{ port: 80 }, { port: 81 }, { port: 81 }] } },
  },
  {
    name: 'test then replace (kubectl managedFields migration shape)',
    ops: [
      { op: 'test', path: '/spec/replicas', value: 1 },
      { op: 'replace', path: '/spec/replicas', value: 3 },
    ],
    want: { ...doc, spec: { ...doc.spec, replicas: 3 } },
  },
  {
    name: 'replace the whole document',
    ops: [{ op: 'replace', path: '', value: { a: 1 } }],
    want: { a: 1 },
  },
];

const bad: { name: string; ops: unknown; message: string; code: number }[] = [
  {
    name: 'add under a missing parent',
    ops: [{ op: 'add', path: '/spec/foo/bar', value: 1 }],
    message: 'add operation does not apply: doc is missing path: "/spec/foo/bar": missing value',
    code: 422,
  },
  {
    name: 'remove a missing member',
    ops: [{ op: 'remove', path: '/spec/nope' }],
    message: "error in remove for path: '/spec/nope': Unable to remove nonexistent key: nope: missing value",
    code: 422,
  },
  {
    name: 'remove under a missing parent',
    ops: [{ op: 'remove', path: '/nope/x' }],
    message: 'remove operation does not apply: doc is missing path: "/nope/x": missing value',
    code: 422,
  },
  {
    name: 'replace a missing member',
    ops: [{ op: 'replace', path: '/spec/nope', value: 1 }],
    message: 'replace operation does not apply: doc is missing key: /spec/nope: missing value',
    code: 422,
  },
  {
    name: 'add beyond the end of an array',
    ops: [{ op: 'add', path: '/spec/ports/5', value: 1 }],
    message: "error in add for path: '/spec/ports/5': Unable to access invalid index: 5: invalid index referenced",
    code: 422,
  },
  { name: 'failing test', ops: [{ op: 'test', path: '/spec/replicas', value: 2 }], message: 'testing value /spec/replicas failed: test failed', code: 422 },
  { name: 'unknown op', ops: [{ op: 'frobnicate', path: '/x' }], message: 'Unexpected kind: frobnicate', code: 422 },
  { name: 'not a list', ops: { op: 'add' }, message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch', code: 400 },
  {
    name: 'move into its own child',
    ops: [{ op: 'move', from: '/spec', path: '/spec/x' }],
    message: 'move operation does not apply: "from" /spec is a prefix of "path" /spec/x',
    code: 422,
  },
];

describe('applyJsonPatch', () => {
  for (const c of ok) {
    test(c.name, () => {
      const before = JSON.stringify(doc);
      assert.deepEqual(applyJsonPatch(doc, c.ops), c.want);
      assert.equal(JSON.stringify(doc), before, 'input must not be mutated');
    });
  }
  for (const c of bad) {
    test(`rejects: ${c.name}`, () => {
      assert.throws(
        () => applyJsonPatch(doc, c.ops),
        (e: unknown) => e instanceof PatchError && e.message === c.message && e.code === c.code,
      );
    });
  }
  test('a failing op leaves the input untouched (all-or-nothing)', () => {
    const before = JSON.stringify(doc);
    assert.throws(() => applyJsonPatch(doc, [{ op: 'add', path: '/spec/x', value: 1 }, { op: 'remove', path: '/nope' }]));
    assert.equal(JSON.stringify(doc), before);
  });
  test('added values are copies, not aliases of the patch', () => {
    const value = { a: 1 };
    const out = applyJsonPatch({}, [{ op: 'add', path: '/v', value }]) as { v: { a: number } };
    out.v.a = 2;
    assert.equal(value.a, 1);
  });
  test('parseJsonPointer unescapes ~1 before ~0', () => {
    assert.deepEqual(parseJsonPointer('/a~01/b~1c'), ['a~1', 'b/c']);
  });
});
