import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { applyMergePatch } from './merge-patch.js';

// The examples of RFC 7386 appendix A plus the shapes kubectl label/scale send.
const cases: { name: string; doc: unknown; patch: unknown; want: unknown }[] = [
  { name: 'replace member', doc: { a: 'b' }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'add member', doc: { a: 'b' }, patch: { b: 'c' }, want: { a: 'b', b: 'c' } },
  { name: 'null removes', doc: { a: 'b' }, patch: { a: null }, want: {} },
  { name: 'null removes one of two', doc: { a: 'b', b: 'c' }, patch: { a: null }, want: { b: 'c' } },
  { name: 'array replaces array', doc: { a: ['b'] }, patch: { a: 'c' }, want: { a: 'c' } },
  { name: 'value replaces array', doc: { a: 'c' }, patch: { a: ['b'] }, want: { a: ['b'] } },
  { name: 'nested merge and delete', doc: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, want: { a: { b: 'd' } } },
  { name: 'arrays are not merged', doc: { a: [{ b: 'c' }] }, patch: { a: [1] }, want: { a: [1] } },
  { name: 'non-object doc', doc: ['a', 'b'], patch: { a: 'b' }, want: { a: 'b' } },
  { name: 'non-object patch replaces', doc: { a: 'foo' }, patch: 'bar', want: 'bar' },
  { name: 'nested null in new member is dropped', doc: { e: null }, patch: { a: 1, c: { d: null } }, want: { e: null, a: 1, c: {} } },
  {
    name: 'kubectl label',
    doc: { metadata: { name: 'x', labels: { run: 'x' } } },
    patch: { metadata: { labels: { tier: 'web' } } },
    want: { metadata: { name: 'x', labels: { run: 'x', tier: 'web' } } },
  },
  {
    name: 'kubectl unlabel',
    doc: { metadata: { name: 'x', labels: { run: 'x', tier: 'web' } } },
    patch: { metadata: { labels: { tier: null } } },
    want: { metadata: { name: 'x', labels: { run: 'x' } } },
  },
  { name: 'kubectl scale', doc: { spec: { replicas: 1 }, status: {} }, patch: { spec: { replicas: 3 } }, want: { spec: { replicas: 3 }, status: {} } },
];

describe('applyMergePatch', () => {
  for (const c of cases) {
    test(c.name, () => {
      const before = JSON.stringify(c.doc);
      const out = applyMergePatch(c.doc, c.patch);
      assert.deepEqual(out, c.want);
      assert.equal(JSON.stringify(c.doc), before);
    });
  }
  test('result does not alias untouched parts of the input', () => {
    const doc = { keep: { x: 1 }, change: 1 };
    const out = applyMergePatch(doc, { change: 2 }) as typeof doc;
    out.keep.x = 99;
    assert.equal(doc.keep.x, 1);
  });
});
