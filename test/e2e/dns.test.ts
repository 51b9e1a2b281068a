/**
 * Cluster DNS end to end: a real `switchyard server`, Services/EndpointSlices/pods created with the
 * real kubectl, Switchyard DNS in this process on 127.0.0.1 (a free port), and the real `dig`.
 * Names outside the cluster go to a fake upstream (a static zone on 127.0.0.1), never to a real
 * resolver.
 *
 * EndpointSlices: the headless services here have no selector and their slices are written by
 * hand (label kubernetes.io/service-name), so the test does not depend on the EndpointSlice
 * controller; one extra test checks the controller path and skips, saying why, when the
 * controller does not publish the pods' addresses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { KubeClient } from '../../src/client/kube-client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { type ClusterDns, startClusterDns } from '../../src/dns/cluster-dns.js';
import { QueryHandler } from '../../src/dns/handler.js';
import { DnsMetrics } from '../../src/dns/metrics.js';
import { DnsServer } from '../../src/dns/server.js';
import { StaticZoneBackend } from '../../src/dns/static-zone.js';
import { createLogger } from '../../src/log/logger.js';
import { TestServer, kubectlAvailable } from './harness.js';

const digAvailable = spawnSync('dig', ['-v'], { encoding: 'utf8' }).status === 0;
const skip = !kubectlAvailable() ? 'kubectl is not installed on this machine' : !digAvailable ? 'dig is not installed (Debian package dnsutils)' : false;
if (skip) process.stdout.write(`# skipping cluster DNS e2e: ${skip}\n`);

interface DigResult {
  readonly status: string;
  readonly flags: string[];
  readonly answer: string[];
  readonly authority: string[];
}

/** Runs the real dig against 127.0.0.1:port; records come back as `name ttl IN TYPE rdata`. */
function dig(port: number, name: string, type: string, extra: string[] = []): Promise<DigResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('dig', ['-p', String(port), '@127.0.0.1', '-t', type, name, '+noall', '+comments', '+answer', '+authority', '+time=2', '+tries=1', ...extra]);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const status = /status: ([A-Z]+)/.exec(out)?.[1] ?? 'NO-REPLY';
      const flags = (/;; flags: ([a-z ]+);/.exec(out)?.[1] ?? '').trim().split(/\s+/);
      const section = (title: string): string[] => {
        const at = out.indexOf(`;; ${title} SECTION:`);
        if (at < 0) return [];
        const lines: string[] = [];
        for (const l of out.slice(at).split('\n').slice(1)) {
          if (l.trim() === '' || l.startsWith(';;')) break;
          lines.push(l.trim().split(/\s+/).join(' '));
        }
        return lines;
      };
      resolve({ status, flags, answer: section('ANSWER'), authority: section('AUTHORITY') });
    });
  });
}

const sorted = (xs: string[]): string[] => [...xs].sort();

