import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadOrCreatePki, type ClusterPki } from '../pki/certificates.js';
import { createLogger } from '../log/logger.js';
import { CriLogWriter } from './cri-log.js';
import { LogServer } from './log-server.js';
import { loadOrCreateServingCert } from './serving-cert.js';

interface Reply {
  status: number;
  body: string;
}

describe('agent log endpoint', () => {
  let dir = '';
  let server: LogServer;
  let port = 0;
  let pki: ClusterPki;
  let running = true;
  let live: CriLogWriter;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'log-server-'));
    pki = await loadOrCreatePki(join(dir, 'pki'), { dnsNames: ['localhost'], ips: ['127.0.0.1'] });
    const cert = loadOrCreateServingCert(join(dir, 'tls'), 'node-1', ['127.0.0.1']);
    const logs = join(dir, 'logs', 'web');
    mkdirSync(logs, { recursive: true });
    const old = new CriLogWriter(join(logs, '0.log'));
    old.write('stdout', Buffer.from('first run\n'));
    old.close();
    live = new CriLogWriter(join(logs, '1.log'));
    live.write('stdout', Buffer.from('a\nb\nc\n'));
    server = new LogServer({
      bindAddress: '127.0.0.1',
      port: 0,
      certPem: cert.certPem,
      keyPem: cert.keyPem,
      clientCaPem: pki.ca.certPem,
      bearerTokens: ['join-token'],
      log: createLogger('test', () => undefined),
      source: {
        locate: (ns, pod, c) =>
          ns === 'default' && pod === 'web-1' && c === 'web' ? { ok: true, dir: logs, isRunning: () => running } : { ok: false, code: 404, message: `pod "${pod}" not found` },
      },
    });
    port = await server.listen();
  });
  after(async () => {
    live.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  function get(path: string, auth: 'token' | 'cert' | 'none' = 'token'): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path,
          rejectUnauthorized: false,
          headers: auth === 'token' ? { Authorization: 'Bearer join-token' } : {},
          ...(auth === 'cert' ? { cert: pki.admin.certPem, key: pki.admin.keyPem } : {}),
        },
        (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  const cases: { name: string; path: string; auth?: 'token' | 'cert' | 'none'; status: number; body: string | RegExp }[] = [
    { name: 'unauthenticated', path: '/containerLogs/default/web-1/web', auth: 'none', status: 401, body: 'Unauthorized' },
    { name: 'bearer token', path: '/containerLogs/default/web-1/web', status: 200, body: 'a\nb\nc\n' },
    { name: 'client certificate of the cluster CA', path: '/containerLogs/default/web-1/web', auth: 'cert', status: 200, body: 'a\nb\nc\n' },
    { name: 'tailLines', path: '/containerLogs/default/web-1/web?tailLines=1', status: 200, body: 'c\n' },
    { name: 'limitBytes', path: '/containerLogs/default/web-1/web?limitBytes=3', status: 200, body: 'a\nb' },
    { name: 'timestamps', path: '/containerLogs/default/web-1/web?tailLines=1&timestamps=true', status: 200, body: /^\d{4}-\d\d-\d\dT[\d:.]+Z c\n$/ },
    { name: 'previous', path: '/containerLogs/default/web-1/web?previous=true', status: 200, body: 'first run\n' },
    { name: 'unknown pod', path: '/containerLogs/default/nope/web', status: 404, body: 'pod "nope" not found' },
    { name: 'bad tailLines', path: '/containerLogs/default/web-1/web?tailLines=x', status: 400, body: /invalid tailLines/ },
    { name: 'healthz is open', path: '/healthz', auth: 'none', status: 200, body: 'ok' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const r = await get(c.path, c.auth ?? 'token');
      assert.equal(r.status, c.status, r.body);
      if (typeof c.body === 'string') assert.equal(r.body, c.body);
      else assert.match(r.body, c.body);
    });
  }

  test('follow streams new lines and ends when the container stops', async () => {
    const pending = get('/containerLogs/default/web-1/web?follow=true&tailLines=0');
    await new Promise((r) => setTimeout(r, 300));
    live.write('stdout', Buffer.from('later\n'));
    await new Promise((r) => setTimeout(r, 400));
    running = false;
    const r = await pending;
    assert.equal(r.status, 200);
    assert.equal(r.body, 'later\n');
  });
});
