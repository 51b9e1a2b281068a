import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkNodeNamespace } from './namespace-guard.js';

describe('checkNodeNamespace', () => {
  test('the override always allows', async () => {
    assert.deepEqual(await checkNodeNamespace({ allowHostNamespace: true }), { ok: true });
  });

  test('a namespace that is not named under the run dir is refused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sy-guard-'));
    try {
      const r = await checkNodeNamespace({ runDir: dir, initNs: '/nonexistent' });
      assert.equal(r.ok, false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('being PID 1’s namespace is refused even when a name points at it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sy-guard-'));
    try {
      await symlink('/proc/self/ns/net', join(dir, 'looks-named'));
      const r = await checkNodeNamespace({ runDir: dir, initNs: '/proc/self/ns/net' });
      assert.deepEqual(r, { ok: false, reason: "this process runs in the machine's own network namespace" });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test('a named namespace that is not the initial one is allowed, with its name', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sy-guard-'));
    try {
      // Stand-in: treat this process's namespace as "named" and some other link as PID 1's.
      await symlink('/proc/self/ns/net', join(dir, 'node-a'));
      const r = await checkNodeNamespace({ runDir: dir, initNs: '/proc/self/ns/uts', selfNs: '/proc/self/ns/net' });
      const inInit = (await import('node:fs/promises')).stat('/proc/self/ns/net').then((s) => s.ino === 0xeffffff9);
      if (await inInit) assert.equal(r.ok, false, 'the kernel initial namespace is refused by inode');
      else assert.deepEqual(r, { ok: true, name: 'node-a' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
