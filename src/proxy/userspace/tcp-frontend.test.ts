import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { FakeClock } from '../../client/clock.js';
import { ep } from '../testing/fixtures.js';
import { type Destroyable, TcpFrontend } from './tcp-frontend.js';
import { VirtualService, type VirtualServiceConfig } from './virtual-service.js';

function listen(server: net.Server, port = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port));
  });
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  const port = await listen(s);
  await new Promise((r) => s.close(r));
  return port;
}

/**
 * A listener that never accepts (its process is blocked) with a full accept queue: further SYNs are
 * dropped, so a connect to it hangs until the dialer gives up.
 */
async function blackhole(): Promise<{ port: number; proc: ChildProcess; fillers: net.Socket[] }> {
  const code = `const s = require('net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
    console.log(s.address().port);
    setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60000), 20);
  });`;
  const proc = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => proc.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  await new Promise((r) => setTimeout(r, 100));
  // backlog 1 holds two completed connections; a few more leave no room.
  const fillers = Array.from({ length: 4 }, () => net.connect(port, '127.0.0.1').on('error', () => {}));
  await new Promise((r) => setTimeout(r, 100));
  return { port, proc, fillers };
}

/** One HTTP-ish exchange on a fresh connection: sends `ping`, returns what comes back before the FIN. */
function exchange(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
    const parts: Buffer[] = [];
    s.on('data', (d: Buffer) => parts.push(d));
    s.on('end', () => {
      s.end();
      resolve(Buffer.concat(parts).toString());
    });
    s.on('error', reject);
    s.write('ping');
  });
}

describe('TcpFrontend', () => {
  let hole: Awaited<ReturnType<typeof blackhole>>;
  const answer = net.createServer({ allowHalfOpen: true }, (s) => s.once('data', () => s.end('pong')));
  let answerPort = 0;
  const clock = new FakeClock(1_000_000);

  before(async () => {
    hole = await blackhole();
    answerPort = await listen(answer);
  });
  after(() => {
    for (const f of hole.fillers) f.destroy();
    hole.proc.kill('SIGKILL');
    answer.close();
  });

  const setup = async (endpoints: number[], timeouts: number[]): Promise<{ vs: VirtualService; fe: TcpFrontend; port: number; conns: Set<Destroyable> }> => {
    const port = await freePort();
    const cfg: VirtualServiceConfig = {
      service: 'default/t:/TCP',
      kind: 'ClusterIP',
      protocol: 'TCP',
      address: '127.0.0.1',
      port,
      localAddress: '127.0.0.1',
      scheduler: 'rr',
      affinity: { type: 'None' },
      sourceRanges: [],
      endpoints: endpoints.map((p) => ep('127.0.0.1', { port: p })),
    };
    const vs = new VirtualService(cfg, { clock, dialAddress: (ip) => ip, inactiveLingerMs: 120_000 });
    const conns = new Set<Destroyable>();
    const fe = new TcpFrontend(vs, { dialTimeoutsMs: timeouts, connections: conns });
    await fe.listen();
    return { vs, fe, port, conns };
  };
  const counts = (vs: VirtualService): string[] => vs.status().realServers.map((r) => `${r.port === answerPort ? 'answer' : 'hole'} a${r.activeConns} i${r.inactiveConns}`);
  const settle = async (conns: Set<Destroyable>): Promise<void> => {
    for (let i = 0; i < 100 && conns.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
  };

  test('a connect that times out is retried on the next backend', async () => {
    const { vs, fe, port, conns } = await setup([hole.port, answerPort], [150, 150]);
    try {
      const t0 = performance.now();
      assert.equal(await exchange(port), 'pong');
      const took = performance.now() - t0;
      assert.ok(took >= 140, `answered after ${took.toFixed(0)} ms: the first attempt should have waited for its timeout`);
      await settle(conns);
      assert.equal(conns.size, 0, 'finished connections are forgotten');
      assert.deepEqual(counts(vs), ['hole a0 i0', 'answer a0 i1']);
    } finally {
      fe.close();
    }
  });

  test('no backend left to try after a timeout: the client is reset', async () => {
    const { fe, port, conns } = await setup([hole.port], [80, 80]);
    try {
      const t0 = performance.now();
      await assert.rejects(exchange(port), /ECONNRESET/);
      const took = performance.now() - t0;
      assert.ok(took >= 75, `reset after ${took.toFixed(0)} ms: one attempt of 80 ms (the only backend was tried)`);
      await settle(conns);
      assert.equal(conns.size, 0);
    } finally {
      fe.close();
    }
  });

  // The accepted socket is not read from until a backend answered, so its close is seen when the attempt ends.
  test('a client that leaves while its backend is being dialed is forgotten when the attempt ends', async () => {
    const { vs, fe, port, conns } = await setup([hole.port], [150]);
    try {
      const s = net.connect(port, '127.0.0.1');
      await new Promise((r) => s.once('connect', r));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(conns.size, 1, 'dialing');
      s.destroy();
      await settle(conns);
      assert.equal(conns.size, 0);
      assert.deepEqual(counts(vs), ['hole a0 i0']);
    } finally {
      fe.close();
    }
  });

  test('counts: active while open, closing after one FIN, inactive once both sockets closed', async () => {
    const held = net.createServer({ allowHalfOpen: true }, (s) => s.on('data', () => {}));
    const heldPort = await listen(held);
    const { vs, fe, port, conns } = await setup([heldPort], [1_000]);
    try {
      const s = net.connect({ port, host: '127.0.0.1', allowHalfOpen: true });
      await new Promise((r) => s.once('connect', r));
      const state = (): string => vs.status().realServers.map((r) => `a${r.activeConns} i${r.inactiveConns}`).join();
      for (let i = 0; i < 100 && state() !== 'a1 i0'; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(state(), 'a1 i0');
      s.end();
      for (let i = 0; i < 100 && state() !== 'a0 i1'; i++) await new Promise((r) => setTimeout(r, 10));
      assert.equal(state(), 'a0 i1', 'half-closed counts as inactive');
      assert.equal(conns.size, 1, 'still open towards the backend');
      for (const c of conns) c.destroy();
      await settle(conns);
      assert.equal(conns.size, 0);
      assert.equal(state(), 'a0 i1', 'closed: lingers as inactive');
      s.destroy();
    } finally {
      fe.close();
      held.close();
    }
  });
});
