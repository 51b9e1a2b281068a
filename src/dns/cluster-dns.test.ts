/**
 * startClusterDns against a fake API server: informers fill the index, watch events change the
 * answers, /ready follows the sync.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient } from '../client/kube-client.js';
import { FakeApiServer } from '../client/testing/fake-api-server.js';
import { createLogger } from '../log/logger.js';
import { type ClusterDns, startClusterDns } from './cluster-dns.js';
import { rcodeName } from './message/constants.js';
import { formatRecord } from './message/zone-text.js';
import { QueryHandler } from './handler.js';
import { DnsMetrics } from './metrics.js';
import { DnsServer } from './server.js';
import { StaticZoneBackend } from './static-zone.js';
import { exchange, question } from './testing/dns-client.js';

const lines: string[] = [];
const log = createLogger('dns-test', (l) => lines.push(l));

async function eventually(check: () => Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}`);
}

for (const workers of [0, 2]) describe(`startClusterDns with informers, ${workers ? `${workers} worker processes` : 'in process'}`, () => {
  const fake = new FakeApiServer();
  let client: KubeClient;
  let dns: ClusterDns;
  let upstream: DnsServer;

  before(async () => {
    fake.put('/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
    fake.put('/v1/services', { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'myapp-headless' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } });
    fake.put('discovery.k8s.io/v1/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { namespace: 'default', name: 'myapp-headless-abc', labels: { 'kubernetes.io/service-name': 'myapp-headless' } },
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.244.0.5'], conditions: { ready: true } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    } as never);
    upstream = new DnsServer({ host: '127.0.0.1', port: 0, handler: new QueryHandler({ backends: [new StaticZoneBackend('example.org.', ['www.example.org. 60 IN A 192.0.2.8'])], metrics: new DnsMetrics('up') }) });
    const up = await upstream.listen();
    client = new KubeClient({ server: await fake.start() }, { component: 'dns-test' });
    dns = await startClusterDns({ client, log, listen: '127.0.0.1:0', metricsListen: '127.0.0.1:0', upstreams: [`127.0.0.1:${up.port}`], hostSearch: [], workers });
    assert.ok(await dns.waitForSync());
  });

  after(async () => {
    await dns.close();
    client.close();
    await fake.stop();
    await upstream.close();
  });

  test('prints a clear startup line', () => {
    const line = lines.find((l) => l.includes(`listening on 127.0.0.1:${dns.port} `));
    assert.ok(line);
    const procs = workers ? `, ${workers} worker processes` : '';
    assert.match(line, new RegExp(`cluster DNS for cluster\\.local\\. listening on 127\\.0\\.0\\.1:${dns.port} \\(udp\\+tcp${procs}\\); ttl 5s; upstreams 127\\.0\\.0\\.1:\\d+; autopath on; metrics, health and ready on http://127\\.0\\.0\\.1:${dns.metricsPort ?? 0}`));
  });

  test('answers from the listed objects and follows watch events', async () => {
    const r = await exchange(dns.port, question('myapp-headless.default.svc.cluster.local.', 'A'));
    assert.deepEqual(r.answers.map(formatRecord), ['myapp-headless.default.svc.cluster.local. 5 IN A 10.244.0.5']);
    fake.put('discovery.k8s.io/v1/endpointslices', {
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { namespace: 'default', name: 'myapp-headless-abc', labels: { 'kubernetes.io/service-name': 'myapp-headless' } },
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.244.0.5'], conditions: { ready: true } },
        { addresses: ['10.244.0.6'], conditions: { ready: true } },
      ],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    } as never);
    await eventually(async () => (await exchange(dns.port, question('myapp-headless.default.svc.cluster.local.', 'A'))).answers.length === 2, 'the second endpoint');
    fake.remove('/v1/services', 'default', 'myapp-headless');
    await eventually(async () => rcodeName((await exchange(dns.port, question('myapp-headless.default.svc.cluster.local.', 'A'))).rcode) === 'NXDOMAIN', 'the service to go');
  });

  test('forwards names outside the zone to the configured upstream', async () => {
    const r = await exchange(dns.port, question('www.example.org.', 'A'));
    assert.deepEqual(r.answers.map(formatRecord), ['www.example.org. 60 IN A 192.0.2.8']);
  });

  test('/ready is 200 once synced, /metrics has the synced gauge', async () => {
    assert.equal((await fetch(`http://127.0.0.1:${dns.metricsPort ?? 0}/ready`)).status, 200);
    const text = await (await fetch(`http://127.0.0.1:${dns.metricsPort ?? 0}/metrics`)).text();
    assert.match(text, /^switchyard_dns_kubernetes_synced 1$/m);
  });

  test('answers over TCP too', async () => {
    const r = await exchange(dns.port, question('www.example.org.', 'A'), { tcp: true });
    assert.deepEqual(r.answers.map(formatRecord), ['www.example.org. 60 IN A 192.0.2.8']);
  });

  test('/metrics counts every query, whichever process answered it', async () => {
    const total = async (): Promise<number> => {
      const text = await (await fetch(`http://127.0.0.1:${dns.metricsPort ?? 0}/metrics`)).text();
      let n = 0;
      for (const m of text.matchAll(/^coredns_dns_requests_total\{[^}]*type="TXT"[^}]*\} (\d+)$/gm)) n += Number(m[1]);
      return n;
    };
    const before = await total();
    for (let i = 0; i < 20; i++) await exchange(dns.port, question(`q${i}.default.svc.cluster.local.`, 'TXT'));
    assert.equal((await total()) - before, 20);
  });
});
