/**
 * The userspace service proxy against a real `switchyard server`, rootless and
 * all on loopback: selectorless Services with hand-written EndpointSlices whose
 * (valid) pod IPs 10.244.9.x are served by echo backends on 127.244.9.x; the
 * proxier runs in-process with the loopback mapping for Service and endpoint
 * addresses, and 127.0.0.1 as the node address for NodePorts.
 * Needs `npm run build` (the server runs from dist/).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import http from 'node:http';
import type { KubeObject } from '../../src/api/object.js';
import { KubeClient } from '../../src/client/kube-client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { runProxyStatusCommand } from '../../src/cli/proxy-command.js';
import { createLogger } from '../../src/log/logger.js';
import { LoopbackAddressMapper, toLoopback } from '../../src/proxy/address-mapper.js';
import { ENDPOINT_SLICES, SERVICES } from '../../src/proxy/proxier.js';
import { ProxyServer } from '../../src/proxy/proxy-server.js';
import { type EchoBackend, getHostname, probeTcp, startEchoBackend, udpQuery } from '../../src/proxy/testing/echo-backend.js';
import { UserspaceDataplane } from '../../src/proxy/userspace/userspace-dataplane.js';
import { TestServer } from './harness.js';
import { eventually, sleep } from '../../src/testing/eventually.js';

const NODE = 'proxy-node-1';
const BACKEND_PORT = 9376;
const POD_IPS = ['10.244.9.1', '10.244.9.2', '10.244.9.3'];
const NAMES = ['backend-1', 'backend-2', 'backend-3'];

interface EndpointSpec {
  ip: string;
  ready?: boolean;
  node?: string;
}

function sliceFor(service: string, ports: { name: string; protocol: string }[], endpoints: EndpointSpec[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-manual`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name, protocol: p.protocol, port: BACKEND_PORT })),
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      conditions: { ready: e.ready ?? true, serving: e.ready ?? true, terminating: false },
      ...(e.node ? { nodeName: e.node } : {}),
    })),
  };
}

function httpGet(host: string, port: number, path: string): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host, port, path, agent: false }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (body += d));
        res.on('end', () => resolve({ code: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('userspace proxy against a real API server (rootless, loopback)', () => {
  const server = new TestServer();
  let client: KubeClient;
  let proxy: ProxyServer;
  const stop = new AbortController();
  let running: Promise<void> | undefined;
  const backends: EchoBackend[] = [];
  const svc = new Map<string, KubeObject>();

  const clusterIP = (name: string): string => {
    const spec = svc.get(name)?.['spec'] as { clusterIP?: string } | undefined;
    return spec?.clusterIP ?? '';
  };
  const mapped = (name: string): string => toLoopback(clusterIP(name)) ?? '';
  const vsOf = (name: string, port: number, protocol = 'TCP') =>
    proxy.statusDocument().virtualServices.find((v) => v.address === clusterIP(name) && v.port === port && v.protocol === protocol);

  async function createService(name: string, spec: Record<string, unknown>, endpoints: EndpointSpec[] | undefined, annotations?: Record<string, string>): Promise<void> {
    const created = await client.create(SERVICES, 'default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, ...(annotations ? { annotations } : {}) },
      spec,
    });
    svc.set(name, created);
    const ports = (spec['ports'] as { name: string; protocol?: string }[]).map((p) => ({ name: p.name, protocol: p.protocol ?? 'TCP' }));
    if (endpoints) await client.create(ENDPOINT_SLICES, 'default', sliceFor(name, ports, endpoints));
  }

  async function replaceSlice(service: string, ports: { name: string; protocol: string }[], endpoints: EndpointSpec[]): Promise<void> {
    const current = await client.get(ENDPOINT_SLICES, 'default', `${service}-manual`);
    const next = sliceFor(service, ports, endpoints);
    next.metadata.resourceVersion = current.metadata.resourceVersion;
    await client.update(ENDPOINT_SLICES, 'default', next);
  }

  before(async () => {
    await server.start();
    client = new KubeClient(loadKubeconfig(server.kubeconfig), { component: 'proxy-e2e' });
    for (const [i, ip] of POD_IPS.entries()) backends.push(await startEchoBackend(NAMES[i] ?? '', toLoopback(ip) ?? '', BACKEND_PORT));
    const all = POD_IPS.map((ip) => ({ ip }));
    await createService('web', { ports: [{ name: 'http', port: 8080, targetPort: BACKEND_PORT }, { name: 'dns', port: 8053, protocol: 'UDP', targetPort: BACKEND_PORT }] }, all);
    await createService('web-np', { type: 'NodePort', ports: [{ name: 'http', port: 8081, targetPort: BACKEND_PORT }] }, all);
    await createService('rand', { ports: [{ name: 'http', port: 8082 }] }, all, { 'switchyard.io/scheduler': 'random' });
    await createService('sticky', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 2 } }, ports: [{ name: 'http', port: 8083 }] }, all);
    await createService('least', { ports: [{ name: 'http', port: 8084 }] }, all.slice(0, 2), { 'switchyard.io/scheduler': 'lc' });
    await createService('empty', { ports: [{ name: 'http', port: 8085 }] }, undefined);
    await createService('udp', { ports: [{ name: 'dns', port: 8086, protocol: 'UDP' }] }, all);
    await createService(
      'lb-local',
      { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 8087 }] },
      [{ ip: POD_IPS[0] ?? '', node: NODE }, { ip: POD_IPS[1] ?? '', node: 'another-node' }],
    );

    proxy = new ProxyServer({
      client,
      nodeName: NODE,
      dataplane: new UserspaceDataplane({ mapper: new LoopbackAddressMapper({ mapEndpoints: true }), udpIdleTimeoutMs: 10_000 }),
      minSyncPeriodMs: 100,
      syncPeriodMs: 30_000,
      nodePortAddresses: ['127.0.0.1/32'],
      healthzBindAddress: '127.0.0.1:0',
      metricsBindAddress: '127.0.0.1:0',
      bindAddressHardFail: true,
      log: createLogger('proxy-e2e', () => {}),
    });
    await proxy.start();
    running = proxy.run(stop.signal);
    assert.equal(await proxy.proxier.waitForFirstSync(), true);
    await eventually('the web service programmed', () => vsOf('web', 8080)?.realServers.length === 3);
  });

  after(async () => {
    stop.abort();
    await running;
    client?.close();
    for (const b of backends) await b.close();
    await server.stop();
    server.cleanup();
  });

  test('the mapped ClusterIP reaches every backend in exact round-robin order', async () => {
    assert.match(mapped('web'), /^127\.\d+\.\d+\.\d+$/);
    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push(await getHostname(mapped('web'), 8080));
    assert.deepEqual(got, [...NAMES, ...NAMES]);
  });

  test('UDP port of the same (multi-port) Service answers', async () => {
    const names = new Set<string>();
    for (let i = 0; i < 3; i++) names.add(await udpQuery(mapped('web'), 8053));
    assert.deepEqual([...names].sort(), NAMES, 'three fresh client sockets, three flows, round robin');
  });

  test('NodePort on the node address 127.0.0.1', async () => {
    const spec = svc.get('web-np')?.['spec'] as { ports: { nodePort: number }[] };
    const nodePort = spec.ports[0]?.nodePort ?? 0;
    assert.ok(nodePort >= 30000);
    const got = new Set<string>();
    for (let i = 0; i < 3; i++) got.add(await getHostname('127.0.0.1', nodePort));
    assert.deepEqual([...got].sort(), NAMES);
  });

  test('random scheduler spreads within statistical bounds', async () => {
    const counts = new Map<string, number>();
    const n = 300;
    for (let i = 0; i < n; i++) {
      const name = await getHostname(mapped('rand'), 8082);
      counts.set(name, (counts.get(name) ?? 0) + 1);
    }
    // Expected 100 each; 5 standard deviations (8.2 each) gives ±41.
    for (const name of NAMES) assert.ok(Math.abs((counts.get(name) ?? 0) - 100) <= 41, `${name}: ${counts.get(name)}`);
    assert.equal(vsOf('rand', 8082)?.scheduler, 'random');
  });

  test('ClientIP affinity pins each client address until the timeout', async () => {
    const clients = ['127.10.0.1', '127.10.0.2', '127.10.0.3', '127.10.0.4'];
    const pinned = new Map<string, string>();
    for (const c of clients) {
      const first = await getHostname(mapped('sticky'), 8083, { localAddress: c });
      for (let i = 0; i < 4; i++) assert.equal(await getHostname(mapped('sticky'), 8083, { localAddress: c }), first, `client ${c} stays pinned`);
      pinned.set(c, first);
    }
    assert.ok(new Set(pinned.values()).size >= 2, 'different clients spread over backends');
    assert.equal(vsOf('sticky', 8083)?.persistentTimeoutSeconds, 2);
    await sleep(2200);
    // rr continues where it stopped (4 clients on 3 backends → next is backend-2), so client 1 (backend-1) moves.
    const after = await getHostname(mapped('sticky'), 8083, { localAddress: '127.10.0.1' });
    assert.notEqual(after, pinned.get('127.10.0.1'), 'pin expired');
  });

  test('lc sends new connections to the idle backend', async () => {
    const held = http.get({ host: mapped('least'), port: 8084, path: '/hold', agent: false });
    held.on('error', () => {});
    const busy = await eventually('held connection counted', () => vsOf('least', 8084)?.realServers.find((r) => r.activeConns === 1));
    const busyName = NAMES[POD_IPS.indexOf(busy.address)];
    for (let i = 0; i < 5; i++) assert.notEqual(await getHostname(mapped('least'), 8084), busyName);
    held.destroy();
    await eventually('held connection released', () => vsOf('least', 8084)?.realServers.every((r) => r.activeConns === 0));
  });

  test('a Service without endpoints refuses at once', async () => {
    const r = await probeTcp(mapped('empty'), 8085);
    assert.ok(r.outcome === 'reset' || r.outcome === 'closed' || r.outcome === 'refused', r.outcome);
    assert.ok(r.ms < 500, `took ${r.ms} ms`);
  });

  test('an endpoint turning unready stops getting new connections within a second', async () => {
    const started = Date.now();
    await replaceSlice('web', [{ name: 'http', protocol: 'TCP' }, { name: 'dns', protocol: 'UDP' }], [{ ip: POD_IPS[0] ?? '', ready: false }, { ip: POD_IPS[1] ?? '' }, { ip: POD_IPS[2] ?? '' }]);
    await eventually('backend-1 gone from the virtual service', () => vsOf('web', 8080)?.realServers.every((r) => r.address !== POD_IPS[0]), 1000);
    const elapsed = Date.now() - started;
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
    for (let i = 0; i < 6; i++) assert.notEqual(await getHostname(mapped('web'), 8080), 'backend-1');
  });

  test('UDP flow survives a backend change', async () => {
    const sock = dgram.createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    try {
      const first = await udpQuery(mapped('udp'), 8086, { socket: sock });
      assert.equal(await udpQuery(mapped('udp'), 8086, { socket: sock }), first, 'the flow sticks to its backend');
      const keep = POD_IPS.filter((_, i) => NAMES[i] !== first).map((ip) => ({ ip }));
      await replaceSlice('udp', [{ name: 'dns', protocol: 'UDP' }], keep);
      const gone = POD_IPS[NAMES.indexOf(first)];
      await eventually('endpoint removed', () => vsOf('udp', 8086, 'UDP')?.realServers.every((r) => r.address !== gone));
      const next = await udpQuery(mapped('udp'), 8086, { socket: sock });
      assert.notEqual(next, first);
      assert.ok(NAMES.includes(next));
    } finally {
      sock.close();
    }
  });

  test('proxy status prints the ipvsadm view with real servers', async () => {
    const port = proxy.metricsAddress?.port ?? 0;
    let out = '';
    assert.equal(await runProxyStatusCommand(['--metrics-bind-address', `127.0.0.1:${port}`], (t) => (out += t)), 0);
    const lines = out.split('\n');
    assert.equal(lines[1], 'Prot LocalAddress:Port Scheduler Flags');
    const head = lines.indexOf(`TCP  ${clusterIP('sticky')}:8083 rr persistent 2`);
    assert.ok(head > 0, out);
    assert.deepEqual(
      lines.slice(head + 1, head + 4).map((l) => l.split(/\s+/).slice(1, 5)),
      POD_IPS.map((ip) => ['->', `${ip}:${BACKEND_PORT}`, 'Masq', '1']),
    );
    assert.ok(lines.includes(`UDP  ${clusterIP('web')}:8053 rr`), out);
  });

  test('healthz, metrics, and the health check node port of an eTP Local LoadBalancer', async () => {
    const hz = await httpGet('127.0.0.1', proxy.healthzAddress?.port ?? 0, '/healthz');
    assert.equal(hz.code, 200);
    assert.match(hz.body, /^\{"lastUpdated": "[^"]+","currentTime": "[^"]+", "nodeEligible": true\}$/);
    const m = await httpGet('127.0.0.1', proxy.metricsAddress?.port ?? 0, '/metrics');
    assert.match(m.body, /^kubeproxy_sync_proxy_rules_last_timestamp_seconds [1-9]/m);
    assert.match(m.body, /^kubeproxy_sync_proxy_rules_duration_seconds_count [1-9]/m);
    assert.match(m.body, /^kubeproxy_sync_proxy_rules_endpoint_changes_total [1-9]/m);
    assert.match(m.body, /^kubeproxy_sync_proxy_rules_service_changes_pending 0/m);
    const spec = svc.get('lb-local')?.['spec'] as { healthCheckNodePort?: number };
    const hcPort = spec.healthCheckNodePort ?? 0;
    assert.ok(hcPort > 0, 'healthCheckNodePort allocated');
    const hc = await eventually('health check server', () => proxy.proxier.lastState && hcPort);
    const r = await httpGet('127.0.0.1', hc, '/');
    assert.equal(r.code, 200);
    assert.deepEqual(JSON.parse(r.body), { service: { namespace: 'default', name: 'lb-local' }, localEndpoints: 1, serviceProxyHealthy: true });
  });
});
