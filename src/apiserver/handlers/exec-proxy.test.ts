import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { connect, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../api/object.js';
import { loadOrCreatePki, type ClusterPki } from '../../pki/certificates.js';
import { handleExecUpgrade } from '../../agent/streaming/exec-handler.js';
import { Channel, STREAM_PROTOCOL_V5 } from '../../agent/streaming/remote-command.js';
import { openWebSocket, type ClientHandshake } from '../../agent/streaming/websocket-client.js';
import { agentExecPath, proxyPodExec, type ExecProxyTarget } from './exec-proxy.js';

let dir = '';
let pki: ClusterPki;
let agent: HttpsServer;
let agentPort = 0;
let front: Server;
let frontPort = 0;
/** What the front server hands to proxyPodExec for the next request. */
let nextTarget: () => ExecProxyTarget;

function pod(extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'default' },
    spec: { nodeName: 'node-a', containers: [{ name: 'app' }, { name: 'other' }] },
    status: { phase: 'Running' },
    ...extra,
  };
}

function node(port: number): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-a' },
    status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } },
  };
}

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sy-exec-proxy-'));
  pki = await loadOrCreatePki(dir, { dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  agent = createHttpsServer({ cert: pki.serving.certPem, key: pki.serving.keyPem, ca: [pki.ca.certPem], requestCert: true, rejectUnauthorized: false });
  agent.on('upgrade', (req, socket, head) => {
    const handled = handleExecUpgrade(req, socket, head, async (ref) => {
      if (ref.container !== 'app') return { ok: false, status: 404, message: `container not found ("${ref.container}")` };
      return {
        ok: true,
        env: { FROM: 'agent' },
        sandbox: { uid: 'u', ip: '10.244.0.9', dir: '/tmp' },
        runtime: {
          async exec(_s, o, stdout) {
            stdout.write(`${o.argv.join(' ')} tty=${o.tty} FROM=${o.env?.FROM ?? ''}\n`);
            return { exitCode: 0 };
          },
        },
      };
    });
    if (!handled) socket.destroy();
  });
  await new Promise<void>((r) => agent.listen(0, '127.0.0.1', r));
  agentPort = (agent.address() as AddressInfo).port;
  front = createServer((_q, s) => s.writeHead(404).end());
  front.on('upgrade', (req, socket, head) => void proxyPodExec(req, socket, head, nextTarget()));
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  frontPort = (front.address() as AddressInfo).port;
});

after(async () => {
  await new Promise<void>((r) => front.close(() => r()));
  await new Promise<void>((r) => agent.close(() => r()));
  await rm(dir, { recursive: true, force: true });
});

function kubeletClient() {
  return { certPem: pki.admin.certPem, keyPem: pki.admin.keyPem };
}

