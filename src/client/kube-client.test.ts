import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../api/object.js';
import { KubeApiError, KubeClient, type PatchType, type ResourceRef, type WatchEvent, isConflict, isNotFound } from './kube-client.js';
import { FakeApiServer } from './testing/fake-api-server.js';

const CM: ResourceRef = { group: '', version: 'v1', plural: 'configmaps', namespaced: true };
const NODES: ResourceRef = { group: '', version: 'v1', plural: 'nodes', namespaced: false };
const DEPLOY: ResourceRef = { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true };

function cm(name: string, data: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data };
}

/** Serves one handler on 127.0.0.1 for the duration of `fn`. */
async function withServer(handler: http.RequestListener, fn: (url: string) => Promise<void>): Promise<void> {
  const srv = http.createServer(handler);
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    await fn(`http://127.0.0.1:${(srv.address() as AddressInfo).port}`);
  } finally {
    srv.closeAllConnections();
    await new Promise<void>((r) => srv.close(() => r()));
  }
}

describe('KubeClient.resourcePath', () => {
  const c = new KubeClient({ server: 'http://127.0.0.1:1/prefix/' });
  after(() => c.close());
  const cases: { name: string; res: ResourceRef; ns?: string; obj?: string; sub?: string; want: string }[] = [
    { name: 'core namespaced collection', res: CM, ns: 'default', want: '/api/v1/namespaces/default/configmaps' },
    { name: 'core object', res: CM, ns: 'default', obj: 'a', want: '/api/v1/namespaces/default/configmaps/a' },
    { name: 'all namespaces', res: CM, ns: '', want: '/api/v1/configmaps' },
    { name: 'cluster-scoped ignores ns', res: NODES, ns: 'default', obj: 'n1', want: '/api/v1/nodes/n1' },
    { name: 'group resource with subresource', res: DEPLOY, ns: 'web', obj: 'd', sub: 'status', want: '/apis/apps/v1/namespaces/web/deployments/d/status' },
    { name: 'name is escaped', res: CM, ns: 'default', obj: 'a b', want: '/api/v1/namespaces/default/configmaps/a%20b' },
  ];
  for (const k of cases) test(k.name, () => assert.equal(c.resourcePath(k.res, k.ns, k.obj, k.sub), k.want));
});

