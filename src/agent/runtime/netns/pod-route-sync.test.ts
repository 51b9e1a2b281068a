import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../api/object.js';
import { KubeClient } from '../../../client/kube-client.js';
import { FakeApiServer } from '../../../client/testing/fake-api-server.js';
import { FakeCommandRunner } from './command-runner.js';
import { runPodRouteSync } from './pod-route-sync.js';

const NODES = '/v1/nodes';

function node(name: string, podCIDR: string | undefined, ip: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    spec: podCIDR ? { podCIDR } : {},
    status: { addresses: [{ type: 'InternalIP', address: ip }] },
  };
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('routes follow the Node list: added when a node gets its pod CIDR, removed when it leaves', async () => {
  const fake = new FakeApiServer();
  const client = new KubeClient({ server: await fake.start() }, { component: 'route-sync-test' });
  // The fake kernel remembers what was installed so `show` reflects it.
  const installed = new Map<string, string>();
  const cmd = new FakeCommandRunner((argv) => {
    const a = argv.join(' ');
    if (a.startsWith('ip -4 -j route show')) return { stdout: JSON.stringify([...installed].map(([dst, gateway]) => ({ dst, gateway }))) };
    if (argv[2] === 'replace') installed.set(argv[3] ?? '', argv[5] ?? '');
    if (argv[2] === 'del') installed.delete(argv[3] ?? '');
    return undefined;
  });
  const ctl = new AbortController();
  fake.put(NODES, node('n1', '10.244.0.0/24', '172.30.0.11'));
  fake.put(NODES, node('n2', undefined, '172.30.0.12'));
  const loop = runPodRouteSync({ client, nodeName: 'n1', signal: ctl.signal, commands: cmd, allowHostNetworkNamespace: true, delayMs: 10 });
  try {
    await until('the first sync', () => cmd.calls.length > 0);
    assert.deepEqual([...installed], []);
    fake.put(NODES, node('n2', '10.244.1.0/24', '172.30.0.12'));
    fake.put(NODES, node('n3', '10.244.2.0/24', '172.30.0.13'));
    await until('routes to n2 and n3', () => installed.size === 2);
    assert.deepEqual([...installed].sort(), [
      ['10.244.1.0/24', '172.30.0.12'],
      ['10.244.2.0/24', '172.30.0.13'],
    ]);
    fake.remove(NODES, '', 'n3');
    await until('the route to n3 to go', () => installed.size === 1);
    assert.deepEqual([...installed], [['10.244.1.0/24', '172.30.0.12']]);
  } finally {
    ctl.abort();
    await loop;
    client.close();
    await fake.stop();
  }
});
