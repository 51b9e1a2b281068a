/**
 * Deployments and ReplicaSets end to end: the real kubectl against a real server running every
 * controller. There is no node agent, so the test plays the kubelet: every pod that shows up is
 * marked Running and Ready through the status subresource.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeClient } from '../../src/client/kube-client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { DEPLOYMENTS, PODS, REPLICASETS } from '../../src/controllers/resources.js';
import type { DeploymentJson, PodJson, ReplicaSetJson } from '../../src/controllers/replicaset/workload-types.js';
import { TestServer, kubectlAvailable, tableRows } from './harness.js';

const skip = kubectlAvailable() ? false : 'kubectl is not installed on this machine';

const MYAPP = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: myapp-deploy
  namespace: default
spec:
  replicas: 3
  selector:
    matchLabels:
      app: myapp
      release: stabel
  template:
    metadata:
      labels:
        app: myapp
        release: stabel
        env: test
    spec:
      containers:
      - name: myapp
        image: hub.qnhyn.com/library/myapp
        imagePullPolicy: IfNotPresent
        ports:
        - name: http
          containerPort: 80
`;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a value other than undefined, or fails after `timeoutMs` with the last state. */
async function eventually<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
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
    await sleep(200);
  }
}

/**
 * Acts as the kubelet of an imaginary node: pods that are not yet Running get phase Running, an
 * IP and Ready conditions. Polls (instead of watching) to stay simple and robust.
 */
class FakeKubelet {
  private stopped = false;
  private loop: Promise<void> | undefined;
  private nextIp = 2;
  readonly marked = new Set<string>();

  constructor(private readonly client: KubeClient) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          await this.tick();
        } catch {
          // The next round retries (conflicts with the controllers, pods deleted meanwhile).
        }
        await sleep(150);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  private async tick(): Promise<void> {
    const pods = await this.client.list<PodJson>(PODS, 'default');
    for (const pod of pods.items) {
      if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Running') continue;
      const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      const containers = ((pod.spec?.['containers'] ?? []) as { name: string; image: string }[]).map((c) => ({
        name: c.name,
        image: c.image,
        imageID: '',
        ready: true,
        started: true,
        restartCount: 0,
        state: { running: { startedAt: now } },
      }));
      const ip = `10.244.0.${this.nextIp++ % 250}`;
      const cond = (type: string): Record<string, unknown> => ({ type, status: 'True', lastProbeTime: null, lastTransitionTime: now });
      const next = {
        ...pod,
        status: {
          ...(pod.status ?? {}),
          phase: 'Running',
          podIP: ip,
          podIPs: [{ ip }],
          hostIP: '10.0.0.10',
          startTime: now,
          conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready'), cond('ContainersReady'), cond('PodScheduled')],
          containerStatuses: containers,
        },
      };
      await this.client.updateStatus(PODS, 'default', next).catch(() => undefined);
      this.marked.add(pod.metadata.name ?? '');
    }
  }
}

