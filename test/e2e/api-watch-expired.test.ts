/**
 * Watch history limits, against an in-process ApiServer on a MemoryStore that
 * keeps only 5 events (the SQLite store keeps 10,000, too many to overrun
 * cheaply): a watch from a compacted resourceVersion gets a 410 Expired ERROR
 * event, and the real kubectl informer pattern recovers by relisting.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/api/object.js';
import { ApiServer } from '../../src/apiserver/api-server.js';
import { bootstrapCluster } from '../../src/apiserver/bootstrap.js';
import { KubeClient, type ResourceRef, type WatchEvent } from '../../src/client/kube-client.js';
import { createLogger } from '../../src/log/logger.js';
import { loadOrCreatePki } from '../../src/pki/certificates.js';
import { writeKubeconfig } from '../../src/pki/kubeconfig.js';
import { MemoryStore } from '../../src/storage/memory/memory-store.js';
import { rawClient, type RawResponse } from './api-helpers.js';
import { kubectlAvailable } from './harness.js';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };

describe('watch from a compacted resourceVersion (in-process server, 5 events of history)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-api-expired-'));
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  const store = new MemoryStore({ keepHistory: 5 });
  let server: ApiServer;
  let client: KubeClient;
  let raw: (r: { path: string }) => Promise<RawResponse>;

  before(async () => {
    const pki = await loadOrCreatePki(join(dir, 'tls'), { dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    server = new ApiServer({
      store,
      log: createLogger('api-expired-test', () => undefined),
      bindAddress: '127.0.0.1',
      port: 0,
      tls: { keyPem: pki.serving.keyPem, certPem: pki.serving.certPem, caPem: pki.ca.certPem },
      serviceCIDR: '10.96.0.0/12',
      nodePortRange: '30000-32767',
    });
    await server.restore();
    const addr = await server.listen();
    await bootstrapCluster(server, { advertiseAddress: '192.0.2.1', securePort: addr.port });
    server.markReady();
    writeKubeconfig(kubeconfig, { server: `https://127.0.0.1:${addr.port}`, caPem: pki.ca.certPem, clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem });
    client = new KubeClient({ server: `https://127.0.0.1:${addr.port}`, caPem: pki.ca.certPem, clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem });
    raw = rawClient(kubeconfig);
  });
  after(async () => {
    client?.close();
    await server?.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const cm = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });

  test('an ERROR event with a 410 Expired Status, then the stream ends', async () => {
    const first = await client.create(CONFIGMAPS, 'default', cm('c0'));
    const oldRv = first.metadata.resourceVersion ?? '';
    for (let i = 1; i <= 10; i++) await client.create(CONFIGMAPS, 'default', cm(`c${i}`));
    const compactedThrough = store.compactRevision();
    assert.ok(compactedThrough > Number(oldRv), 'history before oldRv is gone');
    const events: WatchEvent[] = [];
    await client.watch(CONFIGMAPS, 'default', { resourceVersion: oldRv, timeoutSeconds: 5 }, (ev) => events.push(ev), new AbortController().signal);
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.equal(events[0]?.type, 'ERROR');
    assert.deepEqual(events[0]?.object, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `too old resource version: ${oldRv} (${compactedThrough + 1})`,
      reason: 'Expired',
      code: 410,
    });
  });

  test('a watch from a recent resourceVersion still replays what followed it', async () => {
    const list = await client.list(CONFIGMAPS, 'default');
    const byRv = [...list.items].sort((a, b) => Number(a.metadata.resourceVersion) - Number(b.metadata.resourceVersion));
    const recent = byRv[byRv.length - 2];
    assert.equal(recent?.metadata.name, 'c9');
    const events: WatchEvent[] = [];
    const stop = new AbortController();
    await client.watch(
      CONFIGMAPS,
      'default',
      { resourceVersion: recent.metadata.resourceVersion ?? '', timeoutSeconds: 2 },
      (ev) => {
        events.push(ev);
        stop.abort();
      },
      stop.signal,
    );
    assert.deepEqual(events.map((e) => `${e.type} ${(e.object as KubeObject).metadata.name}`), ['ADDED c10']);
  });

  test('a continue token whose snapshot was compacted gets 410 Expired with a token that finishes the list', async () => {
    const first = await raw({ path: '/api/v1/namespaces/default/configmaps?limit=3' });
    assert.equal(first.status, 200);
    const token = (first.json as { metadata: { continue?: string } }).metadata.continue ?? '';
    assert.ok(token);
    // Push the first page's revision out of the 5 events of history.
    for (let i = 0; i < 6; i++) await client.create(CONFIGMAPS, 'default', cm(`late${i}`));
    const stale = await raw({ path: `/api/v1/namespaces/default/configmaps?limit=3&continue=${encodeURIComponent(token)}` });
    assert.equal(stale.status, 410, stale.text);
    const status = stale.json as { reason: string; code: number; message: string; metadata: { continue?: string } };
    assert.equal(status.reason, 'Expired');
    assert.match(status.message, /^The provided continue parameter is too old to display a consistent list result\. You can start a new list without the continue parameter, or use the continue token in this response/);
    assert.ok(status.metadata.continue, 'an inconsistent continue token is offered');
    // The offered token finishes the list against the latest data: the late objects show up.
    const names: string[] = [];
    let cont: string | undefined = status.metadata.continue;
    while (cont) {
      const page = (await raw({ path: `/api/v1/namespaces/default/configmaps?limit=3&continue=${encodeURIComponent(cont)}` })).json as { items: KubeObject[]; metadata: { continue?: string } };
      names.push(...page.items.map((i) => i.metadata.name ?? ''));
      cont = page.metadata.continue;
    }
    for (let i = 0; i < 6; i++) assert.ok(names.includes(`late${i}`), `late${i} in ${names.join(',')}`);
  });

  test('a LIST still answers with the current objects and a resourceVersion to watch from', async () => {
    const r = await raw({ path: '/api/v1/namespaces/default/configmaps' });
    assert.equal(r.status, 200);
    const body = r.json as { metadata: { resourceVersion: string }; items: KubeObject[] };
    assert.equal(body.items.filter((i) => /^c\d+$/.test(i.metadata.name ?? '')).length, 11);
    assert.equal(Number(body.metadata.resourceVersion), store.currentRevision());
  });

  test('kubectl get --raw shows the Expired ERROR line of such a watch', { skip: kubectlAvailable() ? false : 'kubectl is not installed' }, async () => {
    // Asynchronously: the server runs in this process.
    const { execFile } = await import('node:child_process');
    const r = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        'kubectl',
        ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'get', '--raw', '/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&timeoutSeconds=5'],
        { encoding: 'utf8', timeout: 20_000 },
        (err, stdout, stderr) => resolve({ status: err ? 1 : 0, stdout, stderr }),
      );
    });
    assert.equal(r.status, 0, r.stderr);
    const line = JSON.parse(r.stdout.trim()) as { type: string; object: { code: number; reason: string; message: string } };
    assert.equal(line.type, 'ERROR');
    assert.equal(line.object.code, 410);
    assert.equal(line.object.reason, 'Expired');
    assert.match(line.object.message, /^too old resource version: 1 \(\d+\)$/);
  });

  test('kubectl wait (informer list + watch) completes while the history is overrun', { skip: kubectlAvailable() ? false : 'kubectl is not installed' }, async () => {
    const { spawn } = await import('node:child_process');
    await client.create(CONFIGMAPS, 'default', cm('waited'));
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, 'cache'), 'wait', '--for=jsonpath={.data.k}=done', 'configmap/waited', '--timeout=20s'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let errText = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (errText += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('close', (code) => r(code)));
    await new Promise((r) => setTimeout(r, 1500));
    // Overrun the 5-event history while kubectl watches, then make the change it waits for.
    for (let i = 0; i < 8; i++) await client.create(CONFIGMAPS, 'default', cm(`burst${i}`));
    await client.patch(CONFIGMAPS, 'default', 'waited', { data: { k: 'done' } }, 'merge');
    const code = await exited;
    assert.equal(code, 0, errText);
    assert.match(out, /configmap\/waited condition met/);
  });
});
