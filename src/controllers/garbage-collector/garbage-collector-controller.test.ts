/** The collector's reconcile against a recording fake client (the pure plans are tested in gc-decisions.test.ts). */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/object.js';
import { RESOURCE_TYPES } from '../../apiserver/resources.js';
import { KubeApiError } from '../../client/kube-client.js';
import { createLogger } from '../../log/logger.js';
import { type GcClient, GarbageCollector } from './garbage-collector-controller.js';

const CM = RESOURCE_TYPES.find((t) => t.plural === 'configmaps' && t.group === '');
if (!CM) throw new Error('configmaps not served');

const notFound = (): KubeApiError => new KubeApiError(404, 'NotFound', 'not found', undefined);

/** A fake API: `live` holds what GET finds (by name); every call is recorded as a line. */
function fakeClient(live: Record<string, KubeObject>): { client: GcClient; calls: string[] } {
  const calls: string[] = [];
  const client = {
    get: async (_res: unknown, _ns: string | undefined, name: string) => {
      calls.push(`GET ${name}`);
      const o = live[name];
      if (!o) throw notFound();
      return o;
    },
    patch: async (_res: unknown, _ns: string | undefined, name: string, patch: unknown) => {
      calls.push(`PATCH ${name} ${JSON.stringify(patch)}`);
      return { metadata: {} };
    },
    delete: async (_res: unknown, _ns: string | undefined, name: string, opts?: { propagationPolicy?: string }) => {
      calls.push(`DELETE ${name} ${opts?.propagationPolicy ?? ''}`);
      return {};
    },
  } as unknown as GcClient;
  return { client, calls };
}

const cm = (name: string, uid: string, extra: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  metadata: { name, namespace: 'default', uid, resourceVersion: '5', ...extra },
});
const ownedBy = (name: string, uid: string, ownerName: string, ownerUid: string, block = false): KubeObject =>
  cm(name, uid, { ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: ownerName, uid: ownerUid, ...(block ? { blockOwnerDeletion: true } : {}) }] });

const silent = createLogger('gc-test', () => {});

describe('GarbageCollector.reconcile', () => {
  const cases: { name: string; observed: KubeObject[]; live?: Record<string, KubeObject>; reconcile: string; want: string[] }[] = [
    {
      name: 'owner observed: nothing is read or written',
      observed: [cm('owner', 'o1'), ownedBy('dep', 'd1', 'owner', 'o1')],
      reconcile: 'd1',
      want: [],
    },
    {
      name: 'owner not observed but found live with the same uid: kept',
      observed: [ownedBy('dep', 'd1', 'owner', 'o1')],
      live: { owner: cm('owner', 'o1') },
      reconcile: 'd1',
      want: ['GET owner'],
    },
    {
      name: 'owner absent on a live read: background delete',
      observed: [ownedBy('dep', 'd1', 'owner', 'o1')],
      reconcile: 'd1',
      want: ['GET owner', 'DELETE dep Background'],
    },
    {
      name: 'an object of the same name with another uid is not the owner',
      observed: [ownedBy('dep', 'd1', 'owner', 'o1')],
      live: { owner: cm('owner', 'o2') },
      reconcile: 'd1',
      want: ['GET owner', 'DELETE dep Background'],
    },
    {
      name: 'orphaning owner: reference removed from the dependent first',
      observed: [cm('owner', 'o1', { deletionTimestamp: 't', finalizers: ['orphan'] }), ownedBy('dep', 'd1', 'owner', 'o1')],
      reconcile: 'o1',
      want: ['PATCH dep {"metadata":{"uid":"d1","resourceVersion":"5","ownerReferences":null}}'],
    },
    {
      name: 'orphaning owner without dependents: finalizer removed',
      observed: [cm('owner', 'o1', { deletionTimestamp: 't', finalizers: ['orphan'] })],
      reconcile: 'o1',
      want: ['PATCH owner {"metadata":{"uid":"o1","resourceVersion":"5","finalizers":null}}'],
    },
    {
      name: 'foreground owner with a blocking dependent: waits (no write on the owner)',
      observed: [cm('owner', 'o1', { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }), ownedBy('dep', 'd1', 'owner', 'o1', true)],
      reconcile: 'o1',
      want: [],
    },
    {
      name: 'dependent of a foreground owner is deleted without a live read',
      observed: [cm('owner', 'o1', { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }), ownedBy('dep', 'd1', 'owner', 'o1', true)],
      reconcile: 'd1',
      want: ['DELETE dep Background'],
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const { client, calls } = fakeClient(c.live ?? {});
      const gc = new GarbageCollector({ client, log: silent });
      for (const o of c.observed) gc.handleUpsert(CM, o);
      await gc.reconcile(c.reconcile);
      assert.deepEqual(calls, c.want);
    });
  }

  test('an owner confirmed absent is not read again', async () => {
    const { client, calls } = fakeClient({});
    const gc = new GarbageCollector({ client, log: silent });
    gc.handleUpsert(CM, ownedBy('a', 'd1', 'owner', 'o1'));
    gc.handleUpsert(CM, ownedBy('b', 'd2', 'owner', 'o1'));
    await gc.reconcile('d1');
    await gc.reconcile('d2');
    assert.deepEqual(calls, ['GET owner', 'DELETE a Background', 'DELETE b Background']);
  });

  test('deleting an owner enqueues its dependents', async () => {
    const { client } = fakeClient({});
    const gc = new GarbageCollector({ client, log: silent });
    gc.handleUpsert(CM, cm('owner', 'o1'));
    gc.handleUpsert(CM, ownedBy('dep', 'd1', 'owner', 'o1'));
    const first = await gc.queue.get();
    assert.equal(first, 'd1');
    gc.queue.done('d1');
    assert.equal(gc.queue.len(), 0);
    gc.handleDelete(cm('owner', 'o1'));
    assert.equal(await gc.queue.get(), 'd1');
    gc.queue.shutdown();
  });
});
