import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseLabelSelector } from '../../apiserver/selectors/label-selector.js';
import { type ClaimOwner, adoptPatch, classifyClaims, releasePatch } from './controller-ref.js';
import { pod } from './test-fixtures.js';
import type { PodJson } from './workload-types.js';

const OWNER: ClaimOwner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', namespace: 'default', uid: 'rs-uid', deleting: false };
const mine = { name: 'web-1', uid: 'rs-uid' };
const theirs = { name: 'other', uid: 'other-uid' };

describe('classifyClaims', () => {
  const cases: { name: string; owner?: Partial<ClaimOwner>; pod: PodJson; want: 'owned' | 'adopt' | 'release' | 'ignored' }[] = [
    { name: 'owned and matching', pod: pod('a', { owner: mine }), want: 'owned' },
    { name: 'owned but no longer matching is released', pod: pod('a', { owner: mine, labels: { app: 'other' } }), want: 'release' },
    { name: 'owned, not matching, owner being deleted: kept as is', owner: { deleting: true }, pod: pod('a', { owner: mine, labels: { app: 'other' } }), want: 'ignored' },
    { name: 'an orphan that matches is adopted', pod: pod('a'), want: 'adopt' },
    { name: 'an orphan that does not match is ignored', pod: pod('a', { labels: { app: 'db' } }), want: 'ignored' },
    { name: 'an orphan being deleted is not adopted', pod: pod('a', { deleting: true }), want: 'ignored' },
    { name: 'an owner being deleted adopts nothing', owner: { deleting: true }, pod: pod('a'), want: 'ignored' },
    { name: 'owned by another controller is ignored', pod: pod('a', { owner: theirs }), want: 'ignored' },
    { name: 'an orphan in another namespace is ignored', owner: { namespace: 'prod' }, pod: pod('a'), want: 'ignored' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = classifyClaims({ ...OWNER, ...c.owner }, parseLabelSelector('app=web'), [c.pod]);
      const got = r.owned.length ? 'owned' : r.adopt.length ? 'adopt' : r.release.length ? 'release' : 'ignored';
      assert.equal(got, c.want);
    });
  }
});

test('adopt and release patches', () => {
  const p = pod('a');
  assert.deepEqual(adoptPatch(OWNER, p), {
    metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-1', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }], uid: 'uid-a' },
  });
  assert.deepEqual(releasePatch('rs-uid', p), { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'rs-uid' }], uid: 'uid-a' } });
});
