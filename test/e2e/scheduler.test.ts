/**
 * The scheduler against a real server with every controller running: the test plays three
 * Ready nodes (Node objects with allocatable resources and Leases it keeps renewing) and
 * checks placement, nodeSelector, the Unschedulable condition and events, and `get -o wide`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { KubeClient } from '../../src/client/kube-client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { EVENTS, LEASES, NODES, PODS } from '../../src/controllers/resources.js';
import { TestServer, kubectlAvailable, tableRows } from './harness.js';

const skip = kubectlAvailable() ? false : 'kubectl is not installed on this machine';
const NODE_NAMES = ['node-1', 'node-2', 'node-3'];

interface PodJson extends KubeObject {
  spec: { nodeName?: string };
  status?: { phase?: string; conditions?: { type: string; status: string; reason?: string; message?: string }[] };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
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

const microTime = (): string => new Date().toISOString().replace('Z', '000Z');

/** Ready Node objects plus node Leases kept fresh, so the node lifecycle controller leaves them Ready. */
async function startNodes(client: KubeClient, names: readonly string[], signal: AbortSignal): Promise<void> {
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
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
    for (const name of names) {
      client.patch(LEASES, 'kube-node-lease', name, { spec: { renewTime: microTime() } }, 'merge').catch(() => undefined);
    }
  }, 5_000);
  signal.addEventListener('abort', () => clearInterval(renew), { once: true });
}

describe('scheduler', { skip }, () => {
  const server = new TestServer();
  const stop = new AbortController();
  let client: KubeClient;

  before(async () => {
    await server.start();
    client = new KubeClient(loadKubeconfig(server.kubeconfig), { component: 'e2e-scheduler' });
    await startNodes(client, NODE_NAMES, stop.signal);
  });
  after(async () => {
    stop.abort();
    client?.close();
    await server.stop();
    server.cleanup();
  });

  const boundNode = (name: string): Promise<string> =>
    until(`pod ${name} to be bound`, async () => (await client.get<PodJson>(PODS, 'default', name)).spec.nodeName || undefined);

  const podYaml = (name: string, extra = ''): string => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels:
    run: ${name}
spec:
  containers:
  - name: app
    image: nginx
    resources:
      requests:
        cpu: 100m
        memory: 64Mi
${extra}`;

  test('three pods spread one per node, with Scheduled events', async () => {
    const names = ['spread-a', 'spread-b', 'spread-c'];
    await server.ok(['apply', '-f', '-'], { input: names.map((n) => podYaml(n)).join('---\n') });
    const nodes = await Promise.all(names.map(boundNode));
    assert.deepEqual([...nodes].sort(), NODE_NAMES);
    const pod = await client.get<PodJson>(PODS, 'default', 'spread-a');
    const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    assert.equal(scheduled?.status, 'True');
    const events = await until('the Scheduled event', async () => {
      const list = await client.list(EVENTS, 'default', { fieldSelector: 'involvedObject.name=spread-a,reason=Scheduled' });
      return list.items.length > 0 ? list.items : undefined;
    });
    const ev = events[0] as { message?: string; type?: string; source?: { component?: string }; reportingComponent?: string; count?: number };
    assert.equal(ev.message, `Successfully assigned default/spread-a to ${nodes[0]}`);
    assert.equal(ev.type, 'Normal');
    assert.equal(ev.source?.component, 'default-scheduler');
    assert.equal(ev.reportingComponent, 'default-scheduler');
    assert.equal(ev.count, 1);
  });

  test('kubectl get pods -o wide shows the NODE', async () => {
    const rows = tableRows(await server.ok(['get', 'pods', '-o', 'wide']));
    const header = rows[0] ?? [];
    const nodeCol = header.indexOf('NODE');
    assert.ok(nodeCol > 0, `NODE column in ${header.join(' ')}`);
    const row = rows.find((r) => r[0] === 'spread-b');
    assert.ok(row, 'spread-b listed');
    const pod = await client.get<PodJson>(PODS, 'default', 'spread-b');
    assert.equal(row[nodeCol], pod.spec.nodeName);
  });

  test('nodeSelector picks the labelled node even when it is busier', async () => {
    await server.ok(['label', 'node', 'node-2', 'disktype=ssd']);
    await server.ok(['apply', '-f', '-'], { input: podYaml('ssd-pod', '  nodeSelector:\n    disktype: ssd\n') });
    assert.equal(await boundNode('ssd-pod'), 'node-2');
  });

  test('a pod whose nodeSelector matches no node stays Pending with Unschedulable and FailedScheduling', async () => {
    await server.ok(['apply', '-f', '-'], { input: podYaml('gpu-pod', '  nodeSelector:\n    accelerator: gpu\n') });
    const expected =
      "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.";
    const cond = await until('the PodScheduled=False condition', async () => {
      const pod = await client.get<PodJson>(PODS, 'default', 'gpu-pod');
      return pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
    });
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, expected);
    const pod = await client.get<PodJson>(PODS, 'default', 'gpu-pod');
    assert.equal(pod.spec.nodeName, undefined);
    assert.equal(pod.status?.phase, 'Pending');
    const ev = await until('the FailedScheduling event', async () => {
      const list = await client.list(EVENTS, 'default', { fieldSelector: 'involvedObject.name=gpu-pod,reason=FailedScheduling' });
      return list.items[0] as { type?: string; message?: string; source?: { component?: string } } | undefined;
    });
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.message, expected);
    assert.equal(ev.source?.component, 'default-scheduler');
    const describe = await server.ok(['describe', 'pod', 'gpu-pod']);
    assert.match(describe, /FailedScheduling\s+.*default-scheduler\s+0\/3 nodes are available/);
  });

  test('the unschedulable pod is bound once a node gets the label', async () => {
    await server.ok(['label', 'node', 'node-3', 'accelerator=gpu']);
    assert.equal(await boundNode('gpu-pod'), 'node-3');
    const pod = await client.get<PodJson>(PODS, 'default', 'gpu-pod');
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
  });

  test('a cordoned node gets no new pods', async () => {
    await server.ok(['cordon', 'node-1']);
    // node-1 has the fewest pods, so it would win without the cordon.
    await server.ok(['apply', '-f', '-'], { input: podYaml('after-cordon') });
    const node = await boundNode('after-cordon');
    assert.notEqual(node, 'node-1');
    await server.ok(['uncordon', 'node-1']);
  });

  test('pods for another scheduler are left alone', async () => {
    await server.ok(['apply', '-f', '-'], { input: podYaml('other-sched', '  schedulerName: my-scheduler\n') });
    await new Promise((r) => setTimeout(r, 1500));
    const pod = await client.get<PodJson>(PODS, 'default', 'other-sched');
    assert.equal(pod.spec.nodeName, undefined);
    assert.equal(pod.status?.conditions?.find((c) => c.type === 'PodScheduled'), undefined);
  });
});