describe('Deployments with kubectl', { skip }, () => {
  const server = new TestServer();
  let client: KubeClient;
  let kubelet: FakeKubelet;

  before(async () => {
    await server.start();
    client = new KubeClient(loadKubeconfig(server.kubeconfig), { component: 'e2e-deployments' });
    kubelet = new FakeKubelet(client);
    kubelet.start();
  });
  after(async () => {
    await kubelet?.stop();
    client?.close();
    await server.stop();
    if (process.env.E2E_DUMP_LOGS) process.stderr.write(server.output);
    server.cleanup();
  });

  const deployment = (): Promise<DeploymentJson> => client.get<DeploymentJson>(DEPLOYMENTS, 'default', 'myapp-deploy');
  const replicaSets = async (): Promise<ReplicaSetJson[]> => (await client.list<ReplicaSetJson>(REPLICASETS, 'default', { labelSelector: 'app=myapp' })).items;
  const livePods = async (): Promise<PodJson[]> =>
    (await client.list<PodJson>(PODS, 'default', { labelSelector: 'app=myapp' })).items.filter((p) => !p.metadata.deletionTimestamp);
  const image = (o: { spec?: { template?: { spec?: Record<string, unknown> } } }): string =>
    ((o.spec?.template?.spec?.['containers'] ?? []) as { image: string }[])[0]?.image ?? '';
  const rolloutStatus = (): Promise<string> => server.ok(['rollout', 'status', 'deployment/myapp-deploy', '--timeout=60s']);

  /** Waits until the live pods number `n` and the Deployment reports n/n available. */
  async function settled(n: number): Promise<void> {
    await eventually(`${n} ready pods`, async () => {
      const [d, pods] = await Promise.all([deployment(), livePods()]);
      const s = d.status ?? {};
      const done =
        pods.length === n &&
        (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) &&
        (s.replicas ?? 0) === n &&
        (s.availableReplicas ?? 0) === n &&
        (s.updatedReplicas ?? 0) === n;
      return done ? true : undefined;
    });
  }

  test('myapp-deploy creates one ReplicaSet with 3 pods carrying the pod-template-hash', async () => {
    assert.match(await server.ok(['apply', '-f', server.writeFile('myapp-deploy.yaml', MYAPP)]), /deployment.apps\/myapp-deploy created/);
    assert.match(await rolloutStatus(), /deployment "myapp-deploy" successfully rolled out/);
    await settled(3);
    const rss = await replicaSets();
    assert.equal(rss.length, 1);
    const rs = rss[0] as ReplicaSetJson;
    const hash = rs.metadata.labels?.['pod-template-hash'] ?? '';
    assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]{6,10}$/);
    assert.equal(rs.metadata.name, `myapp-deploy-${hash}`);
    assert.deepEqual(rs.spec?.selector?.matchLabels, { app: 'myapp', release: 'stabel', 'pod-template-hash': hash });
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '3');
    assert.equal(rs.metadata.annotations?.['deployment.kubernetes.io/max-replicas'], '4');
    const d = await deployment();
    assert.equal(rs.metadata.ownerReferences?.[0]?.uid, d.metadata.uid);
    assert.equal(rs.metadata.ownerReferences?.[0]?.controller, true);
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');

    const pods = await livePods();
    assert.equal(pods.length, 3);
    for (const p of pods) {
      assert.equal(p.metadata.labels?.['pod-template-hash'], hash);
      assert.equal(p.metadata.labels?.['env'], 'test');
      assert.ok(p.metadata.name?.startsWith(`myapp-deploy-${hash}-`), p.metadata.name);
      assert.deepEqual(p.metadata.ownerReferences, [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: rs.metadata.name, uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    const conds = Object.fromEntries((d.status?.conditions ?? []).map((c) => [c.type, c]));
    assert.equal(conds['Available']?.status, 'True');
    assert.equal(conds['Available']?.reason, 'MinimumReplicasAvailable');
    assert.equal(conds['Progressing']?.reason, 'NewReplicaSetAvailable');
    assert.equal(conds['Progressing']?.message, `ReplicaSet "${rs.metadata.name ?? ''}" has successfully progressed.`);
    // Events as upstream's controllers record them, shown by describe.
    await eventually('ScalingReplicaSet event', async () => {
      const out = await server.ok(['describe', 'deployment', 'myapp-deploy']);
      return new RegExp(`Normal\\s+ScalingReplicaSet\\s+.*Scaled up replica set myapp-deploy-${hash} from 0 to 3`).test(out) ? true : undefined;
    });
    await eventually('SuccessfulCreate events', async () => {
      const out = await server.ok(['describe', 'rs', rs.metadata.name ?? '']);
      return (out.match(/Normal\s+SuccessfulCreate\s+.*Created pod: myapp-deploy-/g) ?? []).length === 3 ? true : undefined;
    });
  });

  test('kubectl get deploy and rs show the counts', async () => {
    const rows = tableRows(await server.ok(['get', 'deploy', 'myapp-deploy']));
    assert.deepEqual(rows[0], ['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    assert.deepEqual(rows[1]?.slice(0, 4), ['myapp-deploy', '3/3', '3', '3']);
    const rsRows = tableRows(await server.ok(['get', 'rs', '-l', 'app=myapp']));
    assert.deepEqual(rsRows[0], ['NAME', 'DESIRED', 'CURRENT', 'READY', 'AGE']);
    assert.deepEqual(rsRows[1]?.slice(1, 4), ['3', '3', '3']);
  });

  test('kubectl scale to 5 and to 0', async () => {
    assert.match(await server.ok(['scale', 'deployment', 'myapp-deploy', '--replicas=5']), /deployment.apps\/myapp-deploy scaled/);
    await settled(5);
    assert.equal((await replicaSets()).length, 1, 'scaling does not create a ReplicaSet');
    assert.equal((await replicaSets())[0]?.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], '5');
    await server.ok(['scale', 'deployment', 'myapp-deploy', '--replicas=0']);
    await settled(0);
    const rows = tableRows(await server.ok(['get', 'deploy', 'myapp-deploy']));
    assert.deepEqual(rows[1]?.slice(0, 4), ['myapp-deploy', '0/0', '0', '0']);
    await server.ok(['scale', 'deployment', 'myapp-deploy', '--replicas=3']);
    await settled(3);
  });

  test('a pod deleted by hand is replaced', async () => {
    const before = await livePods();
    const victim = before[0]?.metadata.name ?? '';
    await server.ok(['delete', 'pod', victim, '--wait=false']);
    await eventually('a replacement pod', async () => {
      const pods = await livePods();
      return pods.length === 3 && !pods.some((p) => p.metadata.name === victim) ? true : undefined;
    });
    await settled(3);
  });

  test('kubectl set image rolls out a new ReplicaSet', async () => {
    const oldRS = (await replicaSets())[0] as ReplicaSetJson;
    await server.ok(['set', 'image', 'deployment/myapp-deploy', 'myapp=hub.qnhyn.com/library/myapp:v2']);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    await settled(3);
    const rss = await replicaSets();
    assert.equal(rss.length, 2);
    const newRS = rss.find((rs) => rs.metadata.uid !== oldRS.metadata.uid) as ReplicaSetJson;
    assert.equal(image(newRS), 'hub.qnhyn.com/library/myapp:v2');
    assert.equal(newRS.spec?.replicas, 3);
    assert.equal(newRS.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.equal(rss.find((rs) => rs.metadata.uid === oldRS.metadata.uid)?.spec?.replicas, 0);
    for (const p of await livePods()) assert.equal(p.metadata.labels?.['pod-template-hash'], newRS.metadata.labels?.['pod-template-hash']);
    const d = await deployment();
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
  });

  test('kubectl rollout history lists both revisions', async () => {
    const out = await server.ok(['rollout', 'history', 'deployment/myapp-deploy']);
    const revisions = tableRows(out)
      .map((r) => r[0])
      .filter((c) => /^\d+$/.test(c ?? ''));
    assert.deepEqual(revisions, ['1', '2']);
    const detail = await server.ok(['rollout', 'history', 'deployment/myapp-deploy', '--revision=1']);
    assert.match(detail, /Image:\s+hub\.qnhyn\.com\/library\/myapp\n/);
  });

  test('kubectl rollout undo goes back to the previous template and ReplicaSet', async () => {
    const first = (await replicaSets()).find((rs) => image(rs) === 'hub.qnhyn.com/library/myapp') as ReplicaSetJson;
    assert.match(await server.ok(['rollout', 'undo', 'deployment/myapp-deploy']), /deployment.apps\/myapp-deploy rolled back/);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    await settled(3);
    const d = await deployment();
    assert.equal(image(d), 'hub.qnhyn.com/library/myapp');
    const rss = await replicaSets();
    assert.equal(rss.length, 2, 'the old ReplicaSet is reused, not recreated');
    const reused = rss.find((rs) => rs.metadata.uid === first.metadata.uid) as ReplicaSetJson;
    assert.equal(reused.spec?.replicas, 3);
    assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(reused.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  });

  test('kubectl rollout restart creates a new ReplicaSet with restartedAt', async () => {
    const before = new Set((await replicaSets()).map((rs) => rs.metadata.uid));
    assert.match(await server.ok(['rollout', 'restart', 'deployment/myapp-deploy']), /deployment.apps\/myapp-deploy restarted/);
    assert.match(await rolloutStatus(), /successfully rolled out/);
    await settled(3);
    const rss = await replicaSets();
    const fresh = rss.filter((rs) => !before.has(rs.metadata.uid));
    assert.equal(fresh.length, 1);
    assert.ok(fresh[0]?.spec?.template?.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']);
    assert.equal(fresh[0]?.spec?.replicas, 3);
    assert.equal(fresh[0]?.metadata.annotations?.['deployment.kubernetes.io/revision'], '4');
  });

  test('Recreate, paused and resumed', async () => {
    const manifest = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: rweb
spec:
  replicas: 2
  strategy:
    type: Recreate
  selector:
    matchLabels:
      app: rweb
  template:
    metadata:
      labels:
        app: rweb
    spec:
      containers:
      - name: web
        image: nginx:1
`;
    await server.ok(['apply', '-f', server.writeFile('rweb.yaml', manifest)]);
    assert.match(await server.ok(['rollout', 'status', 'deployment/rweb', '--timeout=60s']), /successfully rolled out/);
    const rsOf = async (): Promise<ReplicaSetJson[]> => (await client.list<ReplicaSetJson>(REPLICASETS, 'default', { labelSelector: 'app=rweb' })).items;
    assert.match(await server.ok(['rollout', 'pause', 'deployment/rweb']), /paused/);
    await server.ok(['set', 'image', 'deployment/rweb', 'web=nginx:2']);
    const paused = await eventually('the Progressing condition to say paused', async () => {
      const d = await client.get<DeploymentJson>(DEPLOYMENTS, 'default', 'rweb');
      const p = d.status?.conditions?.find((c) => c.type === 'Progressing');
      return p?.reason === 'DeploymentPaused' && (d.status?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) ? p : undefined;
    });
    assert.equal(paused.status, 'Unknown');
    assert.equal((await rsOf()).length, 1, 'no new ReplicaSet while paused');
    assert.match(await server.ok(['rollout', 'resume', 'deployment/rweb']), /resumed/);
    assert.match(await server.ok(['rollout', 'status', 'deployment/rweb', '--timeout=60s']), /successfully rolled out/);
    const rss = await rsOf();
    assert.equal(rss.length, 2);
    assert.deepEqual(rss.map((r) => [image(r), r.spec?.replicas]).sort(), [
      ['nginx:1', 0],
      ['nginx:2', 2],
    ]);
    await server.ok(['delete', 'deployment', 'rweb']);
  });

  test('a rollout that makes no progress fails with ProgressDeadlineExceeded', async () => {
    // The fake kubelet only serves `default`: pods here never become ready.
    await server.ok(['create', 'namespace', 'stuck']);
    await server.ok(['create', 'deployment', 'slow', '-n', 'stuck', '--image=nginx']);
    await server.ok(['patch', 'deployment', 'slow', '-n', 'stuck', '-p', '{"spec":{"progressDeadlineSeconds":2}}']);
    const r = await server.kubectl(['rollout', 'status', 'deployment/slow', '-n', 'stuck', '--timeout=40s'], { timeoutMs: 45_000 });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /deployment "slow" exceeded its progress deadline/);
    const d = await client.get<DeploymentJson>(DEPLOYMENTS, 'stuck', 'slow');
    const p = d.status?.conditions?.find((c) => c.type === 'Progressing');
    assert.equal(p?.status, 'False');
    assert.equal(p?.reason, 'ProgressDeadlineExceeded');
    assert.match(p?.message ?? '', /^ReplicaSet "slow-[a-z0-9]+" has timed out progressing\.$/);
  });

  test('kubectl delete deployment removes its ReplicaSets and pods', async () => {
    assert.match(await server.ok(['delete', 'deployment', 'myapp-deploy']), /deployment.apps "myapp-deploy" deleted/);
    // Relies on the garbage collector (ownerReferences Deployment -> ReplicaSet -> Pod).
    await eventually(
      'ReplicaSets and pods to be garbage-collected',
      async () => ((await replicaSets()).length === 0 && (await livePods()).length === 0 ? true : undefined),
      45_000,
    );
  });
});
