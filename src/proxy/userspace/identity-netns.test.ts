import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const canUnshare = spawnSync('unshare', ['-rn', 'true']).status === 0;

test('identity mode in a private network namespace adds, serves and removes the cluster IP', { skip: canUnshare ? false : 'unshare -rn is not available' }, () => {
  const child = join(import.meta.dirname, '..', 'testing', 'netns-identity-child.ts');
  const r = spawnSync('unshare', ['-rn', process.execPath, '--import', 'tsx', child], { encoding: 'utf8', timeout: 30_000 });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  const got = JSON.parse(line || '{}') as Record<string, unknown>;
  assert.deepEqual(got, { sync: { ok: true }, addrAfterSync: true, hostname: 'netns-backend', addrAfterRemove: false }, r.stderr);
});
