import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createLogger } from '../log/logger.js';
import { runController } from './controller.js';
import { ItemExponentialRateLimiter, WorkQueue } from './workqueue.js';

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

function setup(): { queue: WorkQueue<string>; lines: string[]; log: ReturnType<typeof createLogger>; ctl: AbortController } {
  const lines: string[] = [];
  return {
    queue: new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter<string>(1, 20) }),
    lines,
    log: createLogger('test', (l) => lines.push(l)),
    ctl: new AbortController(),
  };
}

describe('runController', () => {
  test('retries a failing key with backoff and forgets it on success', async () => {
    const { queue, log, ctl } = setup();
    const attempts: string[] = [];
    const running = runController({
      name: 'retry',
      workers: 2,
      queue,
      log,
      signal: ctl.signal,
      reconcile: async (k) => {
        attempts.push(k);
        if (attempts.length < 4) throw new Error('not yet');
      },
    });
    queue.add('ns/a');
    await waitUntil('succeeded', () => attempts.length === 4);
    await waitUntil('forgotten', () => queue.numRequeues('ns/a') === 0);
    ctl.abort();
    await running;
    assert.deepEqual(attempts, ['ns/a', 'ns/a', 'ns/a', 'ns/a']);
    assert.ok(queue.isShuttingDown());
  });

  test('drops a key after maxRetries with a log line', async () => {
    const { queue, log, lines, ctl } = setup();
    let attempts = 0;
    const running = runController({
      name: 'dropper',
      workers: 1,
      queue,
      log,
      signal: ctl.signal,
      maxRetries: 3,
      reconcile: async () => {
        attempts++;
        throw new Error('always');
      },
    });
    queue.add('k');
    await waitUntil('dropped', () => lines.some((l) => l.includes('dropping k after 3 retries: always')));
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(attempts, 4, 'first attempt + 3 retries');
    ctl.abort();
    await running;
  });

  test('one key is never reconciled concurrently; different keys are', async () => {
    const { queue, log, ctl } = setup();
    const active = new Map<string, number>();
    let maxSame = 0;
    let maxTotal = 0;
    let calls = 0;
    const running = runController({
      name: 'concurrency',
      workers: 4,
      queue,
      log,
      signal: ctl.signal,
      reconcile: async (k) => {
        calls++;
        active.set(k, (active.get(k) ?? 0) + 1);
        maxSame = Math.max(maxSame, active.get(k) ?? 0);
        maxTotal = Math.max(maxTotal, [...active.values()].reduce((a, b) => a + b, 0));
        await new Promise((r) => setTimeout(r, 20));
        active.set(k, (active.get(k) ?? 1) - 1);
      },
    });
    for (const k of ['a', 'b', 'c']) queue.add(k);
    await new Promise((r) => setTimeout(r, 5));
    queue.add('a'); // while 'a' is being reconciled
    await waitUntil('all done', () => calls === 4 && [...active.values()].every((v) => v === 0));
    ctl.abort();
    await running;
    assert.equal(maxSame, 1);
    assert.equal(maxTotal, 3);
  });

  test('workers wait for caches to sync', async () => {
    const { queue, log, lines, ctl } = setup();
    let synced!: (v: boolean) => void;
    const informer = { waitForSync: () => new Promise<boolean>((r) => (synced = r)) };
    const seen: string[] = [];
    const running = runController({ name: 'gated', workers: 1, queue, log, signal: ctl.signal, waitFor: [informer], reconcile: async (k) => void seen.push(k) });
    queue.add('x');
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(seen, []);
    synced(true);
    await waitUntil('processed', () => seen.length === 1);
    assert.ok(lines.some((l) => l.includes('gated: caches synced')));
    ctl.abort();
    await running;
  });
});
