import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WatchEvent } from '../store.js';
import { runStoreConformance } from '../store-conformance.js';
import { SqliteStore } from './sqlite-store.js';

const root = mkdtempSync(join(tmpdir(), 'switchyard-sqlite-'));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshFile = (): string => join(root, `t${n++}.db`);

runStoreConformance('SqliteStore', async () => {
  const store = SqliteStore.open(freshFile(), { compactEvery: 0 });
  return { store, cleanup: () => store.close() };
});

function nextEvents(store: SqliteStore, prefix: string, afterRevision: number): Promise<readonly WatchEvent[]> {
  return new Promise((resolve, reject) => {
    const start = store.watch({ prefix, afterRevision }, (events) => {
      if (start.ok) start.cancel();
      resolve(events);
    });
    if (!start.ok) reject(new Error(`compacted at ${start.compactRevision}`));
  });
}

describe('SqliteStore specifics', () => {
  test('reopen keeps values, revisions and history', async () => {
    const file = freshFile();
    let store = SqliteStore.open(file, { compactEvery: 0 });
    const a = await store.create('/r/a', 'a1');
    assert.ok(a.ok);
    await store.update('/r/a', 'a2', a.kv.modRevision);
    await store.create('/r/b', 'b1');
    await store.delete('/r/b');
    await store.close();

    store = SqliteStore.open(file, { compactEvery: 0 });
    assert.equal(store.currentRevision(), 4);
    assert.deepEqual(await store.get('/r/a'), { key: '/r/a', value: 'a2', createRevision: 1, modRevision: 2 });
    assert.equal(await store.get('/r/b'), undefined);
    const events = await nextEvents(store, '/r/', 0);
    assert.deepEqual(
      events.map((e) => `${e.type} ${e.kv.key}=${e.kv.value} @${e.kv.modRevision} prev@${e.prevKv?.modRevision ?? '-'}`),
      ['put /r/a=a1 @1 prev@-', 'put /r/a=a2 @2 prev@1', 'put /r/b=b1 @3 prev@-', 'delete /r/b=b1 @4 prev@3'],
    );
    const next = await store.create('/r/c', 'c');
    assert.ok(next.ok);
    assert.equal(next.kv.modRevision, 5);
    await store.close();
  });

  test('revisions are not reused after compaction, deleting the newest key, and reopen', async () => {
    const file = freshFile();
    let store = SqliteStore.open(file, { compactEvery: 0 });
    for (let i = 0; i < 5; i++) await store.create(`/r/${i}`, 'v');
    await store.delete('/r/4');
    await store.compact(store.currentRevision());
    assert.equal(store.compactRevision(), 6);
    await store.close();

    store = SqliteStore.open(file, { compactEvery: 0 });
    assert.equal(store.currentRevision(), 6);
    assert.equal(store.compactRevision(), 6);
    const w = store.watch({ prefix: '/', afterRevision: 5 }, () => undefined);
    assert.deepEqual(w, { ok: false, reason: 'compacted', compactRevision: 6 });
    const res = await store.create('/r/new', 'v');
    assert.ok(res.ok);
    assert.equal(res.kv.modRevision, 7);
    assert.equal(await store.count('/r/'), 5);
    await store.close();
  });

  test('replay older than the in-memory ring is read from the log table', async () => {
    const file = freshFile();
    let store = SqliteStore.open(file, { compactEvery: 0, keepHistory: 5 });
    for (let i = 0; i < 20; i++) await store.create(`/r/${String(i).padStart(2, '0')}`, 'v');
    const live = await nextEvents(store, '/r/', 2);
    assert.deepEqual(live.map((e) => e.kv.modRevision), Array.from({ length: 18 }, (_, i) => i + 3));
    await store.close();
    // After reopen only the last 5 events are loaded into memory.
    store = SqliteStore.open(file, { compactEvery: 0, keepHistory: 5 });
    const reopened = await nextEvents(store, '/r/1', 0);
    assert.deepEqual(reopened.map((e) => e.kv.key), Array.from({ length: 10 }, (_, i) => `/r/1${i}`));
    await store.close();
  });

  test('automatic compaction keeps the last keepHistory events', async () => {
    const store = SqliteStore.open(freshFile(), { compactEvery: 20, keepHistory: 10 });
    for (let i = 0; i < 25; i++) await store.create(`/r/${i}`, 'v');
    const deadline = Date.now() + 2_000;
    while (store.compactRevision() !== 15 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    assert.equal(store.compactRevision(), 15);
    assert.equal((await nextEvents(store, '/', 15))[0]?.kv.modRevision, 16);
    await store.close();
  });

  test('compaction deletes log rows in batches without losing newer history', async () => {
    const file = freshFile();
    let store = SqliteStore.open(file, { compactEvery: 0, keepHistory: 100 });
    await Promise.all(Array.from({ length: 3_500 }, (_, i) => store.create(`/r/${i}`, 'v')));
    await store.compact(3_200);
    await store.close();
    store = SqliteStore.open(file, { compactEvery: 0, keepHistory: 100 });
    const events = await nextEvents(store, '/', 3_200);
    assert.equal(events.length, 300);
    assert.equal(events[0]?.kv.modRevision, 3_201);
    assert.equal(await store.count('/r/'), 3_500);
    await store.close();
  });

  test('close commits writes that were still queued', async () => {
    const file = freshFile();
    let store = SqliteStore.open(file, { compactEvery: 0 });
    const pending = store.create('/r/late', 'v');
    await store.close();
    assert.equal((await pending).ok, true);
    await assert.rejects(store.create('/r/after', 'v'), /closed/);
    store = SqliteStore.open(file, { compactEvery: 0 });
    assert.equal((await store.get('/r/late'))?.value, 'v');
    await store.close();
  });

  test('a write becomes visible to readers only when it is acknowledged (after its WAL sync)', async () => {
    const store = SqliteStore.open(freshFile(), { compactEvery: 0 });
    for (let round = 0; round < 20; round++) {
      const key = `/r/vis${round}`;
      let acked = false;
      const pending = store.create(key, 'v').then((r) => {
        acked = true;
        return r;
      });
      const early: string[] = [];
      while (!acked) {
        if ((await store.get(key)) !== undefined && !acked) early.push(key);
        await new Promise((r) => setImmediate(r));
      }
      assert.deepEqual(early, [], 'read before the acknowledgement');
      assert.equal((await pending).ok, true);
      assert.equal((await store.get(key))?.value, 'v');
    }
    // A check decided against unsynced writes is answered after them, in order.
    const order: string[] = [];
    const a = store.create('/r/order', '1').then(() => order.push('create'));
    const b = store.create('/r/order', '2').then((r) => order.push(r.ok ? 'second-create' : 'exists'));
    await Promise.all([a, b]);
    assert.deepEqual(order, ['create', 'exists']);
    await store.close();
  });

  test('a second open of the same file fails while the first is open', async () => {
    const file = freshFile();
    const store = SqliteStore.open(file, { compactEvery: 0 });
    await store.create('/r/a', 'v');
    assert.throws(() => SqliteStore.open(file, { compactEvery: 0 }), /locked|busy/i);
    await store.close();
  });

  test('every acknowledged write survives SIGKILL of the writer', async () => {
    const file = freshFile();
    const fixture = fileURLToPath(new URL('./crash-writer.fixture.ts', import.meta.url));
    // Run from the repository root so `--import tsx` resolves whatever the caller's cwd.
    const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, file], {
      cwd: repoRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked: string[] = [];
    let buffered = '';
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('close', (_code, signal) => resolve(signal)));
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('ack ')) acked.push(line.slice(4));
      }
      if (acked.length >= 500 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    const signal = await exited;
    assert.equal(signal, 'SIGKILL', 'the writer was killed, not finished or crashed');
    assert.ok(acked.length >= 500, `got ${acked.length} acks`);

    const store = SqliteStore.open(file, { compactEvery: 0 });
    const missing = [];
    for (const key of acked) {
      const kv = await store.get(key);
      if (kv === undefined || JSON.parse(kv.value).key !== key) missing.push(key);
    }
    assert.deepEqual(missing, []);
    assert.ok(store.currentRevision() >= acked.length);
    const listed = await store.list({ prefix: '/crash/' });
    assert.equal(listed.items.length, store.currentRevision(), 'every durable revision is one create');
    await store.close();
  });
});
