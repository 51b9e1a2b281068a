import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { NodePortAllocator, nodePortStaticBandSize, parsePortRange } from './port-allocator.js';

describe('port range parsing and band sizes', () => {
  const cases = [
    { range: '30000-32767', base: 30000, size: 2768, band: 86 },
    { range: '30000-30015', base: 30000, size: 16, band: 0 },
    { range: '20000-29999', base: 20000, size: 10000, band: 128 },
    { range: '30000-30099', base: 30000, size: 100, band: 16 },
  ];
  for (const c of cases) {
    test(c.range, () => {
      const r = parsePortRange(c.range);
      assert.equal(r.base, c.base);
      assert.equal(r.size, c.size);
      assert.equal(r.text, c.range);
      assert.equal(nodePortStaticBandSize(r.size), c.band);
    });
  }
  test('rejects inverted range', () => assert.throws(() => parsePortRange('32767-30000')));
});

describe('NodePortAllocator', () => {
  test('requested port honoured, double allocation rejected', () => {
    const a = new NodePortAllocator('30000-32767');
    assert.deepEqual(a.allocate(30080), { ok: true, port: 30080 });
    assert.deepEqual(a.allocate(30080), { ok: false, reason: 'already-allocated', message: 'provided port is already allocated' });
  });

  test('out of range', () => {
    const a = new NodePortAllocator('30000-32767');
    assert.deepEqual(a.allocate(8080), {
      ok: false,
      reason: 'not-in-range',
      message: 'provided port is not in the valid range. The range of valid ports is 30000-32767',
    });
    assert.equal(a.allocate(32767).ok, true);
    assert.equal(a.allocate(32768).ok, false);
  });

  test('release and reallocate', () => {
    const a = new NodePortAllocator('30000-32767');
    a.allocate(31000);
    a.release(31000);
    assert.equal(a.has(31000), false);
    assert.equal(a.allocate(31000).ok, true);
  });

  test('dynamic allocation uses the upper band first, then the static band', () => {
    const a = new NodePortAllocator('30000-30099');
    // 100 ports, static band = lowest 16 (30000-30015).
    const first: number[] = [];
    for (let i = 0; i < 84; i++) {
      const r = a.allocateNext();
      assert.ok(r.ok);
      first.push(r.port);
    }
    assert.ok(first.every((p) => p >= 30016), 'dynamic ports must avoid the static band while possible');
    const rest: number[] = [];
    for (let i = 0; i < 16; i++) {
      const r = a.allocateNext();
      assert.ok(r.ok);
      rest.push(r.port);
    }
    assert.deepEqual([...rest].sort((x, y) => x - y), Array.from({ length: 16 }, (_, i) => 30000 + i));
    assert.equal(a.allocateNext().ok, false);
    assert.equal(new Set([...first, ...rest]).size, 100);
  });
});
