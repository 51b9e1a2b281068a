/**
 * Object lifecycle against a real server with every controller: garbage collection of
 * dependents (background, foreground, orphan), namespace deletion with kubectl, and node
 * health (a node whose Lease stops being renewed turns NotReady) plus pod CIDR allocation.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../src/api/object.js';
import { KubeClient, isNotFound } from '../../src/client/kube-client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { CONFIGMAPS, LEASES, NAMESPACES, NODES, PODS, SERVICES } from '../../src/controllers/resources.js';
import { TestServer, kubectlAvailable, tableRows } from './harness.js';

const skip = kubectlAvailable() ? false : 'kubectl is not installed on this machine';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns a value other than undefined, or fails after `timeoutMs`. */
async function eventually<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(100);
  }
}

const microTime = (d = new Date()): string => d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
const secondsTime = (d = new Date()): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('object lifecycle controllers', { skip }, () => {
  const server = new TestServer({ env: { SWITCHYARD_NODE_MONITOR_GRACE_PERIOD: '3s' } });
  let client: KubeClient;

  before(async () => {
    await server.start();
    client = new KubeClient(loadKubeconfig(server.kubeconfig), { component: 'lifecycle-e2e' });
  });
  after(async () => {
    if (process.env.LIFECYCLE_E2E_LOGS) console.log(server.output);
    client?.close();
    await server.stop();
    server.cleanup();
  });

  const gone = async (res: typeof CONFIGMAPS, ns: string | undefined, name: string): Promise<boolean> => {
    try {
      await client.get(res, ns, name);
      return false;
    } catch (e) {
      if (isNotFound(e)) return true;
      throw e;
    }
  };

  /** An owner ConfigMap and a dependent that names it in ownerReferences. */
  async function ownerAndDependent(prefix: string, blockOwnerDeletion: boolean): Promise<{ owner: KubeObject; dependent: KubeObject }> {
    const owner = await client.create<KubeObject>(CONFIGMAPS, 'default', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${prefix}-owner` }, data: { a: '1' } });
    const dependent = await client.create<KubeObject>(CONFIGMAPS, 'default', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: `${prefix}-dependent`,
        ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: `${prefix}-owner`, uid: owner.metadata.uid ?? '', blockOwnerDeletion }],
      },
    });
    return { owner, dependent };
  }

  test('garbage collector: deleting the owner (background) deletes the dependent', async () => {
    await ownerAndDependent('bg', false);
    // Give the collector a moment: a dependent whose owner exists is never touched.
    await sleep(500);
    assert.equal(await gone(CONFIGMAPS, 'default', 'bg-dependent'), false, 'dependent kept while the owner exists');
    assert.match(await server.ok(['delete', 'configmap', 'bg-owner']), /configmap "bg-owner" deleted/);
    await eventually('the dependent to be collected', async () => ((await gone(CONFIGMAPS, 'default', 'bg-dependent')) ? true : undefined));
  });

  test('garbage collector: --cascade=foreground deletes the dependent before the owner', async () => {
    await ownerAndDependent('fg', true);
    const r = await server.kubectl(['delete', 'configmap', 'fg-owner', '--cascade=foreground'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    // kubectl waited for the owner to disappear; its blocking dependent had to go first.
    assert.equal(await gone(CONFIGMAPS, 'default', 'fg-owner'), true);
    assert.equal(await gone(CONFIGMAPS, 'default', 'fg-dependent'), true);
  });

  test('garbage collector: foreground deletion keeps the owner while a blocking dependent exists', async () => {
    const { dependent } = await ownerAndDependent('fgw', true);
    // A finalizer of our own keeps the dependent around.
    await client.patch(CONFIGMAPS, 'default', 'fgw-dependent', { metadata: { finalizers: ['example.com/hold'] } }, 'merge');
    await client.delete(CONFIGMAPS, 'default', 'fgw-owner', { propagationPolicy: 'Foreground' });
    await eventually('the dependent to be marked for deletion', async () => {
      const d = await client.get(CONFIGMAPS, 'default', 'fgw-dependent');
      return d.metadata.deletionTimestamp ? true : undefined;
    });
    await sleep(500);
    const owner = await client.get(CONFIGMAPS, 'default', 'fgw-owner');
    assert.ok(owner.metadata.deletionTimestamp);
    assert.deepEqual(owner.metadata.finalizers, ['foregroundDeletion']);
    await client.patch(CONFIGMAPS, 'default', 'fgw-dependent', { metadata: { finalizers: null } }, 'merge');
    await eventually('the owner to go after its dependent', async () => ((await gone(CONFIGMAPS, 'default', 'fgw-owner')) ? true : undefined));
    assert.ok(dependent.metadata.uid);
  });

  test('garbage collector: --cascade=orphan keeps the dependent without the ownerReference', async () => {
    await ownerAndDependent('or', true);
    const r = await server.kubectl(['delete', 'configmap', 'or-owner', '--cascade=orphan'], { timeoutMs: 30_000 });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await gone(CONFIGMAPS, 'default', 'or-owner'), true);
    const dep = await client.get(CONFIGMAPS, 'default', 'or-dependent');
    assert.equal(dep.metadata.ownerReferences, undefined);
    await sleep(500);
    assert.equal(await gone(CONFIGMAPS, 'default', 'or-dependent'), false, 'orphan stays');
  });

  test('kubectl delete namespace removes everything in it and completes', async () => {
    await server.ok(['create', 'namespace', 'doomed']);
    await server.ok(['-n', 'doomed', 'create', 'service', 'clusterip', 'web', '--tcp=80:8080']);
    await server.ok(['-n', 'doomed', 'create', 'configmap', 'settings', '--from-literal=a=1']);
    await server.ok(['-n', 'doomed', 'create', 'configmap', 'more', '--from-literal=b=2']);
    const container = [{ name: 'app', image: 'registry.k8s.io/pause:3.9' }];
    // Unscheduled (no nodes yet): goes at once.
    await client.create<KubeObject>(PODS, 'doomed', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'pending', labels: { app: 'web' } }, spec: { containers: container } });
    // Bound to a node that does not exist: graceful deletion, then forced when the grace period is over.
    await client.create<KubeObject>(PODS, 'doomed', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'stranded', labels: { app: 'web' } },
      spec: { nodeName: 'ghost-node', terminationGracePeriodSeconds: 2, containers: container },
    });

    const started = Date.now();
    const deletion = server.kubectl(['delete', 'namespace', 'doomed'], { timeoutMs: 45_000 });
    // While the stranded pod is in its grace period the namespace reports what remains.
    const remaining = await eventually('the NamespaceContentRemaining condition', async () => {
      const ns = await client.get(NAMESPACES, undefined, 'doomed');
      const conds = (ns.status as { conditions?: { type: string; status: string; reason?: string; message?: string }[] } | undefined)?.conditions ?? [];
      return conds.find((c) => c.type === 'NamespaceContentRemaining' && c.status === 'True');
    });
    assert.equal(remaining.reason, 'SomeResourcesRemain');
    assert.match(remaining.message ?? '', /pods\. has 1 resource instances/);
    const ns = await client.get(NAMESPACES, undefined, 'doomed');
    assert.equal((ns.status as { phase?: string }).phase, 'Terminating');
    // Other content waits for the pods (ordered namespace deletion).
    assert.equal(await gone(CONFIGMAPS, 'doomed', 'settings'), false);

    const r = await deletion;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /namespace "doomed" deleted/);
    assert.ok(Date.now() - started >= 1500, 'the graceful pod held the namespace for its grace period');
    const after = await server.kubectl(['get', 'namespace', 'doomed']);
    assert.notEqual(after.code, 0);
    assert.match(after.stderr, /NotFound|not found/);
    for (const [res, name] of [
      [SERVICES, 'web'],
      [CONFIGMAPS, 'settings'],
      [CONFIGMAPS, 'more'],
      [PODS, 'stranded'],
    ] as const) {
      assert.equal(await gone(res, 'doomed', name), true, `${res.plural}/${name} is gone`);
    }
  });

  test('nodes get pod CIDRs from the cluster CIDR in order', async () => {
    for (const [name, cidr] of [
      ['node-a', '10.244.0.0/24'],
      ['node-b', '10.244.1.0/24'],
    ] as const) {
      await client.create(LEASES, 'kube-node-lease', {
        apiVersion: 'coordination.k8s.io/v1',
        kind: 'Lease',
        metadata: { name },
        spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: microTime() },
      });
      await client.create(NODES, undefined, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name },
        status: {
          conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: secondsTime(), lastTransitionTime: secondsTime() }],
          allocatable: { cpu: '4', memory: '8Gi', pods: '110' },
          capacity: { cpu: '4', memory: '8Gi', pods: '110' },
        },
      });
      const node = await eventually(`a pod CIDR for ${name}`, async () => {
        const n = await client.get(NODES, undefined, name);
        return (n.spec as { podCIDR?: string } | undefined)?.podCIDR ? n : undefined;
      });
      assert.deepEqual({ podCIDR: (node.spec as { podCIDR?: string }).podCIDR, podCIDRs: (node.spec as { podCIDRs?: string[] }).podCIDRs }, { podCIDR: cidr, podCIDRs: [cidr] });
    }
  });

  test('a node whose Lease stops being renewed becomes NotReady, its pods not Ready; reporting again clears the taints', async () => {
    // node-b keeps heartbeating through its Lease; node-a has gone silent since the last test.
    const renewing = new Set(['node-b']);
    const renewer = setInterval(() => {
      for (const name of renewing) {
        void client
          .get(LEASES, 'kube-node-lease', name)
          .then((l) => client.update(LEASES, 'kube-node-lease', { ...l, spec: { ...(l.spec as object), renewTime: microTime() } }))
          .catch(() => {});
      }
    }, 500);
    try {
      const pod = await client.create<KubeObject>(PODS, 'default', {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'on-node-a' },
        spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.9' }] },
      });
      const now = secondsTime();
      await client.updateStatus(PODS, 'default', {
        ...pod,
        status: {
          ...(pod.status as object),
          phase: 'Running',
          podIP: '10.244.0.5',
          podIPs: [{ ip: '10.244.0.5' }],
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
            { type: 'Initialized', status: 'True', lastTransitionTime: now },
            { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
            { type: 'Ready', status: 'True', lastTransitionTime: now },
          ],
        },
      });

      const rows = await eventually('node-a to show NotReady', async () => {
        const t = tableRows(await server.ok(['get', 'nodes']));
        return t.find((r) => r[0] === 'node-a')?.[1] === 'NotReady' ? t : undefined;
      });
      assert.equal(rows.find((r) => r[0] === 'node-b')?.[1], 'Ready', 'node-b keeps renewing its Lease');

      const nodeA = await client.get(NODES, undefined, 'node-a');
      const ready = (nodeA.status as { conditions: { type: string; status: string; reason?: string; message?: string }[] }).conditions.find((c) => c.type === 'Ready');
      assert.deepEqual({ status: ready?.status, reason: ready?.reason, message: ready?.message }, {
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
      });
      const taints = await eventually('unreachable taints on node-a', async () => {
        const n = await client.get(NODES, undefined, 'node-a');
        const t = ((n.spec as { taints?: { key: string; effect: string }[] } | undefined)?.taints ?? []).map((x) => `${x.key}:${x.effect}`).sort();
        return t.length === 2 ? t : undefined;
      });
      assert.deepEqual(taints, ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);

      const podReady = await eventually('the pod on node-a to turn not Ready', async () => {
        const p = await client.get(PODS, 'default', 'on-node-a');
        const c = (p.status as { conditions?: { type: string; status: string }[] }).conditions?.find((x) => x.type === 'Ready');
        return c?.status === 'False' ? c : undefined;
      });
      assert.equal(podReady.status, 'False');
      assert.match(await server.ok(['get', 'pod', 'on-node-a']), /on-node-a\s+0\/1/);

      const nodeB = await client.get(NODES, undefined, 'node-b');
      assert.equal((nodeB.spec as { taints?: unknown[] } | undefined)?.taints, undefined, 'healthy node-b is not tainted');

      // node-a reports again: Ready with a fresh heartbeat, Lease renewed.
      const lease = await client.get(LEASES, 'kube-node-lease', 'node-a');
      await client.update(LEASES, 'kube-node-lease', { ...lease, spec: { ...(lease.spec as object), renewTime: microTime() } });
      const fresh = await client.get(NODES, undefined, 'node-a');
      const conds = (fresh.status as { conditions: { type: string }[] }).conditions.map((c) =>
        c.type === 'Ready'
          ? { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: secondsTime(), lastTransitionTime: secondsTime() }
          : c,
      );
      await client.updateStatus(NODES, undefined, { ...fresh, status: { ...(fresh.status as object), conditions: conds } });
      renewing.add('node-a');
      await eventually('node-a taints to be removed', async () => {
        const n = await client.get(NODES, undefined, 'node-a');
        return ((n.spec as { taints?: unknown[] } | undefined)?.taints ?? []).length === 0 ? true : undefined;
      });
      const t = tableRows(await server.ok(['get', 'nodes']));
      assert.equal(t.find((r) => r[0] === 'node-a')?.[1], 'Ready');
    } finally {
      clearInterval(renewer);
    }
  });
});
