import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyIndex } from './key-index.js';
import { keyValue } from './write-plan.js';

/** Deterministic pseudo-random numbers so failures reproduce. */
function rng(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x / 2 ** 32;
  };
}

describe('KeyIndex', () => {
  test('matches a sorted-array model under random inserts, deletes and ranges', () => {
    const rand = rng(7);
    const index = new KeyIndex();
    const model = new Set<string>();
    const prefixes = ['/a/', '/a/b/', '/a/bc/', '/b/', '/', ''];
    for (let step = 0; step < 20_000; step++) {
      const key = `/${'ab'[Math.floor(rand() * 2)]}/${['b', 'bc', 'c'][Math.floor(rand() * 3)]}/${Math.floor(rand() * 3000)}`;
      if (rand() < 0.65) {
        index.put(keyValue(key, 'v', step, step));
        model.add(key);
      } else {
        assert.equal(index.remove(key), model.delete(key));
      }
      if (step % 997 === 0) {
        const sorted = [...model].sort();
        assert.deepEqual(index.keys(), sorted);
        for (const prefix of prefixes) {
          const want = sorted.filter((k) => k.startsWith(prefix));
          assert.equal(index.count(prefix), want.length, `count ${prefix}`);
          const after = want[Math.floor(want.length / 3)];
          const fromAfter = after === undefined ? want : want.filter((k) => k > after);
          const page = index.range(prefix, after, 50);
          assert.deepEqual(page.items.map((kv) => kv.key), fromAfter.slice(0, 50), `range ${prefix} after ${after}`);
          assert.equal(page.more, fromAfter.length > 50);
          assert.equal(page.remaining, Math.max(0, fromAfter.length - 50));
        }
      }
    }
  });

  const cases: { name: string; keys: string[]; prefix: string; startAfter?: string; want: string[] }[] = [
    { name: 'prefix is not a bare string prefix match of segments', keys: ['/a/b/x', '/a/bc/x'], prefix: '/a/b/', want: ['/a/b/x'] },
    { name: 'startAfter before the prefix range', keys: ['/a/1', '/b/1'], prefix: '/b/', startAfter: '/a/9', want: ['/b/1'] },
    { name: 'startAfter past the prefix range', keys: ['/a/1', '/b/1'], prefix: '/a/', startAfter: '/a/9', want: [] },
    { name: 'empty index', keys: [], prefix: '/', want: [] },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const index = new KeyIndex();
      index.load(c.keys.map((k, i) => keyValue(k, 'v', i + 1, i + 1)));
      assert.deepEqual(index.range(c.prefix, c.startAfter).items.map((kv) => kv.key), c.want);
    });
  }

  test('load then put keeps order across chunk splits', () => {
    const index = new KeyIndex();
    index.load(Array.from({ length: 2000 }, (_, i) => keyValue(`/k/${String(i * 2).padStart(5, '0')}`, 'v', 1, 1)));
    for (let i = 0; i < 2000; i++) index.put(keyValue(`/k/${String(i * 2 + 1).padStart(5, '0')}`, 'v', 2, 2));
    const keys = index.keys();
    assert.equal(keys.length, 4000);
    assert.deepEqual(keys, [...keys].sort());
    assert.equal(index.count('/k/01'), 1000);
    assert.equal(index.count('/k/'), 4000);
  });
});
