import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeApiError } from '../../client/kube-client.js';
import { isNamespaceTerminating } from './namespace-terminating.js';

const cases: { name: string; err: unknown; want: boolean }[] = [
  {
    name: 'upstream Status with the NamespaceTerminating cause',
    err: new KubeApiError(403, 'Forbidden', 'endpoints "x" is forbidden', { kind: 'Status', details: { causes: [{ type: 'NamespaceTerminating', message: 'namespace ns is being terminated' }] } }),
    want: true,
  },
  {
    name: 'Forbidden with the terminating message only',
    err: new KubeApiError(403, 'Forbidden', 'unable to create new content in namespace ns because it is being terminated', { kind: 'Status' }),
    want: true,
  },
  { name: 'another Forbidden', err: new KubeApiError(403, 'Forbidden', 'no RBAC', { kind: 'Status' }), want: false },
  { name: 'a conflict', err: new KubeApiError(409, 'Conflict', 'because it is being terminated', {}), want: false },
  { name: 'not an API error', err: new Error('because it is being terminated'), want: false },
];

describe('isNamespaceTerminating', () => {
  for (const c of cases) test(c.name, () => assert.equal(isNamespaceTerminating(c.err), c.want));
});
