/**
 * Runs inside a test node network namespace (started by netns-runtime.root.test.ts through
 * `nsenter --net=/run/netns/<node>`): the shared Runtime conformance suite against
 * NetnsRuntime, plus what only this runtime does (pod hostname and etc files, TTY exec,
 * pod-to-pod traffic on the bridge, no namespace left behind). Not a *.test.ts file: it must
 * never run in the machine's own namespace (the runtime would refuse anyway).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { runtimeConformance } from '../runtime-conformance.js';
import { NetnsRuntime } from './netns-runtime.js';

const prefix = process.env.SY_TEST_NETNS_PREFIX;
if (!prefix) throw new Error('SY_TEST_NETNS_PREFIX must be set (run through netns-runtime.root.test.ts)');
const podCIDR = '10.244.77.0/24';

runtimeConformance('netns', (dir) => NetnsRuntime.create({ dataDir: dir, podCIDR, nodeIP: '172.30.77.1', netnsPrefix: prefix }));

function collect(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  return { stream, text: () => text };
}

describe('NetnsRuntime specifics', () => {
  let dir = '';
  let rt: NetnsRuntime;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'rt-netns-specific-'));
    rt = await NetnsRuntime.create({ dataDir: dir, podCIDR, nodeIP: '172.30.77.1', netnsPrefix: prefix });
  });
  after(async () => {
    await rt.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const spec = (uid: string, name: string) => ({
    uid,
    namespace: 'default',
    name,
    hostname: name,
    fqdn: `${name}.sub.default.svc.cluster.local`,
    resolvConf: 'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
    hostNetwork: false,
  });

  test('a pod sees its hostname, hosts, resolv.conf, its own eth0 address and a default route via the bridge', async () => {
    const sb = await rt.createSandbox(spec('spec-a', 'alpha'));
    const out = collect();
    const r = await rt.exec(
      sb,
      { argv: ['sh', '-c', 'hostname; cat /etc/hostname; tail -n1 /etc/hosts; cat /etc/resolv.conf; ip -4 -o addr show dev eth0; ip route show default'], tty: false },
      out.stream,
      out.stream,
    );
    assert.equal(r.exitCode, 0, out.text());
    const text = out.text();
    assert.match(text, /^alpha\nalpha\n/);
    assert.match(text, new RegExp(`${sb.ip.replace(/\./g, '\\.')}\\talpha\\.sub\\.default\\.svc\\.cluster\\.local\\talpha\\n`));
    assert.match(text, /nameserver 10\.96\.0\.10\noptions ndots:5/);
    assert.match(text, new RegExp(`inet ${sb.ip.replace(/\./g, '\\.')}/24`));
    assert.match(text, /default via 10\.244\.77\.1 dev eth0/);
    await rt.removeSandbox('spec-a');
  });

  test('pods on the bridge reach each other by IP; bridge ports have hairpin on', async () => {
    const a = await rt.createSandbox(spec('spec-b', 'bravo'));
    const b = await rt.createSandbox(spec('spec-c', 'charlie'));
    const h = await rt.startContainer(b, { name: 'srv', argv: [process.execPath, '-e', 'require("http").createServer((q, s) => s.end(require("os").hostname())).listen(8080)'], env: {} }, 0);
    const out = collect();
    let got = '';
    for (let i = 0; i < 50 && got !== 'charlie'; i++) {
      const r = await rt.exec(a, { argv: ['curl', '-s', '--max-time', '2', `http://${b.ip}:8080/`], tty: false }, out.stream, out.stream);
      got = r.exitCode === 0 ? out.text().trim() : '';
      if (got !== 'charlie') await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(got, 'charlie', 'pod a fetched the hostname of pod b by its IP');
    const hairpin = await import('node:child_process').then((cp) => cp.execFileSync('ip', ['-d', 'link', 'show', `veth${'spec-c'.replace(/[^0-9a-z]/g, '').slice(0, 8)}`]).toString());
    assert.match(hairpin, /hairpin on/);
    h.kill('SIGKILL');
    await h.exited;
    await rt.removeSandbox('spec-b');
    await rt.removeSandbox('spec-c');
    assert.ok(!existsSync(`/run/netns/${prefix}specb`) && !existsSync(`/run/netns/${prefix}specc`), 'namespaces are gone');
    assert.ok(!existsSync(`/etc/netns/${prefix}specb`), 'etc files are gone');
  });

  test('exec with a TTY: a terminal, the initial size and resizes, exit code', async () => {
    const sb = await rt.createSandbox(spec('spec-d', 'delta'));
    const out = collect();
    const stdin = new PassThrough();
    let resize: ((s: { rows: number; cols: number }) => void) | undefined;
    const done = rt.exec(
      sb,
      {
        argv: ['sh', '-c', 'test -t 0 && echo is-a-tty; stty size; read line; stty size; echo "got $line"; exit 7'],
        tty: true,
        stdin,
        onResize: (l) => {
          resize = l;
          l({ rows: 24, cols: 80 });
        },
      },
      out.stream,
      out.stream,
    );
    for (let i = 0; i < 100 && !out.text().includes('24 80'); i++) await new Promise((r) => setTimeout(r, 50));
    resize?.({ rows: 50, cols: 132 });
    await new Promise((r) => setTimeout(r, 100));
    stdin.write('hello\r');
    const r = await done;
    assert.equal(r.exitCode, 7);
    assert.match(out.text(), /is-a-tty\r\n24 80\r\n/);
    assert.match(out.text(), /50 132\r\ngot hello\r\n/);
    await rt.removeSandbox('spec-d');
  });
});
