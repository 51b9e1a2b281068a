import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { LoopbackAddressMapper, toLoopback } from '../address-mapper.js';
import { dataplaneConformance } from '../dataplane-conformance.js';
import { buildProxyState } from '../proxy-state.js';
import { getHostname, startEchoBackend } from '../testing/echo-backend.js';
import { ep, portInfo } from '../testing/fixtures.js';
import { UserspaceDataplane } from './userspace-dataplane.js';

dataplaneConformance(
  'userspace with loopback mapping',
  async () => ({
    dataplane: new UserspaceDataplane({ mapper: new LoopbackAddressMapper({ mapEndpoints: true }), udpIdleTimeoutMs: 5000 }),
    clientAddress: (ip) => toLoopback(ip) ?? ip,
    backendListenAddress: (ip) => toLoopback(ip) ?? ip,
    nodeAddresses: ['127.0.0.1'],
    close: async () => {},
  }),
  { basePort: 31200 },
);

test('userspace: a refused endpoint is retried on another backend; unchanged frontends keep their socket', async () => {
  const good = await startEchoBackend('good', '127.244.8.2', 31305, { udp: false });
  const dp = new UserspaceDataplane({ mapper: new LoopbackAddressMapper({ mapEndpoints: true }) });
  try {
    // 127.244.8.1:31305 has no listener: every connect there is refused.
    const info = portInfo({ name: 'retry', clusterIPs: ['10.96.8.1'], port: 31300 });
    const other = portInfo({ name: 'other', clusterIPs: ['10.96.8.2'], port: 31301 });
    const state = (changed?: string[]) =>
      buildProxyState({
        serviceMap: new Map([
          [info.key, info],
          [other.key, other],
        ]),
        endpointsMap: new Map([
          [info.key, [ep('10.244.8.1', { port: 31305 }), ep('10.244.8.2', { port: 31305 })]],
          [other.key, [ep('10.244.8.2', { port: 31305 })]],
        ]),
        node: { nodeName: 'n', labels: {} },
        nodePortAddresses: [],
        ...(changed ? { changed: new Set(changed) } : {}),
      });
    assert.deepEqual(await dp.sync(state()), { ok: true });
    for (let i = 0; i < 4; i++) assert.equal(await getHostname('127.96.8.1', 31300), 'good');
    // Partial sync of `info` only: the `other` listener must stay, and a bind failure is reported, not thrown.
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(31302, '127.96.8.3', () => r()));
    const clash = portInfo({ name: 'clash', clusterIPs: ['10.96.8.3'], port: 31302 });
    const st = buildProxyState({
      serviceMap: new Map([[clash.key, clash]]),
      endpointsMap: new Map(),
      node: { nodeName: 'n', labels: {} },
      nodePortAddresses: [],
      changed: new Set([clash.key]),
    });
    const r = await dp.sync(st);
    blocker.close();
    assert.equal(r.ok, false);
    assert.match(!r.ok ? (r.failures[0]?.error ?? '') : '', /EADDRINUSE/);
    assert.equal(await getHostname('127.96.8.2', 31301), 'good', 'untouched service still served');
  } finally {
    await dp.close();
    await good.close();
  }
});
