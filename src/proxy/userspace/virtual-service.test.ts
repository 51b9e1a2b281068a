import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../client/clock.js';
import { ep } from '../testing/fixtures.js';
import { LINGER_BUCKETS } from './linger-counter.js';
import { VirtualService, type VirtualServiceConfig } from './virtual-service.js';

const clock = new FakeClock(0);
const cfg = (o: Partial<VirtualServiceConfig> = {}): VirtualServiceConfig => ({
  service: 'default/web:/TCP',
  kind: 'ClusterIP',
  protocol: 'TCP',
  address: '10.96.0.10',
  port: 80,
  localAddress: '127.96.0.10',
  scheduler: 'rr',
  affinity: { type: 'None' },
  sourceRanges: [],
  endpoints: [ep('10.244.0.1'), ep('10.244.0.2')],
  ...o,
});
const deps = { clock, dialAddress: (ip: string) => ip.replace(/^10\./, '127.'), inactiveLingerMs: 1000 };

describe('VirtualService', () => {
  test('ClientIP affinity: pinned while the backend exists, re-picked when it leaves', () => {
    const vs = new VirtualService(cfg({ affinity: { type: 'ClientIP', timeoutSeconds: 60 } }), deps);
    const first = vs.choose('192.0.2.1', 1)?.key;
    assert.equal(vs.choose('192.0.2.1', 2)?.key, first);
    assert.equal(vs.choose('192.0.2.1', 3)?.key, first);
    vs.update(cfg({ affinity: { type: 'ClientIP', timeoutSeconds: 60 }, endpoints: [ep(first === '10.244.0.1:80' ? '10.244.0.2' : '10.244.0.1')] }));
    assert.notEqual(vs.choose('192.0.2.1', 4)?.key, first);
  });

  test('a failed connect forgets the pin so the retry goes elsewhere', () => {
    const vs = new VirtualService(cfg({ affinity: { type: 'ClientIP', timeoutSeconds: 60 } }), deps);
    const b = vs.choose('192.0.2.1', 1);
    assert.ok(b);
    vs.connectFailed('192.0.2.1', b);
    assert.notEqual(vs.choose('192.0.2.1', 2, new Set([b.key]))?.key, b.key);
  });

  test('loadBalancerSourceRanges', () => {
    const vs = new VirtualService(cfg({ kind: 'LoadBalancer', sourceRanges: ['192.0.2.0/24', '2001:db8::/32'] }), deps);
    assert.equal(vs.allows('192.0.2.77'), true);
    assert.equal(vs.allows('::ffff:192.0.2.77'), true);
    assert.equal(vs.allows('198.51.100.1'), false);
    assert.equal(vs.allows('2001:db8::5'), true);
  });

  test('removed backend with open connections drains at weight 0, then disappears; closed ones linger as inactive', () => {
    const vs = new VirtualService(cfg(), deps);
    const b = vs.choose('192.0.2.1', 1);
    assert.ok(b);
    assert.equal(b.dialIP, '127.244.0.1');
    vs.transition(b, undefined, 'active');
    vs.update(cfg({ endpoints: [ep('10.244.0.2')] }));
    let rs = vs.status().realServers.map((r) => `${r.address} w${r.weight} a${r.activeConns} i${r.inactiveConns}`);
    assert.deepEqual(rs, ['10.244.0.2 w1 a0 i0', '10.244.0.1 w0 a1 i0']);
    vs.transition(b, 'active', 'closing');
    vs.transition(b, 'closing', 'closed');
    rs = vs.status().realServers.map((r) => `${r.address} w${r.weight}`);
    assert.deepEqual(rs, ['10.244.0.2 w1']);
    const c = vs.choose('192.0.2.1', 2);
    assert.ok(c);
    vs.transition(c, undefined, 'active');
    vs.transition(c, 'active', 'closed');
    assert.equal(vs.status().realServers[0]?.inactiveConns, 1);
    clock.advance(1000);
    assert.equal(vs.status().realServers[0]?.inactiveConns, 0, 'linger over');
  });

  test('closed connections past the linger are forgotten as new ones close, even if nobody reads the counts', () => {
    const vs = new VirtualService(cfg({ endpoints: [ep('10.244.0.1')] }), deps);
    const b = vs.choose('192.0.2.1', 1);
    assert.ok(b);
    for (let i = 0; i < 5000; i++) {
      vs.transition(b, undefined, 'active');
      vs.transition(b, 'active', 'closed');
      clock.advance(1);
    }
    // 1 ms apart with a 1000 ms linger: only about the last second is counted (to one bucket,
    // 1000/128 ms), and the record is a fixed ring of buckets however many connections closed.
    const counted = b.inactiveConns;
    assert.ok(counted >= 999 - Math.ceil(1000 / LINGER_BUCKETS) && counted <= 999, `closed at t-999 .. t-1, counted ${counted}`);
    clock.advance(1000);
    assert.equal(b.inactiveConns, 0, 'all past the linger');
  });

  test('no endpoints: nothing to choose', () => {
    const vs = new VirtualService(cfg({ endpoints: [] }), deps);
    assert.equal(vs.hasBackends(), false);
    assert.equal(vs.choose('192.0.2.1', 1), undefined);
  });
});
