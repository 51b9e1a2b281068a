import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../status.js';
import { planListVersion, waitForRevision } from './list-version.js';

const plans: ReadonlyArray<{ name: string; rv?: string; match?: string; limit?: number; cont?: string; want: unknown }> = [
  { name: 'unset: most recent', want: { kind: 'latest' } },
  { name: '"0": any', rv: '0', want: { kind: 'latest' } },
  { name: 'a version without limit: not older than', rv: '42', want: { kind: 'latest', notOlderThan: 42 } },
  { name: 'a version with a limit: exact (legacy paging)', rv: '42', limit: 10, want: { kind: 'exact', revision: 42 } },
  { name: 'Exact', rv: '42', match: 'Exact', want: { kind: 'exact', revision: 42 } },
  { name: 'NotOlderThan with a limit', rv: '42', match: 'NotOlderThan', limit: 5, want: { kind: 'latest', notOlderThan: 42 } },
  { name: 'NotOlderThan "0": any', rv: '0', match: 'NotOlderThan', want: { kind: 'latest' } },
];
for (const c of plans) {
  test(`list resourceVersion plan: ${c.name}`, () => {
    assert.deepEqual(
      planListVersion({ resourceVersion: c.rv, resourceVersionMatch: c.match, continueToken: c.cont, limit: c.limit ?? 0 }),
      c.want,
    );
  });
}

const invalid: ReadonlyArray<{ name: string; rv?: string; match: string; cont?: string; message: string }> = [
  {
    name: 'match without a version',
    match: 'Exact',
    message: 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
  },
  {
    name: 'Exact for "0"',
    rv: '0',
    match: 'Exact',
    message: 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
  },
  {
    name: 'unknown match',
    rv: '5',
    match: 'Newest',
    message: 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""',
  },
];
for (const c of invalid) {
  test(`list resourceVersion plan rejects ${c.name} with 422`, () => {
    assert.throws(
      () => planListVersion({ resourceVersion: c.rv, resourceVersionMatch: c.match, continueToken: c.cont, limit: 0 }),
      (e: unknown) => e instanceof ApiError && e.status.code === 422 && e.status.message === c.message,
    );
  });
}

test('a malformed version is 400', () => {
  assert.throws(() => planListVersion({ resourceVersion: 'abc', resourceVersionMatch: undefined, continueToken: undefined, limit: 0 }), (e: unknown) => e instanceof ApiError && e.status.code === 400);
});

test('a version the store does not reach in time is 504 Too large resource version', async () => {
  await assert.rejects(waitForRevision(100, () => 7, 60), (e: unknown) => {
    if (!(e instanceof ApiError)) return false;
    assert.equal(e.status.code, 504);
    assert.equal(e.status.reason, 'Timeout');
    assert.equal(e.status.message, 'Too large resource version: 100, current: 7');
    assert.equal(e.status.details?.retryAfterSeconds, 1);
    assert.equal(e.status.details?.causes?.[0]?.reason, 'ResourceVersionTooLarge');
    return true;
  });
  let rev = 5;
  setTimeout(() => (rev = 100), 30);
  await waitForRevision(100, () => rev, 2000);
});
