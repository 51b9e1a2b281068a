/**
 * The behaviour every Store implementation must show, as node:test cases.
 * An implementation's test file calls `runStoreConformance` with a factory
 * that opens a fresh, empty store.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KeyValue, Store, WatchEvent, WriteResult } from './store.js';
import { RevisionCompactedError } from './core/snapshot-list.js';

export type StoreFactory = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

/** Registers the conformance cases for one implementation under `describe(name)`. */
export function runStoreConformance(name: string, makeStore: StoreFactory): void {
  const it = (title: string, body: (store: Store) => Promise<void>): void => {
    test(title, async () => {
      const { store, cleanup } = await makeStore();
      try {
        await body(store);
      } finally {
        await cleanup();
      }
    });
  };

  describe(`${name}: Store conformance`, () => {
    describe('create and get', () => {
      it('create stores the value at a new revision', async (s) => {
        assert.equal(s.currentRevision(), 0);
        const kv = okKv(await s.create('/r/a', '{"a":1}'));
        assert.deepEqual(kv, { key: '/r/a', value: '{"a":1}', createRevision: 1, modRevision: 1 });
        assert.equal(s.currentRevision(), 1);
        assert.deepEqual(await s.get('/r/a'), kv);
      });

      it('create of an existing key fails with exists and the current value', async (s) => {
        const first = okKv(await s.create('/r/a', 'one'));
        const again = await s.create('/r/a', 'two');
        assert.deepEqual(again, { ok: false, reason: 'exists', current: first });
        assert.equal((await s.get('/r/a'))?.value, 'one');
        assert.equal(s.currentRevision(), 1, 'a failed write does not consume a revision');
      });

      it('get of a missing key is undefined', async (s) => {
        assert.equal(await s.get('/r/missing'), undefined);
      });

      it('concurrent creates of one key: exactly one wins', async (s) => {
        const results = await Promise.all([s.create('/r/x', '1'), s.create('/r/x', '2'), s.create('/r/x', '3')]);
        assert.equal(results.filter((r) => r.ok).length, 1);
        assert.deepEqual(
          results.filter((r) => !r.ok).map((r) => (r.ok ? '' : r.reason)),
          ['exists', 'exists'],
        );
      });
    });

    describe('update', () => {
      const cases: { name: string; expected: (kv: KeyValue) => number; want: 'ok' | 'conflict' }[] = [
        { name: 'with the current modRevision succeeds', expected: (kv) => kv.modRevision, want: 'ok' },
        { name: 'with an older modRevision conflicts', expected: (kv) => kv.modRevision - 1, want: 'conflict' },
        { name: 'with a future modRevision conflicts', expected: (kv) => kv.modRevision + 10, want: 'conflict' },
      ];
      for (const c of cases) {
        it(c.name, async (s) => {
          await s.create('/r/other', 'x');
          const created = okKv(await s.create('/r/a', 'v1'));
          const res = await s.update('/r/a', 'v2', c.expected(created));
          if (c.want === 'ok') {
            assert.ok(res.ok);
            assert.deepEqual(res.kv, { key: '/r/a', value: 'v2', createRevision: created.createRevision, modRevision: 3 });
            assert.deepEqual(res.prevKv, created);
            assert.deepEqual(await s.get('/r/a'), res.kv);
          } else {
            assert.deepEqual(res, { ok: false, reason: 'conflict', current: created });
            assert.deepEqual(await s.get('/r/a'), created);
          }
        });
      }

      it('of a missing key fails with not-found', async (s) => {
        assert.deepEqual(await s.update('/r/missing', 'v', 1), { ok: false, reason: 'not-found' });
        assert.equal(s.currentRevision(), 0);
      });

      it('keeps createRevision across several updates', async (s) => {
        let kv = okKv(await s.create('/r/a', 'v0'));
        await s.create('/r/b', 'x');
        for (let i = 1; i <= 3; i++) kv = okKv(await s.update('/r/a', `v${i}`, kv.modRevision));
        assert.equal(kv.createRevision, 1);
        assert.equal(kv.modRevision, 5);
        assert.equal(kv.value, 'v3');
      });
    });

    describe('delete', () => {
      it('unconditional delete removes the key and returns the deleted value', async (s) => {
        const created = okKv(await s.create('/r/a', 'gone'));
        const res = await s.delete('/r/a');
        assert.ok(res.ok);
        assert.equal(res.kv.value, 'gone');
        assert.equal(res.kv.modRevision, 2, 'stamped with the delete revision');
        assert.deepEqual(res.prevKv, created);
        assert.equal(await s.get('/r/a'), undefined);
        assert.equal(s.currentRevision(), 2);
      });

      it('conditional delete with the current modRevision succeeds', async (s) => {
        const created = okKv(await s.create('/r/a', 'v'));
        assert.equal((await s.delete('/r/a', created.modRevision)).ok, true);
        assert.equal(await s.get('/r/a'), undefined);
      });

      it('conditional delete with a stale modRevision conflicts and keeps the key', async (s) => {
        const created = okKv(await s.create('/r/a', 'v'));
        const updated = okKv(await s.update('/r/a', 'w', created.modRevision));
        assert.deepEqual(await s.delete('/r/a', created.modRevision), { ok: false, reason: 'conflict', current: updated });
        assert.deepEqual(await s.get('/r/a'), updated);
      });

      const missing: { name: string; expected?: number }[] = [
        { name: 'unconditional delete of a missing key fails with not-found' },
        { name: 'conditional delete of a missing key fails with not-found', expected: 1 },
      ];
      for (const c of missing) {
        it(c.name, async (s) => {
          assert.deepEqual(await s.delete('/r/missing', c.expected), { ok: false, reason: 'not-found' });
        });
      }

      it('a deleted key can be created again with a new createRevision', async (s) => {
        await s.create('/r/a', 'v1');
        await s.delete('/r/a');
        const again = okKv(await s.create('/r/a', 'v2'));
        assert.equal(again.createRevision, 3);
      });
    });

    describe('list and count', () => {
      it('lists keys in key order at the current revision, isolated by prefix', async (s) => {
        for (const k of ['/a/b/z', '/a/bc/x', '/a/b/a', '/a/b', '/a/b/m/n', '/a/a/x', '/b/b/x']) await s.create(k, k);
        const res = await s.list({ prefix: '/a/b/' });
        assert.deepEqual(keysOf(res.items), ['/a/b/a', '/a/b/m/n', '/a/b/z']);
        assert.equal(res.revision, s.currentRevision());
        assert.equal(res.more, false);
        assert.equal(await s.count('/a/b/'), 3);
        assert.equal(await s.count('/a/'), 6);
        assert.equal(await s.count(''), 7);
        assert.equal(await s.count('/c/'), 0);
        assert.deepEqual(keysOf((await s.list({ prefix: '/c/' })).items), []);
      });

      it('paginates with limit and startAfter, reporting more and remaining', async (s) => {
        const keys = Array.from({ length: 7 }, (_, i) => `/p/k${i}`);
        for (const k of [...keys].reverse()) await s.create(k, 'v');
        await s.create('/q/after', 'v');
        const pages: string[][] = [];
        const remaining: number[] = [];
        let startAfter: string | undefined;
        for (;;) {
          const page = await s.list({ prefix: '/p/', limit: 3, ...(startAfter === undefined ? {} : { startAfter }) });
          pages.push(keysOf(page.items));
          remaining.push(page.remaining);
          if (!page.more) break;
          startAfter = page.items[page.items.length - 1]?.key;
        }
        assert.deepEqual(pages, [keys.slice(0, 3), keys.slice(3, 6), keys.slice(6)]);
        assert.deepEqual(remaining, [4, 1, 0]);
      });

      it('limit equal to the number of keys reports no more', async (s) => {
        for (const k of ['/p/1', '/p/2']) await s.create(k, 'v');
        const page = await s.list({ prefix: '/p/', limit: 2 });
        assert.deepEqual([keysOf(page.items), page.more, page.remaining], [['/p/1', '/p/2'], false, 0]);
      });

      it('startAfter a key that does not exist starts at the next key', async (s) => {
        for (const k of ['/p/a', '/p/c', '/p/e']) await s.create(k, 'v');
        assert.deepEqual(keysOf((await s.list({ prefix: '/p/', startAfter: '/p/b' })).items), ['/p/c', '/p/e']);
      });

      it('reflects deletes', async (s) => {
        for (const k of ['/p/a', '/p/b', '/p/c']) await s.create(k, 'v');
        await s.delete('/p/b');
        assert.deepEqual(keysOf((await s.list({ prefix: '/p/' })).items), ['/p/a', '/p/c']);
        assert.equal(await s.count('/p/'), 2);
      });

      it('a list at an earlier revision shows that snapshot, page by page', async (s) => {
        for (const k of ['/p/a', '/p/b', '/p/c']) await s.create(k, `${k}@1`);
        await s.create('/q/x', 'other prefix');
        const at = s.currentRevision();
        const b = okKv(await s.update('/p/b', 'changed', (await s.get('/p/b'))?.modRevision ?? 0));
        await s.delete('/p/c');
        await s.create('/p/aa', 'created later');
        await s.create('/p/d', 'created later');
        await s.update('/p/b', 'changed again', b.modRevision);

        const whole = await s.list({ prefix: '/p/', revision: at });
        assert.equal(whole.revision, at);
        assert.deepEqual(
          whole.items.map((kv) => [kv.key, kv.value]),
          [['/p/a', '/p/a@1'], ['/p/b', '/p/b@1'], ['/p/c', '/p/c@1']],
        );
        const first = await s.list({ prefix: '/p/', revision: at, limit: 2 });
        assert.deepEqual(keysOf(first.items), ['/p/a', '/p/b']);
        assert.equal(first.more, true);
        assert.equal(first.remaining, 1);
        const second = await s.list({ prefix: '/p/', revision: at, limit: 2, startAfter: '/p/b' });
        assert.deepEqual(keysOf(second.items), ['/p/c']);
        assert.equal(second.more, false);
        // At or above the current revision: the current values.
        const now = await s.list({ prefix: '/p/', revision: s.currentRevision() });
        assert.deepEqual(keysOf(now.items), ['/p/a', '/p/aa', '/p/b', '/p/d']);
      });

      it('a list below the compact revision is refused', async (s) => {
        await s.create('/p/a', 'v');
        const at = s.currentRevision();
        await s.create('/p/b', 'v');
        await s.create('/p/c', 'v');
        await s.compact(s.currentRevision() - 1);
        await assert.rejects(s.list({ prefix: '/p/', revision: at }), (e: unknown) => e instanceof RevisionCompactedError);
      });
    });

    describe('revisions', () => {
      it('every successful write gets the next revision; failures take none', async (s) => {
        const seen: number[] = [];
        const record = (r: WriteResult): void => {
          if (r.ok) seen.push(r.kv.modRevision);
        };
        record(await s.create('/r/a', '1'));
        record(await s.create('/r/a', 'dup'));
        const b = okKv(await s.create('/r/b', '1'));
        record({ ok: true, kv: b });
        record(await s.update('/r/b', '2', b.modRevision));
        record(await s.update('/r/b', '3', b.modRevision));
        record(await s.delete('/r/a'));
        record(await s.delete('/r/a'));
        assert.deepEqual(seen, [1, 2, 3, 4]);
        assert.equal(s.currentRevision(), 4);
      });

      it('writes issued together get distinct increasing revisions in call order', async (s) => {
        const results = await Promise.all(Array.from({ length: 50 }, (_, i) => s.create(`/r/${i}`, 'v')));
        assert.deepEqual(
          results.map((r) => (r.ok ? r.kv.modRevision : -1)),
          Array.from({ length: 50 }, (_, i) => i + 1),
        );
        assert.equal(s.currentRevision(), 50);
      });

      it('a write is visible to get once its promise resolves', async (s) => {
        const created = okKv(await s.create('/r/a', 'v'));
        const updating = s.update('/r/a', 'w', created.modRevision);
        const updated = okKv(await updating);
        assert.deepEqual(await s.get('/r/a'), updated);
      });
    });

    describe('watch', () => {
      it('replays history after the given revision, then live events', async (s) => {
        await s.create('/w/a', '1');
        const a = okKv(await s.create('/w/b', '1'));
        await s.update('/w/b', '2', a.modRevision);
        const got = collect();
        const start = s.watch({ prefix: '/w/', afterRevision: 1 }, got.push);
        assert.ok(start.ok);
        assert.equal(got.events.length, 0, 'never delivered synchronously inside watch()');
        await got.waitFor(2);
        await s.create('/w/c', '1');
        await got.waitFor(3);
        assert.deepEqual(summary(got.events), ['put /w/b @2', 'put /w/b @3 prev@2', 'put /w/c @4']);
        start.cancel();
      });

      it('afterRevision equal to the current revision delivers only future events', async (s) => {
        await s.create('/w/a', '1');
        await s.create('/w/b', '1');
        const got = collect();
        const start = s.watch({ prefix: '/w/', afterRevision: s.currentRevision() }, got.push);
        assert.ok(start.ok);
        await s.create('/w/c', '1');
        await got.waitFor(1);
        await settle();
        assert.deepEqual(summary(got.events), ['put /w/c @3']);
        start.cancel();
      });

      it('live events arrive in revision order, batched per commit', async (s) => {
        const got = collect();
        const start = s.watch({ prefix: '/w/', afterRevision: 0 }, got.push);
        assert.ok(start.ok);
        await Promise.all([s.create('/w/1', 'v'), s.create('/w/2', 'v'), s.create('/w/3', 'v')]);
        await s.create('/w/4', 'v');
        await got.waitFor(4);
        const revisions = got.events.map((e) => e.kv.modRevision);
        assert.deepEqual(revisions, [1, 2, 3, 4]);
        for (const batch of got.batches) assert.ok(batch.length > 0, 'no empty batches');
        start.cancel();
      });

      it('a delete event carries the deleted value at the delete revision and prevKv', async (s) => {
        const created = okKv(await s.create('/w/a', 'last'));
        const got = collect();
        const start = s.watch({ prefix: '/w/', afterRevision: created.modRevision }, got.push);
        assert.ok(start.ok);
        await s.delete('/w/a');
        await got.waitFor(1);
        assert.deepEqual(got.events, [
          {
            type: 'delete',
            kv: { key: '/w/a', value: 'last', createRevision: 1, modRevision: 2 },
            prevKv: created,
          },
        ]);
        start.cancel();
      });

      it('replayed deletes and updates carry prevKv; creates do not', async (s) => {
        const a = okKv(await s.create('/w/a', 'v1'));
        const b = okKv(await s.update('/w/a', 'v2', a.modRevision));
        await s.delete('/w/a');
        const got = collect();
        const start = s.watch({ prefix: '/w/', afterRevision: 0 }, got.push);
        assert.ok(start.ok);
        await got.waitFor(3);
        assert.equal(got.events[0]?.prevKv, undefined);
        assert.deepEqual(got.events[1]?.prevKv, a);
        assert.deepEqual(got.events[2]?.prevKv, b);
        assert.deepEqual(got.events[2]?.kv, { key: '/w/a', value: 'v2', createRevision: 1, modRevision: 3 });
        start.cancel();
      });

      it('filters by prefix, in replay and live', async (s) => {
        await s.create('/a/b/1', 'v');
        await s.create('/a/bc/x', 'v');
        const got = collect();
        const start = s.watch({ prefix: '/a/b/', afterRevision: 0 }, got.push);
        assert.ok(start.ok);
        await s.create('/a/bc/y', 'v');
        await s.create('/a/b/2', 'v');
        await s.create('/a/c', 'v');
        await got.waitFor(2);
        await settle();
        assert.deepEqual(summary(got.events), ['put /a/b/1 @1', 'put /a/b/2 @4']);
        start.cancel();
      });

      it('cancel stops delivery', async (s) => {
        const got = collect();
        const start = s.watch({ prefix: '/w/', afterRevision: 0 }, got.push);
        assert.ok(start.ok);
        await s.create('/w/1', 'v');
        await got.waitFor(1);
        start.cancel();
        await s.create('/w/2', 'v');
        await settle();
        assert.deepEqual(summary(got.events), ['put /w/1 @1']);
      });

      it('cancel right after watch() suppresses the pending replay', async (s) => {
        await s.create('/w/1', 'v');
        const got = collect();
        const start = s.watch({ prefix: '/w/', afterRevision: 0 }, got.push);
        assert.ok(start.ok);
        start.cancel();
        await settle();
        assert.equal(got.events.length, 0);
      });

      it('several watchers each get every event', async (s) => {
        const one = collect();
        const two = collect();
        const w1 = s.watch({ prefix: '/', afterRevision: 0 }, one.push);
        const w2 = s.watch({ prefix: '/w/', afterRevision: 0 }, two.push);
        assert.ok(w1.ok && w2.ok);
        await s.create('/w/1', 'v');
        await s.create('/x/1', 'v');
        await one.waitFor(2);
        await two.waitFor(1);
        await settle();
        assert.deepEqual([one.events.length, two.events.length], [2, 1]);
        w1.cancel();
        w2.cancel();
      });
    });

    describe('compaction', () => {
      it('older watches fail with compacted; current values stay', async (s) => {
        const a = okKv(await s.create('/c/a', '1'));
        await s.update('/c/a', '2', a.modRevision);
        await s.create('/c/b', '1');
        await s.create('/c/c', '1');
        await s.compact(3);
        assert.equal(s.compactRevision(), 3);
        assert.deepEqual(s.watch({ prefix: '/c/', afterRevision: 2 }, () => undefined), {
          ok: false,
          reason: 'compacted',
          compactRevision: 3,
        });
        const got = collect();
        const start = s.watch({ prefix: '/c/', afterRevision: 3 }, got.push);
        assert.ok(start.ok);
        await got.waitFor(1);
        assert.deepEqual(summary(got.events), ['put /c/c @4']);
        start.cancel();
        assert.deepEqual(keysOf((await s.list({ prefix: '/c/' })).items), ['/c/a', '/c/b', '/c/c']);
        assert.equal((await s.get('/c/a'))?.value, '2');
        assert.equal(s.currentRevision(), 4);
      });

      it('compacting to an older revision is a no-op; beyond current is clamped', async (s) => {
        for (let i = 0; i < 3; i++) await s.create(`/c/${i}`, 'v');
        await s.compact(2);
        await s.compact(1);
        assert.equal(s.compactRevision(), 2);
        await s.compact(100);
        assert.equal(s.compactRevision(), 3);
        okKv(await s.create('/c/next', 'v'));
        assert.equal(s.currentRevision(), 4, 'revisions continue after compaction');
      });
    });
  });
}

