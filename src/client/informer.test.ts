import assert from 'node:assert/strict';
import { after, afterEach, before, describe, test } from 'node:test';
import type { KubeObject } from '../api/object.js';
import { Informer, labelIndex, namespaceIndex, objectKey, splitKey } from './informer.js';
import { KubeClient, type ResourceRef } from './kube-client.js';
import { FakeApiServer } from './testing/fake-api-server.js';

const CM: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };
const COLL = '/v1/configmaps';

function cm(ns: string, name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data };
}

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

type Seen = { op: 'add' | 'update' | 'delete'; key: string; rv?: string; extra?: boolean };

describe('Informer against a fake API server', () => {
  const fake = new FakeApiServer();
  let client: KubeClient;
  let ctl: AbortController;
  let running: Promise<void> | undefined;
  before(async () => {
    client = new KubeClient({ server: await fake.start() }, { component: 'informer-test' });
  });
  after(async () => {
    client.close();
    await fake.stop();
  });
  afterEach(async () => {
    ctl.abort();
    await running;
    fake.objects.clear();
    fake.requests.length = 0;
    fake.interceptor = undefined;
    fake.compactedRV = 0;
  });

  function start(opts: { resyncMs?: number } = {}): { inf: Informer; seen: Seen[] } {
    ctl = new AbortController();
    const inf = new Informer({
      client,
      resource: CM,
      resyncMs: opts.resyncMs,
      backoff: { initialMs: 10, maxMs: 50 },
      indexers: { namespace: namespaceIndex, app: labelIndex('app') },
    });
    const seen: Seen[] = [];
    inf.addEventHandler({
      onAdd: (o, initial) => seen.push({ op: 'add', key: objectKey(o), rv: o.metadata.resourceVersion, extra: initial }),
      onUpdate: (_old, o) => seen.push({ op: 'update', key: objectKey(o), rv: o.metadata.resourceVersion }),
      onDelete: (o, unknown) => seen.push({ op: 'delete', key: objectKey(o), extra: unknown }),
    });
    running = inf.run(ctl.signal);
    return { inf, seen };
  }

  const watchRequests = () => fake.requests.filter((r) => r.query.get('watch') === 'true');
  const listRequests = () => fake.requests.filter((r) => r.method === 'GET' && r.query.get('watch') !== 'true');

  test('lists, syncs, then watches from the list version with bookmarks', async () => {
    fake.put(COLL, cm('a', 'one', { app: 'web' }));
    fake.put(COLL, cm('b', 'two', { app: 'web' }));
    const { inf, seen } = start();
    assert.equal(await inf.waitForSync(ctl.signal), true);
    assert.ok(inf.hasSynced());
    assert.deepEqual(
      seen.map((s) => [s.op, s.key, s.extra]),
      [
        ['add', 'a/one', true],
        ['add', 'b/two', true],
      ],
    );
    assert.equal(listRequests()[0]?.query.get('resourceVersion'), '0', 'first list may be served from the watch cache');
    await waitUntil('watch opened', () => fake.watchCount() === 1);
    const w = watchRequests()[0];
    assert.equal(w?.query.get('resourceVersion'), String(fake.rv));
    assert.equal(w?.query.get('allowWatchBookmarks'), 'true');
    const timeout = Number(w?.query.get('timeoutSeconds'));
    assert.ok(timeout >= 300 && timeout < 600, `timeoutSeconds ${timeout}`);
  });

  test('watch events keep the cache and indexes current and reach handlers', async () => {
    fake.put(COLL, cm('a', 'one', { app: 'web' }));
    const { inf, seen } = start();
    await inf.waitForSync(ctl.signal);
    await waitUntil('watch opened', () => fake.watchCount() === 1);
    fake.put(COLL, cm('a', 'two', { app: 'db' }));
    fake.put(COLL, cm('a', 'one', { app: 'db' }, { changed: 'yes' }));
    fake.remove(COLL, 'a', 'two');
    fake.put(COLL, cm('c', 'three'));
    await waitUntil('four events', () => seen.length === 5);
    assert.deepEqual(
      seen.map((s) => [s.op, s.key, s.extra]),
      [
        ['add', 'a/one', true],
        ['add', 'a/two', false],
        ['update', 'a/one', undefined],
        ['delete', 'a/two', false],
        ['add', 'c/three', false],
      ],
    );
    assert.deepEqual(inf.get('a', 'one')?.data, { changed: 'yes' });
    assert.equal(inf.get('a', 'two'), undefined);
    assert.deepEqual(inf.keys().sort(), ['a/one', 'c/three']);
    assert.deepEqual(inf.byIndex('namespace', 'a').map(objectKey), ['a/one']);
    assert.deepEqual(inf.byIndex('app', 'db').map(objectKey), ['a/one']);
    assert.deepEqual(inf.byIndex('app', 'web'), [], 'old index value removed on update');
    assert.equal(inf.lastSyncResourceVersion(), String(fake.rv));
    assert.throws(() => inf.byIndex('nope', 'x'), /index "nope" does not exist/);
  });

  test('cached objects are frozen', async () => {
    fake.put(COLL, cm('a', 'one'));
    const { inf } = start();
    await inf.waitForSync(ctl.signal);
    const o = inf.get('a', 'one');
    assert.ok(o);
    assert.throws(() => {
      (o.metadata as { name?: string }).name = 'changed';
    }, TypeError);
  });

  test('re-watches from the last bookmark when the stream ends', async () => {
    fake.put(COLL, cm('a', 'one'));
    const { inf } = start();
    await inf.waitForSync(ctl.signal);
    await waitUntil('watch opened', () => fake.watchCount() === 1);
    const bm = fake.bookmark();
    await waitUntil('bookmark seen', () => inf.lastSyncResourceVersion() === bm);
    fake.closeWatches();
    await waitUntil('re-watch', () => watchRequests().length === 2 && fake.watchCount() === 1);
    assert.equal(watchRequests()[1]?.query.get('resourceVersion'), bm);
    assert.equal(listRequests().length, 1, 'no relist on a clean stream end');
  });

  test('relists on a 410 ERROR event and reports deletes the watch missed', async () => {
    fake.put(COLL, cm('a', 'keep'));
    fake.put(COLL, cm('a', 'gone'));
    const { inf, seen } = start();
    await inf.waitForSync(ctl.signal);
    await waitUntil('watch opened', () => fake.watchCount() === 1);
    fake.closeWatches();
    // While nobody watches: one delete and one add happen, then history is compacted.
    fake.remove(COLL, 'a', 'gone', true);
    fake.put(COLL, cm('a', 'new'));
    fake.compact();
    await waitUntil('relisted', () => listRequests().length === 2 && inf.get('a', 'new') !== undefined);
    assert.equal(listRequests()[1]?.query.get('resourceVersion'), null, 'relist after 410 is a consistent read (no resourceVersion)');
    assert.equal(inf.get('a', 'gone'), undefined);
    const after = seen.slice(2).map((s) => [s.op, s.key, s.extra]);
    assert.deepEqual(
      after.sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
      [
        ['delete', 'a/gone', true],
        ['update', 'a/keep', undefined],
        ['add', 'a/new', false],
      ].sort((x, y) => String(x[1]).localeCompare(String(y[1]))),
    );
    await waitUntil('watching again', () => fake.watchCount() === 1);
    assert.equal(watchRequests().at(-1)?.query.get('resourceVersion'), String(fake.rv));
  });

  test('retries a failing list with backoff', async () => {
    fake.put(COLL, cm('a', 'one'));
    let failures = 2;
    fake.interceptor = (r) => {
      if (r.query.get('watch') !== 'true' && failures > 0) {
        failures--;
        return { code: 500, body: { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'InternalError', message: 'boom', code: 500 } };
      }
      return undefined;
    };
    const { inf } = start();
    assert.equal(await inf.waitForSync(ctl.signal), true);
    assert.equal(listRequests().length, 3);
    assert.equal(inf.list().length, 1);
  });

  test('resync re-delivers onUpdate for every cached object', async () => {
    fake.put(COLL, cm('a', 'one'));
    fake.put(COLL, cm('a', 'two'));
    const { inf, seen } = start({ resyncMs: 30 });
    await inf.waitForSync(ctl.signal);
    await waitUntil('two resyncs', () => seen.filter((s) => s.op === 'update').length >= 4);
    const updates = seen.filter((s) => s.op === 'update').map((s) => s.key);
    assert.ok(updates.includes('a/one') && updates.includes('a/two'));
  });

  test('a handler added late first receives the cached objects', async () => {
    fake.put(COLL, cm('a', 'one'));
    const { inf } = start();
    await inf.waitForSync(ctl.signal);
    const late: string[] = [];
    const off = inf.addEventHandler({ onAdd: (o) => late.push(objectKey(o)) });
    assert.deepEqual(late, ['a/one']);
    off();
    fake.put(COLL, cm('a', 'two'));
    await waitUntil('event applied', () => inf.get('a', 'two') !== undefined);
    assert.deepEqual(late, ['a/one'], 'removed handler gets nothing');
  });

  test('waitForSync resolves false when aborted first', async () => {
    fake.interceptor = () => ({ code: 503, body: 'down', contentType: 'text/plain' });
    const { inf } = start();
    const waiter = new AbortController();
    const p = inf.waitForSync(waiter.signal);
    waiter.abort();
    assert.equal(await p, false);
    assert.equal(inf.hasSynced(), false);
  });
});

test('objectKey / splitKey', () => {
  const cases: { obj: KubeObject; key: string }[] = [
    { obj: { metadata: { name: 'n', namespace: 'ns' } }, key: 'ns/n' },
    { obj: { metadata: { name: 'node-1' } }, key: 'node-1' },
  ];
  for (const c of cases) {
    assert.equal(objectKey(c.obj), c.key);
    assert.deepEqual(splitKey(c.key), { namespace: c.obj.metadata.namespace ?? '', name: c.obj.metadata.name });
  }
});
