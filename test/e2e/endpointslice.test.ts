/**
 * The EndpointSlice controller against a real server. The test acts as the nodes: it creates
 * Node objects, binds pods to them directly (spec.nodeName) and reports pod status (Running,
 * Ready, podIP) through the status subresource. The scheduler is not run, so pods stay where
 * they are put.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient, type WatchEvent } from '../../src/client/kube-client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { ENDPOINTSLICES, NODES, PODS, SERVICES } from '../../src/controllers/resources.js';
import type { EndpointSlice, Pod } from '../../src/controllers/endpointslice/slice-types.js';
import { TestServer, kubectlAvailable } from './harness.js';

const skip = kubectlAvailable() ? false : 'kubectl is not installed on this machine';
const NS = 'default';
const ZONES = ['zone-a', 'zone-b', 'zone-c'];

async function waitFor<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

describe('EndpointSlice controller', { skip }, () => {
  const server = new TestServer({ extraArgs: ['--controllers=endpointslice,endpoint,endpointslicemirroring,namespace,garbagecollector'] });
  let client: KubeClient;
  let ipSeq = 0;

  before(async () => {
    await server.start();
    client = new KubeClient(loadKubeconfig(server.kubeconfig), { component: 'endpointslice-e2e', maxSockets: 32 });
    for (const [i, zone] of ZONES.entries()) {
      const name = `node-${'abc'[i]}`;
      await client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'topology.kubernetes.io/zone': zone } } });
      const n = await client.get(NODES, undefined, name);
      n['status'] = {
        allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
        capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'ready', lastHeartbeatTime: new Date().toISOString().replace(/\.\d+Z/, 'Z'), lastTransitionTime: '2025-01-01T00:00:00Z' }],
      };
      await client.updateStatus(NODES, undefined, n);
    }
  });

  after(async () => {
    client?.close();
    await server.stop();
    server.cleanup();
  });

  interface PodSpecOpts {
    labels: Record<string, string>;
    node?: string;
    ports?: { name?: string; containerPort: number }[];
    hostname?: string;
    subdomain?: string;
  }

  async function createPod(name: string, o: PodSpecOpts): Promise<void> {
    const spec: Record<string, unknown> = {
      nodeName: o.node ?? 'node-a',
      containers: [{ name: 'app', image: 'nginx:1.27', ports: (o.ports ?? [{ name: 'http', containerPort: 80 }]).map((p) => ({ ...p, protocol: 'TCP' })) }],
    };
    if (o.hostname) spec['hostname'] = o.hostname;
    if (o.subdomain) spec['subdomain'] = o.subdomain;
    await client.create(PODS, NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: o.labels }, spec });
  }

  /** Reports the pod Running with an IP, Ready or not (the kubelet's part). Returns the IP. */
  async function setPodStatus(name: string, ready: boolean, ip?: string): Promise<string> {
    for (;;) {
      const p = await client.get<Pod>(PODS, NS, name);
      const podIP = ip ?? p.status?.podIP ?? `10.244.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;
      const now = new Date().toISOString().replace(/\.\d+Z/, 'Z');
      p.status = {
        ...p.status,
        phase: 'Running',
        podIP,
        podIPs: [{ ip: podIP }],
        conditions: [
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
          { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        ],
      };
      try {
        await client.updateStatus(PODS, NS, p);
        return podIP;
      } catch (e) {
        if ((e as { code?: number }).code !== 409) throw e;
      }
    }
  }

  async function runningPod(name: string, o: PodSpecOpts, ready = true): Promise<string> {
    await createPod(name, o);
    return setPodStatus(name, ready);
  }

  async function slicesOf(service: string): Promise<EndpointSlice[]> {
    const list = await client.list<EndpointSlice>(ENDPOINTSLICES, NS, { labelSelector: `kubernetes.io/service-name=${service}` });
    return list.items;
  }

  /** Waits until the service's slices satisfy `ok`, and returns them. */
  function waitSlices(service: string, what: string, ok: (s: EndpointSlice[]) => boolean, timeoutMs?: number): Promise<EndpointSlice[]> {
    return waitFor(`${service}: ${what}`, async () => {
      const s = await slicesOf(service);
      return ok(s) ? s : undefined;
    }, timeoutMs);
  }

  const endpoints = (slices: EndpointSlice[]): EndpointSlice['endpoints'] => slices.flatMap((s) => s.endpoints ?? []);
  const readyCount = (slices: EndpointSlice[]): number => endpoints(slices).filter((e) => e.conditions?.ready === true).length;

  async function createService(name: string, spec: Record<string, unknown>, metadata: Record<string, unknown> = {}): Promise<void> {
    await client.create(SERVICES, NS, { apiVersion: 'v1', kind: 'Service', metadata: { name, ...metadata }, spec });
  }

  async function deletePodNow(name: string): Promise<void> {
    await client.delete(PODS, NS, name, { gracePeriodSeconds: 0 });
  }

  const myappLabels = { app: 'myapp', release: 'stabel' };
  const myappIPs: string[] = [];
  let myappSliceName = '';

  test('three ready pods behind Service myapp: one slice with 3 ready endpoints and the named port', async () => {
    for (const [i, name] of ['a', 'b', 'c'].entries()) myappIPs.push(await runningPod(`myapp-${name}`, { labels: myappLabels, node: `node-${'abc'[i]}` }));
    await createService('myapp', { selector: myappLabels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] }, { labels: { tier: 'web' } });
    const [slice] = await waitSlices('myapp', '3 ready endpoints', (s) => s.length === 1 && readyCount(s) === 3);
    assert.ok(slice);
    myappSliceName = slice.metadata.name ?? '';
    assert.match(myappSliceName, /^myapp-[a-z0-9]{5}$/);
    assert.equal(slice.metadata.generateName, 'myapp-');
    assert.equal(slice.addressType, 'IPv4');
    assert.deepEqual(slice.ports, [{ name: 'http', protocol: 'TCP', port: 80 }]);
    assert.deepEqual(slice.metadata.labels, {
      tier: 'web',
      'kubernetes.io/service-name': 'myapp',
      'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    });
    const svc = await client.get(SERVICES, NS, 'myapp');
    assert.deepEqual(slice.metadata.ownerReferences, [
      { apiVersion: 'v1', kind: 'Service', name: 'myapp', uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);
    assert.match(slice.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'] ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    assert.deepEqual(endpoints([slice]).map((e) => e.addresses[0]).sort(), [...myappIPs].sort());
    const a = endpoints([slice]).find((e) => e.targetRef?.name === 'myapp-a');
    assert.deepEqual(a?.conditions, { ready: true, serving: true, terminating: false });
    assert.equal(a?.nodeName, 'node-a');
    assert.equal(a?.zone, 'zone-a');
    assert.equal(a?.targetRef?.kind, 'Pod');
    assert.equal(a?.targetRef?.namespace, NS);
    assert.ok(a?.targetRef?.uid);

    const describe = await server.ok(['describe', 'service', 'myapp']);
    const line = describe.split('\n').find((l) => l.startsWith('Endpoints:'));
    assert.ok(line, describe);
    const shown = line.replace(/^Endpoints:\s+/, '').trim().split(',').sort();
    assert.deepEqual(shown, myappIPs.map((ip) => `${ip}:80`).sort());
  });

  test('scale to 0 keeps one empty slice (the same one), scale to 5 fills it again', async () => {
    await Promise.all(['a', 'b', 'c'].map((n) => deletePodNow(`myapp-${n}`)));
    const empty = await waitSlices('myapp', 'no endpoints', (s) => s.length === 1 && endpoints(s).length === 0);
    assert.equal(empty[0]?.metadata.name, myappSliceName, 'the slice is reused, not replaced');
    const describe = await server.ok(['describe', 'service', 'myapp']);
    // The empty placeholder slice makes kubectl print an empty list (not <none>), as upstream.
    assert.match(describe, /^Endpoints:[ \t]*$/m);

    await pool([0, 1, 2, 3, 4], 5, (i) => runningPod(`myapp-${i}`, { labels: myappLabels, node: `node-${'abc'[i % 3]}` }));
    const five = await waitSlices('myapp', '5 ready endpoints', (s) => s.length === 1 && readyCount(s) === 5);
    assert.equal(five[0]?.metadata.name, myappSliceName);
    assert.deepEqual(five[0]?.ports, [{ name: 'http', protocol: 'TCP', port: 80 }]);
  });

  test('a terminating pod stays listed: serving, not ready, terminating', async () => {
    await client.delete(PODS, NS, 'myapp-4', { gracePeriodSeconds: 30 });
    const pod = await client.get<Pod>(PODS, NS, 'myapp-4').catch(() => undefined);
    assert.ok(pod?.metadata.deletionTimestamp, 'a graceful delete of a bound pod leaves it terminating');
    const s = await waitSlices('myapp', 'myapp-4 terminating', (x) => endpoints(x).some((e) => e.targetRef?.name === 'myapp-4' && e.conditions.terminating === true));
    assert.deepEqual(endpoints(s).find((e) => e.targetRef?.name === 'myapp-4')?.conditions, { ready: false, serving: true, terminating: true });
    await deletePodNow('myapp-4');
    await waitSlices('myapp', 'myapp-4 gone', (x) => !endpoints(x).some((e) => e.targetRef?.name === 'myapp-4'));
  });

  test('an EndpointSlice deleted by hand is recreated', async () => {
    const before = await slicesOf('myapp');
    const n = endpoints(before).length;
    await server.ok(['delete', 'endpointslice', myappSliceName]);
    const again = await waitSlices('myapp', 'a new slice', (s) => s.length === 1 && s[0]?.metadata.name !== myappSliceName && endpoints(s).length === n);
    assert.equal(readyCount(again), n);
  });

  test('250 pods: three slices at the default 100; one pod flipping readiness is one slice write', async () => {
    const names = Array.from({ length: 250 }, (_, i) => `big-${i}`);
    await pool(names, 25, (name) => createPod(name, { labels: { app: 'big' }, node: `node-${'abc'[Number(name.slice(4)) % 3]}` }));
    await pool(names, 25, (name) => setPodStatus(name, true));
    await createService('big', { selector: { app: 'big' }, ports: [{ name: 'http', port: 80, targetPort: 80 }] });
    const slices = await waitSlices('big', '3 slices, 250 ready', (s) => s.length === 3 && readyCount(s) === 250, 60_000);
    assert.deepEqual(slices.map((s) => s.endpoints.length).sort((a, b) => b - a), [100, 100, 50]);

    // Let writes settle, then watch from now on.
    await new Promise((r) => setTimeout(r, 1500));
    const list = await client.list(ENDPOINTSLICES, NS, { labelSelector: 'kubernetes.io/service-name=big' });
    const events: WatchEvent[] = [];
    const stop = new AbortController();
    const watching = client.watch(ENDPOINTSLICES, NS, { resourceVersion: list.metadata.resourceVersion, labelSelector: 'kubernetes.io/service-name=big' }, (ev) => {
      if (ev.type !== 'BOOKMARK') events.push(ev);
    }, stop.signal);

    await setPodStatus('big-42', false);
    const flippedSlices = await waitSlices('big', 'big-42 not ready', (s) => endpoints(s).some((e) => e.targetRef?.name === 'big-42' && e.conditions.ready === false));
    assert.equal(readyCount(flippedSlices), 249);
    // Give any follow-up sync (slice events are batched for 1 s) time to show up.
    await new Promise((r) => setTimeout(r, 2500));
    stop.abort();
    await watching.catch(() => undefined);
    assert.deepEqual(events.map((e) => e.type), ['MODIFIED'], 'exactly one slice write');
    const written = events[0]?.object as EndpointSlice;
    assert.deepEqual(written.endpoints.find((e) => e.targetRef?.name === 'big-42')?.conditions, { ready: false, serving: false, terminating: false });
  });

  test('headless Service over pods with hostname and subdomain', async () => {
    await runningPod('db-0', { labels: { app: 'db' }, hostname: 'db-0', subdomain: 'db', ports: [{ name: 'pg', containerPort: 5432 }] });
    await runningPod('db-1', { labels: { app: 'db' }, hostname: 'db-1', subdomain: 'db', ports: [{ name: 'pg', containerPort: 5432 }] });
    await runningPod('db-x', { labels: { app: 'db' }, hostname: 'db-x', subdomain: 'elsewhere', ports: [{ name: 'pg', containerPort: 5432 }] });
    await createService('db', { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'pg', port: 5432, targetPort: 'pg' }] });
    const [slice] = await waitSlices('db', '3 endpoints', (s) => s.length === 1 && readyCount(s) === 3);
    assert.ok(slice);
    assert.equal(slice.metadata.labels?.['service.kubernetes.io/headless'], '');
    assert.deepEqual(slice.ports, [{ name: 'pg', protocol: 'TCP', port: 5432 }]);
    const host = (pod: string): string | undefined => slice.endpoints.find((e) => e.targetRef?.name === pod)?.hostname;
    assert.equal(host('db-0'), 'db-0');
    assert.equal(host('db-1'), 'db-1');
    assert.equal(host('db-x'), undefined);
  });

  test('multi-port Service with named target ports: a pod without one of the names gets its own slice', async () => {
    const both = [{ name: 'web', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }];
    await runningPod('multi-1', { labels: { app: 'multi' }, ports: both });
    await runningPod('multi-2', { labels: { app: 'multi' }, ports: both });
    await runningPod('multi-3', { labels: { app: 'multi' }, ports: [{ name: 'web', containerPort: 8081 }] });
    await createService('multi', {
      selector: { app: 'multi' },
      ports: [
        { name: 'http', port: 80, targetPort: 'web' },
        { name: 'metrics', port: 9090, targetPort: 'metrics' },
      ],
    });
    const slices = await waitSlices('multi', '2 slices, 3 endpoints', (s) => s.length === 2 && readyCount(s) === 3);
    const two = slices.find((s) => s.ports?.length === 2);
    const one = slices.find((s) => s.ports?.length === 1);
    const sortPorts = (p: EndpointSlice['ports']): unknown => [...(p ?? [])].sort((x, y) => x.name.localeCompare(y.name));
    assert.deepEqual(sortPorts(two?.ports), [
      { name: 'http', protocol: 'TCP', port: 8080 },
      { name: 'metrics', protocol: 'TCP', port: 9100 },
    ]);
    assert.deepEqual(two?.endpoints.map((e) => e.targetRef?.name).sort(), ['multi-1', 'multi-2']);
    assert.deepEqual(one?.ports, [{ name: 'http', protocol: 'TCP', port: 8081 }]);
    assert.deepEqual(one?.endpoints.map((e) => e.targetRef?.name), ['multi-3']);
  });

  test('trafficDistribution PreferClose: ready endpoints are hinted for their own zone', async () => {
    await runningPod('close-a', { labels: { app: 'close' }, node: 'node-a' });
    await runningPod('close-b', { labels: { app: 'close' }, node: 'node-b' });
    await createService('close', { selector: { app: 'close' }, ports: [{ port: 80 }], trafficDistribution: 'PreferClose' });
    const s = await waitSlices('close', '2 hinted endpoints', (x) => endpoints(x).length === 2 && endpoints(x).every((e) => e.hints));
    for (const e of endpoints(s)) assert.deepEqual(e.hints, { forZones: [{ name: e.zone ?? '' }] });
    assert.deepEqual(s[0]?.ports, [{ name: '', protocol: 'TCP', port: 80 }]);
  });

  test('Services without a selector, and ExternalName Services, get no slices from this controller', async () => {
    await createService('manual', { ports: [{ port: 80 }] });
    await createService('ext', { type: 'ExternalName', externalName: 'example.com', selector: { app: 'myapp' } });
    await new Promise((r) => setTimeout(r, 1500));
    const managed = (s: EndpointSlice[]): EndpointSlice[] => s.filter((x) => x.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] === 'endpointslice-controller.k8s.io');
    assert.deepEqual(managed(await slicesOf('manual')), []);
    assert.deepEqual(managed(await slicesOf('ext')), []);
  });

  test('removing the selector deletes the managed slices', async () => {
    const svc = await client.get(SERVICES, NS, 'close');
    const spec = svc['spec'] as Record<string, unknown>;
    delete spec['selector'];
    await client.update(SERVICES, NS, svc);
    await waitSlices('close', 'no managed slices', (s) => s.every((x) => x.metadata.labels?.['endpointslice.kubernetes.io/managed-by'] !== 'endpointslice-controller.k8s.io'));
  });
});
