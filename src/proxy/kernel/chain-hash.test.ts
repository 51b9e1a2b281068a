import { test } from 'node:test';
import assert from 'node:assert/strict';
import { base32, memoize, sha256Base32 } from './chain-hash.js';

// RFC 4648 section 10 test vectors.
const vectors: [string, string][] = [
  ['', ''],
  ['f', 'MY======'],
  ['fo', 'MZXQ===='],
  ['foo', 'MZXW6==='],
  ['foob', 'MZXW6YQ='],
  ['fooba', 'MZXW6YTB'],
  ['foobar', 'MZXW6YTBOI======'],
];
for (const [input, want] of vectors) test(`base32(${JSON.stringify(input)})`, () => assert.equal(base32(new TextEncoder().encode(input)), want));

test('sha256Base32 is the prefix upstream chain names use', () => {
  // default/kubernetes:https + tcp → KUBE-SVC-NPX46M4PTMTKRN6Y on every cluster.
  assert.equal(sha256Base32('default/kubernetes:httpstcp', 16), 'NPX46M4PTMTKRN6Y');
});

test('memoize returns the same values and stays bounded', () => {
  let calls = 0;
  const f = memoize((s) => {
    calls++;
    return s.toUpperCase();
  }, 2);
  assert.equal(f('a'), 'A');
  assert.equal(f('a'), 'A');
  assert.equal(calls, 1);
  f('b');
  f('c'); // drops the cache
  assert.equal(f('a'), 'A');
  assert.equal(calls, 4);
});
