import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { replaceFile, replaceFileSync } from './replace-file.js';

describe('replaceFile', () => {
  const root = mkdtempSync(join(tmpdir(), 'replace-file-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  test('writes new contents, leaves unchanged ones alone, keeps no temporaries', async () => {
    const p = join(root, 'resolv.conf');
    assert.equal(replaceFileSync(p, 'a\n'), true);
    const ino = statSync(p).ino;
    assert.equal(replaceFileSync(p, 'a\n'), false);
    assert.equal(statSync(p).ino, ino, 'an unchanged file is not replaced');
    assert.equal(await replaceFile(p, 'b\n'), true);
    assert.equal(readFileSync(p, 'utf8'), 'b\n');
    assert.notEqual(statSync(p).ino, ino, 'a changed file is a new inode (readers keep the old one)');
    assert.deepEqual(readdirSync(root), ['resolv.conf']);
  });

  test('mode and a separate temp directory', async () => {
    const dir = join(root, 'netns', 'pod');
    const tmp = join(root, 'netns');
    await import('node:fs').then((fs) => fs.mkdirSync(dir, { recursive: true }));
    await replaceFile(join(dir, 'hosts'), 'x\n', { tempDir: tmp, mode: 0o640 });
    replaceFileSync(join(dir, 'hostname'), '#!/bin/sh\necho web-0\n', { tempDir: tmp, mode: 0o755 });
    assert.deepEqual(readdirSync(dir).sort(), ['hostname', 'hosts']);
    assert.deepEqual(readdirSync(tmp), ['pod']);
    assert.equal(statSync(join(dir, 'hostname')).mode & 0o777, 0o755);
    assert.equal(statSync(join(dir, 'hosts')).mode & 0o777, 0o640);
  });

  test('a script run while it is being replaced never runs empty', async () => {
    const script = join(root, 'hostname');
    writeFileSync(script, '#!/bin/sh\necho web-1\n', { mode: 0o755 });
    // A shell runs the script in a loop while this process keeps replacing it (the pod sync
    // rewriting the shim during `kubectl exec web-1 -- hostname`).
    const runs = 300;
    const child = spawn('sh', ['-c', `i=0; while [ $i -lt ${runs} ]; do "$0" || echo FAIL; echo .; i=$((i+1)); done`, script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise<void>((r) => child.once('close', () => r()));
    let n = 0;
    let finished = false;
    void done.then(() => (finished = true));
    while (!finished) {
      replaceFileSync(script, `#!/bin/sh\necho web-1\n${n++ % 2 ? '# odd\n' : ''}`, { mode: 0o755 });
      await new Promise((r) => setImmediate(r));
    }
    const lines = out.split('.\n').slice(0, runs);
    assert.equal(lines.length, runs);
    assert.ok(n > 10, `the script was replaced ${n} times while it ran`);
    for (const l of lines) assert.equal(l, 'web-1\n');
  });
});