describe('cluster DNS with dig', { skip }, () => {
  const server = new TestServer();
  let client: KubeClient;
  let dns: ClusterDns;
  let upstream: DnsServer;

  before(async () => {
    await server.start();
    upstream = new DnsServer({
      host: '127.0.0.1',
      port: 0,
      handler: new QueryHandler({
        backends: [new StaticZoneBackend('example.com.', ['example.com. 60 IN SOA ns.example.com. hostmaster.example.com. 1 7200 1800 86400 60', 'www.example.com. 60 IN A 93.184.216.34'])],
        metrics: new DnsMetrics('fake-upstream'),
      }),
    });
    const up = await upstream.listen();
    client = new KubeClient(loadKubeconfig(server.kubeconfig), { component: 'dns-e2e' });
    dns = await startClusterDns({
      client,
      log: createLogger('dns-e2e', () => undefined),
      listen: '127.0.0.1:0',
      metricsListen: '127.0.0.1:0',
      upstreams: [`127.0.0.1:${up.port}`],
      hostSearch: [],
    });
    assert.ok(await dns.waitForSync());

    const manifest = `
apiVersion: v1
kind: Namespace
metadata: {name: nginx-ns}
---
apiVersion: v1
kind: Service
metadata: {name: nginx-svc, namespace: nginx-ns}
spec:
  ports: [{name: http, port: 80, targetPort: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: client-svc, namespace: default}
spec:
  type: ExternalName
  externalName: nginx-svc.nginx-ns.svc.cluster.local
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: myapp-headless, namespace: default}
spec:
  clusterIP: None
  ports: [{name: http, port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: myapp-0, namespace: default, labels: {app: myapp}}
spec:
  hostname: myapp-0
  subdomain: myapp-headless
  containers: [{name: app, image: nginx}]
---
apiVersion: v1
kind: Pod
metadata: {name: myapp-1, namespace: default, labels: {app: myapp}}
spec:
  hostname: myapp-1
  subdomain: myapp-headless
  containers: [{name: app, image: nginx}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: myapp-headless-manual
  namespace: default
  labels: {kubernetes.io/service-name: myapp-headless, endpointslice.kubernetes.io/managed-by: e2e-test}
addressType: IPv4
ports: [{name: http, port: 8080, protocol: TCP}]
endpoints:
- addresses: [10.244.0.5]
  hostname: myapp-0
  conditions: {ready: true}
  targetRef: {kind: Pod, name: myapp-0, namespace: default}
- addresses: [10.244.0.6]
  hostname: myapp-1
  conditions: {ready: true}
  targetRef: {kind: Pod, name: myapp-1, namespace: default}
- addresses: [10.244.0.7]
  conditions: {ready: false}
`;
    await server.ok(['apply', '-f', '-'], { input: manifest });
    for (const [pod, ip] of [
      ['myapp-0', '10.244.0.5'],
      ['myapp-1', '10.244.0.6'],
    ] as const) {
      const status = { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] } };
      await server.ok(['patch', 'pod', pod, '--subresource=status', '--type=merge', '-p', JSON.stringify(status)]);
    }
  });

  after(async () => {
    await dns?.close();
    client?.close();
    await upstream?.close();
    await server.stop();
    server.cleanup();
  });

  const clusterIP = async (ns: string, name: string): Promise<string> => (await server.ok(['get', 'svc', name, '-n', ns, '-o', 'jsonpath={.spec.clusterIP}'])).trim();

  /** dig until `check` passes (the informers see API writes within milliseconds, but not at once). */
  async function digUntil(name: string, type: string, check: (r: DigResult) => boolean, extra: string[] = []): Promise<DigResult> {
    const deadline = Date.now() + 10_000;
    let r = await dig(dns.port, name, type, extra);
    while (!check(r) && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 100));
      r = await dig(dns.port, name, type, extra);
    }
    return r;
  }

  test('a ClusterIP service resolves to its cluster IP, authoritatively', async () => {
    const ip = await clusterIP('default', 'web');
    const r = await digUntil('web.default.svc.cluster.local.', 'A', (x) => x.answer.length > 0);
    assert.equal(r.status, 'NOERROR');
    assert.ok(r.flags.includes('aa'));
    assert.deepEqual(r.answer, [`web.default.svc.cluster.local. 5 IN A ${ip}`]);
  });

  test('the headless service returns the ready pod IPs', async () => {
    const r = await digUntil('myapp-headless.default.svc.cluster.local.', 'A', (x) => x.answer.length === 2);
    assert.equal(r.status, 'NOERROR');
    assert.deepEqual(sorted(r.answer), ['myapp-headless.default.svc.cluster.local. 5 IN A 10.244.0.5', 'myapp-headless.default.svc.cluster.local. 5 IN A 10.244.0.6']);
  });

  test('each pod of the headless service has its own name', async () => {
    const r = await digUntil('myapp-0.myapp-headless.default.svc.cluster.local.', 'A', (x) => x.answer.length > 0);
    assert.deepEqual(r.answer, ['myapp-0.myapp-headless.default.svc.cluster.local. 5 IN A 10.244.0.5']);
  });

  test('client-svc (ExternalName) resolves through the CNAME to nginx-svc in one answer', async () => {
    const ip = await clusterIP('nginx-ns', 'nginx-svc');
    const r = await digUntil('client-svc.default.svc.cluster.local.', 'A', (x) => x.answer.length === 2);
    assert.equal(r.status, 'NOERROR');
    assert.deepEqual(r.answer, ['client-svc.default.svc.cluster.local. 5 IN CNAME nginx-svc.nginx-ns.svc.cluster.local.', `nginx-svc.nginx-ns.svc.cluster.local. 5 IN A ${ip}`]);
  });

  test('SRV for the named port, with the service as target', async () => {
    const r = await digUntil('_http._tcp.web.default.svc.cluster.local.', 'SRV', (x) => x.answer.length > 0);
    assert.deepEqual(r.answer, ['_http._tcp.web.default.svc.cluster.local. 5 IN SRV 0 100 80 web.default.svc.cluster.local.']);
  });

  test('PTR of a cluster IP names the service', async () => {
    const ip = await clusterIP('default', 'web');
    const r = await dig(dns.port, ip, 'PTR', ['-x', ip]);
    assert.deepEqual(r.answer, [`${ip.split('.').reverse().join('.')}.in-addr.arpa. 5 IN PTR web.default.svc.cluster.local.`]);
  });

  test('NXDOMAIN and NODATA answers carry the SOA', async () => {
    const nx = await dig(dns.port, 'nope.default.svc.cluster.local.', 'A');
    assert.equal(nx.status, 'NXDOMAIN');
    assert.match(nx.authority[0] ?? '', /^cluster\.local\. 5 IN SOA ns\.dns\.cluster\.local\. hostmaster\.cluster\.local\. \d+ 7200 1800 86400 5$/);
    const nodata = await dig(dns.port, 'web.default.svc.cluster.local.', 'AAAA');
    assert.equal(nodata.status, 'NOERROR');
    assert.deepEqual(nodata.answer, []);
    assert.equal(nodata.authority.length, 1);
  });

  test('dns-version, TCP, and names outside the cluster through the (fake) upstream', async () => {
    assert.deepEqual((await dig(dns.port, 'dns-version.cluster.local.', 'TXT')).answer, ['dns-version.cluster.local. 28800 IN TXT "1.1.0"']);
    const tcp = await dig(dns.port, 'web.default.svc.cluster.local.', 'A', ['+tcp']);
    assert.equal(tcp.answer.length, 1);
    const out = await dig(dns.port, 'www.example.com.', 'A');
    assert.deepEqual(out.answer, ['www.example.com. 60 IN A 93.184.216.34']);
  });

  test('a deleted service is gone from DNS', async () => {
    await server.ok(['delete', 'svc', 'web']);
    const r = await digUntil('web.default.svc.cluster.local.', 'A', (x) => x.status === 'NXDOMAIN');
    assert.equal(r.status, 'NXDOMAIN');
  });

  test('autopath: a pod at 127.0.0.1 gets its search-path walk answered in one query', async () => {
    // A pod whose IP is dig's source address, so the server knows the client's namespace.
    await server.ok(['apply', '-f', '-'], { input: 'apiVersion: v1\nkind: Pod\nmetadata: {name: dig-client, namespace: default}\nspec:\n  containers: [{name: c, image: busybox}]\n' });
    await server.ok(['patch', 'pod', 'dig-client', '--subresource=status', '--type=merge', '-p', JSON.stringify({ status: { podIP: '127.0.0.1', podIPs: [{ ip: '127.0.0.1' }] } })]);
    const r = await digUntil('www.example.com.default.svc.cluster.local.', 'A', (x) => x.answer.length === 2);
    assert.deepEqual(r.answer, ['www.example.com.default.svc.cluster.local. 60 IN CNAME www.example.com.', 'www.example.com. 60 IN A 93.184.216.34']);
    await server.ok(['delete', 'pod', 'dig-client']);
  });

  test('EndpointSlices published by the EndpointSlice controller are served', async () => {
    await server.ok(['apply', '-f', '-'], {
      // The EndpointSlice controller (as upstream) skips pods whose Node does not exist.
      input: `apiVersion: v1
kind: Node
metadata: {name: node-a, labels: {kubernetes.io/hostname: node-a}}
---
apiVersion: v1
kind: Service
metadata: {name: ctrl-headless, namespace: default}
spec:
  clusterIP: None
  selector: {app: ctrl}
  ports: [{name: http, port: 80}]
---
apiVersion: v1
kind: Pod
metadata: {name: ctrl-0, namespace: default, labels: {app: ctrl}}
spec:
  nodeName: node-a
  containers: [{name: app, image: nginx}]
`,
    });
    await server.ok([
      'patch',
      'pod',
      'ctrl-0',
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({ status: { phase: 'Running', podIP: '10.244.1.9', podIPs: [{ ip: '10.244.1.9' }], conditions: [{ type: 'Ready', status: 'True' }] } }),
    ]);
    const r = await digUntil('ctrl-headless.default.svc.cluster.local.', 'A', (x) => x.answer.length > 0);
    assert.deepEqual(r.answer, ['ctrl-headless.default.svc.cluster.local. 5 IN A 10.244.1.9']);
  });
});
