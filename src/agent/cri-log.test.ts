import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { CriLogWriter, parseCriLine, readLog, streamLog } from './cri-log.js';

function withFile(fn: (path: string) => Promise<void> | void): () => Promise<void> {
  return async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cri-log-'));
    try {
      await fn(join(dir, '0.log'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
}

describe('CRI log files', () => {
  let t = Date.parse('2026-01-01T00:00:00.000Z');
  const clock = (): number => (t += 1000);

  test(
    'lines split across chunks, both streams, unterminated tail flushed on close',
    withFile((path) => {
      const w = new CriLogWriter(path, clock);
      w.write('stdout', Buffer.from('hel'));
      w.write('stderr', Buffer.from('oops\n'));
      w.write('stdout', Buffer.from('lo\nworld'));
      w.close();
      const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
      assert.deepEqual(
        lines.map((l) => parseCriLine(l)).map((l) => `${l?.stream} ${l?.partial ? 'P' : 'F'} ${l?.content}`),
        ['stderr F oops', 'stdout F hello', 'stdout F world'],
      );
      assert.match(lines[0] ?? '', /^2026-01-01T00:00:0\d\.000000000Z stderr F oops$/);
      assert.equal(readLog(path), 'oops\nhello\nworld\n');
      assert.equal(readLog(path, { tailLines: 2 }), 'hello\nworld\n');
      assert.equal(readLog(path, { tailLines: 0 }), '');
      assert.equal(readLog(path, { limitBytes: 7 }), 'oops\nhe');
      assert.match(readLog(path, { timestamps: true, tailLines: 1 }), /^2026-01-01T00:00:0\d\.000000000Z world\n$/);
    }),
  );

  test(
    'long lines are written in P pieces and joined on read',
    withFile((path) => {
      const w = new CriLogWriter(path, clock);
      const long = 'x'.repeat(40_000);
      w.write('stdout', Buffer.from(`${long}\nnext\n`));
      w.close();
      const tags = readFileSync(path, 'utf8').trimEnd().split('\n').map((l) => (parseCriLine(l)?.partial ? 'P' : 'F'));
      assert.deepEqual(tags, ['P', 'P', 'F', 'F']);
      assert.equal(readLog(path), `${long}\nnext\n`);
    }),
  );

  test(
    'follow streams appended lines until done',
    withFile(async (path) => {
      const w = new CriLogWriter(path, clock);
      w.write('stdout', Buffer.from('one\n'));
      const out = new PassThrough();
      let text = '';
      out.on('data', (d: Buffer) => (text += d.toString()));
      let done = false;
      const ac = new AbortController();
      const p = streamLog(path, {}, out, { isDone: () => done, signal: ac.signal, pollMs: 20 });
      await new Promise((r) => setTimeout(r, 60));
      w.write('stdout', Buffer.from('two\n'));
      await new Promise((r) => setTimeout(r, 60));
      w.write('stdout', Buffer.from('three\n'));
      w.close();
      done = true;
      await p;
      assert.equal(text, 'one\ntwo\nthree\n');
    }),
  );
});
