import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import type { ExecOptions, ExecResult, Runtime, Sandbox } from '../runtime/runtime.js';
import { handleExecUpgrade, parseExecPath, type ResolveExecTarget } from './exec-handler.js';
import { Channel, DEFAULT_START_GRACE_MS, STREAM_PROTOCOL_V4, STREAM_PROTOCOL_V5 } from './remote-command.js';
import { openWebSocket } from './websocket-client.js';

/** A runtime whose "commands" are scripted: echo, exit N, cat (stdin → stdout), size (resize), env, boom. */
const fakeRuntime: Pick<Runtime, 'exec'> = {
  async exec(_sb: Sandbox, o: ExecOptions, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<ExecResult> {
    const [cmd, ...args] = o.argv;
    switch (cmd) {
      case 'echo':
        stdout.write(`${args.join(' ')}\n`);
        stderr.write('to-stderr\n');
        return { exitCode: 0 };
      case 'exit':
        return { exitCode: Number(args[0]) };
      case 'env':
        stdout.write(Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${v}\n`).join(''));
        return { exitCode: 0 };
      case 'cat':
        for await (const chunk of o.stdin ?? []) stdout.write(chunk as Buffer);
        return { exitCode: 0 };
      case 'size':
        return new Promise((resolve) => {
          o.onResize?.((s) => {
            stdout.write(`${s.rows}x${s.cols} tty=${o.tty}\n`);
            resolve({ exitCode: 0 });
          });
        });
      case 'sleep':
        sleepsStarted++;
        stdout.write('started\n');
        return new Promise((resolve) =>
          o.signal?.addEventListener('abort', () => {
            abortSeen = true;
            resolve({ exitCode: 137 });
          }),
        );
      default:
        throw new Error(`exec: "${cmd ?? ''}": executable file not found in $PATH`);
    }
  },
};

const sandbox: Sandbox = { uid: 'u1', ip: '10.244.0.5', dir: '/tmp' };
let abortSeen = false;
let sleepsStarted = 0;
const resolveTarget: ResolveExecTarget = async (ref) => {
  if (ref.pod !== 'web') return { ok: false, status: 404, message: 'pod does not exist' };
  if (ref.container !== 'app') return { ok: false, status: 404, message: `container not found ("${ref.container}")` };
  return { ok: true, runtime: fakeRuntime, sandbox, env: { GREETING: 'hi', KUBERNETES_SERVICE_HOST: '10.96.0.1' } };
};

let server: Server;
let port = 0;
before(async () => {
  server = createServer((_req, res) => res.writeHead(404).end());
  server.on('upgrade', (req, socket, head) => {
    if (!handleExecUpgrade(req, socket, head, resolveTarget)) socket.destroy();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
after(() => new Promise<void>((r) => server.close(() => r())));

interface Session {
  readonly channels: Map<number, string>;
  readonly status: unknown;
  readonly closeCode: number;
}

async function session(path: string, opts: { protocols?: string[]; onOpen?: (send: (ch: number, data: Buffer | string) => void) => void } = {}): Promise<Session | { refused: number; body: string }> {
  const sock = connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  const hs = await openWebSocket(sock, { path, host: `127.0.0.1:${port}`, protocols: opts.protocols ?? [STREAM_PROTOCOL_V5] });
  if (!hs.ok) return { refused: hs.status, body: hs.body };
  const channels = new Map<number, string>();
  hs.ws.on('message', (m) => {
    const ch = m[0] ?? -1;
    channels.set(ch, (channels.get(ch) ?? '') + m.subarray(1).toString());
  });
  opts.onOpen?.((ch, data) => hs.ws.send(Buffer.concat([Buffer.from([ch]), Buffer.from(data)])));
  const closeCode = await new Promise<number>((r) => hs.ws.on('close', (code) => r(code)));
  const err = channels.get(Channel.Error);
  return { channels, status: err ? JSON.parse(err) : undefined, closeCode };
}

function ok(s: Awaited<ReturnType<typeof session>>): Session {
  assert.ok('channels' in s, `upgrade refused: ${JSON.stringify(s)}`);
  return s;
}

describe('parseExecPath', () => {
  test('with and without uid; other paths are not ours', () => {
    assert.deepEqual(parseExecPath('/exec/default/web/app'), { namespace: 'default', pod: 'web', container: 'app' });
    assert.deepEqual(parseExecPath('/exec/default/web/uid-1/app'), { namespace: 'default', pod: 'web', uid: 'uid-1', container: 'app' });
    assert.equal(parseExecPath('/containerLogs/default/web/app'), undefined);
  });
});

describe('exec over WebSocket (v5/v4 channel protocol)', () => {
  test('stdout and stderr on their channels, Success status, normal close', async () => {
    const s = ok(await session('/exec/default/web/app?command=echo&command=hello&output=1&error=1'));
    assert.equal(s.channels.get(Channel.Stdout), 'hello\n');
    assert.equal(s.channels.get(Channel.Stderr), 'to-stderr\n');
    assert.deepEqual(s.status, { metadata: {}, status: 'Success' });
    assert.equal(s.closeCode, 1000);
  });

  test('the container environment is passed to the command', async () => {
    const s = ok(await session('/exec/default/web/app?command=env&output=1'));
    assert.match(s.channels.get(Channel.Stdout) ?? '', /^GREETING=hi$/m);
    assert.match(s.channels.get(Channel.Stdout) ?? '', /^KUBERNETES_SERVICE_HOST=10\.96\.0\.1$/m);
  });

  test('non-zero exit: NonZeroExitCode with an ExitCode cause (kubectl exits with it)', async () => {
    const s = ok(await session('/exec/default/web/app?command=exit&command=3&output=1'));
    assert.deepEqual(s.status, {
      metadata: {},
      status: 'Failure',
      message: 'command terminated with non-zero exit code: error executing command [exit 3], exit code 3',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '3' }] },
    });
  });

  test('output starts only after the start grace (client-go creates its streams after the 101)', async () => {
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const hs = await openWebSocket(sock, { path: '/exec/default/web/app?command=echo&command=late&output=1', host: 'x', protocols: [STREAM_PROTOCOL_V5] });
    assert.ok(hs.ok);
    const opened = performance.now();
    const first = await new Promise<{ at: number; data: Buffer }>((r) => hs.ws.once('message', (data) => r({ at: performance.now(), data })));
    assert.equal(first.data.subarray(1).toString(), 'late\n');
    // Measured from when the client saw the 101, so the server's wait covers at least this much.
    assert.ok(first.at - opened >= DEFAULT_START_GRACE_MS - 2, `first frame after ${(first.at - opened).toFixed(1)} ms`);
    sock.destroy();
  });

  test('stdin (sent right after the handshake, during the start grace) reaches the command; v5 close of channel 0 ends it', async () => {
    const s = ok(
      await session('/exec/default/web/app?command=cat&input=1&output=1', {
        onOpen: (send) => {
          send(Channel.Stdin, 'line one\n');
          send(Channel.Stdin, 'line two\n');
          send(Channel.Close, Buffer.from([Channel.Stdin]));
        },
      }),
    );
    assert.equal(s.channels.get(Channel.Stdout), 'line one\nline two\n');
    assert.deepEqual(s.status, { metadata: {}, status: 'Success' });
  });

  test('tty: resize messages reach the command; stderr is folded into stdout', async () => {
    const s = ok(
      await session('/exec/default/web/app?command=size&input=1&output=1&error=1&tty=1', {
        onOpen: (send) => send(Channel.Resize, JSON.stringify({ Width: 120, Height: 40 })),
      }),
    );
    assert.equal(s.channels.get(Channel.Stdout), '40x120 tty=true\n');
  });

  test('v4 is served too', async () => {
    const s = ok(await session('/exec/default/web/app?command=echo&command=v4&output=1', { protocols: [STREAM_PROTOCOL_V4] }));
    assert.equal(s.channels.get(Channel.Stdout), 'v4\n');
  });

  test('a command that cannot run reports InternalError on the error channel', async () => {
    const s = ok(await session('/exec/default/web/app?command=nope&output=1'));
    const st = s.status as { status: string; reason: string; message: string };
    assert.equal(st.status, 'Failure');
    assert.equal(st.reason, 'InternalError');
    assert.match(st.message, /executable file not found/);
  });

  test('the client going away aborts the command', async () => {
    abortSeen = false;
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const hs = await openWebSocket(sock, { path: '/exec/default/web/app?command=sleep&output=1', host: 'x', protocols: [STREAM_PROTOCOL_V5] });
    assert.ok(hs.ok);
    await new Promise((r) => hs.ws.once('message', r));
    sock.destroy();
    // The fake's sleep resolves only on abort.
    for (let i = 0; i < 50 && !abortSeen; i++) await new Promise((r) => setTimeout(r, 20));
    assert.ok(abortSeen, 'the command was aborted when the client disconnected');
  });

  test('a client gone before the start grace ended runs nothing', async () => {
    const before = sleepsStarted;
    const sock = connect(port, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const hs = await openWebSocket(sock, { path: '/exec/default/web/app?command=sleep&output=1', host: 'x', protocols: [STREAM_PROTOCOL_V5] });
    assert.ok(hs.ok);
    sock.destroy();
    await new Promise((r) => setTimeout(r, DEFAULT_START_GRACE_MS * 3));
    assert.equal(sleepsStarted, before);
  });
});

describe('refusals before the upgrade (plain text, as kubelet answers)', () => {
  const cases = [
    { name: 'unknown container', path: '/exec/default/web/other?command=ls&output=1', status: 404, body: 'container not found ("other")' },
    { name: 'unknown pod', path: '/exec/default/nope/app?command=ls&output=1', status: 404, body: 'pod does not exist' },
    { name: 'no streams', path: '/exec/default/web/app?command=ls', status: 400, body: 'you must specify at least 1 of stdin, stdout, stderr' },
    { name: 'no command', path: '/exec/default/web/app?output=1', status: 400, body: 'you must specify at least one command for the container' },
  ];
  for (const c of cases) {
    test(c.name, async () => {
      assert.deepEqual(await session(c.path), { refused: c.status, body: c.body });
    });
  }

  test('an unsupported subprotocol (SPDY-era channel.k8s.io) is refused', async () => {
    const r = await session('/exec/default/web/app?command=ls&output=1', { protocols: ['channel.k8s.io'] });
    assert.ok('refused' in r);
    assert.equal(r.refused, 400);
    assert.match(r.body, /not supported/);
  });
});