describe('KubeClient against the fake API server', () => {
  const fake = new FakeApiServer();
  let client: KubeClient;
  before(async () => {
    client = new KubeClient({ server: await fake.start(), token: 'secret-token' }, { component: 'test' });
  });
  after(async () => {
    client.close();
    await fake.stop();
  });
  const last = () => {
    const r = fake.requests.at(-1);
    assert.ok(r);
    return r;
  };

  test('create, get, update with a stale resourceVersion (409), delete, 404', async () => {
    const created = await client.create(CM, 'default', cm('one', { a: '1' }), { fieldManager: 'tester' });
    assert.equal(last().method, 'POST');
    assert.equal(last().path, '/api/v1/namespaces/default/configmaps');
    assert.equal(last().query.get('fieldManager'), 'tester');
    assert.equal(last().headers['user-agent'], 'switchyard/test');
    assert.equal(last().headers.authorization, 'Bearer secret-token');
    assert.equal(last().headers['content-type'], 'application/json');
    const got = await client.get(CM, 'default', 'one');
    assert.deepEqual(got.data, { a: '1' });
    const updated = await client.update(CM, 'default', { ...got, data: { a: '2' } });
    assert.notEqual(updated.metadata.resourceVersion, created.metadata.resourceVersion);
    await assert.rejects(client.update(CM, 'default', { ...got, data: { a: '3' } }), (err: unknown) => {
      assert.ok(err instanceof KubeApiError);
      assert.equal(err.code, 409);
      assert.equal(err.reason, 'Conflict');
      assert.ok(isConflict(err));
      assert.match(err.message, /the object has been modified/);
      return true;
    });
    await client.delete(CM, 'default', 'one', { propagationPolicy: 'Background', gracePeriodSeconds: 0, preconditions: { uid: 'u1' } });
    assert.equal(last().method, 'DELETE');
    assert.deepEqual(JSON.parse(last().body), {
      kind: 'DeleteOptions',
      apiVersion: 'v1',
      propagationPolicy: 'Background',
      gracePeriodSeconds: 0,
      preconditions: { uid: 'u1' },
    });
    await assert.rejects(client.get(CM, 'default', 'one'), (err: unknown) => {
      assert.ok(isNotFound(err));
      assert.equal((err as KubeApiError).message, 'configmaps "one" not found');
      return true;
    });
  });

  const patchCases: { type: PatchType; contentType: string; query: Record<string, string> }[] = [
    { type: 'merge', contentType: 'application/merge-patch+json', query: {} },
    { type: 'strategic', contentType: 'application/strategic-merge-patch+json', query: {} },
    { type: 'json', contentType: 'application/json-patch+json', query: {} },
    { type: 'apply', contentType: 'application/apply-patch+yaml', query: { fieldManager: 'switchyard', force: 'true' } },
  ];
  for (const c of patchCases) {
    test(`patch ${c.type} sends ${c.contentType}`, async () => {
      fake.put('/v1/configmaps', cm('p'));
      fake.interceptor = (r) => (r.method === 'PATCH' ? { code: 200, body: cm('p') } : undefined);
      try {
        await client.patch(CM, 'default', 'p', { data: { x: 'y' } }, c.type, { force: true, subresource: c.type === 'merge' ? 'status' : undefined });
      } finally {
        fake.interceptor = undefined;
      }
      assert.equal(last().headers['content-type'], c.contentType);
      assert.equal(last().path, `/api/v1/namespaces/default/configmaps/p${c.type === 'merge' ? '/status' : ''}`);
      assert.deepEqual(Object.fromEntries(last().query), c.query);
    });
  }

  test('merge patch is applied by the server', async () => {
    fake.put('/v1/configmaps', cm('m', { a: '1', b: '2' }));
    const out = await client.patch(CM, 'default', 'm', { data: { b: null, c: '3' } }, 'merge');
    assert.deepEqual(out.data, { a: '1', c: '3' });
  });

  test('list follows continue tokens when asked, and returns one page otherwise', async () => {
    for (let i = 0; i < 7; i++) fake.put('/v1/configmaps', { ...cm(`page-${i}`), metadata: { name: `page-${i}`, namespace: 'paged' } });
    const before = fake.requests.length;
    const all = await client.list(CM, 'paged', { limit: 3, followContinue: true });
    assert.equal(all.items.length, 7);
    assert.equal(fake.requests.length - before, 3);
    assert.equal(fake.requests.at(-1)?.query.get('continue'), '6');
    assert.ok(all.metadata.resourceVersion);
    assert.equal(all.metadata.continue, undefined);
    const one = await client.list(CM, 'paged', { limit: 3 });
    assert.equal(one.items.length, 3);
    assert.equal(one.metadata.continue, '3');
  });

  test('dryRun and labelSelector reach the query', async () => {
    await client.create(CM, 'default', cm('dry'), { dryRun: true });
    assert.equal(last().query.get('dryRun'), 'All');
    await client.list(CM, '', { labelSelector: 'app=web', resourceVersion: '0' });
    assert.equal(last().path, '/api/v1/configmaps');
    assert.equal(last().query.get('labelSelector'), 'app=web');
    assert.equal(last().query.get('resourceVersion'), '0');
  });
});

describe('KubeClient errors without a Status body', () => {
  const cases: { name: string; code: number; body: string; ctype: string; reason: string }[] = [
    { name: '503 text/plain', code: 503, body: 'unavailable', ctype: 'text/plain', reason: 'ServiceUnavailable' },
    { name: '404 text/plain', code: 404, body: '404 page not found', ctype: 'text/plain', reason: 'NotFound' },
    { name: '418 unknown code', code: 418, body: '', ctype: 'text/plain', reason: 'Unknown' },
    {
      name: '422 Status keeps its reason',
      code: 422,
      body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Invalid', message: 'bad', code: 422 }),
      ctype: 'application/json',
      reason: 'Invalid',
    },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      await withServer(
        (_req, res) => {
          res.writeHead(c.code, { 'Content-Type': c.ctype });
          res.end(c.body);
        },
        async (url) => {
          const client = new KubeClient({ server: url });
          try {
            await assert.rejects(client.get(CM, 'default', 'x'), (err: unknown) => {
              assert.ok(err instanceof KubeApiError);
              assert.equal(err.code, c.code);
              assert.equal(err.reason, c.reason);
              return true;
            });
          } finally {
            client.close();
          }
        },
      );
    });
  }
});

