/**
 * Root-only: runs netns-runtime.inside.ts (Runtime conformance + netns specifics) inside a
 * throwaway node network namespace. Everything made here is named `sy-rtc-*` and removed
 * afterwards, also on failure, and before starting (leftovers of an interrupted run).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const PREFIX = 'sy-rtc-';
const NODE_NS = `${PREFIX}node`;

function cleanup(): void {
  for (const dir of ['/run/netns', '/etc/netns']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (!name.startsWith(PREFIX)) continue;
      if (dir === '/run/netns') {
        // Kill what still runs in there (only processes our test started can be inside).
        const pids = spawnSync('ip', ['netns', 'pids', name]).stdout?.toString().split(/\s+/).filter(Boolean) ?? [];
        for (const p of pids) {
          try {
            process.kill(Number(p), 'SIGKILL');
          } catch {
            // gone
          }
        }
        spawnSync('ip', ['netns', 'del', name]);
      } else rmSync(`${dir}/${name}`, { recursive: true, force: true });
    }
  }
}

const skipReason =
  process.platform !== 'linux'
    ? 'needs Linux network namespaces'
    : process.getuid?.() !== 0
      ? 'needs root (network namespaces, veth, bridge)'
      : spawnSync('ip', ['-V']).status !== 0 || spawnSync('nsenter', ['--version']).status !== 0
        ? 'needs iproute2 and util-linux nsenter'
        : undefined;

test('NetnsRuntime passes the runtime conformance suite inside a node namespace', { skip: skipReason, timeout: 180_000 }, () => {
  cleanup();
  try {
    const add = spawnSync('ip', ['netns', 'add', NODE_NS]);
    assert.equal(add.status, 0, add.stderr.toString());
    const inside = fileURLToPath(new URL('./netns-runtime.inside.ts', import.meta.url));
    // The child is a test run of its own: drop the runner's context so it does not think it is nested.
    const env: NodeJS.ProcessEnv = { ...process.env, SY_TEST_NETNS_PREFIX: `${PREFIX}pod-` };
    delete env.NODE_TEST_CONTEXT;
    const r = spawnSync('nsenter', [`--net=/run/netns/${NODE_NS}`, process.execPath, '--import', 'tsx', '--test-reporter=spec', inside], {
      env,
      timeout: 170_000,
    });
    const output = `${r.stdout?.toString() ?? ''}${r.stderr?.toString() ?? ''}`;
    if (r.status !== 0) console.log(output);
    assert.equal(r.status, 0, 'the inside suite failed (output above)');
    assert.match(output, /Runtime conformance: netns/);
    assert.match(output, /ℹ fail 0/);
    // Nothing of the pods is left: only the node namespace itself.
    const left = readdirSync('/run/netns').filter((n) => n.startsWith(PREFIX));
    assert.deepEqual(left, [NODE_NS]);
  } finally {
    cleanup();
  }
  assert.deepEqual(readdirSync('/run/netns').filter((n) => n.startsWith(PREFIX)), []);
});
