import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import type { KeyValue } from '../../storage/store.js';
import { decodeMutable, encodeForStorage, objectJson } from './object-codec.js';

function kv(value: string, modRevision: number): KeyValue {
  return { key: `/registry/services/default/x${modRevision}`, value, createRevision: 1, modRevision };
}

const svc = (extra: Partial<KubeObject> = {}): KubeObject => ({
  spec: { template: { metadata: { name: 'inner' } } },
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', resourceVersion: '17', labels: { 'a"b': 'c\\"d' } },
  apiVersion: 'v1',
  ...extra,
});

describe('object codec', () => {
  test('stored text leaves resourceVersion out and starts with apiVersion, kind, metadata', () => {
    const text = encodeForStorage(svc());
    assert.ok(text.startsWith('{"apiVersion":"v1","kind":"Service","metadata":{"name":"web"'), text);
    assert.ok(!text.includes('resourceVersion'));
  });

  const cases: { name: string; value: string }[] = [
    { name: 'text written by encodeForStorage', value: encodeForStorage(svc()) },
    { name: 'empty metadata', value: encodeForStorage({ apiVersion: 'v1', kind: 'Service', metadata: {} }) },
    { name: 'escaped quotes in apiVersion and kind', value: encodeForStorage({ apiVersion: 'v"1', kind: 'K\\"x', metadata: { name: 'n' } }) },
    // Text from elsewhere (older data, other writers): nested metadata first.
    { name: 'other key order', value: JSON.stringify({ spec: { template: { metadata: { name: 'inner' } } }, apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' } }) },
  ];
  for (const c of cases) {
    test(`objectJson equals the decoded object with its resourceVersion: ${c.name}`, () => {
      const k = kv(c.value, 42);
      const fromText = JSON.parse(objectJson(k)) as KubeObject;
      assert.deepEqual(fromText, decodeMutable(k));
      assert.equal(fromText.metadata.resourceVersion, '42');
      const inner = (fromText.spec as { template?: { metadata?: Record<string, unknown> } } | undefined)?.template?.metadata;
      if (inner) assert.equal(inner.resourceVersion, undefined, 'nested metadata is untouched');
    });
  }
});
