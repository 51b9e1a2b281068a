import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoint, EndpointSlice } from './slice-types.js';
import { isValidTrafficDistribution, reconcileTrafficDistributionHints } from './traffic-distribution.js';

const ep = (zone: string | undefined, node: string | undefined, hints?: Endpoint['hints'], ready = true): Endpoint => {
  const e: Endpoint = { addresses: ['10.0.0.1'], conditions: { ready } };
  if (zone) e.zone = zone;
  if (node) e.nodeName = node;
  if (hints) e.hints = hints;
  return e;
};
const slice = (endpoints: Endpoint[]): EndpointSlice => Object.freeze({ metadata: { name: 's' }, addressType: 'IPv4', endpoints }) as EndpointSlice;

describe('isValidTrafficDistribution', () => {
  const cases: [string | undefined, boolean, boolean][] = [
    ['PreferClose', false, true],
    ['PreferSameZone', true, true],
    ['PreferSameZone', false, false],
    ['PreferSameNode', true, true],
    ['Whatever', true, false],
    [undefined, true, false],
  ];
  for (const [v, preferSame, want] of cases) test(`${String(v)} (preferSame ${preferSame})`, () => assert.equal(isValidTrafficDistribution(v, preferSame), want));
});

describe('reconcileTrafficDistributionHints on unchanged slices', () => {
  const zoneHint = { forZones: [{ name: 'z1' }] };
  const cases: [string, string | undefined, EndpointSlice, boolean, Endpoint['hints'] | undefined][] = [
    ['correct zone hint: left alone', 'PreferClose', slice([ep('z1', 'n1', zoneHint)]), false, zoneHint],
    ['missing zone hint: rewritten', 'PreferSameZone', slice([ep('z1', 'n1')]), true, zoneHint],
    ['wrong zone hint: rewritten', 'PreferClose', slice([ep('z1', 'n1', { forZones: [{ name: 'z2' }] })]), true, zoneHint],
    ['node hint wanted: rewritten', 'PreferSameNode', slice([ep('z1', 'n1', zoneHint)]), true, { forZones: [{ name: 'z1' }], forNodes: [{ name: 'n1' }] }],
    ['stale node hint under PreferClose: rewritten', 'PreferClose', slice([ep('z1', 'n1', { forZones: [{ name: 'z1' }], forNodes: [{ name: 'n1' }] })]), true, zoneHint],
    ['no distribution: hints removed', undefined, slice([ep('z1', 'n1', zoneHint)]), true, undefined],
    ['endpoint not ready: not checked', 'PreferClose', slice([ep('z1', 'n1', undefined, false)]), false, undefined],
  ];
  for (const [name, td, s, rewritten, hints] of cases) {
    test(name, () => {
      const si = { toCreate: [], toUpdate: [] as EndpointSlice[], unchanged: [s] };
      reconcileTrafficDistributionHints(td, si);
      assert.equal(si.toUpdate.length, rewritten ? 1 : 0);
      const out = rewritten ? si.toUpdate[0] : si.unchanged[0];
      assert.deepEqual(out?.endpoints[0]?.hints, hints);
    });
  }
});
