import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/clock.js';
import { slice } from '../testing/fixtures.js';
import { type EndpointInfo, endpointString } from '../types.js';
import { EndpointsChangeTracker, applyEndpointsChanges } from './endpoints-change-tracker.js';

const summarize = (eps: readonly EndpointInfo[] | undefined): string[] =>
  (eps ?? []).map((e) => `${endpointString(e)}${e.ready ? '' : ' unready'}${e.terminating ? ' terminating' : ''}${e.isLocal ? ' local' : ''}`);

describe('EndpointsChangeTracker', () => {
  const cases: { name: string; ops: { slice: ReturnType<typeof slice>; remove?: boolean }[]; want: Record<string, string[]> }[] = [
    {
      name: 'one slice, two ports, endpoints sorted',
      ops: [{ slice: slice('web-1', 'web', [{ name: 'http', port: 8080 }, { name: 'dns', port: 53, protocol: 'UDP' }], [{ ip: '10.244.0.6' }, { ip: '10.244.0.5' }]) }],
      want: { 'default/web:http/TCP': ['10.244.0.5:8080', '10.244.0.6:8080'], 'default/web:dns/UDP': ['10.244.0.5:53', '10.244.0.6:53'] },
    },
    {
      name: 'an endpoint listed in two slices is kept once; the ready copy wins',
      ops: [
        { slice: slice('web-a', 'web', [{ port: 80 }], [{ ip: '10.244.0.5', ready: false }, { ip: '10.244.0.6' }]) },
        { slice: slice('web-b', 'web', [{ port: 80 }], [{ ip: '10.244.0.5' }, { ip: '10.244.0.7' }]) },
      ],
      want: { 'default/web:/TCP': ['10.244.0.5:80', '10.244.0.6:80', '10.244.0.7:80'] },
    },
    {
      name: 'local copy wins a duplicate; conditions default ready/serving, not terminating',
      ops: [
        { slice: slice('web-a', 'web', [{ port: 80 }], [{ ip: '10.244.0.5', node: 'other' }]) },
        { slice: slice('web-b', 'web', [{ port: 80 }], [{ ip: '10.244.0.5', node: 'node-1' }]) },
      ],
      want: { 'default/web:/TCP': ['10.244.0.5:80 local'] },
    },
    {
      name: 'endpoint moving between slices survives the removal of the old slice',
      ops: [
        { slice: slice('web-a', 'web', [{ port: 80 }], [{ ip: '10.244.0.5' }]) },
        { slice: slice('web-b', 'web', [{ port: 80 }], [{ ip: '10.244.0.5' }]) },
        { slice: slice('web-a', 'web', [{ port: 80 }], []), remove: true },
      ],
      want: { 'default/web:/TCP': ['10.244.0.5:80'] },
    },
    {
      name: 'terminating and unready endpoints are recorded with their conditions',
      ops: [{ slice: slice('web-a', 'web', [{ port: 80 }], [{ ip: '10.244.0.5', ready: false, serving: true, terminating: true }]) }],
      want: { 'default/web:/TCP': ['10.244.0.5:80 unready terminating'] },
    },
    { name: 'IPv6 slice ignored by an IPv4 tracker', ops: [{ slice: slice('v6', 'web', [{ port: 80 }], [{ ip: 'fd00::5' }], { addressType: 'IPv6' }) }], want: {} },
    { name: 'slice removed: no endpoints', ops: [{ slice: slice('web-a', 'web', [{ port: 80 }], [{ ip: '10.244.0.5' }]) }, { slice: slice('web-a', 'web', [{ port: 80 }], []), remove: true }], want: {} },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const t = new EndpointsChangeTracker({ nodeName: 'node-1', ipFamily: 'IPv4' });
      const map = new Map<string, readonly EndpointInfo[]>();
      // Apply in two steps to exercise applied+pending state as well.
      const [first, ...rest] = c.ops;
      if (first) t.endpointSliceUpdate(first.slice, first.remove ?? false);
      applyEndpointsChanges(map, t.checkout());
      for (const op of rest) t.endpointSliceUpdate(op.slice, op.remove ?? false);
      applyEndpointsChanges(map, t.checkout());
      assert.deepEqual(Object.fromEntries([...map].map(([k, v]) => [k, summarize(v)])), c.want);
    });
  }

  test('a repeated identical slice is not a change; pending counts Services', () => {
    const t = new EndpointsChangeTracker({ nodeName: 'n', ipFamily: 'IPv4' });
    const s = slice('a', 'web', [{ port: 80 }], [{ ip: '10.244.0.5' }]);
    assert.equal(t.endpointSliceUpdate(s, false), true);
    assert.equal(t.endpointSliceUpdate(slice('b', 'web', [{ port: 80 }], [{ ip: '10.244.0.6' }]), false), true);
    assert.equal(t.pendingCount(), 1);
    t.checkout();
    assert.equal(t.endpointSliceUpdate(s, false), false);
    assert.equal(t.pendingCount(), 0);
    assert.equal(t.endpointSliceUpdate(slice('unknown', 'x', [{ port: 80 }], []), true), false, 'removing an unknown slice is no change');
  });

  test('apply reports changed keys, deleted UDP endpoints, newly active UDP services', () => {
    const t = new EndpointsChangeTracker({ nodeName: 'n', ipFamily: 'IPv4' });
    const map = new Map<string, readonly EndpointInfo[]>();
    t.endpointSliceUpdate(slice('dns-1', 'dns', [{ port: 53, protocol: 'UDP' }], [{ ip: '10.244.0.5' }, { ip: '10.244.0.6' }]), false);
    let r = applyEndpointsChanges(map, t.checkout());
    assert.deepEqual([...r.newlyActiveUDPServices], ['default/dns:/UDP']);
    t.endpointSliceUpdate(slice('dns-1', 'dns', [{ port: 53, protocol: 'UDP' }], [{ ip: '10.244.0.6' }]), false);
    r = applyEndpointsChanges(map, t.checkout());
    assert.deepEqual([...r.changedKeys], ['default/dns:/UDP']);
    assert.deepEqual([...r.deletedUDPEndpoints], ['default/dns:/UDP|10.244.0.5:53']);
    assert.deepEqual([...r.newlyActiveUDPServices], []);
  });

  test('last-change-trigger-time annotations after start are collected once', () => {
    const clock = new FakeClock(Date.parse('2025-01-01T00:00:00Z'));
    const t = new EndpointsChangeTracker({ nodeName: 'n', ipFamily: 'IPv4', clock });
    const at = '2025-01-01T00:00:05Z';
    t.endpointSliceUpdate(slice('a', 'web', [{ port: 80 }], [{ ip: '10.244.0.5' }], { annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': at } }), false);
    t.endpointSliceUpdate(slice('b', 'old', [{ port: 80 }], [{ ip: '10.244.0.6' }], { annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2024-12-31T00:00:00Z' } }), false);
    const out = t.checkout();
    assert.deepEqual([...out.lastChangeTriggerTimes], [['default/web', [Date.parse(at)]]]);
    assert.equal(t.checkout().lastChangeTriggerTimes.size, 0);
  });
});
