import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { runStoreConformance } from '../store-conformance.js';
import { MemoryStore } from './memory-store.js';

runStoreConformance('MemoryStore', async () => {
  const store = new MemoryStore();
  return { store, cleanup: () => store.close() };
});

describe('MemoryStore specifics', () => {
  test('history beyond keepHistory is compacted away', async () => {
    const store = new MemoryStore({ keepHistory: 3 });
    for (let i = 1; i <= 5; i++) await store.create(`/k/${i}`, 'v');
    assert.equal(store.compactRevision(), 2);
    const old = store.watch({ prefix: '/', afterRevision: 1 }, () => undefined);
    assert.deepEqual(old, { ok: false, reason: 'compacted', compactRevision: 2 });
    await store.close();
  });

  test('calls after close fail', async () => {
    const store = new MemoryStore();
    await store.close();
    await assert.rejects(store.create('/k', 'v'), /closed/);
    await assert.rejects(store.get('/k'), /closed/);
  });
});
