/**
 * StatefulSets end to end, with every controller running: the test plays three Ready nodes
 * and their kubelet (pods bound to them become Running and Ready with a pod IP; pods being
 * deleted are finished with grace period 0), and drives the set with the real kubectl.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { Informer } from '../../src/client/informer.js';
import { KubeClient, isNotFound } from '../../src/client/kube-client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { ENDPOINTSLICES, LEASES, NODES, PODS, STATEFULSETS } from '../../src/controllers/resources.js';
import { TestServer, kubectlAvailable, tableRows } from './harness.js';

const skip = kubectlAvailable() ? false : 'kubectl is not installed on this machine';
const NODE_NAMES = ['node-1', 'node-2', 'node-3'];

interface PodJson extends KubeObject {
  spec: { nodeName?: string; hostname?: string; subdomain?: string; containers: { image: string }[] };
  status?: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

interface StsJson extends KubeObject {
  status?: { replicas?: number; readyReplicas?: number; currentReplicas?: number; updatedReplicas?: number; availableReplicas?: number; currentRevision?: string; updateRevision?: string; observedGeneration?: number };
}

async function until<T>(what: string, fn: () => Promise<T | undefined> | T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const rfc3339 = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
const microTime = (): string => new Date().toISOString().replace('Z', '000Z');
const isReady = (p: PodJson | undefined): boolean => p?.status?.phase === 'Running' && !!p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * Plays the kubelet of `nodes`: Pending pods bound there become Running and Ready with a pod IP;
 * pods with a deletionTimestamp are removed. Records the order things happen in.
 */
class FakeKubelet {
  readonly log: string[] = [];
  readonly pods: Informer<PodJson>;
  private nextIp = 10;
  private readonly busy = new Set<string>();

  constructor(
    private readonly client: KubeClient,
    private readonly nodes: readonly string[],
  ) {
    this.pods = new Informer<PodJson>({ client, resource: PODS, namespace: 'default' });
    this.pods.addEventHandler({
      onAdd: (p) => {
        this.record(`add ${p.metadata.name ?? ''}`, p);
        this.handle(p);
      },
      onUpdate: (_o, p) => this.handle(p),
      onDelete: (p) => this.log.push(`gone ${p.metadata.name ?? ''}`),
    });
  }

  /** Logs the event together with which pods were Ready at that moment (in the server's event order). */
  private record(what: string, _p: PodJson): void {
    const ready = this.pods
      .list()
      .filter((q) => isReady(q) && !q.metadata.deletionTimestamp)
      .map((q) => q.metadata.name ?? '')
      .sort();
    this.log.push(`${what} [ready: ${ready.join(',')}]`);
  }

  private handle(p: PodJson): void {
    const name = p.metadata.name ?? '';
    if (!p.spec.nodeName || !this.nodes.includes(p.spec.nodeName)) return;
    const key = `${name}/${p.metadata.uid ?? ''}`;
    if (p.metadata.deletionTimestamp) {
      if (this.busy.has(`del:${key}`)) return;
      this.busy.add(`del:${key}`);
      this.record(`terminating ${name}`, p);
      void this.client
        .delete(PODS, 'default', name, { gracePeriodSeconds: 0, preconditions: { uid: p.metadata.uid } })
        .catch((err: unknown) => (isNotFound(err) ? undefined : console.error(err)));
      return;
    }
    if (p.status?.phase !== 'Pending' || this.busy.has(key)) return;
    this.busy.add(key);
    const ip = `10.244.1.${this.nextIp++}`;
    const hostIP = `192.168.50.${10 + this.nodes.indexOf(p.spec.nodeName)}`;
    const now = rfc3339();
    const status = {
      phase: 'Running',
      podIP: ip,
      podIPs: [{ ip }],
      hostIP,
      hostIPs: [{ ip: hostIP }],
      startTime: now,
      conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now })),
    };
    // A short start-up delay, like a real container start.
    setTimeout(() => {
      this.client.patch(PODS, 'default', name, { status }, 'merge', { subresource: 'status' }).catch((err: unknown) => {
        if (!isNotFound(err)) console.error(err);
      });
    }, 200);
  }
}

