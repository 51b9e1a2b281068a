/**
 * Other real clients against a real `switchyard server`: the official
 * JavaScript client (@kubernetes/client-node 1.x: typed CoreV1Api, Watch and
 * the informer), and Debian's python3-kubernetes when it is installed.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { ApiException, CoreV1Api, KubeConfig, type ObjectCache, Watch, makeInformer, type V1Service } from '@kubernetes/client-node';
import { TestServer } from './harness.js';

const NS = 'client-node';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const service = (name: string, labels: Record<string, string> = {}): V1Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, labels },
  spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
});

async function waitFor(what: string, cond: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

describe('@kubernetes/client-node against switchyard', () => {
  const server = new TestServer();
  let kc: KubeConfig;
  let core: CoreV1Api;

  before(async () => {
    await server.start();
    kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
  });
  after(async () => {
    await server.stop();
    server.cleanup();
  });

  test('create, read and list services with the typed API', async () => {
    const created = await core.createNamespacedService({ namespace: NS, body: service('alpha', { app: 'a' }) });
    assert.equal(created.metadata?.name, 'alpha');
    assert.match(created.spec?.clusterIP ?? '', /^10\./);
    assert.equal(created.spec?.ports?.[0]?.targetPort, 80, 'targetPort defaulted to port');
    await core.createNamespacedService({ namespace: NS, body: service('beta', { app: 'b' }) });
    const list = await core.listNamespacedService({ namespace: NS });
    assert.equal(list.kind, 'ServiceList');
    assert.ok(list.metadata?.resourceVersion);
    assert.deepEqual(list.items.map((s) => s.metadata?.name).sort(), ['alpha', 'beta']);
    const selected = await core.listNamespacedService({ namespace: NS, labelSelector: 'app=b' });
    assert.deepEqual(selected.items.map((s) => s.metadata?.name), ['beta']);
    const paged = await core.listNamespacedService({ namespace: NS, limit: 1 });
    assert.equal(paged.items.length, 1);
    assert.ok(paged.metadata?._continue, 'continue token (client-node names it _continue)');
    const all = await core.listServiceForAllNamespaces();
    assert.ok(all.items.some((s) => s.metadata?.name === 'kubernetes' && s.metadata.namespace === 'default'));
    const read = await core.readNamespacedService({ name: 'alpha', namespace: NS });
    assert.equal(read.metadata?.uid, created.metadata?.uid);
    await assert.rejects(core.readNamespacedService({ name: 'nope', namespace: NS }), (e: unknown) => e instanceof ApiException && e.code === 404);
  });

  test('Watch sees ADDED, MODIFIED and DELETED for changes made while it runs', async () => {
    const start = await core.listNamespacedService({ namespace: NS });
    const seen: { phase: string; name: string; rv: string }[] = [];
    let ended: unknown = 'running';
    const watch = new Watch(kc);
    const controller = await watch.watch(
      `/api/v1/namespaces/${NS}/services`,
      { resourceVersion: start.metadata?.resourceVersion, allowWatchBookmarks: true },
      (phase, obj: V1Service) => seen.push({ phase, name: obj.metadata?.name ?? '', rv: obj.metadata?.resourceVersion ?? '' }),
      (err) => (ended = err),
    );
    try {
      await core.createNamespacedService({ namespace: NS, body: service('gamma') });
      const current = await core.readNamespacedService({ name: 'gamma', namespace: NS });
      current.metadata = { ...current.metadata, labels: { changed: 'yes' } };
      await core.replaceNamespacedService({ name: 'gamma', namespace: NS, body: current });
      await core.deleteNamespacedService({ name: 'gamma', namespace: NS });
      await waitFor('DELETED gamma', () => seen.some((e) => e.phase === 'DELETED' && e.name === 'gamma'));
      assert.equal(ended, 'running', 'the server kept the watch open');
    } finally {
      controller.abort();
    }
    assert.deepEqual(
      seen.filter((e) => e.name === 'gamma').map((e) => e.phase),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
    const rvs = seen.map((e) => Number(e.rv));
    assert.ok(rvs.every((rv) => rv > Number(start.metadata?.resourceVersion)), 'only changes after the list');
    assert.deepEqual([...rvs].sort((a, b) => a - b), rvs, 'in resourceVersion order');
  });

  test('the informer lists, then keeps its cache in step through the watch', async () => {
    // The informer is a ListWatch, which is also its object cache.
    const informer = makeInformer(kc, `/api/v1/namespaces/${NS}/services`, () => core.listNamespacedService({ namespace: NS }));
    const cache = informer as unknown as ObjectCache<V1Service>;
    const added: string[] = [];
    const deleted: string[] = [];
    informer.on('add', (s: V1Service) => added.push(s.metadata?.name ?? ''));
    informer.on('delete', (s: V1Service) => deleted.push(s.metadata?.name ?? ''));
    await informer.start();
    try {
      await waitFor('initial list', () => added.includes('alpha') && added.includes('beta'));
      await core.createNamespacedService({ namespace: NS, body: service('delta') });
      await waitFor('add delta', () => added.includes('delta'));
      await core.deleteNamespacedService({ name: 'delta', namespace: NS });
      await waitFor('delete delta', () => deleted.includes('delta'));
      assert.deepEqual(cache.list(NS).map((s) => s.metadata?.name).sort(), ['alpha', 'beta']);
    } finally {
      await informer.stop();
    }
  });

  const python = '/usr/bin/python3';
  const havePythonClient = spawnSync(python, ['-c', 'import kubernetes'], { stdio: 'ignore' }).status === 0;
  if (!havePythonClient) console.log(`# python3-kubernetes is not installed (${python} -c 'import kubernetes' failed): skipping the Python client test`);
  test('python3-kubernetes lists and watches services', { skip: havePythonClient ? false : 'python3-kubernetes is not installed' }, async () => {
    const script = `
import sys
from kubernetes import client, config, watch
config.load_kube_config(sys.argv[1])
v1 = client.CoreV1Api()
names = sorted(s.metadata.name for s in v1.list_namespaced_service("${NS}").items)
print("LIST " + ",".join(names), flush=True)
rv = v1.list_namespaced_service("${NS}").metadata.resource_version
for ev in watch.Watch().stream(v1.list_namespaced_service, "${NS}", resource_version=rv, timeout_seconds=10):
    print("EVENT %s %s" % (ev["type"], ev["object"].metadata.name), flush=True)
    if ev["type"] == "DELETED":
        break
`;
    const child = spawn(python, ['-c', script, server.kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await waitFor('python LIST', () => out.includes('LIST '), 20_000);
    await sleep(500);
    await core.createNamespacedService({ namespace: NS, body: service('py') });
    await core.deleteNamespacedService({ name: 'py', namespace: NS });
    assert.equal(await exited, 0, err);
    assert.match(out, /^LIST alpha,beta$/m);
    assert.match(out, /^EVENT ADDED py$/m);
    assert.match(out, /^EVENT DELETED py$/m);
  });
});
