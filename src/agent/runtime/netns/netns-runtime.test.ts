import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCommandRunner } from './command-runner.js';
import { NetnsRuntime } from './netns-runtime.js';
import { checkNodeNamespace } from './namespace-guard.js';

const UID = '3f1c2a4e-1111-2222-3333-444455556666';

async function setup(answer?: ConstructorParameters<typeof FakeCommandRunner>[0]) {
  const dir = await mkdtemp(join(tmpdir(), 'sy-netns-unit-'));
  const cmd = new FakeCommandRunner(answer);
  const rt = await NetnsRuntime.create({
    dataDir: join(dir, 'data'),
    podCIDR: '10.244.1.0/24',
    nodeIP: '172.30.0.11',
    netnsPrefix: 'sy-t-pod-',
    commands: cmd,
    etcNetnsDir: join(dir, 'etc-netns'),
    allowHostNetworkNamespace: true, // the fake runner touches no kernel
  });
  return { dir, cmd, rt, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

const spec = { uid: UID, namespace: 'default', name: 'web', hostname: 'web', resolvConf: 'nameserver 10.96.0.10\n', hostNetwork: false };

describe('NetnsRuntime with a fake kernel', () => {
  test('node setup: bridge with the gateway address, created only when missing', async () => {
    const { cmd, cleanup } = await setup((argv) => (argv.join(' ') === 'ip link show dev cbr0' ? { code: 1 } : undefined));
    try {
      assert.deepEqual(cmd.lines(), [
        'ip link set lo up',
        'ip link show dev cbr0',
        'ip link add cbr0 type bridge',
        'ip addr replace 10.244.1.1/24 dev cbr0',
        'ip link set cbr0 up',
      ]);
    } finally {
      await cleanup();
    }
  });

  test('createSandbox: namespace, veth on the bridge with hairpin, eth0 address and default route, etc files', async () => {
    const { dir, cmd, rt, cleanup } = await setup();
    try {
      cmd.calls.length = 0;
      const sb = await rt.createSandbox(spec);
      assert.deepEqual(sb, { uid: UID, ip: '10.244.1.2', netns: 'sy-t-pod-3f1c2a4e', dir: join(dir, 'data', 'netns-runtime', 'pods', UID) });
      assert.deepEqual(cmd.lines(), [
        'ip link del veth3f1c2a4e',
        'ip netns del sy-t-pod-3f1c2a4e',
        'ip netns add sy-t-pod-3f1c2a4e',
        'ip -n sy-t-pod-3f1c2a4e link set lo up',
        'ip link add veth3f1c2a4e type veth peer name eth0 netns sy-t-pod-3f1c2a4e',
        'ip link set veth3f1c2a4e master cbr0',
        'ip link set dev veth3f1c2a4e type bridge_slave hairpin on',
        'ip link set veth3f1c2a4e up',
        'ip -n sy-t-pod-3f1c2a4e addr add 10.244.1.2/24 dev eth0',
        'ip -n sy-t-pod-3f1c2a4e link set eth0 up',
        'ip -n sy-t-pod-3f1c2a4e route add default via 10.244.1.1 dev eth0',
      ]);
      assert.equal(await readFile(join(dir, 'etc-netns', 'sy-t-pod-3f1c2a4e', 'resolv.conf'), 'utf8'), 'nameserver 10.96.0.10\n');
      assert.match(await readFile(join(dir, 'etc-netns', 'sy-t-pod-3f1c2a4e', 'hosts'), 'utf8'), /10\.244\.1\.2\tweb\n$/);
      assert.deepEqual(await rt.listSandboxes(), [UID]);
    } finally {
      await cleanup();
    }
  });

  test('a healthy existing sandbox is adopted without touching the network', async () => {
    const { cmd, rt, cleanup } = await setup((argv) =>
      argv.includes('addr') && argv.includes('show') ? { stdout: '2: eth0    inet 10.244.1.2/24 scope global eth0' } : undefined,
    );
    try {
      await rt.createSandbox(spec);
      cmd.calls.length = 0;
      const again = await rt.createSandbox(spec);
      assert.equal(again.ip, '10.244.1.2');
      assert.deepEqual(cmd.lines(), ['ip -n sy-t-pod-3f1c2a4e -o addr show dev eth0']);
    } finally {
      await cleanup();
    }
  });

  test('a failed step tears down what was made and releases the address', async () => {
    const { dir, rt, cmd, cleanup } = await setup((argv) => (argv.includes('route') ? { code: 2, stderr: 'RTNETLINK answers: Network is unreachable' } : undefined));
    try {
      await assert.rejects(rt.createSandbox(spec), /Network is unreachable/);
      assert.ok(cmd.lines().slice(-3).includes('ip netns del sy-t-pod-3f1c2a4e'));
      assert.deepEqual(await rt.listSandboxes(), []);
      await assert.rejects(stat(join(dir, 'data', 'netns-runtime', 'ipam', '10.244.1.0_24', '10.244.1.2')));
    } finally {
      await cleanup();
    }
  });

  test('removeSandbox kills the namespace processes, deletes veth, namespace and etc files; idempotent', async () => {
    let pidsAsked = 0;
    const { dir, cmd, rt, cleanup } = await setup((argv) => {
      if (argv.join(' ') === 'ip netns pids sy-t-pod-3f1c2a4e') pidsAsked++;
      return undefined;
    });
    try {
      await rt.createSandbox(spec);
      cmd.calls.length = 0;
      await rt.removeSandbox(UID);
      assert.deepEqual(cmd.lines(), ['ip netns pids sy-t-pod-3f1c2a4e', 'ip link del veth3f1c2a4e', 'ip netns del sy-t-pod-3f1c2a4e']);
      assert.equal(pidsAsked, 1);
      await assert.rejects(stat(join(dir, 'etc-netns', 'sy-t-pod-3f1c2a4e')));
      assert.deepEqual(await rt.listSandboxes(), []);
      await rt.removeSandbox(UID);
      // The address is free again; the next pod gets the next one (round robin), not an error.
      const other = await rt.createSandbox({ ...spec, uid: 'aaaaaaaa-0000-0000-0000-000000000000', name: 'b', hostname: 'b' });
      assert.equal(other.ip, '10.244.1.3');
    } finally {
      await cleanup();
    }
  });

  test('hostNetwork pods share the node address and get no namespace', async () => {
    const { cmd, rt, cleanup } = await setup();
    try {
      cmd.calls.length = 0;
      const sb = await rt.createSandbox({ ...spec, hostNetwork: true });
      assert.equal(sb.ip, '172.30.0.11');
      assert.equal(sb.netns, undefined);
      assert.deepEqual(cmd.lines(), []);
    } finally {
      await cleanup();
    }
  });

  test('refuses to start where the namespace guard says no', async (t) => {
    if ((await checkNodeNamespace()).ok) return t.skip('this test process runs inside a named network namespace');
    const cmd = new FakeCommandRunner();
    await assert.rejects(
      NetnsRuntime.create({ dataDir: '/nonexistent', podCIDR: '10.244.1.0/24', nodeIP: '1.2.3.4', commands: cmd }),
      /refuses to start/,
    );
    assert.deepEqual(cmd.calls, [], 'nothing was run');
  });
});
