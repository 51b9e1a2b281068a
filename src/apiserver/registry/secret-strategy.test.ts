import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { cloneJson } from '../../api/object.js';
import { fieldErrorString } from '../field-errors.js';
import { secretStrategy } from './secret-strategy.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const secret = (extra: Record<string, unknown>): KubeObject => {
  const obj: KubeObject = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'default' }, ...extra };
  secretStrategy.defaults?.(obj);
  return obj;
};
const errs = (obj: KubeObject, old?: KubeObject): string[] =>
  (old ? (secretStrategy.validateUpdate?.(obj, old) ?? []) : (secretStrategy.validateCreate?.(obj) ?? [])).map(fieldErrorString);

describe('secret', () => {
  test('type defaults to Opaque; stringData is folded into data', () => {
    const obj = secret({ data: { a: b64('1') }, stringData: { b: 'two', a: 'one' } });
    assert.deepEqual(obj, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'default' },
      type: 'Opaque',
      data: { a: b64('one'), b: b64('two') },
    });
    assert.deepEqual(errs(obj), []);
  });

  const cases: { name: string; extra: Record<string, unknown>; expect: string[] }[] = [
    {
      name: 'bad data key',
      extra: { data: { 'a/b': b64('x') } },
      expect: [
        "data[a/b]: Invalid value: \"a/b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name', or 'KEY_NAME', or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
      ],
    },
    {
      name: 'tls secrets need tls.crt and tls.key',
      extra: { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('x') } },
      expect: ['data[tls.key]: Required value'],
    },
    {
      name: 'dockerconfigjson must be JSON',
      extra: { type: 'kubernetes.io/dockerconfigjson', data: { '.dockerconfigjson': b64('{') } },
      expect: ['data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": '],
    },
  ];
  const norm = (s: string): string => s.replace(/',\s+or '/g, "', or '");
  for (const c of cases) {
    test(c.name, () => {
      const got = errs(secret(c.extra)).map(norm);
      // JSON parser messages differ between runtimes: compare the stable prefix.
      assert.deepEqual(
        got.map((g, i) => (c.expect[i]?.endsWith(': ') ? g.slice(0, c.expect[i]?.length) : g)),
        c.expect.map(norm),
      );
    });
  }

  test('type is immutable; immutable secrets freeze data and the flag', () => {
    const old = secret({ immutable: true, data: { a: b64('1') } });
    const next = cloneJson(old);
    next['type'] = 'kubernetes.io/basic-auth';
    next['immutable'] = false;
    next['data'] = { username: b64('u') };
    assert.deepEqual(errs(next, old), [
      'type: Invalid value: "kubernetes.io/basic-auth": field is immutable',
      'immutable: Forbidden: field is immutable when `immutable` is set',
      'data: Forbidden: field is immutable when `immutable` is set',
    ]);
  });

  test('field label type', () => {
    assert.deepEqual(secretStrategy.fieldLabels?.(secret({})), { type: 'Opaque' });
  });
});
