import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import { connect, createServer as createTcpServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Runtime, Sandbox } from './runtime/runtime.js';
import { type ProbeOutcome, type ProbeTarget, ProbeLoop, runProbe } from './probes.js';
import type { Probe } from './pod-types.js';

const sandbox: Sandbox = { uid: 'u', ip: '10.244.0.9', localIp: '127.0.0.1', dir: '/tmp' };

/** Dials 127.0.0.1 for the pod; exec returns the exit code named by argv[0]. */
const fakeRuntime = {
  description: 'fake',
  connect: (_sb: Sandbox, port: number) =>
    new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port });
      s.once('connect', () => resolve(s));
      s.once('error', reject);
    }),
  exec: async (_sb: Sandbox, opts: { argv: readonly string[]; env?: Readonly<Record<string, string>>; signal?: AbortSignal }, out: NodeJS.WritableStream) => {
    const [cmd] = opts.argv;
    if (cmd === 'sleep') {
      await new Promise((r) => opts.signal?.addEventListener('abort', r, { once: true }));
      return { exitCode: 137 };
    }
    out.write(`env X=${opts.env?.X ?? ''}`);
    return { exitCode: Number(cmd) };
  },
} as unknown as Runtime;

describe('runProbe', () => {
  let server: Server;
  let port = 0;
  let seenHeaders: Record<string, string | string[] | undefined> = {};
  before(async () => {
    server = createServer((req, res) => {
      seenHeaders = req.headers;
      const code = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('code') ?? 200);
      res.writeHead(code, code === 302 ? { Location: '/elsewhere' } : {});
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  after(() => server.close());

  const target = (): ProbeTarget => ({ runtime: fakeRuntime, sandbox, container: { name: 'c', ports: [{ name: 'http', containerPort: port }] }, env: { X: '1' } });

  const cases: { name: string; probe: () => Probe; ok: boolean; message?: string | RegExp }[] = [
    { name: 'http 200', probe: () => ({ httpGet: { path: '/healthz', port } }), ok: true },
    { name: 'http 302 counts as success', probe: () => ({ httpGet: { path: '/?code=302', port } }), ok: true },
    { name: 'http 500', probe: () => ({ httpGet: { path: '/?code=500', port } }), ok: false, message: 'HTTP probe failed with statuscode: 500' },
    { name: 'http by port name', probe: () => ({ httpGet: { path: '/', port: 'http' } }), ok: true },
    { name: 'http unknown port name', probe: () => ({ httpGet: { path: '/', port: 'nope' } }), ok: false, message: /unable to resolve port/ },
    { name: 'http refused', probe: () => ({ httpGet: { path: '/healthz', port: 1 } }), ok: false, message: 'Get "http://10.244.0.9:1/healthz": dial tcp 10.244.0.9:1: connect: connection refused' },
    { name: 'tcp open', probe: () => ({ tcpSocket: { port } }), ok: true },
    { name: 'tcp refused', probe: () => ({ tcpSocket: { port: 1 } }), ok: false, message: 'dial tcp 10.244.0.9:1: connect: connection refused' },
    { name: 'exec exit 0', probe: () => ({ exec: { command: ['0'] } }), ok: true },
    { name: 'exec exit 1 gives the output', probe: () => ({ exec: { command: ['1'] } }), ok: false, message: 'env X=1' },
    { name: 'exec timeout', probe: () => ({ exec: { command: ['sleep'] }, timeoutSeconds: 1 }), ok: false, message: 'command "sleep" timed out' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      const p = c.probe();
      const r = await runProbe(p, target(), p.timeoutSeconds ?? 1);
      assert.equal(r.ok, c.ok, r.ok ? '' : r.message);
      if (!r.ok && c.message !== undefined) {
        if (typeof c.message === 'string') assert.equal(r.message, c.message);
        else assert.match(r.message, c.message);
      }
    });
  }

  test('headers and user agent are sent', async () => {
    await runProbe({ httpGet: { path: '/', port, httpHeaders: [{ name: 'X-Probe', value: 'yes' }] } }, target());
    assert.equal(seenHeaders['x-probe'], 'yes');
    assert.equal(seenHeaders['user-agent'], 'kube-probe/1.32');
  });

  test('tcp probe with a closing server still succeeds', async () => {
    const s = createTcpServer((c) => c.destroy());
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const r = await runProbe({ tcpSocket: { port: (s.address() as AddressInfo).port } }, target());
      assert.equal(r.ok, true);
    } finally {
      s.close();
    }
  });
});

describe('ProbeLoop thresholds', () => {
  async function runLoop(kind: 'Readiness' | 'Liveness', probe: Probe, results: boolean[], ticks: number): Promise<{ flips: boolean[]; failed: string[] }> {
    const flips: boolean[] = [];
    const failed: string[] = [];
    let calls = 0;
    let loop: ProbeLoop | undefined;
    const done = new Promise<void>((resolve) => {
      loop = new ProbeLoop({
        kind,
        probe,
        target: {} as ProbeTarget,
        startedAt: Date.now(),
        secondMs: 2,
        run: async (): Promise<ProbeOutcome> => {
          const ok = results[calls++] ?? true;
          if (calls === ticks) setTimeout(resolve, 1);
          return ok ? { ok: true } : { ok: false, message: `fail ${calls}` };
        },
        onResult: (ok) => flips.push(ok),
        onAttemptFailed: (m) => failed.push(m),
      });
    });
    loop?.start();
    await done;
    loop?.stop();
    return { flips, failed };
  }

  test('readiness: ready after successThreshold, unready after failureThreshold', async () => {
    const r = await runLoop('Readiness', { periodSeconds: 1, successThreshold: 2, failureThreshold: 2 }, [false, true, true, false, false, true, true], 7);
    assert.deepEqual(r.flips, [true, false, true]);
    assert.equal(r.failed.length, 3);
  });

  test('liveness: fires after failureThreshold consecutive failures only', async () => {
    const r = await runLoop('Liveness', { periodSeconds: 1, failureThreshold: 3 }, [false, false, true, false, false, false, true], 7);
    assert.deepEqual(r.flips, [false]);
  });
});
