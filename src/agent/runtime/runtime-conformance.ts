/**
 * The behaviour every pod Runtime must show, as a node:test suite. An implementation's test
 * file calls `runtimeConformance('process', factory)`; the factory makes a runtime over a
 * state folder (called twice with the same folder to check adoption after a restart).
 *
 * Test workloads are small `node -e` programs (node is always there); a server in a pod binds
 * `SWITCHYARD_LISTEN_IP` when the runtime sets it, else all addresses.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { parseCriLine } from '../cri-log.js';
import type { Runtime, SandboxSpec } from './runtime.js';

export interface ConformanceOptions {
  /** Named, reasoned skips: test name → reason. */
  readonly skip?: Readonly<Record<string, string>>;
}

export type RuntimeFactory = (stateDir: string) => Promise<Runtime>;

function spec(uid: string, name = `pod-${uid}`): SandboxSpec {
  return { uid, namespace: 'conformance', name, hostname: name, resolvConf: 'nameserver 10.96.0.10\n', hostNetwork: false };
}

const NODE = process.execPath;

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

export function runtimeConformance(name: string, factory: RuntimeFactory, opts: ConformanceOptions = {}): void {
  describe(`Runtime conformance: ${name}`, () => {
    let dir = '';
    let rt: Runtime;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), `rt-${name}-`));
      rt = await factory(dir);
    });
    after(async () => {
      await rt.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const t = (title: string, fn: () => Promise<void>): void => {
      const reason = opts.skip?.[title];
      test(title, reason ? { skip: reason } : {}, fn);
    };

    t('sandboxes: create is idempotent, addresses are distinct, remove is idempotent', async () => {
      const a1 = await rt.createSandbox(spec('uid-a'));
      const a2 = await rt.createSandbox(spec('uid-a'));
      const b = await rt.createSandbox(spec('uid-b'));
      assert.equal(a1.ip, a2.ip);
      assert.notEqual(a1.ip, b.ip);
      assert.ok((await rt.listSandboxes()).includes('uid-a'));
      await rt.removeSandbox('uid-a');
      await rt.removeSandbox('uid-a');
      assert.ok(!(await rt.listSandboxes()).includes('uid-a'));
      await rt.removeSandbox('uid-b');
    });

    t('containers: exit code, reason and CRI logs of both streams', async () => {
      const sb = await rt.createSandbox(spec('uid-c'));
      const h = await rt.startContainer(sb, { name: 'main', argv: [NODE, '-e', 'console.log("to stdout"); console.error("to stderr"); process.exit(3)'], env: {} }, 0);
      const exit = await h.exited;
      assert.equal(exit.exitCode, 3);
      assert.equal(exit.reason, 'Error');
      const lines = readFileSync(h.logPath, 'utf8').trim().split('\n').map((l) => parseCriLine(l));
      assert.deepEqual(lines.map((l) => `${l?.stream}:${l?.content}`).sort(), ['stderr:to stderr', 'stdout:to stdout']);
      const ok = await rt.startContainer(sb, { name: 'main', argv: [NODE, '-e', 'process.exit(0)'], env: {} }, 1);
      assert.equal((await ok.exited).reason, 'Completed');
      assert.notEqual(ok.logPath, h.logPath);
      await rt.removeSandbox('uid-c');
    });

    t('containers: env, working directory and a missing program', async () => {
      const sb = await rt.createSandbox(spec('uid-d'));
      const h = await rt.startContainer(sb, { name: 'env', argv: [NODE, '-e', 'console.log(process.env.GREETING + " " + process.cwd())'], env: { GREETING: 'hello' }, workingDir: tmpdir() }, 0);
      await h.exited;
      assert.match(readFileSync(h.logPath, 'utf8'), new RegExp(`stdout F hello ${tmpdir()}`));
      await assert.rejects(rt.startContainer(sb, { name: 'bad', argv: ['/nonexistent/program'], env: {} }, 0), /executable file not found|no such file/);
      await rt.removeSandbox('uid-d');
    });

    t('containers: a signal stops the process group', async () => {
      const sb = await rt.createSandbox(spec('uid-e'));
      const h = await rt.startContainer(sb, { name: 'sleeper', argv: [NODE, '-e', 'setInterval(() => {}, 1000)'], env: {} }, 0);
      h.kill('SIGTERM');
      const exit = await h.exited;
      assert.equal(exit.exitCode, 143);
      assert.equal(exit.signal, 'SIGTERM');
      await rt.removeSandbox('uid-e');
    });

    t('exec: output and exit code, with the given env', async () => {
      const sb = await rt.createSandbox(spec('uid-f'));
      const out = collect();
      const err = collect();
      const r = await rt.exec(sb, { argv: [NODE, '-e', 'console.log(process.env.X); console.error("e"); process.exit(4)'], env: { X: 'from-env' }, tty: false }, out.stream, err.stream);
      assert.equal(r.exitCode, 4);
      assert.equal(out.text(), 'from-env\n');
      assert.equal(err.text(), 'e\n');
      const missing = await rt.exec(sb, { argv: ['/nonexistent/program'], tty: false }, out.stream, err.stream);
      assert.notEqual(missing.exitCode, 0);
      await rt.removeSandbox('uid-f');
    });

    t('connect: reaches a server in the pod; pods do not share an address', async () => {
      const a = await rt.createSandbox(spec('uid-g'));
      const b = await rt.createSandbox(spec('uid-h'));
      const port = 20000 + Math.floor(Math.random() * 20000);
      const server = (reply: string): string =>
        `require("net").createServer((s) => s.end(${JSON.stringify(reply)})).listen(${port}, process.env.SWITCHYARD_LISTEN_IP || "0.0.0.0", () => console.log("listening"))`;
      const ha = await rt.startContainer(a, { name: 's', argv: [NODE, '-e', server('pod-a')], env: {} }, 0);
      const hb = await rt.startContainer(b, { name: 's', argv: [NODE, '-e', server('pod-b')], env: {} }, 0);
      const read = async (sb: typeof a): Promise<string> => {
        for (let i = 0; ; i++) {
          try {
            const s = await rt.connect(sb, port);
            let data = '';
            s.on('data', (d: Buffer) => (data += d.toString()));
            await new Promise((r) => s.once('close', r));
            return data;
          } catch (e) {
            if (i > 50) throw e;
            await new Promise((r) => setTimeout(r, 100));
          }
        }
      };
      assert.equal(await read(a), 'pod-a');
      assert.equal(await read(b), 'pod-b');
      ha.kill('SIGKILL');
      hb.kill('SIGKILL');
      await Promise.all([ha.exited, hb.exited]);
      await rt.removeSandbox('uid-g');
      await rt.removeSandbox('uid-h');
    });

    t('restart: a new runtime on the same state adopts the sandbox with its address', async () => {
      const sb = await rt.createSandbox(spec('uid-i'));
      const h = await rt.startContainer(sb, { name: 'long', argv: [NODE, '-e', 'setInterval(() => {}, 1000)'], env: {} }, 0);
      const second = await factory(dir);
      try {
        assert.ok((await second.listSandboxes()).includes('uid-i'));
        const again = await second.createSandbox(spec('uid-i'));
        assert.equal(again.ip, sb.ip);
        // What the first runtime left running is stopped or still supervised — never orphaned silently.
        await second.removeSandbox('uid-i');
        const exit = await Promise.race([h.exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 5000))]);
        assert.ok(exit, 'the old container process was stopped when its sandbox was removed');
        assert.ok(!(await second.listSandboxes()).includes('uid-i'));
      } finally {
        await second.close();
      }
    });
  });
}
