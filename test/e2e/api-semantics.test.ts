/**
 * API machinery conformance against a real `switchyard server`, driven by the
 * real kubectl and by raw HTTPS: watch resume and replay, bookmarks, paging,
 * selectors, server-side dry run, optimistic concurrency, generateName,
 * finalizers, deletecollection, discovery and explain, bad requests, the
 * scale and status subresources, managedFields and apply conflicts.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync } from 'node:fs';
import type { KubeObject } from '../../src/api/object.js';
import { KubeClient, isConflict, type ResourceRef, type WatchEvent } from '../../src/client/kube-client.js';
import { loadKubeconfig } from '../../src/client/kubeconfig.js';
import { type RawResponse, rawClient, statusOf } from './api-helpers.js';
import { TestServer, kubectlAvailable, tableRows } from './harness.js';

const skip = kubectlAvailable() ? false : 'kubectl is not installed on this machine';

const CONFIGMAPS: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };
const SERVICES: ResourceRef = { group: '', version: 'v1', plural: 'services', namespaced: true };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Collects a watch's events until the server ends it (timeoutSeconds) or `until` holds. */
async function collectWatch(
  client: KubeClient,
  res: ResourceRef,
  ns: string,
  opts: { resourceVersion?: string; timeoutSeconds: number; allowWatchBookmarks?: boolean; labelSelector?: string },
  until?: (events: WatchEvent[]) => boolean,
  during?: () => Promise<void>,
): Promise<WatchEvent[]> {
  const events: WatchEvent[] = [];
  const stop = new AbortController();
  const done = client.watch(
    res,
    ns,
    opts,
    (ev) => {
      events.push(ev);
      if (until?.(events)) stop.abort();
    },
    stop.signal,
  );
  if (during) await during();
  await done;
  return events;
}

const nameOf = (ev: WatchEvent): string => ((ev.object as KubeObject).metadata?.name ?? '') as string;
const rvOf = (o: unknown): number => Number((o as KubeObject).metadata.resourceVersion);

