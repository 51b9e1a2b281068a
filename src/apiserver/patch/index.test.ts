import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { applyPatch, PatchError } from './index.js';

const svc: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'my-nginx', labels: { run: 'my-nginx' } },
  spec: { ports: [{ port: 80, protocol: 'TCP', targetPort: 80 }], selector: { run: 'my-nginx' } },
};

const cases: { name: string; type: string; body: unknown; pick: (o: KubeObject) => unknown; want: unknown }[] = [
  {
    name: 'json patch',
    type: 'application/json-patch+json',
    body: [{ op: 'replace', path: '/spec/ports/0/targetPort', value: 8080 }],
    pick: (o) => (o['spec'] as { ports: { targetPort: number }[] }).ports[0]?.targetPort,
    want: 8080,
  },
  {
    name: 'merge patch replaces lists',
    type: 'application/merge-patch+json',
    body: { spec: { ports: [{ port: 81 }] } },
    pick: (o) => (o['spec'] as { ports: unknown }).ports,
    want: [{ port: 81 }],
  },
  {
    name: 'strategic merge patch merges ports by key (with a charset parameter)',
    type: 'application/strategic-merge-patch+json; charset=utf-8',
    body: { spec: { ports: [{ port: 80, name: 'http' }] } },
    pick: (o) => (o['spec'] as { ports: unknown }).ports,
    want: [{ port: 80, protocol: 'TCP', targetPort: 80, name: 'http' }],
  },
];

describe('applyPatch', () => {
  for (const c of cases) {
    test(c.name, () => {
      const before = JSON.stringify(svc);
      assert.deepEqual(c.pick(applyPatch(c.type, svc, c.body, 'v1', 'Service')), c.want);
      assert.equal(JSON.stringify(svc), before);
    });
  }

  const errors: { name: string; type: string; body: unknown; code: number }[] = [
    { name: 'unknown content type', type: 'application/xml', body: {}, code: 400 },
    { name: 'merge patch that is not an object', type: 'application/merge-patch+json', body: [1], code: 400 },
    { name: 'json patch that is not a list', type: 'application/json-patch+json', body: {}, code: 400 },
    { name: 'json patch producing a non-object', type: 'application/json-patch+json', body: [{ op: 'replace', path: '', value: 3 }], code: 422 },
    { name: 'failing json patch test', type: 'application/json-patch+json', body: [{ op: 'test', path: '/metadata/name', value: 'x' }], code: 422 },
  ];
  for (const e of errors) {
    test(`rejects: ${e.name}`, () => {
      assert.throws(
        () => applyPatch(e.type, svc, e.body, 'v1', 'Service'),
        (err: unknown) => err instanceof PatchError && err.code === e.code,
      );
    });
  }
});
