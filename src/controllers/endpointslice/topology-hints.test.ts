import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoint, EndpointSlice } from './slice-types.js';
import { node } from './test-fixtures.js';
import {
  type Allocation,
  MSG_INSUFFICIENT_NODE_INFO,
  MSG_ONE_ZONE_ONLY,
  addTopologyHints,
  getAllocations,
  givingAndReceivingZones,
  parseMilliQuantity,
  serviceOverloaded,
  zoneCpuRatios,
} from './topology-hints.js';

describe('parseMilliQuantity', () => {
  const cases: [string | undefined, number][] = [
    ['4', 4000],
    ['3500m', 3500],
    ['0.5', 500],
    ['1.5k', 1_500_000],
    ['2Ki', 2_048_000],
    ['', 0],
    [undefined, 0],
    ['lots', 0],
  ];
  for (const [q, want] of cases) test(`${String(q)} → ${want}`, () => assert.equal(parseMilliQuantity(q), want));
});

describe('zoneCpuRatios', () => {
  const cases: { name: string; nodes: ReturnType<typeof node>[]; want: [string, number][] | null }[] = [
    { name: 'proportional to allocatable CPU', nodes: [node('a', 'z1', '3'), node('b', 'z2', '1')], want: [['z1', 0.75], ['z2', 0.25]] },
    { name: 'nodes of a zone add up', nodes: [node('a', 'z1', '1'), node('b', 'z1', '1'), node('c', 'z2', '2')], want: [['z1', 0.5], ['z2', 0.5]] },
    { name: 'one zone only: none', nodes: [node('a', 'z1'), node('b', 'z1')], want: null },
    { name: 'a ready node without zone: none', nodes: [node('a', 'z1'), node('b', undefined), node('c', 'z2')], want: null },
    { name: 'not-ready nodes do not count', nodes: [node('a', 'z1'), node('b', undefined, '4', false), node('c', 'z2')], want: [['z1', 0.5], ['z2', 0.5]] },
    {
      name: 'control-plane nodes do not count',
      nodes: [node('a', 'z1'), { ...node('cp', undefined), metadata: { name: 'cp', labels: { 'node-role.kubernetes.io/control-plane': '' } } }, node('c', 'z2')],
      want: [['z1', 0.5], ['z2', 0.5]],
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = zoneCpuRatios(c.nodes);
      assert.deepEqual(r ? [...r] : null, c.want);
    });
  }
});

describe('getAllocations', () => {
  const ratios = new Map([
    ['z1', 0.5],
    ['z2', 0.5],
  ]);
  test('minimum leaves 20% overload room, maximum takes the rest', () => {
    const r = getAllocations(10, ratios);
    assert.ok(r.ok);
    assert.deepEqual(r.allocations.get('z1'), { minimum: 5, desired: 5, maximum: 5 });
  });
  test('uneven ratios', () => {
    const r = getAllocations(10, new Map([['z1', 0.7], ['z2', 0.3]]));
    assert.ok(r.ok);
    assert.deepEqual(r.allocations.get('z1'), { minimum: 6, desired: 7, maximum: 7 });
    assert.deepEqual(r.allocations.get('z2'), { minimum: 3, desired: 3, maximum: 4 });
  });
  const failing: [string, number, Map<string, number> | null, string][] = [
    ['no ratios', 10, null, MSG_INSUFFICIENT_NODE_INFO],
    ['one zone', 10, new Map([['z1', 1]]), MSG_ONE_ZONE_ONLY],
    ['fewer endpoints than zones', 1, ratios, 'Insufficient number of endpoints (1 endpoints, 2 zones)'],
    [
      'minimums exceed the endpoints',
      3,
      new Map([['z1', 0.5], ['z2', 0.25], ['z3', 0.25]]),
      'Unable to allocate minimum required endpoints to each zone without exceeding overload threshold (3 endpoints, 3 zones)',
    ],
  ];
  for (const [name, n, r, message] of failing) {
    test(`refused: ${name}`, () => assert.deepEqual(getAllocations(n, r), { ok: false, message }));
  }
});

