import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeadlineQueue } from './deadline-queue.js';

test('entries expire after their timeout, in order, unless cancelled', async () => {
  const q = new DeadlineQueue();
  const fired: string[] = [];
  const t0 = performance.now();
  const at: Record<string, number> = {};
  const entry = (name: string) => ({ expire: () => { fired.push(name); at[name] = performance.now() - t0; } });
  q.add(60, entry('a'));
  const b = q.add(60, entry('b'));
  q.add(20, entry('short'));
  q.add(60, entry('c'));
  q.cancel(60, b);
  await sleep(120);
  assert.deepEqual(fired, ['short', 'a', 'c']);
  assert.ok((at['short'] ?? 0) >= 19, `short fired at ${at['short']}`);
  assert.ok((at['a'] ?? 0) >= 59, `a fired at ${at['a']}`);
});

test('an expiry may add to the same lane; cancelling everything fires nothing', async () => {
  const q = new DeadlineQueue();
  let n = 0;
  const again = { expire: () => { if (++n < 3) q.add(10, again); } };
  q.add(10, again);
  const seqs = Array.from({ length: 2000 }, () => q.add(15, { expire: () => assert.fail('cancelled entry fired') }));
  for (const s of seqs) q.cancel(15, s);
  await sleep(100);
  assert.equal(n, 3);
});