async function viaFront(query: string, target: ExecProxyTarget): Promise<ClientHandshake> {
  nextTarget = () => target;
  const sock = connect(frontPort, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  return openWebSocket(sock, { path: `/api/v1/namespaces/default/pods/web/exec?${query}`, host: 'apiserver', protocols: [STREAM_PROTOCOL_V5] });
}

async function collect(hs: ClientHandshake): Promise<Map<number, string>> {
  assert.ok(hs.ok, `upgrade refused: ${hs.ok ? '' : `${hs.status} ${hs.body}`}`);
  const channels = new Map<number, string>();
  hs.ws.on('message', (m) => channels.set(m[0] ?? -1, (channels.get(m[0] ?? -1) ?? '') + m.subarray(1).toString()));
  await new Promise((r) => hs.ws.on('close', r));
  return channels;
}

describe('agentExecPath (query translation)', () => {
  const cases = [
    { name: 'kubectl exec -it', q: 'command=sh&container=app&stdin=true&stdout=true&stderr=true&tty=true', want: '/exec/default/web/app?command=sh&input=1&output=1&error=1&tty=1' },
    { name: 'stdout/stderr default to true', q: 'command=env&command=-0', want: '/exec/default/web/app?command=env&command=-0&output=1&error=1' },
    { name: 'explicit false', q: 'command=ls&stdout=true&stderr=false', want: '/exec/default/web/app?command=ls&output=1' },
  ];
  for (const c of cases) {
    test(c.name, () => assert.equal(agentExecPath('default', 'web', 'app', new URLSearchParams(c.q)), c.want));
  }
  test('no command is a BadRequest', () => {
    assert.throws(() => agentExecPath('default', 'web', 'app', new URLSearchParams('stdout=true')), /at least one command/);
  });
});

describe('proxyPodExec', () => {
  test('relays the session end to end (client certificate accepted by the agent)', async () => {
    const ch = await collect(
      await viaFront('command=echo&command=hi&container=app&stdin=true&stdout=true&tty=true', { pod: pod(), node: node(agentPort), kubeletClient: kubeletClient() }),
    );
    assert.equal(ch.get(Channel.Stdout), 'echo hi tty=true FROM=agent\n');
    assert.deepEqual(JSON.parse(ch.get(Channel.Error) ?? ''), { metadata: {}, status: 'Success' });
  });

  test("the agent's plain-text refusal is passed through (kubectl: unable to upgrade connection: ...)", async () => {
    const hs = await viaFront('command=ls&container=other&stdout=true', { pod: pod(), node: node(agentPort), kubeletClient: kubeletClient() });
    assert.ok(!hs.ok);
    assert.equal(hs.status, 404);
    assert.equal(hs.body, 'container not found ("other")');
  });

  const statusCases: { name: string; query: string; target: () => ExecProxyTarget; code: number; reason?: string; message: RegExp }[] = [
    { name: 'pod not found', query: 'command=ls', target: () => ({ pod: undefined, node: undefined, kubeletClient: kubeletClient() }), code: 404, reason: 'NotFound', message: /^pods "web" not found$/ },
    { name: 'container not in the pod', query: 'command=ls&container=zzz', target: () => ({ pod: pod(), node: node(agentPort), kubeletClient: kubeletClient() }), code: 400, reason: 'BadRequest', message: /^container zzz is not valid for pod web$/ },
    {
      name: 'several containers and none named',
      query: 'command=ls',
      target: () => ({ pod: pod(), node: node(agentPort), kubeletClient: kubeletClient() }),
      code: 400,
      reason: 'BadRequest',
      message: /a container name must be specified for pod web, choose one of: \[app other\]/,
    },
    {
      name: 'pod not scheduled',
      query: 'command=ls&container=app',
      target: () => ({ pod: pod({ spec: { containers: [{ name: 'app' }] } }), node: undefined, kubeletClient: kubeletClient() }),
      code: 400,
      reason: 'BadRequest',
      message: /^pod web does not have a host assigned$/,
    },
    {
      name: 'agent unreachable',
      query: 'command=ls&container=app',
      target: () => ({ pod: pod(), node: node(1), kubeletClient: kubeletClient() }),
      code: 500,
      message: /^error dialing backend: dial tcp 127\.0\.0\.1:1: connect ECONNREFUSED/,
    },
  ];
  for (const c of statusCases) {
    test(`Status answer: ${c.name}`, async () => {
      const hs = await viaFront(c.query, c.target());
      assert.ok(!hs.ok);
      assert.equal(hs.status, c.code);
      const st = JSON.parse(hs.body) as { kind: string; code: number; reason?: string; message: string };
      assert.equal(st.kind, 'Status');
      assert.equal(st.code, c.code);
      assert.equal(st.reason, c.reason);
      assert.match(st.message, c.message);
    });
  }

  test('the agent refuses clients without a verified certificate', async () => {
    const sock = tlsConnect({ host: '127.0.0.1', port: agentPort, rejectUnauthorized: false });
    await new Promise((r) => sock.once('secureConnect', r));
    const hs = await openWebSocket(sock, { path: '/exec/default/web/app?command=ls&output=1', host: 'x', protocols: [STREAM_PROTOCOL_V5] });
    assert.ok(!hs.ok);
    assert.equal(hs.status, 401);
  });
});