async function startNodes(client: KubeClient, names: readonly string[], signal: AbortSignal): Promise<void> {
  const now = rfc3339();
  for (const [i, name] of names.entries()) {
    await client.create(NODES, undefined, {
      apiVersion: 'v1',
      kind: 'Node',
      metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux' } },
      status: {
        capacity: { cpu: '2', memory: '4Gi', pods: '110' },
        allocatable: { cpu: '2', memory: '4Gi', pods: '110' },
        addresses: [{ type: 'InternalIP', address: `192.168.50.${i + 10}` }],
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }],
      },
    });
    await client.create(LEASES, 'kube-node-lease', {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace: 'kube-node-lease' },
      spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() },
    });
  }
  const renew = setInterval(() => {
    for (const name of names) client.patch(LEASES, 'kube-node-lease', name, { spec: { renewTime: microTime() } }, 'merge').catch(() => undefined);
  }, 5_000);
  signal.addEventListener('abort', () => clearInterval(renew), { once: true });
}

const MANIFEST = `apiVersion: v1
kind: Service
metadata:
  name: nginx
  labels:
    app: nginx
spec:
  ports:
  - port: 80
    name: web
  clusterIP: None
  selector:
    app: nginx
---
apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: web
spec:
  selector:
    matchLabels:
      app: nginx
  serviceName: nginx
  replicas: 2
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        ports:
        - containerPort: 80
          name: web
`;