describe('KubeClient.watch', () => {
  test('reassembles lines split anywhere, including inside a multi-byte character', async () => {
    const events = [
      { type: 'ADDED', object: { kind: 'ConfigMap', metadata: { name: 'grüße', resourceVersion: '5' } } },
      { type: 'MODIFIED', object: { kind: 'ConfigMap', metadata: { name: 'b', resourceVersion: '6' }, data: { x: '€'.repeat(50) } } },
      { type: 'BOOKMARK', object: { kind: 'ConfigMap', metadata: { resourceVersion: '7' } } },
    ];
    const bytes = Buffer.from(events.map((e) => `${JSON.stringify(e)}\n`).join(''));
    let query = '';
    await withServer(
      (req, res) => {
        query = req.url ?? '';
        res.writeHead(200, { 'Content-Type': 'application/json' });
        // 3-byte writes split both lines and UTF-8 sequences.
        let i = 0;
        const step = (): void => {
          if (i >= bytes.length) {
            res.end();
            return;
          }
          res.write(bytes.subarray(i, i + 3));
          i += 3;
          setImmediate(step);
        };
        step();
      },
      async (url) => {
        const client = new KubeClient({ server: url });
        const got: WatchEvent[] = [];
        await client.watch(CM, 'default', { resourceVersion: '4', allowWatchBookmarks: true, timeoutSeconds: 30 }, (e) => got.push(e), new AbortController().signal);
        client.close();
        assert.deepEqual(got, events);
      },
    );
    const q = new URL(query, 'http://x').searchParams;
    assert.equal(q.get('watch'), 'true');
    assert.equal(q.get('resourceVersion'), '4');
    assert.equal(q.get('allowWatchBookmarks'), 'true');
    assert.equal(q.get('timeoutSeconds'), '30');
  });

  test('resolves when the signal aborts an open stream', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.write(`${JSON.stringify({ type: 'ADDED', object: { metadata: { name: 'a' } } })}\n`);
      },
      async (url) => {
        const client = new KubeClient({ server: url });
        const ctl = new AbortController();
        let n = 0;
        await client.watch(CM, 'default', {}, () => {
          n++;
          ctl.abort();
        }, ctl.signal);
        client.close();
        assert.equal(n, 1);
      },
    );
  });

  test('rejects with KubeApiError when the server refuses the watch', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(410, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'Expired', message: 'too old', code: 410 }));
      },
      async (url) => {
        const client = new KubeClient({ server: url });
        await assert.rejects(client.watch(CM, 'default', { resourceVersion: '1' }, () => {}, new AbortController().signal), { code: 410, reason: 'Expired' });
        client.close();
      },
    );
  });

  test('rejects on a malformed line', async () => {
    await withServer(
      (_req, res) => {
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end('{"type":"ADDED","object":{}}\nnot json\n');
      },
      async (url) => {
        const client = new KubeClient({ server: url });
        await assert.rejects(client.watch(CM, 'default', {}, () => {}, new AbortController().signal), /malformed event line/);
        client.close();
      },
    );
  });
});

describe('KubeClient over TLS with a client certificate', () => {
  test('verifies the server against the CA and presents the client certificate', async () => {
    const { loadOrCreatePki } = await import('../pki/certificates.js');
    const dir = mkdtempSync(join(tmpdir(), 'sy-client-tls-'));
    try {
      const pki = await loadOrCreatePki(dir, { dnsNames: ['localhost'], ips: ['127.0.0.1'] });
      const srv = https.createServer(
        { key: pki.serving.keyPem, cert: pki.serving.certPem, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: true },
        (req, res) => {
          const peer = (req.socket as TLSSocket).getPeerCertificate();
          res.writeHead(200, { 'Content-Type': 'application/json' });
          res.end(JSON.stringify({ metadata: { name: String(peer.subject.CN) } }));
        },
      );
      await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
      const url = `https://127.0.0.1:${(srv.address() as AddressInfo).port}`;
      const good = new KubeClient({ server: url, caPem: pki.ca.certPem, clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem });
      const noCa = new KubeClient({ server: url, clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem });
      try {
        const o = await good.get(NODES, undefined, 'whoami');
        assert.equal(o.metadata.name, 'system:admin');
        await assert.rejects(noCa.get(NODES, undefined, 'whoami'), /self[- ]signed|unable to verify|certificate/i);
      } finally {
        good.close();
        noCa.close();
        srv.closeAllConnections();
        await new Promise<void>((r) => srv.close(() => r()));
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
