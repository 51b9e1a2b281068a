/**
 * The kernel proxy modes (nftables, iptables) end to end, as root, entirely
 * inside network namespaces this test creates (`sy-kp-<id>-*`, deleted in
 * `after` also on failure; stale ones from crashed runs are removed first):
 *
 *   node    bridge cbr0 10.244.0.1/24, route 10.96.0.0/12 dev cbr0,
 *           forwarding + bridge netfilter; the rules are programmed here
 *   pod-a   10.244.0.2, echo backend (HTTP /hostname + UDP) "backend-a"
 *   pod-b   10.244.0.3, echo backend "backend-b"
 *   client  10.244.0.10, a pod that only makes requests
 *
 * A real `switchyard server` (127.0.0.1, host namespace) holds selectorless
 * Services with hand-written EndpointSlices; the ProxyServer runs in this
 * process and programs the node namespace through `ip netns exec`. Every
 * request runs from an agent process inside a lab namespace, to addresses
 * inside the lab. Needs `npm run build` (the server runs from dist/).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { KubeClient } from '../../src/client/kube-client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { createLogger } from '../../src/log/logger.js';
import type { Dataplane } from '../../src/proxy/dataplane.js';
import { IptablesDataplane } from '../../src/proxy/iptables/iptables-dataplane.js';
import { LAB_NODE_IP, type LabProcess, NetnsLab, labUnavailable } from '../../src/proxy/kernel/testing/netns-lab.js';
import { NftablesDataplane } from '../../src/proxy/nftables/nftables-dataplane.js';
import { ENDPOINT_SLICES, SERVICES } from '../../src/proxy/proxier.js';
import { ProxyServer } from '../../src/proxy/proxy-server.js';
import { TestServer } from './harness.js';

const NODE = 'kp-node-1';
const BACKEND_PORT = 9376;
const POD_A = '10.244.0.2';
const POD_B = '10.244.0.3';
const CLIENT = '10.244.0.10';
const AGENT = new URL('../../src/proxy/kernel/testing/netns-agent.ts', import.meta.url).pathname;

interface Answers {
  names: string[];
  errors: string[];
}
interface Probe {
  outcome: string;
  ms: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function sliceFor(service: string, ports: { name: string; protocol: string }[], ips: string[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${service}-manual`, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name, protocol: p.protocol, port: BACKEND_PORT })),
    endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true, serving: true, terminating: false } })),
  };
}

const MODES = [
  { mode: 'nftables' as const, tools: ['nft', 'conntrack'] },
  { mode: 'iptables' as const, tools: ['iptables-restore', 'iptables-save', 'conntrack'] },
];

for (const { mode, tools } of MODES) {
  const reason = labUnavailable(tools);
  if (reason) console.log(`# skipping the ${mode} proxy e2e: ${reason}`);

  describe(`kernel proxy (${mode}) against a real API server, in network namespaces`, { skip: reason ?? false }, () => {
    const server = new TestServer();
    let client: KubeClient;
    let lab: NetnsLab;
    let proxy: ProxyServer;
    let dataplane: Dataplane;
    const stop = new AbortController();
    let running: Promise<void> | undefined;
    const agents: Record<'node' | 'podA' | 'podB' | 'client', LabProcess> = {} as never;
    const services = new Map<string, KubeObject>();

    const clusterIP = (name: string): string => (services.get(name)?.['spec'] as { clusterIP?: string } | undefined)?.clusterIP ?? '';
    const nodePort = (name: string): number => (services.get(name)?.['spec'] as { ports: { nodePort?: number }[] }).ports[0]?.nodePort ?? 0;
    const http = (from: LabProcess, host: string, port: number, n: number): Promise<Answers> => from.request<Answers>({ op: 'http', host, port, n });
    const udp = (from: LabProcess, host: string, port: number, n: number, socket?: string): Promise<Answers> =>
      from.request<Answers>({ op: 'udp', host, port, n, ...(socket ? { socket } : {}) });
    const probe = (from: LabProcess, host: string, port: number): Promise<Probe> => from.request<Probe>({ op: 'probe', host, port, timeoutMs: 2000 });

    async function createService(name: string, spec: Record<string, unknown>, ips: string[] | undefined): Promise<void> {
      const created = await client.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec });
      services.set(name, created);
      if (ips) await client.create(ENDPOINT_SLICES, 'default', sliceFor(name, portsOf(name), ips));
    }
    function portsOf(name: string): { name: string; protocol: string }[] {
      return ((services.get(name)?.['spec'] as { ports: { name: string; protocol?: string }[] }).ports ?? []).map((p) => ({ name: p.name, protocol: p.protocol ?? 'TCP' }));
    }
    async function replaceSlice(name: string, ips: string[]): Promise<void> {
      const current = await client.get(ENDPOINT_SLICES, 'default', `${name}-manual`);
      const next = sliceFor(name, portsOf(name), ips);
      next.metadata.resourceVersion = current.metadata.resourceVersion;
      await client.update(ENDPOINT_SLICES, 'default', next);
    }
    async function eventually(what: string, fn: () => Promise<boolean>, timeoutMs = 5000): Promise<number> {
      const start = Date.now();
      for (;;) {
        if (await fn()) return Date.now() - start;
        if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
        await sleep(20);
      }
    }
    const programmed = (name: string, port: number): boolean =>
      proxy.statusDocument().virtualServices.some((v) => v.address === clusterIP(name) && v.port === port && v.realServers.length > 0);

    before(async () => {
      lab = NetnsLab.create();
      const node = lab.podNetwork([
        { role: 'pod-a', ip: POD_A },
        { role: 'pod-b', ip: POD_B },
        { role: 'client', ip: CLIENT },
      ]);
      const start = (ns: string): LabProcess => lab.spawn(ns, [process.execPath, '--import', 'tsx', AGENT]);
      agents.node = start(node);
      agents.podA = start(`${lab.prefix}pod-a`);
      agents.podB = start(`${lab.prefix}pod-b`);
      agents.client = start(`${lab.prefix}client`);
      await Promise.all(Object.values(agents).map((a) => a.nextLine(30_000)));
      await agents.podA.request({ op: 'serve', name: 'backend-a', host: POD_A, port: BACKEND_PORT });
      await agents.podB.request({ op: 'serve', name: 'backend-b', host: POD_B, port: BACKEND_PORT });

      await server.start();
      client = new KubeClient(loadKubeconfig(server.kubeconfig), { component: 'proxy-kernel-e2e' });
      const both = [POD_A, POD_B];
      await createService('web', { ports: [{ name: 'http', port: 80, targetPort: BACKEND_PORT }] }, both);
      await createService('web-np', { type: 'NodePort', ports: [{ name: 'http', port: 81, targetPort: BACKEND_PORT }] }, both);
      await createService('sticky', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [{ name: 'http', port: 82 }] }, both);
      await createService('empty', { ports: [{ name: 'http', port: 83 }] }, undefined);
      await createService('shrink', { ports: [{ name: 'http', port: 84 }] }, both);
      await createService('dns', { ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: BACKEND_PORT }] }, both);

      const log = createLogger(`proxy-${mode}-e2e`, () => {});
      dataplane =
        mode === 'nftables'
          ? new NftablesDataplane({ netns: node, clusterCIDR: '10.244.0.0/16', log })
          : new IptablesDataplane({ netns: node, clusterCIDR: '10.244.0.0/16', log });
      proxy = new ProxyServer({
        client,
        nodeName: NODE,
        dataplane,
        minSyncPeriodMs: 100,
        syncPeriodMs: 30_000,
        // The node's addresses are the node namespace's, not this process's.
        interfaces: () => ({ cbr0: [{ address: LAB_NODE_IP, family: 'IPv4', internal: false }] }),
        serviceHealthChecks: false,
        healthzBindAddress: '',
        metricsBindAddress: '',
        log,
      });
      await proxy.start();
      running = proxy.run(stop.signal);
      assert.equal(await proxy.proxier.waitForFirstSync(), true);
      await eventually('services programmed', async () => programmed('web', 80) && programmed('dns', 53) && programmed('shrink', 84), 10_000);
    });

    after(async () => {
      stop.abort();
      await running?.catch(() => {});
      client?.close();
      for (const a of Object.values(agents)) a?.stop();
      lab?.close();
      await server.stop();
      server.cleanup();
    });

    test('ClusterIP from the node reaches both backends', async () => {
      const r = await http(agents.node, clusterIP('web'), 80, 30);
      assert.deepEqual(r.errors, []);
      assert.deepEqual([...new Set(r.names)].sort(), ['backend-a', 'backend-b']);
    });

    test('ClusterIP from a pod reaches both backends', async () => {
      const r = await http(agents.client, clusterIP('web'), 80, 30);
      assert.deepEqual(r.errors, []);
      assert.deepEqual([...new Set(r.names)].sort(), ['backend-a', 'backend-b']);
    });

    test('a backend reaching its own Service comes back to itself too (hairpin, masqueraded)', async () => {
      const r = await http(agents.podA, clusterIP('web'), 80, 30);
      assert.deepEqual(r.errors, []);
      assert.deepEqual([...new Set(r.names)].sort(), ['backend-a', 'backend-b']);
    });

    test('ClientIP affinity pins a client to one backend', async () => {
      for (const from of [agents.client, agents.node]) {
        const r = await http(from, clusterIP('sticky'), 82, 12);
        assert.deepEqual(r.errors, []);
        assert.equal(new Set(r.names).size, 1, r.names.join(','));
      }
      const vs = proxy.statusDocument().virtualServices.find((v) => v.address === clusterIP('sticky'));
      assert.equal(vs?.persistentTimeoutSeconds, 60);
    });

    test('NodePort on the node IP, from a pod and from the node', async () => {
      assert.ok(nodePort('web-np') >= 30000);
      for (const from of [agents.client, agents.node]) {
        const r = await http(from, LAB_NODE_IP, nodePort('web-np'), 20);
        assert.deepEqual(r.errors, []);
        assert.deepEqual([...new Set(r.names)].sort(), ['backend-a', 'backend-b']);
      }
    });

    test('a Service without endpoints is rejected at once', async (t) => {
      for (const [where, from] of [['pod', agents.client], ['node', agents.node]] as const) {
        const r = await probe(from, clusterIP('empty'), 83);
        assert.equal(r.outcome, 'refused', where);
        assert.ok(r.ms < 500, `took ${r.ms} ms`);
        t.diagnostic(`${mode}: refused after ${r.ms} ms from the ${where}`);
      }
    });

    test('removing an endpoint stops new connections to it within a second', async (t) => {
      await replaceSlice('shrink', [POD_A]);
      const ms = await eventually(
        'only backend-a answers',
        async () => {
          const r = await http(agents.client, clusterIP('shrink'), 84, 8);
          return r.errors.length === 0 && r.names.every((n) => n === 'backend-a');
        },
        3000,
      );
      assert.ok(ms < 1000, `took ${ms} ms`);
      t.diagnostic(`${mode}: only the remaining endpoint answers ${ms} ms after the EndpointSlice update`);
      // And it stays that way.
      const r = await http(agents.client, clusterIP('shrink'), 84, 20);
      assert.deepEqual([...new Set(r.names)], ['backend-a']);
    });

    test('UDP is answered, and a flow moves when its backend goes away', async () => {
      const fresh = await udp(agents.client, clusterIP('dns'), 53, 20);
      assert.deepEqual(fresh.errors, []);
      assert.deepEqual([...new Set(fresh.names)].sort(), ['backend-a', 'backend-b'], 'fresh sockets spread over both');
      // One long-lived flow (same source port): conntrack keeps it on one backend.
      const first = await udp(agents.client, clusterIP('dns'), 53, 5, 'flow');
      assert.deepEqual(first.errors, []);
      const pinned = first.names[0] ?? '';
      assert.ok(first.names.every((n) => n === pinned), first.names.join(','));
      const survivor = pinned === 'backend-a' ? POD_B : POD_A;
      await replaceSlice('dns', [survivor]);
      const want = survivor === POD_A ? 'backend-a' : 'backend-b';
      // The stale conntrack entry is deleted after the sync, so the same flow reaches the survivor.
      await eventually('the flow reaches the surviving backend', async () => {
        const r = await udp(agents.client, clusterIP('dns'), 53, 1, 'flow');
        return r.names[0] === want;
      });
      const after = await udp(agents.client, clusterIP('dns'), 53, 5, 'flow');
      assert.deepEqual(after.names, [want, want, want, want, want]);
    });

    test('status shows the kernel scheduler', () => {
      const vs = proxy.statusDocument().virtualServices.find((v) => v.address === clusterIP('web') && v.port === 80);
      assert.equal(vs?.scheduler, 'random');
      assert.equal(proxy.statusDocument().mode, mode);
    });
  });
}