describe('givingAndReceivingZones', () => {
  const alloc = (desired: number): Allocation => ({ minimum: Math.ceil(desired / 1.2), desired, maximum: desired + 1 });
  test('whole endpoints move from the surplus to the deficit', () => {
    const r = givingAndReceivingZones(new Map([['z1', alloc(3)], ['z2', alloc(3)]]), new Map([['z1', 5], ['z2', 1]]));
    assert.deepEqual([...r.giving], [['z1', 2]]);
    assert.deepEqual([...r.receiving], [['z2', 2]]);
  });
  test('fractions below one half do not move anything', () => {
    const r = givingAndReceivingZones(new Map([['z1', alloc(2.6)], ['z2', alloc(2.4)]]), new Map([['z1', 2], ['z2', 3]]));
    assert.deepEqual([...r.giving], []);
  });
});

const ep = (zone: string | undefined, ready = true, hints?: Endpoint['hints']): Endpoint => {
  const e: Endpoint = { addresses: ['10.0.0.1'], conditions: { ready, serving: ready, terminating: false } };
  if (zone) e.zone = zone;
  if (hints) e.hints = hints;
  return e;
};
const slice = (name: string, endpoints: Endpoint[]): EndpointSlice => ({ metadata: { name }, addressType: 'IPv4', endpoints });

describe('addTopologyHints', () => {
  const even = new Map([['z1', 0.5], ['z2', 0.5]]);

  test('an unchanged slice with fitting hints stays unchanged', () => {
    const unchanged = slice('u', [ep('z1', true, { forZones: [{ name: 'z1' }] }), ep('z2', true, { forZones: [{ name: 'z2' }] })]);
    const si = { toCreate: [], toUpdate: [], unchanged: [Object.freeze(unchanged)] };
    const r = addTopologyHints(si, even, 'IPv4');
    assert.deepEqual(si.toUpdate, []);
    assert.deepEqual([...(r.hintsByZone ?? [])].sort(), [['z1', 1], ['z2', 1]]);
  });

  test('an unchanged slice without hints is copied into the updates', () => {
    const si = { toCreate: [], toUpdate: [] as EndpointSlice[], unchanged: [slice('u', [ep('z1'), ep('z2')])] };
    addTopologyHints(si, even, 'IPv4');
    assert.equal(si.toUpdate.length, 1);
    assert.deepEqual(si.toUpdate[0]?.endpoints.map((e) => e.hints?.forZones?.[0]?.name), ['z1', 'z2']);
    assert.deepEqual(si.unchanged, []);
  });

  test('a ready endpoint without zone disables hints everywhere', () => {
    const hinted = (z: string): Endpoint => ep(z, true, { forZones: [{ name: z }] });
    const si = { toCreate: [slice('', [ep('z1'), ep(undefined)])], toUpdate: [], unchanged: [slice('u', [hinted('z2'), hinted('z2')])] };
    const r = addTopologyHints(si, even, 'IPv4');
    assert.equal(r.hintsByZone, null);
    assert.equal(r.events[0]?.message, 'One or more endpoints do not have a zone specified, addressType: IPv4');
    assert.equal(si.toUpdate.length, 1, 'the hinted unchanged slice is rewritten without hints');
    assert.ok([...si.toCreate, ...si.toUpdate].every((s) => s.endpoints.every((e) => e.hints === undefined)));
  });

  test('endpoints that are not ready get no hints and do not count', () => {
    const si = { toCreate: [slice('', [ep('z1'), ep('z2'), ep('z1', false)])], toUpdate: [], unchanged: [] };
    const r = addTopologyHints(si, even, 'IPv4');
    assert.deepEqual([...(r.hintsByZone ?? [])].sort(), [['z1', 1], ['z2', 1]]);
    assert.equal(si.toCreate[0]?.endpoints[2]?.hints, undefined);
  });
});

describe('serviceOverloaded', () => {
  const cases: [string, [string, number][], [string, number][] | null, boolean][] = [
    ['balanced', [['z1', 5], ['z2', 5]], [['z1', 0.5], ['z2', 0.5]], false],
    ['a zone got more CPU', [['z1', 5], ['z2', 5]], [['z1', 0.8], ['z2', 0.2]], true],
    ['a new zone has no endpoints', [['z1', 5], ['z2', 5]], [['z1', 0.4], ['z2', 0.4], ['z3', 0.2]], true],
    ['no ratios any more', [['z1', 5]], null, true],
  ];
  for (const [name, hints, ratios, want] of cases) {
    test(name, () => assert.equal(serviceOverloaded(new Map(hints), ratios ? new Map(ratios) : null), want));
  }
});
