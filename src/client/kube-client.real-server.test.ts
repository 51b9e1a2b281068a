/**
 * The client layer against the real Switchyard API server, started from source as a child process
 * on a temporary data dir (TLS + client-certificate kubeconfig, exactly what components will use).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../api/object.js';
import { Informer, labelIndex, objectKey } from './informer.js';
import { KubeApiError, KubeClient, type ResourceRef, type WatchEvent, isConflict, isNotFound } from './kube-client.js';
import { loadKubeconfig } from './kubeconfig.js';
import { type Lease, LEASE_RESOURCE, LeaderElector } from './leader-election.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CM: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };
const NS: ResourceRef = { group: '', version: 'v1', plural: 'namespaces', namespaced: false };
const SVC: ResourceRef = { group: '', version: 'v1', plural: 'services', namespaced: true };

async function waitUntil(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function cm(name: string, ns: string, data: Record<string, string>, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data };
}

describe('client against the real Switchyard server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'sy-client-real-'));
  let server: ChildProcess | undefined;
  let client: KubeClient;
  let stderr = '';
  const ns = 'client-test';

  before(async () => {
    server = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/main.ts', 'server', '--data-dir', dataDir, '--bind-address', '127.0.0.1', '--https-listen-port', '0', '--disable-agent'],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    server.stdout?.on('data', (c: Buffer) => (stderr += c.toString()));
    server.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    await waitUntil('server ready', () => /kubeconfig written/.test(stderr) || server?.exitCode !== null, 60_000);
    assert.match(stderr, /kubeconfig written/, `server did not start:\n${stderr}`);
    client = new KubeClient(loadKubeconfig(join(dataDir, 'kubeconfig.yaml')), { component: 'client-test' });
    await client.create(NS, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  });

  after(async () => {
    client?.close();
    if (server?.pid !== undefined && server.exitCode === null) {
      const exited = new Promise((r) => server?.once('exit', r));
      process.kill(server.pid, 'SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (server.exitCode === null) process.kill(server.pid, 'SIGKILL');
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('CRUD, conflicts, patches and errors', async () => {
    const created = await client.create(CM, ns, cm('crud', ns, { a: '1' }), { fieldManager: 'client-test' });
    assert.ok(created.metadata.resourceVersion);
    const got = await client.get(CM, ns, 'crud');
    assert.deepEqual(got.data, { a: '1' });
    const updated = await client.update(CM, ns, { ...got, data: { a: '2' } });
    assert.deepEqual(updated.data, { a: '2' });
    await assert.rejects(client.update(CM, ns, { ...got, data: { a: '3' } }), (e: unknown) => isConflict(e));
    await assert.rejects(client.create(CM, ns, cm('crud', ns, {})), (e: unknown) => e instanceof KubeApiError && e.reason === 'AlreadyExists');
    const merged = await client.patch(CM, ns, 'crud', { data: { b: 'x' } }, 'merge');
    assert.deepEqual(merged.data, { a: '2', b: 'x' });
    const strategic = await client.patch(CM, ns, 'crud', { metadata: { labels: { l: 'v' } } }, 'strategic');
    assert.deepEqual(strategic.metadata.labels, { l: 'v' });
    const json = await client.patch(CM, ns, 'crud', [{ op: 'replace', path: '/data/a', value: '9' }], 'json');
    assert.equal((json.data as Record<string, string>).a, '9');
    await client.delete(CM, ns, 'crud');
    await assert.rejects(client.get(CM, ns, 'crud'), (e: unknown) => {
      assert.ok(isNotFound(e));
      assert.equal((e as KubeApiError).message, 'configmaps "crud" not found');
      return true;
    });
  });

  test('server-side apply', async () => {
    const applied = await client.patch(CM, ns, 'ssa', cm('ssa', ns, { k: 'v' }), 'apply', { fieldManager: 'client-test', force: true });
    assert.deepEqual(applied.data, { k: 'v' });
  });

  test('paged list follows continue', async () => {
    for (let i = 0; i < 5; i++) await client.create(CM, ns, cm(`page-${i}`, ns, {}, { paged: 'yes' }));
    const all = await client.list(CM, ns, { labelSelector: 'paged=yes', limit: 2, followContinue: true });
    assert.deepEqual(all.items.map((o) => o.metadata.name).sort(), ['page-0', 'page-1', 'page-2', 'page-3', 'page-4']);
    assert.ok(all.metadata.resourceVersion);
  });

  test('watch streams events from a resource version', async () => {
    const list = await client.list(CM, ns);
    const events: WatchEvent[] = [];
    const ctl = new AbortController();
    const watching = client.watch(CM, ns, { resourceVersion: list.metadata.resourceVersion, allowWatchBookmarks: true }, (e) => events.push(e), ctl.signal);
    await new Promise((r) => setTimeout(r, 100));
    await client.create(CM, ns, cm('w', ns, { x: '1' }));
    await client.patch(CM, ns, 'w', { data: { x: '2' } }, 'merge');
    await client.delete(CM, ns, 'w');
    await waitUntil('three events', () => events.filter((e) => e.type !== 'BOOKMARK').length >= 3);
    ctl.abort();
    await watching;
    assert.deepEqual(
      events.filter((e) => e.type !== 'BOOKMARK').map((e) => e.type),
      ['ADDED', 'MODIFIED', 'DELETED'],
    );
  });

  test('informer syncs, follows changes and indexes by label', async () => {
    const inf = new Informer({ client, resource: CM, namespace: ns, labelSelector: 'inf=yes', indexers: { app: labelIndex('app') } });
    const ops: string[] = [];
    inf.addEventHandler({
      onAdd: (o) => ops.push(`add ${objectKey(o)}`),
      onUpdate: (a, b) => a.metadata.resourceVersion !== b.metadata.resourceVersion && ops.push(`update ${objectKey(b)}`),
      onDelete: (o) => ops.push(`delete ${objectKey(o)}`),
    });
    await client.create(CM, ns, cm('i1', ns, {}, { inf: 'yes', app: 'web' }));
    const ctl = new AbortController();
    const running = inf.run(ctl.signal);
    try {
      assert.equal(await inf.waitForSync(ctl.signal), true);
      assert.deepEqual(inf.keys(), [`${ns}/i1`]);
      await client.create(CM, ns, cm('i2', ns, {}, { inf: 'yes', app: 'db' }));
      await client.create(CM, ns, cm('other', ns, {}, { inf: 'no' }));
      await client.patch(CM, ns, 'i1', { metadata: { labels: { app: 'db' } } }, 'merge');
      await client.delete(CM, ns, 'i2');
      await waitUntil('events applied', () => ops.length >= 4);
      assert.deepEqual(ops, [`add ${ns}/i1`, `add ${ns}/i2`, `update ${ns}/i1`, `delete ${ns}/i2`]);
      assert.deepEqual(inf.byIndex('app', 'db').map(objectKey), [`${ns}/i1`]);
      assert.equal(inf.get(ns, 'other'), undefined, 'label selector applied server-side');
    } finally {
      ctl.abort();
      await running;
    }
  });

  test('updateStatus reaches the status subresource', async () => {
    const svc = await client.create(SVC, ns, {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'lb', namespace: ns },
      spec: { type: 'LoadBalancer', ports: [{ port: 80 }] },
    });
    const out = await client.updateStatus(SVC, ns, { ...svc, status: { loadBalancer: { ingress: [{ ip: '127.0.0.50' }] } } });
    const ingress = (out.status as { loadBalancer?: { ingress?: { ip?: string }[] } }).loadBalancer?.ingress;
    assert.equal(ingress?.[0]?.ip, '127.0.0.50');
    assert.equal(client.resourcePath(SVC, ns, 'lb', 'status'), `/api/v1/namespaces/${ns}/services/lb/status`);
  });

  test('leader election between two candidates on a real Lease', async () => {
    const mk = (id: string, ctl: AbortController, log: string[]) => {
      const e = new LeaderElector({
        client,
        namespace: ns,
        name: 'le-test',
        identity: id,
        leaseDurationMs: 1000,
        renewDeadlineMs: 500,
        retryPeriodMs: 100,
        callbacks: { onStartedLeading: () => void log.push('started'), onStoppedLeading: () => void log.push('stopped') },
      });
      return { e, done: e.run(ctl.signal) };
    };
    const aCtl = new AbortController();
    const bCtl = new AbortController();
    const aLog: string[] = [];
    const bLog: string[] = [];
    const a = mk('a', aCtl, aLog);
    await waitUntil('a leads', () => a.e.isLeader());
    const b = mk('b', bCtl, bLog);
    await new Promise((r) => setTimeout(r, 1300));
    assert.equal(b.e.isLeader(), false);
    aCtl.abort();
    await a.done;
    await waitUntil('b leads', () => b.e.isLeader(), 3000);
    const lease = await client.get<Lease>(LEASE_RESOURCE, ns, 'le-test');
    assert.equal(lease.spec?.holderIdentity, 'b');
    assert.equal(lease.spec?.leaseTransitions, 1);
    bCtl.abort();
    await b.done;
    assert.deepEqual(aLog, ['started', 'stopped']);
    assert.deepEqual(bLog, ['started', 'stopped']);
    const released = await client.get<Lease>(LEASE_RESOURCE, ns, 'le-test');
    assert.equal(released.spec?.holderIdentity ?? '', '');
  });
});
