/**
 * The userspace dataplane with two worker processes (`--proxy-workers 2`):
 * the shared conformance suite (balancing is per worker, so only "every
 * endpoint is reached" is asserted), then what is specific to workers:
 * traffic is served by the workers, ClientIP affinity pins across them,
 * status sums their counters, endpoint removals reach them, a dead worker is
 * replaced.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { LoopbackAddressMapper, toLoopback } from '../address-mapper.js';
import { dataplaneConformance } from '../dataplane-conformance.js';
import { buildProxyState } from '../proxy-state.js';
import { type EchoBackend, getHostname, startEchoBackend } from '../testing/echo-backend.js';
import { ep, portInfo } from '../testing/fixtures.js';
import type { EndpointInfo, ServicePortInfo } from '../types.js';
import { UserspaceDataplane } from './userspace-dataplane.js';
import { eventually, sleep } from '../../testing/eventually.js';

dataplaneConformance(
  'userspace with 2 worker processes',
  async () => ({
    dataplane: new UserspaceDataplane({ mapper: new LoopbackAddressMapper({ mapEndpoints: true }), udpIdleTimeoutMs: 5000, workers: 2 }),
    clientAddress: (ip) => toLoopback(ip) ?? ip,
    backendListenAddress: (ip) => toLoopback(ip) ?? ip,
    nodeAddresses: ['127.0.0.1'],
    close: async () => {},
  }),
  { basePort: 31400, balancing: 'random' },
);

/** Opens a connection and sends a request the backend never answers (echo backend `/hold`). */
function hold(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port }, () => {
      s.write('GET /hold HTTP/1.1\r\nHost: x\r\n\r\n');
      resolve(s);
    });
    s.on('error', reject);
  });
}

describe('userspace worker processes', () => {
  const P = 31420;
  const ips = ['10.244.42.1', '10.244.42.2', '10.244.42.3'];
  const backends: EchoBackend[] = [];
  let dp: UserspaceDataplane;
  const web = portInfo({ name: 'web', clusterIPs: ['10.96.42.1'], port: P });
  const sticky = portInfo({ name: 'sticky', clusterIPs: ['10.96.42.2'], port: P + 1, sessionAffinity: { type: 'ClientIP', timeoutSeconds: 60 } });
  const state = (services: { info: ServicePortInfo; ips: string[] }[], changed?: string[]) =>
    buildProxyState({
      serviceMap: new Map(services.map((s) => [s.info.key, s.info])),
      endpointsMap: new Map(services.map((s): [string, EndpointInfo[]] => [s.info.key, s.ips.map((ip) => ep(ip, { port: P + 5 }))])),
      node: { nodeName: 'n', labels: {} },
      nodePortAddresses: [],
      ...(changed ? { changed: new Set(changed) } : {}),
    });
  const vsOf = (address: string) => dp.status().find((v) => v.address === address);

  before(async () => {
    for (const [i, ip] of ips.entries()) backends.push(await startEchoBackend(`backend-${i}`, toLoopback(ip) ?? ip, P + 5, { udp: false }));
    dp = new UserspaceDataplane({ mapper: new LoopbackAddressMapper({ mapEndpoints: true }), workers: 2 });
    assert.deepEqual(
      await dp.sync(
        state([
          { info: web, ips },
          { info: sticky, ips },
        ]),
      ),
      { ok: true },
    );
  });
  after(async () => {
    await dp.close();
    for (const b of backends) await b.close();
  });

  test('two worker processes serve the listeners; every endpoint is reached', async () => {
    const pids = dp.workerPids();
    assert.equal(pids.length, 2);
    assert.ok(!pids.includes(process.pid) && pids[0] !== pids[1], `worker pids ${pids.join(',')}`);
    const seen = new Set<string>();
    for (let i = 0; i < 40 && seen.size < 3; i++) seen.add(await getHostname('127.96.42.1', P));
    assert.deepEqual([...seen].sort(), ['backend-0', 'backend-1', 'backend-2']);
  });

  test('ClientIP affinity pins a client to one backend whichever process accepts', async () => {
    const first = await getHostname('127.96.42.2', P + 1);
    const got = await Promise.all(Array.from({ length: 20 }, () => getHostname('127.96.42.2', P + 1)));
    assert.deepEqual(new Set(got), new Set([first]));
    // A second client address gets its own pin (and may differ).
    const other = await getHostname('127.96.42.2', P + 1, { localAddress: '127.0.0.7' });
    for (let i = 0; i < 5; i++) assert.equal(await getHostname('127.96.42.2', P + 1, { localAddress: '127.0.0.7' }), other);
  });

  test('status sums the connection counts of the workers', async () => {
    const held = await Promise.all(Array.from({ length: 6 }, () => hold('127.96.42.1', P)));
    try {
      const vs = await eventually('6 active connections in status', () => {
        const v = vsOf('10.96.42.1');
        return v && v.realServers.reduce((n, r) => n + r.activeConns, 0) === 6 ? v : undefined;
      });
      // Each worker runs its own rr; however the 6 split over 2 workers, one takes 3+ and so reaches all 3.
      assert.equal(vs.realServers.length, 3);
      for (const r of vs.realServers) assert.ok(r.activeConns >= 1, JSON.stringify(vs.realServers));
    } finally {
      for (const s of held) s.destroy();
    }
    await eventually('connections released', () => vsOf('10.96.42.1')?.realServers.every((r) => r.activeConns === 0 && r.inactiveConns >= 1));
  });

  test('a removed endpoint gets no new connections from any worker once sync resolves', async () => {
    assert.deepEqual(await dp.sync(state([{ info: web, ips: [ips[1] ?? ''] }], [web.key])), { ok: true });
    const got = await Promise.all(Array.from({ length: 20 }, () => getHostname('127.96.42.1', P)));
    assert.deepEqual(new Set(got), new Set(['backend-1']));
  });

  test('a worker that dies is replaced and gets the current services', async () => {
    const [victim] = dp.workerPids();
    assert.ok(victim);
    process.kill(victim, 'SIGKILL');
    const pids = await eventually('a replacement worker', () => {
      const p = dp.workerPids();
      return p.length === 2 && !p.includes(victim) ? p : undefined;
    });
    assert.equal(pids.length, 2);
    // Give the replacement time to apply the set; then every connection must still be served right.
    await sleep(500);
    const got = await Promise.all(Array.from({ length: 20 }, () => getHostname('127.96.42.1', P)));
    assert.deepEqual(new Set(got), new Set(['backend-1']));
  });
});
