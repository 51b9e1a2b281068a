/**
 * One conformance suite for the Dataplane seam, run against every
 * implementation (userspace here; the kernel modes reuse it with a harness
 * that reaches Service addresses from a client namespace).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Dataplane, ProxyState } from './dataplane.js';
import { buildProxyState } from './proxy-state.js';
import { type EchoBackend, getHostname, probeTcp, startEchoBackend, udpQuery } from './testing/echo-backend.js';
import { ep, portInfo } from './testing/fixtures.js';
import type { EndpointInfo, ServicePortInfo } from './types.js';

export interface DataplaneHarness {
  readonly dataplane: Dataplane;
  /** Where a client connects to reach a virtual (cluster / external) IP. */
  clientAddress(virtualIP: string): string;
  /** Where a backend for endpoint IP `ip` must listen. */
  backendListenAddress(endpointIP: string): string;
  /** Node addresses for NodePorts. */
  readonly nodeAddresses: readonly string[];
  close(): Promise<void>;
}

export interface ConformanceOptions {
  /** Named, reasoned skips: test name → reason. */
  readonly skip?: Readonly<Record<string, string>>;
  /** Base port for services (tests use base..base+10). */
  readonly basePort: number;
  /**
   * How the implementation spreads new connections by default: `roundRobin`
   * (userspace, exact order asserted) or `random` (kernel modes: every
   * endpoint must be reached within a bounded number of connections).
   */
  readonly balancing?: 'roundRobin' | 'random';
}

function stateOf(h: DataplaneHarness, services: { info: ServicePortInfo; endpoints: EndpointInfo[] }[], changed?: string[]): ProxyState {
  return buildProxyState({
    serviceMap: new Map(services.map((s) => [s.info.key, s.info])),
    endpointsMap: new Map(services.map((s) => [s.info.key, s.endpoints])),
    node: { nodeName: 'node-1', labels: {} },
    nodePortAddresses: h.nodeAddresses,
    ...(changed ? { changed: new Set(changed) } : {}),
  });
}

export function dataplaneConformance(name: string, makeHarness: () => Promise<DataplaneHarness>, opts: ConformanceOptions): void {
  describe(`Dataplane conformance: ${name}`, () => {
    let h: DataplaneHarness;
    const backends: EchoBackend[] = [];
    const skip = (t: string): string | false => opts.skip?.[t] ?? false;
    const P = opts.basePort;
    const eps = ['10.244.7.1', '10.244.7.2', '10.244.7.3'];
    const web = portInfo({ name: 'web', clusterIPs: ['10.96.7.1'], port: P, type: 'NodePort', nodePort: P + 1 });
    const dns = portInfo({ name: 'dns', clusterIPs: ['10.96.7.2'], port: P + 2, protocol: 'UDP' });
    const empty = portInfo({ name: 'empty', clusterIPs: ['10.96.7.3'], port: P + 3 });
    const webEps = (ips: string[]): EndpointInfo[] => ips.map((ip) => ep(ip, { port: P + 5 }));
    const all = (webIps: string[], dnsIps: string[]): { info: ServicePortInfo; endpoints: EndpointInfo[] }[] => [
      { info: web, endpoints: webEps(webIps) },
      { info: dns, endpoints: dnsIps.map((ip) => ep(ip, { port: P + 5 })) },
      { info: empty, endpoints: [] },
    ];

    before(async () => {
      h = await makeHarness();
      for (const [i, ip] of eps.entries()) backends.push(await startEchoBackend(`backend-${i}`, h.backendListenAddress(ip), P + 5));
    });
    after(async () => {
      await h.dataplane.close();
      for (const b of backends) await b.close();
      await h.close();
    });

    const random = opts.balancing === 'random';
    test(random ? 'cluster IP reaches every endpoint (random balancing)' : 'cluster IP reaches every endpoint, round robin by default', { skip: skip('rr') }, async () => {
      const r = await h.dataplane.sync(stateOf(h, all(eps, eps)));
      assert.deepEqual(r, { ok: true });
      if (random) {
        // 1 - 3 * (2/3)^40 ≈ 0.9999998: all three show up unless balancing is broken.
        const seen = new Set<string>();
        for (let i = 0; i < 40 && seen.size < 3; i++) seen.add(await getHostname(h.clientAddress('10.96.7.1'), P));
        assert.deepEqual([...seen].sort(), ['backend-0', 'backend-1', 'backend-2']);
        return;
      }
      const got: string[] = [];
      for (let i = 0; i < 6; i++) got.push(await getHostname(h.clientAddress('10.96.7.1'), P));
      assert.deepEqual(got, ['backend-0', 'backend-1', 'backend-2', 'backend-0', 'backend-1', 'backend-2']);
    });

    test('node port on the node address', { skip: skip('nodeport') }, async () => {
      const addr = h.nodeAddresses[0];
      assert.ok(addr);
      assert.match(await getHostname(addr, P + 1), /^backend-\d$/);
    });

    test('a service without endpoints refuses at once', { skip: skip('reject') }, async () => {
      const r = await probeTcp(h.clientAddress('10.96.7.3'), P + 3);
      assert.notEqual(r.outcome, 'data');
      assert.notEqual(r.outcome, 'timeout');
      assert.ok(r.ms < 500, `took ${r.ms} ms`);
    });

    test('UDP is answered and follows an endpoint change', { skip: skip('udp') }, async () => {
      const first = await udpQuery(h.clientAddress('10.96.7.2'), P + 2);
      assert.match(first, /^backend-\d$/);
      const only = eps[2] ?? '';
      await h.dataplane.sync(stateOf(h, all(eps, [only]), [dns.key]));
      for (let i = 0; i < 3; i++) assert.equal(await udpQuery(h.clientAddress('10.96.7.2'), P + 2), 'backend-2');
    });

    test('status lists virtual services with real servers', { skip: skip('status') }, () => {
      const st = h.dataplane.status();
      const vs = st.find((v) => v.address === '10.96.7.1' && v.port === P);
      assert.ok(vs, JSON.stringify(st));
      assert.equal(vs.protocol, 'TCP');
      assert.deepEqual(
        vs.realServers.map((r) => `${r.address}:${r.port}`),
        eps.map((ip) => `${ip}:${P + 5}`),
      );
    });

    test('removed endpoints stop receiving; removed services stop listening', { skip: skip('remove') }, async () => {
      await h.dataplane.sync(stateOf(h, all([eps[0] ?? ''], []), undefined));
      for (let i = 0; i < 3; i++) assert.equal(await getHostname(h.clientAddress('10.96.7.1'), P), 'backend-0');
      await h.dataplane.sync(stateOf(h, [], undefined));
      const r = await probeTcp(h.clientAddress('10.96.7.1'), P);
      assert.notEqual(r.outcome, 'data');
      assert.equal(h.dataplane.status().length, 0);
    });
  });
}
