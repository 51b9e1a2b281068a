import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FakeClock } from './clock.js';
import { BucketRateLimiter, ItemExponentialRateLimiter, WorkQueue } from './workqueue.js';

/** Resolves pending microtasks (queue hand-offs are promise based). */
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('WorkQueue', () => {
  test('de-duplicates keys that are waiting', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    for (const k of ['a', 'b', 'a', 'c', 'b']) q.add(k);
    assert.equal(q.len(), 3);
    const got = [await q.get(), await q.get(), await q.get()];
    assert.deepEqual(got, ['a', 'b', 'c']);
    assert.equal(q.len(), 0);
  });

  test('a key being processed is not handed out again; re-add is queued after done', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('a');
    assert.equal(await q.get(), 'a');
    q.add('a'); // while processing
    assert.equal(q.len(), 0, 'must not be visible while processing');
    const ctl = new AbortController();
    let second: string | undefined = 'pending';
    const p = q.get(ctl.signal).then((k) => (second = k));
    await tick();
    assert.equal(second, 'pending', 'second worker must not get a key that is processing');
    q.done('a');
    await p;
    assert.equal(second, 'a');
    q.done('a');
    assert.equal(q.len(), 0, 'processed once more, then nothing left');
  });

  test('done without a re-add does not re-queue', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    q.add('x');
    const k = await q.get();
    assert.equal(k, 'x');
    q.done('x');
    assert.equal(q.len(), 0);
  });

  test('concurrent workers each get a different key', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    const gets = [q.get(), q.get()];
    q.add('a');
    q.add('b');
    q.add('a');
    assert.deepEqual((await Promise.all(gets)).sort(), ['a', 'b']);
  });

  test('addAfter delivers only when the clock reaches the due time; earliest wins', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.addAfter('k', 1000);
    q.addAfter('k', 300);
    q.addAfter('k', 2000);
    clock.advance(299);
    assert.equal(q.len(), 0);
    clock.advance(1);
    assert.equal(q.len(), 1);
    clock.advance(5000);
    assert.equal(q.len(), 1, 'later duplicates were merged');
  });

  test('addRateLimited backs off per key exponentially until forget', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock, rateLimiter: new ItemExponentialRateLimiter<string>(5, 1000 * 1000) });
    const dueAfter = (): number => {
      // Find how long until the key shows up.
      let waited = 0;
      while (q.len() === 0) {
        clock.advance(1);
        waited++;
      }
      return waited;
    };
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      q.addRateLimited('k');
      delays.push(dueAfter());
      void q.get();
      q.done('k');
    }
    assert.deepEqual(delays, [5, 10, 20, 40, 80]);
    assert.equal(q.numRequeues('k'), 5);
    q.forget('k');
    assert.equal(q.numRequeues('k'), 0);
    q.addRateLimited('k');
    assert.equal(dueAfter(), 5);
  });

  test('per-item backoff caps at 1000 s', () => {
    const l = new ItemExponentialRateLimiter<string>();
    let last = 0;
    for (let i = 0; i < 40; i++) last = l.when('k');
    assert.equal(last, 1_000_000);
  });

  test('default limiter: token bucket allows a burst of 100, then 10 per second', () => {
    const clock = new FakeClock();
    const b = new BucketRateLimiter<string>(10, 100, clock);
    const delays = Array.from({ length: 102 }, (_, i) => b.when(`k${i}`));
    assert.ok(delays.slice(0, 100).every((d) => d === 0));
    assert.equal(Math.round(delays[100] ?? -1), 100);
    assert.equal(Math.round(delays[101] ?? -1), 200);
    clock.advance(10_000);
    assert.equal(b.when('z'), 0, 'bucket refills over time');
  });

  test('default limiter takes the larger of item backoff and bucket', () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    for (let i = 0; i < 100; i++) q.addRateLimited(`fill${i}`); // drain the burst (5 ms item delay each)
    q.addRateLimited('late');
    clock.advance(50);
    assert.equal(q.len(), 100, 'the 101st is held by the bucket, not the 5 ms item delay');
    clock.advance(60);
    assert.equal(q.len(), 101);
  });

  test('shutdown: queued keys still drain, then get resolves undefined; adds are ignored', async () => {
    const clock = new FakeClock();
    const q = new WorkQueue<string>({ clock });
    q.add('a');
    q.addAfter('later', 100);
    q.shutdown();
    q.add('b');
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), undefined);
    clock.advance(1000);
    assert.equal(q.len(), 0, 'delayed adds dropped');
    assert.equal(clock.pending(), 0);
  });

  test('shutdown wakes waiting getters; abort resolves a getter with undefined', async () => {
    const q = new WorkQueue<string>({ clock: new FakeClock() });
    const waiting = q.get();
    const ctl = new AbortController();
    const aborted = q.get(ctl.signal);
    ctl.abort();
    assert.equal(await aborted, undefined);
    q.shutdown();
    assert.equal(await waiting, undefined);
  });

  test('non-string keys work by identity', async () => {
    const q = new WorkQueue<number>({ clock: new FakeClock() });
    q.add(1);
    q.add(1);
    q.add(2);
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 1);
  });
});
