import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../status.js';
import { acceptsApiMedia, checkAcceptable } from './negotiation.js';

const cases: ReadonlyArray<{ name: string; accept: string | undefined; ok: boolean }> = [
  { name: 'no header', accept: undefined, ok: true },
  { name: 'empty header', accept: '', ok: true },
  { name: 'json', accept: 'application/json', ok: true },
  { name: 'kubectl table request', accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json', ok: true },
  { name: 'protobuf with json fallback', accept: 'application/vnd.kubernetes.protobuf, */*', ok: true },
  { name: 'yaml', accept: 'application/yaml', ok: true },
  { name: 'curl default', accept: '*/*', ok: true },
  { name: 'application wildcard', accept: 'application/*', ok: true },
  { name: 'case-insensitive media type', accept: 'Application/JSON', ok: true },
  { name: 'xml only', accept: 'application/xml', ok: false },
  { name: 'text/plain only (as upstream, also for pods/log)', accept: 'text/plain', ok: false },
  { name: 'json refused with q=0', accept: 'application/json;q=0, text/html', ok: false },
];

for (const c of cases) {
  test(`Accept negotiation: ${c.name}`, () => {
    assert.equal(acceptsApiMedia(c.accept), c.ok);
  });
}

test('406 carries the upstream reason and message', () => {
  assert.throws(
    () => checkAcceptable('application/xml'),
    (e: unknown) =>
      e instanceof ApiError &&
      e.status.code === 406 &&
      e.status.reason === 'NotAcceptable' &&
      e.status.message === 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf',
  );
});
