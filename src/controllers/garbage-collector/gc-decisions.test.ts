import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { OwnerReference } from '../../api/object.js';
import { CONFIGMAPS } from '../resources.js';
import { type DeletingOwnerPlan, type DependentPlan, type OwnerLookup, planForDeletingOwner, planForDependent } from './gc-decisions.js';
import type { GraphNode } from './owner-graph.js';

const ref = (uid: string, extra: Partial<OwnerReference> = {}): OwnerReference => ({ apiVersion: 'v1', kind: 'ConfigMap', name: `cm-${uid}`, uid, ...extra });

function node(uid: string, opts: { owners?: OwnerReference[]; deleting?: boolean; finalizers?: string[] } = {}): GraphNode {
  return {
    uid,
    resource: CONFIGMAPS,
    namespace: 'default',
    name: `cm-${uid}`,
    resourceVersion: '1',
    ownerReferences: opts.owners ?? [],
    deletionTimestamp: opts.deleting ? '2024-01-01T00:00:00Z' : undefined,
    finalizers: opts.finalizers ?? [],
  };
}

const ABSENT: OwnerLookup = { kind: 'absent' };
const PRESENT: OwnerLookup = { kind: 'present', deletingDependents: false };
const WAITING: OwnerLookup = { kind: 'present', deletingDependents: true };
const UNKNOWN: OwnerLookup = { kind: 'unresolvable' };

describe('planForDependent', () => {
  const cases: {
    name: string;
    item: GraphNode;
    owners: Record<string, OwnerLookup>;
    hasDependents?: boolean;
    want: DependentPlan;
  }[] = [
    { name: 'no owners: nothing', item: node('d'), owners: {}, want: { action: 'none' } },
    { name: 'owner present: kept', item: node('d', { owners: [ref('o')] }), owners: { o: PRESENT }, want: { action: 'none' } },
    { name: 'owner gone: background delete', item: node('d', { owners: [ref('o')] }), owners: { o: ABSENT }, want: { action: 'delete', policy: 'Background' } },
    {
      name: 'all owners gone, orphan finalizer on the item: orphan delete',
      item: node('d', { owners: [ref('o')], finalizers: ['orphan'] }),
      owners: { o: ABSENT },
      want: { action: 'delete', policy: 'Orphan' },
    },
    {
      name: 'one of two owners gone: dangling reference dropped, not deleted',
      item: node('d', { owners: [ref('a'), ref('b')] }),
      owners: { a: ABSENT, b: PRESENT },
      want: { action: 'patchOwnerReferences', ownerReferences: [ref('b')] },
    },
    {
      name: 'owner look-up missing: treated as present',
      item: node('d', { owners: [ref('o')] }),
      owners: {},
      want: { action: 'none' },
    },
    { name: 'owner of unknown kind: kept', item: node('d', { owners: [ref('o')] }), owners: { o: UNKNOWN }, want: { action: 'none' } },
    {
      name: 'only owner waiting for dependents, item has none: background delete',
      item: node('d', { owners: [ref('o', { blockOwnerDeletion: true })] }),
      owners: { o: WAITING },
      want: { action: 'delete', policy: 'Background' },
    },
    {
      name: 'only owner waiting, item has dependents: foreground delete (cascades)',
      item: node('d', { owners: [ref('o', { blockOwnerDeletion: true })] }),
      owners: { o: WAITING },
      hasDependents: true,
      want: { action: 'delete', policy: 'Foreground' },
    },
    {
      name: 'waiting owner plus a solid owner: unblock the waiting one',
      item: node('d', { owners: [ref('w', { blockOwnerDeletion: true }), ref('s')] }),
      owners: { w: WAITING, s: PRESENT },
      want: { action: 'patchOwnerReferences', ownerReferences: [ref('w', { blockOwnerDeletion: false }), ref('s')] },
    },
    {
      name: 'waiting owner already unblocked plus a solid owner: nothing',
      item: node('d', { owners: [ref('w', { blockOwnerDeletion: false }), ref('s')] }),
      owners: { w: WAITING, s: PRESENT },
      want: { action: 'none' },
    },
    { name: 'item being deleted: nothing', item: node('d', { owners: [ref('o')], deleting: true }), owners: { o: ABSENT }, want: { action: 'none' } },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(planForDependent(c.item, new Map(Object.entries(c.owners)), c.hasDependents ?? false), c.want);
    });
  }
});

describe('planForDeletingOwner', () => {
  const blocking = node('b', { owners: [ref('o', { blockOwnerDeletion: true })] });
  const plain = node('p', { owners: [ref('o')] });
  const blockingDeleting = node('bd', { owners: [ref('o', { blockOwnerDeletion: true })], deleting: true });
  const unrelated = node('u', { owners: [ref('x')] });
  const cases: { name: string; owner: GraphNode; deps: GraphNode[]; want: DeletingOwnerPlan }[] = [
    { name: 'not being deleted: nothing', owner: node('o'), deps: [plain], want: { action: 'none' } },
    { name: 'deleting without GC finalizers: nothing', owner: node('o', { deleting: true, finalizers: ['example.com/x'] }), deps: [plain], want: { action: 'none' } },
    {
      name: 'orphan with dependents: remove references first',
      owner: node('o', { deleting: true, finalizers: ['orphan'] }),
      deps: [plain, unrelated],
      want: { action: 'orphanDependents', dependents: [plain] },
    },
    {
      name: 'orphan with no dependents left: drop the finalizer',
      owner: node('o', { deleting: true, finalizers: ['orphan'] }),
      deps: [],
      want: { action: 'removeFinalizer', finalizer: 'orphan', dependents: [] },
    },
    {
      name: 'foreground with a blocking dependent: delete dependents, wait',
      owner: node('o', { deleting: true, finalizers: ['foregroundDeletion'] }),
      deps: [blocking, plain],
      want: { action: 'awaitDependents', dependents: [blocking, plain], blocking: [blocking] },
    },
    {
      name: 'foreground, blocking dependent already terminating: still waits, not revisited',
      owner: node('o', { deleting: true, finalizers: ['foregroundDeletion'] }),
      deps: [blockingDeleting],
      want: { action: 'awaitDependents', dependents: [], blocking: [blockingDeleting] },
    },
    {
      name: 'foreground with only non-blocking dependents: finalizer goes, dependents still visited',
      owner: node('o', { deleting: true, finalizers: ['foregroundDeletion'] }),
      deps: [plain],
      want: { action: 'removeFinalizer', finalizer: 'foregroundDeletion', dependents: [plain] },
    },
    {
      name: 'foreground with no dependents: finalizer goes',
      owner: node('o', { deleting: true, finalizers: ['foregroundDeletion', 'example.com/keep'] }),
      deps: [],
      want: { action: 'removeFinalizer', finalizer: 'foregroundDeletion', dependents: [] },
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(planForDeletingOwner(c.owner, c.deps), c.want);
    });
  }
});