function okKv(result: WriteResult): KeyValue {
  if (!result.ok) assert.fail(`expected a successful write, got ${result.reason}`);
  return result.kv;
}

function keysOf(items: readonly KeyValue[]): string[] {
  return items.map((kv) => kv.key);
}

function summary(events: readonly WatchEvent[]): string[] {
  return events.map(
    (e) => `${e.type} ${e.kv.key} @${e.kv.modRevision}${e.type === 'put' && e.prevKv ? ` prev@${e.prevKv.modRevision}` : ''}`,
  );
}

/** Lets pending microtasks and immediates (e.g. group commits, deliveries) run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

interface Collector {
  readonly events: WatchEvent[];
  readonly batches: (readonly WatchEvent[])[];
  readonly push: (batch: readonly WatchEvent[]) => void;
  /** Resolves once at least `n` events arrived; fails after two seconds. */
  waitFor(n: number): Promise<void>;
}

function collect(): Collector {
  const events: WatchEvent[] = [];
  const batches: (readonly WatchEvent[])[] = [];
  let wake: (() => void) | undefined;
  return {
    events,
    batches,
    push: (batch) => {
      batches.push(batch);
      events.push(...batch);
      wake?.();
    },
    async waitFor(n) {
      const deadline = Date.now() + 2_000;
      while (events.length < n) {
        if (Date.now() > deadline) assert.fail(`waited for ${n} events, got ${events.length}: ${summary(events).join(', ')}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 20);
        });
      }
    },
  };
}