describe('StatefulSets', { skip }, () => {
  const server = new TestServer();
  const stop = new AbortController();
  let client: KubeClient;
  let kubelet: FakeKubelet;

  before(async () => {
    await server.start();
    client = new KubeClient(loadKubeconfig(server.kubeconfig), { component: 'e2e-statefulsets' });
    await startNodes(client, NODE_NAMES, stop.signal);
    kubelet = new FakeKubelet(client, NODE_NAMES);
    void kubelet.pods.run(stop.signal);
    await kubelet.pods.waitForSync();
  });
  after(async () => {
    if (process.env.E2E_SERVER_LOG) console.log(server.output);
    stop.abort();
    client?.close();
    await server.stop();
    server.cleanup();
  });

  const getSts = (): Promise<StsJson> => client.get<StsJson>(STATEFULSETS, 'default', 'web');
  const getPod = (name: string): Promise<PodJson> => client.get<PodJson>(PODS, 'default', name);

  test('pods start in order, each with its identity, and rollout status finishes', async () => {
    assert.match(await server.ok(['apply', '-f', '-'], { input: MANIFEST }), /statefulset.apps\/web created/);
    const out = await server.ok(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
    assert.match(out, /partitioned roll out complete: 2 new pods have been updated\.\.\./);
    // web-1 was created only after web-0 was Ready.
    const add1 = kubelet.log.find((l) => l.startsWith('add web-1 '));
    assert.equal(add1, 'add web-1 [ready: web-0]');
    assert.ok(kubelet.log.indexOf('add web-0 [ready: ]') < kubelet.log.indexOf(add1), kubelet.log.join('\n'));

    const sts = await getSts();
    const rev = sts.status?.updateRevision ?? '';
    assert.match(rev, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.deepEqual(
      { ...sts.status, updateRevision: undefined, currentRevision: undefined },
      {
        ...sts.status,
        observedGeneration: sts.metadata.generation,
        replicas: 2,
        readyReplicas: 2,
        currentReplicas: 2,
        updatedReplicas: 2,
        availableReplicas: 2,
        updateRevision: undefined,
        currentRevision: undefined,
      },
    );
    assert.equal(sts.status?.currentRevision, rev);
    for (const [i, name] of ['web-0', 'web-1'].entries()) {
      const pod = await getPod(name);
      assert.equal(pod.spec.hostname, name);
      assert.equal(pod.spec.subdomain, 'nginx');
      assert.ok(pod.spec.nodeName && NODE_NAMES.includes(pod.spec.nodeName), `${name} is bound`);
      assert.deepEqual(pod.metadata.labels, {
        app: 'nginx',
        'statefulset.kubernetes.io/pod-name': name,
        'apps.kubernetes.io/pod-index': String(i),
        'controller-revision-hash': rev,
      });
      assert.deepEqual(pod.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: sts.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    const [p0, p1] = [await getPod('web-0'), await getPod('web-1')];
    assert.notEqual(p0.spec.nodeName, p1.spec.nodeName, 'the scheduler spreads the set');
    const rows = tableRows(await server.ok(['get', 'statefulset', 'web']));
    assert.deepEqual(rows[1]?.slice(0, 2), ['web', '2/2']);
    const events = await server.ok(['get', 'events', '--field-selector', 'involvedObject.kind=StatefulSet,involvedObject.name=web', '-o', 'custom-columns=REASON:.reason,MESSAGE:.message', '--no-headers']);
    assert.match(events, /SuccessfulCreate\s+create Pod web-0 in StatefulSet web successful/);
    assert.match(events, /SuccessfulCreate\s+create Pod web-1 in StatefulSet web successful/);
  });

  test('the headless service gets endpoints with the pods\' hostnames', async () => {
    // Needs the EndpointSlice controller.
    const hostnames = await until(
      'an EndpointSlice for nginx with web-0 and web-1',
      async () => {
        const list = await client.list(ENDPOINTSLICES, 'default', { labelSelector: 'kubernetes.io/service-name=nginx' });
        const names = list.items
          .flatMap((s) => ((s as { endpoints?: { hostname?: string }[] }).endpoints ?? []).map((e) => e.hostname ?? ''))
          .sort();
        return names.length === 2 ? names : undefined;
      },
      20_000,
    );
    assert.deepEqual(hostnames, ['web-0', 'web-1']);
  });

  test('a failed pod is replaced', async () => {
    const before = await getPod('web-1');
    await client.patch(PODS, 'default', 'web-1', { status: { phase: 'Failed' } }, 'merge', { subresource: 'status' });
    const replaced = await until('web-1 to be recreated and ready', async () => {
      const p = await getPod('web-1');
      return p.metadata.uid !== before.metadata.uid && isReady(p) ? p : undefined;
    });
    assert.equal(replaced.spec.hostname, 'web-1');
    await until('readyReplicas 2', async () => ((await getSts()).status?.readyReplicas === 2 ? true : undefined));
  });

  test('a rolling update replaces pods from the highest ordinal down', async () => {
    const revBefore = (await getSts()).status?.currentRevision;
    const mark = kubelet.log.length;
    await server.ok(['set', 'image', 'statefulset/web', 'nginx=registry.k8s.io/nginx-slim:0.26']);
    const out = await server.ok(['rollout', 'status', 'statefulset/web', '--timeout=60s']);
    assert.match(out, /partitioned roll out complete: 2 new pods have been updated\.\.\./);
    const sts = await until('the rollout to complete', async () => {
      const s = await getSts();
      return s.status?.currentRevision === s.status?.updateRevision && s.status?.readyReplicas === 2 ? s : undefined;
    });
    assert.notEqual(sts.status?.updateRevision, revBefore);
    for (const name of ['web-0', 'web-1']) {
      const pod = await getPod(name);
      assert.equal(pod.spec.containers[0]?.image, 'registry.k8s.io/nginx-slim:0.26');
      assert.equal(pod.metadata.labels?.['controller-revision-hash'], sts.status?.updateRevision);
    }
    const steps = kubelet.log.slice(mark).filter((l) => l.startsWith('terminating')).map((l) => l.split(' ')[1]);
    assert.deepEqual(steps, ['web-1', 'web-0']);
  });

  test('scaling to zero removes web-1 before web-0', async () => {
    const mark = kubelet.log.length;
    await server.ok(['scale', 'statefulset', 'web', '--replicas=0']);
    await until('both pods to be gone', () => (kubelet.pods.list().some((p) => p.metadata.name?.startsWith('web-')) ? undefined : true));
    const steps = kubelet.log.slice(mark).filter((l) => /^(terminating|gone) web-/.test(l)).map((l) => l.split(' ').slice(0, 2).join(' '));
    assert.deepEqual(steps, ['terminating web-1', 'gone web-1', 'terminating web-0', 'gone web-0']);
    const sts = await until('status to show no replicas', async () => {
      const s = await getSts();
      return s.status?.replicas === 0 ? s : undefined;
    });
    assert.equal(sts.status?.readyReplicas, 0);
    const out = await server.ok(['rollout', 'status', 'statefulset/web', '--timeout=30s']);
    assert.match(out, /partitioned roll out complete: 0 new pods have been updated\.\.\./);
  });
});
