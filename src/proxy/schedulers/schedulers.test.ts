import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createScheduler } from './create-scheduler.js';
import { foldAddress } from './hashing.js';
import { buildMaglevTable } from './maglev.js';
import { type RealServer, type ScheduleRequest, SCHEDULER_NAMES, type SchedulerName, parseSchedulerName } from './scheduler.js';

const rs = (name: string, o: Partial<RealServer> = {}): RealServer => ({ key: name, ip: name, port: 80, weight: 1, activeConns: 0, inactiveConns: 0, ...o });
const req = (clientIP = '192.0.2.1', o: Partial<ScheduleRequest> = {}): ScheduleRequest => ({ clientIP, clientPort: 40000, vip: '10.96.0.10', vport: 80, ...o });
const seq = (name: SchedulerName, servers: RealServer[], n: number): string[] => {
  const s = createScheduler(name);
  return Array.from({ length: n }, () => s.pick(servers, req())?.key ?? '-');
};

describe('exact orders', () => {
  const cases: { name: string; sched: SchedulerName; servers: RealServer[]; n: number; want: string }[] = [
    { name: 'rr cycles in list order', sched: 'rr', servers: [rs('a'), rs('b'), rs('c')], n: 7, want: 'a b c a b c a' },
    { name: 'rr skips weight 0 (quiescent)', sched: 'rr', servers: [rs('a'), rs('b', { weight: 0 }), rs('c')], n: 4, want: 'a c a c' },
    { name: 'wrr interleaves by weight 4,3,2', sched: 'wrr', servers: [rs('a', { weight: 4 }), rs('b', { weight: 3 }), rs('c', { weight: 2 })], n: 9, want: 'a a b a b c a b c' },
    { name: 'wrr with equal weights is rr', sched: 'wrr', servers: [rs('a'), rs('b')], n: 4, want: 'a b a b' },
    { name: 'wrr with gcd 2 (weights 4,2)', sched: 'wrr', servers: [rs('a', { weight: 4 }), rs('b', { weight: 2 })], n: 6, want: 'a a b a a b' },
    { name: 'no servers', sched: 'rr', servers: [], n: 1, want: '-' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(seq(c.sched, c.servers, c.n).join(' '), c.want));

  test('rr keeps rotating after the list changes', () => {
    const s = createScheduler('rr');
    const list = [rs('a'), rs('b'), rs('c')];
    assert.equal(s.pick(list, req())?.key, 'a');
    assert.equal(s.pick(list, req())?.key, 'b');
    // b goes away: continue with its successor.
    assert.equal(s.pick([rs('a'), rs('c')], req())?.key, 'c');
    assert.equal(s.pick([rs('a'), rs('c')], req())?.key, 'a');
  });

  test('every scheduler honours the exclude set (connect retry)', () => {
    for (const name of SCHEDULER_NAMES) {
      const s = createScheduler(name);
      const got = s.pick([rs('a'), rs('b')], req('192.0.2.9', { exclude: new Set(['a']) }));
      assert.equal(got?.key, 'b', name);
      assert.equal(s.pick([rs('a')], req('192.0.2.9', { exclude: new Set(['a']) })), undefined, name);
    }
  });
});

describe('connection-count schedulers', () => {
  const cases: { name: string; sched: SchedulerName; servers: RealServer[]; want: string }[] = [
    { name: 'lc picks the fewest active', sched: 'lc', servers: [rs('a', { activeConns: 2 }), rs('b', { activeConns: 1 }), rs('c', { activeConns: 3 })], want: 'b' },
    { name: 'lc: 256 inactive equal one active; ties go first', sched: 'lc', servers: [rs('a', { activeConns: 1 }), rs('b', { inactiveConns: 256 })], want: 'a' },
    { name: 'lc: inactive connections break ties', sched: 'lc', servers: [rs('a', { activeConns: 1, inactiveConns: 5 }), rs('b', { activeConns: 1 })], want: 'b' },
    { name: 'wlc divides by weight', sched: 'wlc', servers: [rs('a', { activeConns: 2 }), rs('b', { activeConns: 3, weight: 3 })], want: 'b' },
    { name: 'sed: (active+1)/weight', sched: 'sed', servers: [rs('a', { activeConns: 0, weight: 1 }), rs('b', { activeConns: 1, weight: 3 })], want: 'b' },
    { name: 'nq takes an idle server even if weighted lower', sched: 'nq', servers: [rs('a', { activeConns: 1, weight: 5 }), rs('b', { activeConns: 0, weight: 1 })], want: 'b' },
    { name: 'nq falls back to sed when none is idle', sched: 'nq', servers: [rs('a', { activeConns: 2, weight: 1 }), rs('b', { activeConns: 2, weight: 3 })], want: 'b' },
  ];
  for (const c of cases) test(c.name, () => assert.equal(createScheduler(c.sched).pick(c.servers, req())?.key, c.want));
});

describe('hashing schedulers', () => {
  const servers = ['a', 'b', 'c', 'd'].map((k) => rs(k));
  const clients = Array.from({ length: 2000 }, (_, i) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`);

  test('sh and maglev: a client sticks to one server; clients spread over all', () => {
    for (const name of ['sh', 'maglev'] as const) {
      const s = createScheduler(name);
      const counts = new Map<string, number>();
      for (const c of clients) {
        const first = s.pick(servers, req(c))?.key ?? '-';
        assert.equal(s.pick(servers, req(c))?.key, first, `${name} sticky for ${c}`);
        counts.set(first, (counts.get(first) ?? 0) + 1);
      }
      assert.equal(counts.size, 4, `${name} uses every server`);
      for (const [k, n] of counts) assert.ok(n > 300 && n < 700, `${name}: ${k} got ${n} of 2000`);
    }
  });

  test('dh: every client of a virtual address goes to the same server', () => {
    const s = createScheduler('dh');
    const picks = new Set(clients.slice(0, 50).map((c) => s.pick(servers, req(c))?.key));
    assert.equal(picks.size, 1);
    const other = new Set(['10.96.0.11', '10.96.0.12', '10.96.0.13', '10.96.0.14', '10.96.0.15'].map((vip) => s.pick(servers, req('192.0.2.1', { vip }))?.key));
    assert.ok(other.size > 1, 'different virtual addresses spread');
  });

  test('maglev: removing one server moves mostly only its own clients', () => {
    const s = createScheduler('maglev');
    const before = clients.map((c) => s.pick(servers, req(c))?.key);
    const fewer = servers.filter((x) => x.key !== 'd');
    const after = clients.map((c) => s.pick(fewer, req(c))?.key);
    let movedOthers = 0;
    before.forEach((b, i) => {
      if (b !== 'd' && b !== after[i]) movedOthers++;
    });
    assert.ok(movedOthers < clients.length * 0.05, `only ${movedOthers} clients of remaining servers moved`);
  });

  test('maglev table honours weights', () => {
    const t = buildMaglevTable([rs('a', { weight: 1 }), rs('b', { weight: 3 })], 1021);
    const share = t.filter((i) => i === 1).length / t.length;
    assert.ok(share > 0.7 && share < 0.8, `weight-3 server holds ${share}`);
    assert.ok(!t.includes(-1), 'table full');
  });

  test('foldAddress', () => {
    assert.equal(foldAddress('10.0.0.1'), 0x0a000001);
    assert.equal(foldAddress('::1'), 1);
    assert.equal(foldAddress('2001:db8::1'), (0x20010db8 ^ 1) >>> 0);
  });
});

describe('random', () => {
  test('uniform within statistical bounds and weighted by weight', () => {
    const s = createScheduler('random');
    const counts = new Map<string, number>();
    const n = 6000;
    const servers = [rs('a'), rs('b'), rs('c', { weight: 2 })];
    for (let i = 0; i < n; i++) {
      const k = s.pick(servers, req())?.key ?? '-';
      counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    // Expected 1500/1500/3000; 5 standard deviations is about ±170 (±194 for c).
    for (const [k, want] of [['a', 1500], ['b', 1500], ['c', 3000]] as const) {
      const got = counts.get(k) ?? 0;
      assert.ok(Math.abs(got - want) < 200, `${k}: ${got}, want about ${want}`);
    }
  });

  test('injected random source is used', () => {
    const s = createScheduler('random', { random: () => 0.99 });
    assert.equal(s.pick([rs('a'), rs('b')], req())?.key, 'b');
  });
});

test('parseSchedulerName', () => {
  assert.equal(parseSchedulerName('LC'), 'lc');
  assert.equal(parseSchedulerName('mh'), 'maglev');
  assert.equal(parseSchedulerName('fifo'), undefined);
});
