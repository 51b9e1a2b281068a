import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet, parseCidr } from './cidr-set.js';
import { cidrSetsFor, podCidrsOf } from './node-ipam.js';

/** Runs `ops` (`+` allocate, `occupy X`, `release X`) and returns what each allocation gave. */
function run(set: CidrSet, ops: string[]): (string | undefined)[] {
  const out: (string | undefined)[] = [];
  for (const op of ops) {
    if (op === '+') out.push(set.allocateNext());
    else if (op.startsWith('occupy ')) set.occupy(op.slice(7));
    else if (op.startsWith('release ')) set.release(op.slice(8));
  }
  return out;
}

describe('CidrSet', () => {
  const cases: { name: string; cluster: string; mask: number; ops: string[]; want: (string | undefined)[] }[] = [
    {
      name: 'in order from the start of the range',
      cluster: '10.244.0.0/16',
      mask: 24,
      ops: ['+', '+', '+'],
      want: ['10.244.0.0/24', '10.244.1.0/24', '10.244.2.0/24'],
    },
    {
      name: 'occupied subnets (existing nodes) are skipped',
      cluster: '10.244.0.0/16',
      mask: 24,
      ops: ['occupy 10.244.0.0/24', 'occupy 10.244.1.0/24', '+'],
      want: ['10.244.2.0/24'],
    },
    {
      name: 'a released subnet is not reused until the candidate wraps',
      cluster: '10.0.0.0/30',
      mask: 31,
      ops: ['+', '+', 'release 10.0.0.0/31', '+', '+'],
      want: ['10.0.0.0/31', '10.0.0.2/31', '10.0.0.0/31', undefined],
    },
    {
      name: 'exhaustion yields nothing',
      cluster: '192.168.0.0/24',
      mask: 25,
      ops: ['+', '+', '+'],
      want: ['192.168.0.0/25', '192.168.0.128/25', undefined],
    },
    {
      name: 'subnets outside the range or of another size are not occupied',
      cluster: '10.244.0.0/16',
      mask: 24,
      ops: ['occupy 10.245.0.0/24', 'occupy 10.244.0.0/25', '+'],
      want: ['10.244.0.0/24'],
    },
    {
      name: 'unaligned cluster CIDR is masked',
      cluster: '10.244.7.9/16',
      mask: 24,
      ops: ['+'],
      want: ['10.244.0.0/24'],
    },
    {
      name: 'IPv6 /64 subnets',
      cluster: 'fd00:10:244::/56',
      mask: 64,
      ops: ['+', '+'],
      want: ['fd00:10:244::/64', 'fd00:10:244:1::/64'],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.deepEqual(run(new CidrSet(c.cluster, c.mask), c.ops), c.want);
    });
  }

  const bad: { name: string; cluster: string; mask: number }[] = [
    { name: 'malformed', cluster: '10.244.0/16', mask: 24 },
    { name: 'mask shorter than the cluster prefix', cluster: '10.244.0.0/16', mask: 8 },
    { name: 'more than 2^16 subnets', cluster: '10.0.0.0/8', mask: 28 },
  ];
  for (const c of bad) {
    test(`refused: ${c.name}`, () => {
      assert.throws(() => new CidrSet(c.cluster, c.mask));
    });
  }

  test('parseCidr handles IPv6 forms', () => {
    assert.equal(parseCidr('::/0')?.prefix, 0);
    assert.equal(parseCidr('fd00::1/64')?.base, 0xfd00n << 112n);
    assert.equal(parseCidr('1:2:3:4:5:6:7:8:9/64'), undefined);
  });
});

describe('node IPAM helpers', () => {
  test('dual-stack cluster CIDR gives one set per family, IPv6 at /64', () => {
    const sets = cidrSetsFor('10.244.0.0/16, fd00:10:244::/56', 24);
    assert.deepEqual(
      sets.map((s) => [s.family, s.maskSize]),
      [
        [4, 24],
        [6, 64],
      ],
    );
  });

  test('podCidrsOf prefers podCIDRs, falls back to podCIDR', () => {
    assert.deepEqual(podCidrsOf({ metadata: {}, spec: { podCIDR: '10.0.0.0/24' } }), ['10.0.0.0/24']);
    assert.deepEqual(podCidrsOf({ metadata: {}, spec: { podCIDR: 'x', podCIDRs: ['a', 'b'] } }), ['a', 'b']);
    assert.deepEqual(podCidrsOf({ metadata: {}, spec: {} }), []);
  });
});
