import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { questionHash, QuestionTable } from './question-table.js';

/** Wire question: labels, root, type, class. */
function q(name: string, type: number, klass = 1): { buf: Buffer; nameEnd: number } {
  const parts: number[] = [];
  for (const l of name.split('.').filter(Boolean)) parts.push(l.length, ...Buffer.from(l, 'latin1'));
  parts.push(0);
  const nameEnd = parts.length;
  parts.push(type >> 8, type & 0xff, klass >> 8, klass & 0xff);
  return { buf: Buffer.from(parts), nameEnd };
}

function get<V>(t: QuestionTable<V>, name: string, type: number, klass = 1): V | undefined {
  const { buf, nameEnd } = q(name, type, klass);
  return t.get(buf, 0, nameEnd, buf.length, questionHash(buf, 0, nameEnd, buf.length));
}

function set<V>(t: QuestionTable<V>, name: string, type: number, v: V): void {
  const { buf, nameEnd } = q(name, type);
  t.set(buf, 0, nameEnd, buf.length, questionHash(buf, 0, nameEnd, buf.length), v);
}

describe('QuestionTable', () => {
  test('matches the name in any case, type and class exactly', () => {
    const t = new QuestionTable<string>(10);
    set(t, 'web.default.svc.cluster.local.', 1, 'a');
    const cases: [string, number, number, string | undefined][] = [
      ['web.default.svc.cluster.local.', 1, 1, 'a'],
      ['WeB.DEFAULT.svc.Cluster.LOCAL.', 1, 1, 'a'],
      ['web.default.svc.cluster.local.', 28, 1, undefined],
      ['web.default.svc.cluster.local.', 1, 255, undefined],
      ['web.default.svc.cluster.loca.', 1, 1, undefined],
    ];
    for (const [name, type, klass, want] of cases) assert.equal(get(t, name, type, klass), want, `${name} ${type} ${klass}`);
  });

  test('type bytes are not case-folded: type 65 (0x0041) and 97 (0x0061) stay apart', () => {
    const t = new QuestionTable<string>(10);
    set(t, 'x.example.', 65, 'https');
    assert.equal(get(t, 'x.example.', 97), undefined);
    assert.equal(get(t, 'x.example.', 65), 'https');
  });

  test('set replaces, delete removes, size counts keys', () => {
    const t = new QuestionTable<number>(10);
    set(t, 'a.', 1, 1);
    set(t, 'A.', 1, 2);
    assert.equal(t.size, 1);
    assert.equal(get(t, 'a.', 1), 2);
    const { buf, nameEnd } = q('a.', 1);
    t.delete(buf, 0, nameEnd, buf.length, questionHash(buf, 0, nameEnd, buf.length));
    assert.equal(t.size, 0);
    assert.equal(get(t, 'a.', 1), undefined);
  });

  test('keys sharing a hash chain and delete independently', () => {
    const t = new QuestionTable<string>(10);
    const a = q('one.', 1);
    const b = q('two.', 1);
    // Force one bucket for both keys.
    t.set(a.buf, 0, a.nameEnd, a.buf.length, 7, 'one');
    t.set(b.buf, 0, b.nameEnd, b.buf.length, 7, 'two');
    assert.equal(t.get(a.buf, 0, a.nameEnd, a.buf.length, 7), 'one');
    assert.equal(t.get(b.buf, 0, b.nameEnd, b.buf.length, 7), 'two');
    t.delete(b.buf, 0, b.nameEnd, b.buf.length, 7);
    assert.equal(t.get(a.buf, 0, a.nameEnd, a.buf.length, 7), 'one');
    assert.equal(t.get(b.buf, 0, b.nameEnd, b.buf.length, 7), undefined);
    assert.equal(t.size, 1);
  });

  test('full: the oldest keys go first; capacity 0 stores nothing', () => {
    const t = new QuestionTable<number>(3);
    for (let i = 0; i < 5; i++) set(t, `n${i}.`, 1, i);
    assert.equal(t.size, 3);
    assert.deepEqual([0, 1, 2, 3, 4].map((i) => get(t, `n${i}.`, 1)), [undefined, undefined, 2, 3, 4]);
    const off = new QuestionTable<number>(0);
    set(off, 'a.', 1, 1);
    assert.equal(off.size, 0);
    assert.equal(get(off, 'a.', 1), undefined);
  });

  test('questions at an offset inside a packet', () => {
    const t = new QuestionTable<string>(4);
    const { buf, nameEnd } = q('svc.', 33);
    const pkt = Buffer.concat([Buffer.alloc(12, 0xab), buf]);
    t.set(pkt, 12, 12 + nameEnd, pkt.length, questionHash(pkt, 12, 12 + nameEnd, pkt.length), 'srv');
    assert.equal(get(t, 'SVC.', 33), 'srv');
  });
});