describe('API semantics (kubectl and raw HTTPS against a real server)', { skip }, () => {
  const server = new TestServer();
  let client: KubeClient;
  let raw: (r: Parameters<ReturnType<typeof rawClient>>[0]) => Promise<RawResponse>;

  before(async () => {
    await server.start();
    client = new KubeClient(loadKubeconfig(server.kubeconfig), { component: 'api-semantics-test' });
    raw = rawClient(server.kubeconfig);
    for (const ns of ['watch', 'paging', 'sel', 'dry', 'misc']) await server.ok(['create', 'namespace', ns]);
  });
  after(async () => {
    client?.close();
    await server.stop();
    server.cleanup();
  });

  const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = { k: 'v' }): KubeObject => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, labels },
    data,
  });

  describe('watch', () => {
    let rvAfterA = 0;
    before(async () => {
      const a = await client.create(CONFIGMAPS, 'watch', cm('a'));
      rvAfterA = rvOf(a);
      await client.patch(CONFIGMAPS, 'watch', 'a', { data: { k: 'v2' } }, 'merge');
      await client.create(CONFIGMAPS, 'watch', cm('b'));
      const del = await client.create(CONFIGMAPS, 'watch', cm('gone'));
      await client.delete(CONFIGMAPS, 'watch', 'gone');
      assert.ok(rvOf(del) > rvAfterA);
    });

    test('resuming from a resourceVersion sends only the changes after it, in order', async () => {
      const events = await collectWatch(client, CONFIGMAPS, 'watch', { resourceVersion: String(rvAfterA), timeoutSeconds: 1 }, (e) => e.length >= 4);
      assert.deepEqual(
        events.map((e) => `${e.type} ${nameOf(e)}`),
        ['MODIFIED a', 'ADDED b', 'ADDED gone', 'DELETED gone'],
      );
      const rvs = events.map((e) => rvOf(e.object));
      assert.ok(rvs.every((rv) => rv > rvAfterA), `every event is newer than ${rvAfterA}: ${rvs.join(',')}`);
      assert.deepEqual([...rvs].sort((x, y) => x - y), rvs, 'revision order');
      assert.equal((events[0]?.object as { data?: { k?: string } }).data?.k, 'v2');
    });

    test('resourceVersion=0 replays the current objects as ADDED, then streams live changes', async () => {
      const events = await collectWatch(
        client,
        CONFIGMAPS,
        'watch',
        { resourceVersion: '0', timeoutSeconds: 5 },
        (e) => e.some((x) => x.type === 'ADDED' && nameOf(x) === 'late'),
        async () => {
          await sleep(300);
          await client.create(CONFIGMAPS, 'watch', cm('late'));
        },
      );
      const replay = events.filter((e) => nameOf(e) !== 'late' && nameOf(e) !== 'kube-root-ca.crt');
      assert.deepEqual(replay.map((e) => `${e.type} ${nameOf(e)}`).sort(), ['ADDED a', 'ADDED b'], 'current objects only, as ADDED');
      assert.equal((replay.find((e) => nameOf(e) === 'a')?.object as { data?: { k?: string } }).data?.k, 'v2', 'in their current state');
      assert.equal(events[events.length - 1]?.type, 'ADDED');
      assert.equal(nameOf(events[events.length - 1] as WatchEvent), 'late');
    });

    test('a label-selected watch sees an object leave the selector as DELETED', async () => {
      await client.create(CONFIGMAPS, 'watch', cm('sel', { team: 'a' }));
      const from = (await client.list(CONFIGMAPS, 'watch')).metadata.resourceVersion ?? '';
      const events = await collectWatch(
        client,
        CONFIGMAPS,
        'watch',
        { resourceVersion: from, timeoutSeconds: 5, labelSelector: 'team=a' },
        (e) => e.length >= 2,
        async () => {
          await sleep(200);
          await client.patch(CONFIGMAPS, 'watch', 'sel', { data: { k: 'x' } }, 'merge');
          await client.patch(CONFIGMAPS, 'watch', 'sel', { metadata: { labels: { team: 'b' } } }, 'merge');
        },
      );
      assert.deepEqual(events.map((e) => `${e.type} ${nameOf(e)}`), ['MODIFIED sel', 'DELETED sel']);
    });

    test('allowWatchBookmarks: a BOOKMARK with the latest resourceVersion arrives before the timeout', async () => {
      const from = (await client.list(CONFIGMAPS, 'watch')).metadata.resourceVersion ?? '';
      const started = Date.now();
      const events = await collectWatch(client, CONFIGMAPS, 'watch', { resourceVersion: from, timeoutSeconds: 3, allowWatchBookmarks: true }, undefined, async () => {
        await sleep(200);
        await client.create(CONFIGMAPS, 'watch', cm('bm'));
      });
      const elapsed = Date.now() - started;
      const bookmarks = events.filter((e) => e.type === 'BOOKMARK');
      assert.ok(bookmarks.length >= 1, `got ${events.map((e) => e.type).join(',')}`);
      const bm = bookmarks[0]?.object as { kind?: string; apiVersion?: string; metadata?: { resourceVersion?: string } };
      assert.equal(bm.kind, 'ConfigMap');
      assert.equal(bm.apiVersion, 'v1');
      const added = events.find((e) => e.type === 'ADDED');
      assert.ok(added, 'the create was seen');
      assert.ok(Number(bm.metadata?.resourceVersion) >= rvOf(added.object), 'bookmark is at least as new as the last event');
      assert.ok(elapsed >= 2_500 && elapsed < 10_000, `the server ended the watch at its timeout (${elapsed} ms)`);
      // Without the parameter there are none.
      const plain = await collectWatch(client, CONFIGMAPS, 'watch', { resourceVersion: from, timeoutSeconds: 3 });
      assert.equal(plain.filter((e) => e.type === 'BOOKMARK').length, 0);
    });

    test('kubectl get -w --output-watch-events prints live events', async () => {
      const { spawn } = await import('node:child_process');
      const child = spawn(
        'kubectl',
        ['--kubeconfig', server.kubeconfig, '--cache-dir', server.cacheDir, 'get', 'cm', '-n', 'watch', '-w', '--output-watch-events', '--watch-only'],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      try {
        await sleep(1500);
        await client.create(CONFIGMAPS, 'watch', cm('kubectl-w'));
        await client.delete(CONFIGMAPS, 'watch', 'kubectl-w');
        const deadline = Date.now() + 10_000;
        while (!/DELETED\s+kubectl-w/.test(out) && Date.now() < deadline) await sleep(50);
        assert.match(out, /ADDED\s+kubectl-w\s+1\s/);
        assert.match(out, /DELETED\s+kubectl-w/);
      } finally {
        child.kill('SIGTERM');
      }
    });
  });

  describe('paging', () => {
    before(async () => {
      for (let i = 0; i < 5; i++) await client.create(SERVICES, 'paging', { apiVersion: 'v1', kind: 'Service', metadata: { name: `s${i}` }, spec: { ports: [{ port: 80 + i }] } });
    });

    test('limit and continue return every item once, with remainingItemCount', async () => {
      const first = await raw({ path: '/api/v1/namespaces/paging/services?limit=2' });
      assert.equal(first.status, 200);
      const body = first.json as { items: KubeObject[]; metadata: { continue?: string; remainingItemCount?: number; resourceVersion: string } };
      assert.deepEqual(body.items.map((i) => i.metadata.name), ['s0', 's1']);
      assert.equal(body.metadata.remainingItemCount, 3);
      assert.ok(body.metadata.continue);
      const names = body.items.map((i) => i.metadata.name);
      let cont: string | undefined = body.metadata.continue;
      while (cont) {
        const page = (await raw({ path: `/api/v1/namespaces/paging/services?limit=2&continue=${encodeURIComponent(cont)}` })).json as typeof body;
        names.push(...page.items.map((i) => i.metadata.name));
        cont = page.metadata.continue;
        if (!cont) assert.equal(page.metadata.remainingItemCount, undefined);
      }
      assert.deepEqual(names, ['s0', 's1', 's2', 's3', 's4']);
      const both = await raw({ path: `/api/v1/namespaces/paging/services?limit=2&resourceVersion=1&continue=${encodeURIComponent(body.metadata.continue ?? '')}` });
      assert.equal(both.status, 400);
      assert.equal(statusOf(both).message, 'specifying resource version is not allowed when using continue');
      const bad = await raw({ path: '/api/v1/namespaces/paging/services?limit=2&continue=garbage' });
      assert.equal(bad.status, 400);
      assert.equal(statusOf(bad).reason, 'BadRequest');
    });

    test('every page of a paged LIST shows the first page\'s snapshot', async () => {
      const first = await raw({ path: '/api/v1/namespaces/paging/services?limit=2' });
      const body = first.json as { items: KubeObject[]; metadata: { continue?: string; resourceVersion: string } };
      assert.deepEqual(body.items.map((i) => i.metadata.name), ['s0', 's1']);
      // Changes after the first page: one of the remaining objects goes, a new one sorts among them.
      await client.delete(SERVICES, 'paging', 's3');
      await client.create(SERVICES, 'paging', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's2a' }, spec: { ports: [{ port: 99 }] } });
      const rest: string[] = [];
      let cont = body.metadata.continue;
      while (cont) {
        const page = (await raw({ path: `/api/v1/namespaces/paging/services?limit=2&continue=${encodeURIComponent(cont)}` })).json as typeof body;
        assert.equal(page.metadata.resourceVersion, body.metadata.resourceVersion, 'every page reports the snapshot revision');
        rest.push(...page.items.map((i) => i.metadata.name ?? ''));
        cont = page.metadata.continue;
      }
      assert.deepEqual(rest, ['s2', 's3', 's4']);
      // A fresh LIST sees the changes; put things back for the next test.
      const now = (await raw({ path: '/api/v1/namespaces/paging/services' })).json as typeof body;
      assert.deepEqual(now.items.map((i) => i.metadata.name), ['s0', 's1', 's2', 's2a', 's4']);
      await client.delete(SERVICES, 'paging', 's2a');
      await client.create(SERVICES, 'paging', { apiVersion: 'v1', kind: 'Service', metadata: { name: 's3' }, spec: { ports: [{ port: 83 }] } });
    });

    test('resourceVersionMatch=Exact lists the snapshot at that version; a future version is 504', async () => {
      const before = (await raw({ path: '/api/v1/namespaces/paging/services' })).json as { items: KubeObject[]; metadata: { resourceVersion: string } };
      const rv = before.metadata.resourceVersion;
      await client.create(SERVICES, 'paging', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'exact-later' }, spec: { ports: [{ port: 99 }] } });
      const exact = await raw({ path: `/api/v1/namespaces/paging/services?resourceVersion=${rv}&resourceVersionMatch=Exact` });
      assert.equal(exact.status, 200, exact.text);
      const body = exact.json as typeof before;
      assert.equal(body.metadata.resourceVersion, rv);
      assert.deepEqual(body.items.map((i) => i.metadata.name), before.items.map((i) => i.metadata.name));
      const latest = (await raw({ path: `/api/v1/namespaces/paging/services?resourceVersion=${rv}&resourceVersionMatch=NotOlderThan` })).json as typeof before;
      assert.ok(latest.items.some((i) => i.metadata.name === 'exact-later'));
      const bad = await raw({ path: '/api/v1/namespaces/paging/services?resourceVersionMatch=Exact' });
      assert.equal(bad.status, 422);
      assert.equal(statusOf(bad).message, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
      const future = await raw({ path: `/api/v1/namespaces/paging/services?resourceVersion=${Number(latest.metadata.resourceVersion) + 1000}` });
      assert.equal(future.status, 504);
      assert.match(statusOf(future).message ?? '', /^Too large resource version: \d+, current: \d+$/);
      await client.delete(SERVICES, 'paging', 'exact-later');
    });

    test('kubectl get --chunk-size=2 follows continue tokens (Table pages)', async () => {
      const rows = tableRows(await server.ok(['get', 'svc', '-n', 'paging', '--chunk-size=2']));
      assert.deepEqual(rows[0], ['NAME', 'TYPE', 'CLUSTER-IP', 'EXTERNAL-IP', 'PORT(S)', 'AGE']);
      assert.deepEqual(rows.slice(1).map((r) => r[0]), ['s0', 's1', 's2', 's3', 's4']);
      const names = (await server.ok(['get', 'svc', '-n', 'paging', '--chunk-size=2', '-o', 'name'])).trim().split('\n');
      assert.deepEqual(names, ['service/s0', 'service/s1', 'service/s2', 'service/s3', 'service/s4']);
    });
  });

  describe('selectors', () => {
    before(async () => {
      const items: [string, Record<string, string>][] = [
        ['web-prod', { app: 'web', tier: 'frontend', env: 'prod' }],
        ['web-dev', { app: 'web', tier: 'frontend', env: 'dev' }],
        ['db-prod', { app: 'db', tier: 'backend', env: 'prod' }],
        ['plain', {}],
      ];
      for (const [name, labels] of items) await client.create(CONFIGMAPS, 'sel', cm(name, labels));
    });

    const cases: { selector: string; expect: string[] }[] = [
      { selector: 'app=web', expect: ['web-dev', 'web-prod'] },
      { selector: 'app==web', expect: ['web-dev', 'web-prod'] },
      { selector: 'app!=web', expect: ['db-prod', 'kube-root-ca.crt', 'plain'] },
      { selector: 'env in (prod,staging)', expect: ['db-prod', 'web-prod'] },
      { selector: 'env notin (prod)', expect: ['kube-root-ca.crt', 'plain', 'web-dev'] },
      { selector: 'tier', expect: ['db-prod', 'web-dev', 'web-prod'] },
      { selector: '!tier', expect: ['kube-root-ca.crt', 'plain'] },
      { selector: 'app=web,env=prod', expect: ['web-prod'] },
      { selector: 'app=web,!env', expect: [] },
    ];
    for (const c of cases) {
      test(`kubectl get -l '${c.selector}'`, async () => {
        const r = await server.kubectl(['get', 'cm', '-n', 'sel', '-l', c.selector, '-o', 'name']);
        assert.equal(r.code, 0, r.stderr);
        const names = r.stdout.trim().split('\n').filter(Boolean).map((n) => n.replace('configmap/', ''));
        // kube-root-ca.crt exists only if a controller publishes it; compare without it.
        assert.deepEqual(names.filter((n) => n !== 'kube-root-ca.crt').sort(), c.expect.filter((n) => n !== 'kube-root-ca.crt').sort());
      });
    }

    test('an invalid label selector is a 400 and kubectl reports it', async () => {
      const r = await raw({ path: `/api/v1/namespaces/sel/configmaps?labelSelector=${encodeURIComponent('app in (')}` });
      assert.equal(r.status, 400);
      assert.equal(statusOf(r).reason, 'BadRequest');
    });

    test('field selectors: metadata.name, and pods by spec.nodeName and status.phase', async () => {
      const one = await server.ok(['get', 'cm', '-n', 'sel', '--field-selector', 'metadata.name=db-prod', '-o', 'name']);
      assert.equal(one.trim(), 'configmap/db-prod');
      const notOne = await server.ok(['get', 'cm', '-n', 'sel', '--field-selector', 'metadata.name!=db-prod', '-o', 'name']);
      assert.ok(!notOne.includes('db-prod') && notOne.includes('web-prod'));
      const pod = (name: string, nodeName: string): KubeObject => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name },
        spec: { nodeName, containers: [{ name: 'c', image: 'busybox' }] },
      });
      const PODS: ResourceRef = { group: '', version: 'v1', plural: 'pods', namespaced: true };
      await client.create(PODS, 'sel', pod('on-1-running', 'node-1'));
      await client.create(PODS, 'sel', pod('on-1-done', 'node-1'));
      await client.create(PODS, 'sel', pod('on-2', 'node-2'));
      for (let attempt = 0; ; attempt++) {
        const done = await client.get(PODS, 'sel', 'on-1-done');
        try {
          await client.updateStatus(PODS, 'sel', { ...done, status: { ...(done.status as object), phase: 'Succeeded' } });
          break;
        } catch (e) {
          if (!isConflict(e) || attempt >= 10) throw e;
        }
      }
      const sel = 'spec.nodeName=node-1,status.phase!=Succeeded,status.phase!=Failed';
      assert.equal((await server.ok(['get', 'pods', '-n', 'sel', '--field-selector', sel, '-o', 'name'])).trim(), 'pod/on-1-running');
      const onNode1 = (await client.list(PODS, 'sel', { fieldSelector: 'spec.nodeName=node-1' })).items.map((p) => p.metadata.name).sort();
      assert.deepEqual(onNode1, ['on-1-done', 'on-1-running']);
      const bad = await raw({ path: '/api/v1/namespaces/sel/pods?fieldSelector=spec.bogus%3Dx' });
      assert.equal(bad.status, 400);
      assert.match(statusOf(bad).message ?? '', /field label not supported: spec\.bogus/);
    });
  });

  describe('server-side dry run', () => {
    const manifest = 'apiVersion: v1\nkind: Service\nmetadata: {name: dry, namespace: dry}\nspec:\n  ports: [{port: 80}]\n';

    test('create, apply and server-side apply persist nothing and say "(server dry run)"', async () => {
      const file = server.writeFile('dry.yaml', manifest);
      assert.match(await server.ok(['create', '-f', file, '--dry-run=server']), /^service\/dry created \(server dry run\)$/m);
      assert.match(await server.ok(['apply', '-f', file, '--dry-run=server']), /^service\/dry created \(server dry run\)$/m);
      assert.match(await server.ok(['apply', '--server-side', '-f', file, '--dry-run=server']), /^service\/dry serverside-applied \(server dry run\)$/m);
      const dryOut = JSON.parse(await server.ok(['create', '-f', file, '--dry-run=server', '-o', 'json'])) as { spec: { clusterIP: string } };
      assert.match(dryOut.spec.clusterIP, /^10\./, 'defaults and allocation happen in a dry run');
      const gone = await server.kubectl(['get', 'svc', 'dry', '-n', 'dry']);
      assert.match(gone.stderr, /NotFound/);
      // The IP shown by the dry run is not held: creating it for real gets it or another, never an error.
      assert.match(await server.ok(['create', '-f', file]), /service\/dry created/);
    });

    test('delete --dry-run=server keeps the object; a dry-run update changes nothing', async () => {
      assert.match(await server.ok(['delete', 'svc', 'dry', '-n', 'dry', '--dry-run=server']), /service "dry" deleted \(server dry run\)/);
      const before = JSON.parse(await server.ok(['get', 'svc', 'dry', '-n', 'dry', '-o', 'json'])) as KubeObject;
      assert.match(await server.ok(['label', 'svc', 'dry', '-n', 'dry', 'x=y', '--dry-run=server']), /labeled \(server dry run\)/);
      const after = JSON.parse(await server.ok(['get', 'svc', 'dry', '-n', 'dry', '-o', 'json'])) as KubeObject;
      assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
      assert.equal(after.metadata.labels?.x, undefined);
      const bad = await raw({ method: 'DELETE', path: '/api/v1/namespaces/dry/services/dry?dryRun=Some' });
      assert.equal(bad.status, 400);
    });
  });

  describe('writes', () => {
    test('PUT with a stale resourceVersion is a 409 Conflict with the upstream message', async () => {
      const created = await client.create(CONFIGMAPS, 'misc', cm('occ'));
      await client.patch(CONFIGMAPS, 'misc', 'occ', { data: { k: 'new' } }, 'merge');
      const stale = { ...created, data: { k: 'stale' } };
      const r = await raw({ method: 'PUT', path: '/api/v1/namespaces/misc/configmaps/occ', body: JSON.stringify(stale), contentType: 'application/json' });
      assert.equal(r.status, 409);
      const s = statusOf(r);
      assert.equal(s.reason, 'Conflict');
      assert.equal(
        s.message,
        'Operation cannot be fulfilled on configmaps "occ": the object has been modified; please apply your changes to the latest version and try again',
      );
      const current = await client.get(CONFIGMAPS, 'misc', 'occ');
      assert.equal((current as { data?: { k?: string } }).data?.k, 'new');
      // With the current resourceVersion the same PUT succeeds and bumps it.
      const ok = await client.update(CONFIGMAPS, 'misc', { ...current, data: { k: 'fresh' } });
      assert.ok(rvOf(ok) > rvOf(current));
    });

    test('kubectl create -f with generateName gets a generated name', async () => {
      const file = server.writeFile('gen.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {generateName: gen-, namespace: misc}\ndata: {a: b}\n');
      const out = await server.ok(['create', '-f', file]);
      const m = /^configmap\/(gen-[a-z0-9]{5}) created$/m.exec(out);
      assert.ok(m, out);
      const again = await server.ok(['create', '-f', file]);
      assert.notEqual(/configmap\/(\S+) created/.exec(again)?.[1], m[1]);
      assert.equal((await client.get(CONFIGMAPS, 'misc', m[1] as string)).metadata.generateName, 'gen-');
    });

    test('finalizers hold a deleted object with deletionTimestamp until removed', async () => {
      await client.create(CONFIGMAPS, 'misc', { ...cm('held'), metadata: { name: 'held', finalizers: ['example.com/hold'] } });
      assert.match(await server.ok(['delete', 'cm', 'held', '-n', 'misc', '--wait=false']), /configmap "held" deleted/);
      const held = await client.get(CONFIGMAPS, 'misc', 'held');
      assert.ok(held.metadata.deletionTimestamp, 'deletionTimestamp is set');
      assert.deepEqual(held.metadata.finalizers, ['example.com/hold']);
      // Other changes are still allowed; new finalizers are not.
      await client.patch(CONFIGMAPS, 'misc', 'held', { metadata: { labels: { still: 'here' } } }, 'merge');
      const addFin = await raw({
        method: 'PATCH',
        path: '/api/v1/namespaces/misc/configmaps/held',
        body: JSON.stringify({ metadata: { finalizers: ['example.com/hold', 'example.com/more'] } }),
        contentType: 'application/merge-patch+json',
      });
      assert.equal(addFin.status, 422, addFin.text);
      // A kubectl delete that waits finishes once the finalizer goes.
      const waiting = server.kubectl(['delete', 'cm', 'held', '-n', 'misc', '--timeout=20s']);
      await sleep(1000);
      await client.patch(CONFIGMAPS, 'misc', 'held', { metadata: { finalizers: null } }, 'merge');
      const r = await waiting;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /configmap "held" deleted/);
      const gone = await raw({ path: '/api/v1/namespaces/misc/configmaps/held' });
      assert.equal(gone.status, 404);
    });

    test('DELETE on a collection with a labelSelector deletes only the matching objects', async () => {
      for (const [name, labels] of [['dc-1', { batch: 'x' }], ['dc-2', { batch: 'x' }], ['dc-3', { batch: 'y' }]] as const) {
        await client.create(CONFIGMAPS, 'misc', cm(name, labels));
      }
      const r = await raw({ method: 'DELETE', path: '/api/v1/namespaces/misc/configmaps?labelSelector=batch%3Dx' });
      assert.equal(r.status, 200, r.text);
      const body = r.json as { kind: string; items: KubeObject[] };
      assert.equal(body.kind, 'ConfigMapList');
      assert.deepEqual(body.items.map((i) => i.metadata.name).sort(), ['dc-1', 'dc-2']);
      const left = (await client.list(CONFIGMAPS, 'misc', { labelSelector: 'batch' })).items.map((i) => i.metadata.name);
      assert.deepEqual(left, ['dc-3']);
    });

    test('the status subresource ignores spec changes and the main resource ignores status changes', async () => {
      const DEPLOY: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true };
      await server.ok(['create', 'deployment', 'st', '--image=nginx', '-n', 'misc']);
      // The deployment controller writes this object's status too: retry on conflict, as client-go's RetryOnConflict.
      const retry = async (write: (cur: KubeObject) => Promise<KubeObject>): Promise<{ before: KubeObject; after: KubeObject }> => {
        for (let attempt = 0; ; attempt++) {
          const before = await client.get(DEPLOY, 'misc', 'st');
          try {
            return { before, after: await write(before) };
          } catch (e) {
            if (!isConflict(e) || attempt >= 10) throw e;
          }
        }
      };
      const viaStatus = await retry((d) =>
        client.updateStatus(
          DEPLOY,
          'misc',
          {
            ...d,
            spec: { ...(d.spec as object), replicas: 7 },
            status: { ...(d.status as object), observedGeneration: 99, conditions: [{ type: 'Available', status: 'False', reason: 'Test', message: 'from test' }] },
          },
          { fieldManager: 'test' },
        ),
      );
      assert.equal((viaStatus.after.spec as { replicas: number }).replicas, 1, 'spec unchanged through /status');
      assert.equal((viaStatus.after.status as { observedGeneration: number }).observedGeneration, 99);
      assert.equal(viaStatus.after.metadata.generation, viaStatus.before.metadata.generation, 'generation unchanged');
      const viaMain = await retry((cur) =>
        client.update(DEPLOY, 'misc', { ...cur, spec: { ...(cur.spec as object), replicas: 2 }, status: { observedGeneration: 4242 } }),
      );
      assert.equal((viaMain.after.spec as { replicas: number }).replicas, 2);
      assert.equal(viaMain.after.metadata.generation, (viaMain.before.metadata.generation ?? 0) + 1, 'a spec change bumps generation');
      assert.notEqual((viaMain.after.status as { observedGeneration?: number }).observedGeneration, 4242, 'status unchanged through the main resource');
    });

    test('kubectl scale uses the scale subresource; --current-replicas is checked', async () => {
      await server.ok(['create', 'deployment', 'sc', '--image=nginx', '-n', 'misc']);
      assert.match(await server.ok(['scale', 'deployment', 'sc', '-n', 'misc', '--replicas=3']), /deployment\.apps\/sc scaled/);
      const scale = await raw({ path: '/apis/apps/v1/namespaces/misc/deployments/sc/scale' });
      const s = scale.json as { kind: string; apiVersion: string; spec: { replicas: number }; status: { selector: string } };
      assert.equal(s.kind, 'Scale');
      assert.equal(s.apiVersion, 'autoscaling/v1');
      assert.equal(s.spec.replicas, 3);
      assert.equal(s.status.selector, 'app=sc');
      const wrong = await server.kubectl(['scale', 'deployment', 'sc', '-n', 'misc', '--current-replicas=2', '--replicas=5']);
      assert.equal(wrong.code, 1);
      assert.match(wrong.stderr, /Expected replicas to be 2, was 3/);
      assert.match(await server.ok(['scale', 'deployment', 'sc', '-n', 'misc', '--current-replicas=3', '--replicas=5']), /scaled/);
      assert.equal(JSON.parse(await server.ok(['get', 'deploy', 'sc', '-n', 'misc', '-o', 'json'])).spec.replicas, 5);
      // A stale resourceVersion on PUT …/scale (no Content-Type, as kubectl sends it) is a 409.
      const stale = { ...s, metadata: { ...(scale.json as KubeObject).metadata, resourceVersion: '1' }, spec: { replicas: 9 } };
      const put = await raw({ method: 'PUT', path: '/apis/apps/v1/namespaces/misc/deployments/sc/scale', body: JSON.stringify(stale) });
      assert.equal(put.status, 409);
      const missing = await server.kubectl(['scale', 'deployment', 'nope', '-n', 'misc', '--replicas=1']);
      assert.match(missing.stderr, /deployments\.apps "nope" not found/);
    });

    test('apply records managedFields; SSA conflicts with a kubectl-edit field and --force-conflicts takes it', async () => {
      const manifest = 'apiVersion: v1\nkind: Service\nmetadata: {name: owned, namespace: misc}\nspec:\n  ports: [{port: 80, protocol: TCP, targetPort: 8080}]\n';
      const file = server.writeFile('owned.yaml', manifest);
      assert.match(await server.ok(['apply', '--server-side', '-f', file]), /service\/owned serverside-applied/);
      const hidden = await server.ok(['get', 'svc', 'owned', '-n', 'misc', '-o', 'yaml']);
      assert.doesNotMatch(hidden, /managedFields/, 'hidden by default');
      const shown = await server.ok(['get', 'svc', 'owned', '-n', 'misc', '-o', 'yaml', '--show-managed-fields']);
      assert.match(shown, /manager: kubectl\n\s+operation: Apply/);
      assert.match(shown, /k:\{"port":80,"protocol":"TCP"\}:/);
      const editor = server.writeFile('edit-target.sh', '#!/bin/sh\nsed -i "s/targetPort: 8080/targetPort: 9090/" "$1"\n');
      chmodSync(editor, 0o755);
      assert.match(await server.ok(['edit', 'svc', 'owned', '-n', 'misc'], { env: { KUBE_EDITOR: editor } }), /service\/owned edited/);
      const edited = JSON.parse(await server.ok(['get', 'svc', 'owned', '-n', 'misc', '-o', 'json', '--show-managed-fields'])) as KubeObject;
      assert.ok(edited.metadata.managedFields?.some((m) => m.manager === 'kubectl-edit' && m.operation === 'Update'));
      const conflict = await server.kubectl(['apply', '--server-side', '-f', file]);
      assert.equal(conflict.code, 1);
      assert.match(
        conflict.stderr,
        /error: Apply failed with 1 conflict: conflict with "kubectl-edit" using v1: \.spec\.ports\[port=80,protocol="TCP"\]\.targetPort/,
      );
      assert.match(conflict.stderr, /--force-conflicts/);
      assert.match(await server.ok(['apply', '--server-side', '--force-conflicts', '-f', file]), /serverside-applied/);
      const forced = JSON.parse(await server.ok(['get', 'svc', 'owned', '-n', 'misc', '-o', 'json', '--show-managed-fields'])) as {
        spec: { ports: { targetPort: number }[] };
        metadata: KubeObject['metadata'];
      };
      assert.equal(forced.spec.ports[0]?.targetPort, 8080);
      assert.ok(!forced.metadata.managedFields?.some((m) => m.manager === 'kubectl-edit'), 'kubectl-edit lost its only field');
    });
  });

  describe('discovery and explain', () => {
    test('kubectl api-versions and api-resources', async () => {
      const versions = (await server.ok(['api-versions'])).trim().split('\n');
      for (const v of ['v1', 'apps/v1', 'discovery.k8s.io/v1', 'networking.k8s.io/v1', 'coordination.k8s.io/v1']) assert.ok(versions.includes(v), v);
      const rows = tableRows(await server.ok(['api-resources']));
      assert.deepEqual(rows[0], ['NAME', 'SHORTNAMES', 'APIVERSION', 'NAMESPACED', 'KIND']);
      const row = (name: string, apiVersion: string): string[] | undefined => rows.find((r) => r[0] === name && r.includes(apiVersion));
      assert.deepEqual(row('services', 'v1'), ['services', 'svc', 'v1', 'true', 'Service']);
      assert.deepEqual(row('deployments', 'apps/v1'), ['deployments', 'deploy', 'apps/v1', 'true', 'Deployment']);
      assert.deepEqual(row('namespaces', 'v1'), ['namespaces', 'ns', 'v1', 'false', 'Namespace']);
      assert.deepEqual(row('endpointslices', 'discovery.k8s.io/v1'), ['endpointslices', 'discovery.k8s.io/v1', 'true', 'EndpointSlice']);
      const namespaced = (await server.ok(['api-resources', '--namespaced=false', '-o', 'name'])).trim().split('\n');
      assert.ok(namespaced.includes('nodes') && !namespaced.includes('pods'));
      const wide = await server.ok(['api-resources', '-o', 'wide']);
      assert.match(wide, /^services\s+svc\s+v1\s+true\s+Service\s+create,delete,deletecollection,get,list,patch,update,watch\s+all$/m);
    });

    test('kubectl get all lists the "all" category with type prefixes', async () => {
      const out = await server.ok(['get', 'all', '-n', 'misc']);
      assert.match(out, /^service\/owned\s+ClusterIP/m);
      assert.match(out, /^deployment\.apps\/sc\s/m);
      assert.match(out, /^replicaset\.apps\/sc-[a-z0-9]+\s/m);
      assert.doesNotMatch(out, /configmap\//, 'configmaps are not in "all"');
    });

    test('kubectl explain deployment.spec.strategy', async () => {
      const out = await server.ok(['explain', 'deployment.spec.strategy']);
      assert.match(out, /GROUP:\s+apps/);
      assert.match(out, /KIND:\s+Deployment/);
      assert.match(out, /VERSION:\s+v1/);
      assert.match(out, /FIELD: strategy <DeploymentStrategy>/);
      assert.match(out, /rollingUpdate\s+<RollingUpdateDeployment>/);
      assert.match(out, /type\s+<string>\n\s+enum: Recreate, RollingUpdate/);
    });

    test('an unknown resource type', async () => {
      const r = await server.kubectl(['get', 'foo']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /error: the server doesn't have a resource type "foo"/);
      const http = await raw({ path: '/api/v1/namespaces/default/foos' });
      assert.equal(http.status, 404);
      assert.equal(statusOf(http).reason, 'NotFound');
    });
  });

  describe('bad requests', () => {
    const post = (path: string, body: string | Buffer, contentType = 'application/json'): Promise<RawResponse> =>
      raw({ method: 'POST', path, body, contentType });

    test('malformed JSON and YAML are 400 BadRequest, and the server keeps serving', async () => {
      const cases: { name: string; body: string; contentType: string }[] = [
        { name: 'truncated JSON', body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"', contentType: 'application/json' },
        { name: 'not an object', body: '[1,2,3]', contentType: 'application/json' },
        { name: 'bad YAML', body: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n', contentType: 'application/yaml' },
        { name: 'empty body', body: '', contentType: 'application/json' },
        { name: 'metadata not an object', body: '{"apiVersion":"v1","kind":"ConfigMap","metadata":"x"}', contentType: 'application/json' },
      ];
      for (const c of cases) {
        const r = await post('/api/v1/namespaces/misc/configmaps', c.body, c.contentType);
        assert.equal(r.status, 400, `${c.name}: ${r.text}`);
        const s = statusOf(r);
        assert.equal(s.kind, 'Status', c.name);
        assert.equal(s.reason, 'BadRequest', c.name);
        assert.equal(s.code, 400, c.name);
      }
      const patch = await raw({ method: 'PATCH', path: '/api/v1/namespaces/misc/configmaps/dc-3', body: '{"data":', contentType: 'application/merge-patch+json' });
      assert.equal(patch.status, 400);
      const badType = await raw({ method: 'PATCH', path: '/api/v1/namespaces/misc/configmaps/dc-3', body: '{}', contentType: 'text/plain' });
      assert.equal(badType.status, 415);
      assert.equal(statusOf(badType).reason, 'UnsupportedMediaType');
      const r = await server.kubectl(['apply', '-f', server.writeFile('broken.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: [\n')]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /error/);
      assert.match(await server.ok(['get', 'ns', 'misc', '-o', 'name']), /namespace\/misc/);
    });

    test('an Accept header without any API media type is 406 NotAcceptable', async () => {
      for (const path of ['/api/v1/namespaces/misc/configmaps', '/api/v1/namespaces/misc/configmaps/dc-3', '/api/v1/namespaces']) {
        const r = await raw({ path, accept: 'application/xml' });
        assert.equal(r.status, 406, `${path}: ${r.text}`);
        const s = statusOf(r);
        assert.equal(s.reason, 'NotAcceptable');
        assert.equal(s.message, 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
      }
      const ok = await raw({ path: '/api/v1/namespaces/misc/configmaps', accept: 'application/vnd.kubernetes.protobuf, */*' });
      assert.equal(ok.status, 200);
    });

    test('a wrong kind or apiVersion for the URL is a 400', async () => {
      const wrongKind = await post('/api/v1/namespaces/misc/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'w' } }));
      assert.equal(wrongKind.status, 400);
      assert.match(statusOf(wrongKind).message ?? '', /kind/);
      const wrongVersion = await post('/api/v1/namespaces/misc/configmaps', JSON.stringify({ apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 'w' } }));
      assert.equal(wrongVersion.status, 400);
      assert.match(statusOf(wrongVersion).message ?? '', /apps\/v1/);
      assert.equal((await raw({ path: '/api/v1/namespaces/misc/configmaps/w' })).status, 404, 'nothing was created');
    });

    test('a body over 3 MiB is a 413, and the server keeps serving', async () => {
      const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { k: 'x'.repeat(3 * 1024 * 1024 + 10) } });
      const r = await post('/api/v1/namespaces/misc/configmaps', big);
      assert.equal(r.status, 413);
      assert.equal(statusOf(r).code, 413);
      assert.equal(statusOf(r).reason, 'RequestEntityTooLarge');
      assert.equal((await raw({ path: '/api/v1/namespaces/misc/configmaps/big' })).status, 404);
      assert.equal((await raw({ path: '/api/v1/namespaces/misc' })).status, 200);
    });

    test('an unknown subresource and a bad method', async () => {
      assert.equal((await raw({ path: '/api/v1/namespaces/misc/configmaps/dc-3/bogus' })).status, 404);
      const put = await raw({ method: 'PUT', path: '/api/v1/namespaces/misc/configmaps', body: '{}', contentType: 'application/json' });
      assert.equal(put.status, 405);
      assert.equal(statusOf(put).reason, 'MethodNotAllowed');
    });
  });
});
