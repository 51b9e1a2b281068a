import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LingerCounter } from './linger-counter.js';

describe('LingerCounter', () => {
  const cases: { name: string; windowMs: number; buckets: number; events: number[]; at: number; want: number }[] = [
    { name: 'nothing recorded', windowMs: 1000, buckets: 10, events: [], at: 5000, want: 0 },
    { name: 'events within the window count', windowMs: 1000, buckets: 10, events: [0, 100, 500], at: 800, want: 3 },
    // Bucket width 100 ms: an event at 0 leaves when the 1000..1099 bucket starts.
    { name: 'an event leaves one window after its bucket began', windowMs: 1000, buckets: 10, events: [0, 550], at: 1000, want: 1 },
    { name: 'still counted just before', windowMs: 1000, buckets: 10, events: [0, 550], at: 999, want: 2 },
    { name: 'a long gap clears everything', windowMs: 1000, buckets: 10, events: [0, 10, 20], at: 60_000, want: 0 },
    { name: 'many events in one bucket', windowMs: 120_000, buckets: 128, events: Array.from({ length: 5000 }, () => 42), at: 100_000, want: 5000 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const lc = new LingerCounter(c.windowMs, c.buckets);
      for (const t of c.events) lc.add(t);
      assert.equal(lc.count(c.at), c.want);
    });
  }

  test('steady stream: the count stays near rate × window', () => {
    const lc = new LingerCounter(1000, 128);
    let t = 0;
    for (let i = 0; i < 20_000; i++) lc.add((t += 1));
    const n = lc.count(t);
    assert.ok(n <= 1000 && n >= 1000 - Math.ceil(1000 / 128), `counted ${n}`);
  });
});
