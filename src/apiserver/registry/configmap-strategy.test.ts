import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { configMapStrategy } from './configmap-strategy.js';

const cm = (extra: Record<string, unknown>): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'default' }, ...extra });

describe('configmap', () => {
  const cases: { name: string; obj: KubeObject; expect: string[] }[] = [
    { name: 'valid', obj: cm({ data: { 'app.properties': 'a=b' }, binaryData: { logo: 'AAAA' } }), expect: [] },
    {
      name: 'a key in both data and binaryData',
      obj: cm({ data: { k: 'v' }, binaryData: { k: 'AAAA' } }),
      expect: ['data[k]: Invalid value: "k": duplicate of key present in binaryData'],
    },
    { name: "'..' prefix", obj: cm({ data: { '..x': 'v' } }), expect: ['data[..x]: Invalid value: "..x": must not start with \'..\''] },
    { name: 'larger than 1 MiB', obj: cm({ data: { big: 'x'.repeat(1024 * 1024 + 1) } }), expect: [': Too long: may not be more than 1048576 bytes'] },
  ];
  for (const c of cases) {
    test(c.name, () => assert.deepEqual((configMapStrategy.validateCreate?.(c.obj) ?? []).map(fieldErrorString), c.expect));
  }

  test('immutable config maps cannot change', () => {
    const old = cm({ immutable: true, data: { a: '1' } });
    assert.deepEqual((configMapStrategy.validateUpdate?.(cm({ immutable: true, data: { a: '2' } }), old) ?? []).map(fieldErrorString), [
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
    assert.deepEqual(configMapStrategy.validateUpdate?.(cm({ data: { a: '2' } }), cm({ data: { a: '1' } })), []);
  });
});
