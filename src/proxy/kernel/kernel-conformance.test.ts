/**
 * Runs the shared Dataplane conformance suite against the nftables and
 * iptables modes for real (root): each mode gets its own lab (node namespace
 * with cbr0 and the Service route, endpoint addresses on lo) and the suite
 * runs in a child process inside the node namespace. Skipped, with the
 * reason printed, when not root or a tool is missing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { NetnsLab, labUnavailable } from './testing/netns-lab.js';

const CHILD = join(import.meta.dirname, 'testing', 'kernel-conformance-child.ts');
const ENDPOINT_IPS = ['10.244.7.1', '10.244.7.2', '10.244.7.3'];

const MODES: { mode: 'nftables' | 'iptables'; tools: string[] }[] = [
  { mode: 'nftables', tools: ['nft', 'conntrack'] },
  { mode: 'iptables', tools: ['iptables-restore', 'iptables-save', 'conntrack'] },
];

for (const m of MODES) {
  const reason = labUnavailable(m.tools);
  if (reason) console.log(`# skipping ${m.mode} conformance in a namespace: ${reason}`);
  describe(`kernel conformance: ${m.mode}`, { skip: reason ?? false }, () => {
    let lab: NetnsLab;
    let node = '';
    before(() => {
      lab = NetnsLab.create();
      // One pod keeps the bridge's carrier up; the endpoints live on the node's lo.
      node = lab.podNetwork([{ role: 'pod', ip: '10.244.0.2' }]);
      for (const ip of ENDPOINT_IPS) lab.exec(node, ['ip', 'addr', 'add', `${ip}/32`, 'dev', 'lo']);
    });
    after(() => lab.close());

    test('the shared suite passes inside the node namespace', { timeout: 120_000 }, async () => {
      // Without the parent's NODE_TEST_CONTEXT the child runs its suite as a test file of its own.
      const { NODE_TEST_CONTEXT: _ctx, ...env } = process.env;
      const child = spawn('ip', ['netns', 'exec', node, process.execPath, '--import', 'tsx', '--test', '--test-reporter=tap', CHILD], {
        env: { ...env, SY_KP_MODE: m.mode },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
      const summary = (k: string): number => Number(new RegExp(`^# ${k} (\\d+)`, 'm').exec(out)?.[1] ?? -1);
      assert.equal(code, 0, out);
      assert.equal(summary('fail'), 0, out);
      assert.ok(summary('pass') >= 6, out);
      // The namespace holds the mode's rules until the suite's close() removed them.
      if (m.mode === 'nftables') assert.doesNotMatch(lab.exec(node, ['nft', 'list', 'tables']), /kube-proxy/);
    });
  });
}
