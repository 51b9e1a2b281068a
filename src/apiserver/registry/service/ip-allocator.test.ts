import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterIPAllocator, parseIPv4CIDR, serviceIPStaticBandSize } from './ip-allocator.js';

/** Deterministic PRNG (mulberry32) so random allocation is reproducible. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ipNum = (ip: string): number => ip.split('.').reduce((n, o) => n * 256 + Number(o), 0);

describe('CIDR parsing and band sizes', () => {
  const cases = [
    { cidr: '10.96.0.0/12', text: '10.96.0.0/12', size: 1048576, band: 256 },
    { cidr: '10.96.5.7/24', text: '10.96.5.0/24', size: 256, band: 16 },
    { cidr: '10.0.0.0/20', text: '10.0.0.0/20', size: 4096, band: 256 },
    { cidr: '10.0.0.0/22', text: '10.0.0.0/22', size: 1024, band: 64 },
    { cidr: '10.0.0.0/28', text: '10.0.0.0/28', size: 16, band: 0 },
  ];
  for (const c of cases) {
    test(c.cidr, () => {
      const p = parseIPv4CIDR(c.cidr);
      assert.equal(p.text, c.text);
      assert.equal(p.size, c.size);
      assert.equal(serviceIPStaticBandSize(p.size), c.band);
    });
  }
  test('rejects garbage', () => assert.throws(() => parseIPv4CIDR('10.96.0.0')));
});

describe('ClusterIPAllocator', () => {
  test('first IP is network + 1', () => {
    assert.equal(new ClusterIPAllocator('10.96.0.0/12').firstIP(), '10.96.0.1');
  });

  test('requested IP is honoured, double allocation rejected', () => {
    const a = new ClusterIPAllocator('10.96.0.0/12');
    assert.deepEqual(a.allocate('10.96.0.5'), { ok: true, ip: '10.96.0.5' });
    assert.equal(a.has('10.96.0.5'), true);
    assert.deepEqual(a.allocate('10.96.0.5'), { ok: false, reason: 'already-allocated', message: 'provided IP is already allocated' });
    assert.equal(a.used(), 1);
  });

  const outOfRange = [
    { name: 'just past the range', ip: '10.112.0.1' },
    { name: 'other network', ip: '192.168.1.1' },
    { name: 'network address', ip: '10.96.0.0' },
    { name: 'broadcast address', ip: '10.111.255.255' },
  ];
  for (const c of outOfRange) {
    test(`not in range: ${c.name}`, () => {
      const a = new ClusterIPAllocator('10.96.0.0/12');
      assert.deepEqual(a.allocate(c.ip), {
        ok: false,
        reason: 'not-in-range',
        message: `the provided IP (${c.ip}) is not in the valid range. The range of valid IPs is 10.96.0.0/12`,
      });
    });
  }

  test('last usable address is allocatable', () => {
    assert.equal(new ClusterIPAllocator('10.96.0.0/12').allocate('10.111.255.254').ok, true);
  });

  test('release and reallocate', () => {
    const a = new ClusterIPAllocator('10.96.0.0/24');
    assert.equal(a.allocate('10.96.0.10').ok, true);
    a.release('10.96.0.10');
    assert.equal(a.has('10.96.0.10'), false);
    assert.equal(a.used(), 0);
    assert.equal(a.allocate('10.96.0.10').ok, true);
    a.release('192.168.0.1'); // out of range: ignored
    assert.equal(a.used(), 1);
  });

  test('dynamic allocation avoids the static band while the upper band has room', () => {
    const a = new ClusterIPAllocator('10.96.0.0/24', { random: seeded(1) });
    // /24: 254 usable, static band = 16 lowest (10.96.0.1 - 10.96.0.16).
    for (let i = 0; i < 254 - 16; i++) {
      const r = a.allocateNext();
      assert.ok(r.ok);
      assert.ok(ipNum(r.ip) > ipNum('10.96.0.16'), `${r.ip} is in the static band`);
    }
    // Upper band exhausted: now the static band is used, then the range is full.
    for (let i = 0; i < 16; i++) {
      const r = a.allocateNext();
      assert.ok(r.ok);
      assert.ok(ipNum(r.ip) <= ipNum('10.96.0.16'));
    }
    assert.deepEqual(a.allocateNext(), { ok: false, reason: 'full', message: 'range is full' });
  });

  test('allocation is random, not sequential', () => {
    const a = new ClusterIPAllocator('10.96.0.0/12', { random: seeded(7) });
    const ips = Array.from({ length: 5 }, () => {
      const r = a.allocateNext();
      assert.ok(r.ok);
      return ipNum(r.ip);
    });
    const sequential = ips.every((n, i) => i === 0 || n === (ips[i - 1] ?? 0) + 1);
    assert.equal(sequential, false);
  });

  test('never hands out the same IP twice among 4,000 allocations', () => {
    const a = new ClusterIPAllocator('10.96.0.0/20', { random: seeded(42) });
    // /20 has 4094 usable addresses; 4000 allocations spill into the static band too.
    const seen = new Set<string>();
    for (let i = 0; i < 4000; i++) {
      const r = a.allocateNext();
      assert.ok(r.ok, `allocation ${i} failed`);
      assert.equal(seen.has(r.ip), false, `duplicate ${r.ip}`);
      assert.equal(a.contains(r.ip), true);
      seen.add(r.ip);
    }
    assert.equal(a.used(), 4000);
  });
});
