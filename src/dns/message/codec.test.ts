import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { RRType, Rcode } from './constants.js';
import { decodeMessage, readName } from './decode.js';
import { encodeMessage } from './encode.js';
import { canonicalIP } from './ip.js';
import { type Message, makeQuery, NO_FLAGS } from './message.js';
import { labelsLeftOf, parseName, formatName } from './name.js';
import { formatRecord, parseRecord } from './zone-text.js';

function response(records: string[], extra: Partial<Message> = {}): Message {
  return {
    id: 4242,
    flags: { ...NO_FLAGS, qr: true, aa: true, rd: true, ra: true },
    rcode: 0,
    questions: [{ name: 'web.default.svc.cluster.local.', type: RRType.A, class: 1 }],
    answers: records.map(parseRecord),
    authorities: [],
    additionals: [],
    ...extra,
  };
}

describe('zone-file text', () => {
  const lines = [
    'web.default.svc.cluster.local. 5 IN A 10.96.0.20',
    'web.default.svc.cluster.local. 5 IN AAAA fd00:10:96::20',
    'client-svc.default.svc.cluster.local. 5 IN CNAME nginx-svc.nginx-ns.svc.cluster.local.',
    '20.0.96.10.in-addr.arpa. 5 IN PTR web.default.svc.cluster.local.',
    '_http._tcp.web.default.svc.cluster.local. 5 IN SRV 0 100 80 web.default.svc.cluster.local.',
    'cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 5',
    'dns-version.cluster.local. 28800 IN TXT "1.1.0"',
    'x.example. 60 IN TXT "a \\"quoted\\" \\\\ string" "second"',
    'example. 60 IN MX 10 mail.example.',
    'example. 60 IN NS ns1.example.',
    'example. 60 IN TYPE999 \\# 3 010203',
    'we\\.ird\\032name.example. 1 IN A 1.2.3.4',
  ];
  for (const line of lines) {
    test(`round-trips through text and wire: ${line}`, () => {
      const rr = parseRecord(line);
      assert.equal(formatRecord(rr), line);
      const wire = encodeMessage(response([line])).bytes;
      const back = decodeMessage(wire);
      assert.ok(back.ok, back.ok ? '' : back.error);
      assert.equal(back.message.answers.map(formatRecord)[0], line);
    });
  }

  test('IPv6 addresses print in RFC 5952 form', () => {
    assert.equal(canonicalIP('FD00:0:0:0:0:0:0:1')?.text, 'fd00::1');
    assert.equal(canonicalIP('2001:db8:0:0:1:0:0:1')?.text, '2001:db8::1:0:0:1');
    assert.equal(canonicalIP('::ffff:10.1.2.3')?.text, '::ffff:a01:203');
    assert.equal(canonicalIP('1:2:3:4:5:6:7:8')?.text, '1:2:3:4:5:6:7:8');
    assert.equal(canonicalIP('1::2::3'), undefined);
    assert.equal(canonicalIP('10.1.2.300'), undefined);
    assert.equal(canonicalIP('010.1.2.3'), undefined);
  });
});

describe('names', () => {
  test('labels left of a zone keep escaped dots', () => {
    assert.deepEqual(labelsLeftOf('a.b\\.c.svc.cluster.local.', 'cluster.local.'), ['a', 'b\\.c', 'svc']);
    assert.deepEqual(labelsLeftOf('cluster.local.', 'cluster.local.'), []);
  });
  test('over-long labels and names are refused', () => {
    assert.throws(() => parseName(`${'a'.repeat(64)}.example.`), /label longer/);
    assert.throws(() => parseName(`${'abcdefghi.'.repeat(26)}`), /name longer/);
    assert.throws(() => parseName('a..b.'), /empty label/);
    assert.equal(formatName(parseName('A.b.')), 'A.b.');
  });
});

describe('message codec', () => {
  test('a query with EDNS0 round-trips', () => {
    const q = makeQuery({ id: 7, name: 'Web.Default.svc.cluster.local.', type: RRType.AAAA, edns: { udpSize: 4096, version: 0, dnssecOk: true, options: [{ code: 10, data: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8]) }] } });
    const back = decodeMessage(encodeMessage(q).bytes);
    assert.ok(back.ok);
    assert.equal(back.message.id, 7);
    assert.equal(back.message.flags.rd, true);
    assert.deepEqual(back.message.questions, [{ name: 'Web.Default.svc.cluster.local.', type: RRType.AAAA, class: 1 }]);
    assert.equal(back.message.edns?.udpSize, 4096);
    assert.equal(back.message.edns?.dnssecOk, true);
    assert.deepEqual([...(back.message.edns?.options[0]?.data ?? [])], [1, 2, 3, 4, 5, 6, 7, 8]);
  });

  test('names are compressed against the question, case-insensitively', () => {
    const msg = response(['WEB.default.svc.cluster.local. 5 IN A 10.96.0.20', 'web.default.svc.cluster.local. 5 IN A 10.96.0.21']);
    const bytes = encodeMessage(msg).bytes;
    // header 12 + question (31 name + 4) + two answers of (2 pointer + 10 fixed + 4 rdata)
    assert.equal(bytes.length, 12 + 31 + 4 + 2 * 16);
    assert.equal(bytes[12 + 35], 0xc0);
    assert.equal(bytes[12 + 36], 12);
  });

  test('extended rcodes travel in the OPT record', () => {
    const msg = response([], { rcode: Rcode.BADVERS, edns: { udpSize: 1232, version: 0, dnssecOk: false, options: [] } });
    const back = decodeMessage(encodeMessage(msg).bytes);
    assert.ok(back.ok);
    assert.equal(back.message.rcode, Rcode.BADVERS);
  });

  test('answers that do not fit drop whole records and set TC', () => {
    const many = Array.from({ length: 100 }, (_, i) => `web.default.svc.cluster.local. 5 IN A 10.0.${i >> 8}.${i & 255}`);
    const out = encodeMessage(response(many), { maxSize: 512 });
    assert.ok(out.truncated);
    assert.ok(out.bytes.length <= 512);
    const back = decodeMessage(out.bytes);
    assert.ok(back.ok);
    assert.equal(back.message.flags.tc, true);
    assert.equal(back.message.answers.length, Math.floor((512 - 12 - 35) / 16));
  });

  test('additional records that do not fit are dropped without TC', () => {
    const extra = Array.from({ length: 60 }, (_, i) => parseRecord(`host${i}.example. 5 IN A 10.0.0.${i}`));
    const out = encodeMessage(response(['web.default.svc.cluster.local. 5 IN A 10.96.0.20'], { additionals: extra }), { maxSize: 512 });
    assert.equal(out.truncated, false);
    const back = decodeMessage(out.bytes);
    assert.ok(back.ok);
    assert.equal(back.message.flags.tc, false);
    assert.equal(back.message.answers.length, 1);
    assert.ok(back.message.additionals.length > 0 && back.message.additionals.length < 60);
  });

  test('the OPT record survives truncation', () => {
    const many = Array.from({ length: 200 }, (_, i) => `web.default.svc.cluster.local. 5 IN A 10.0.${i >> 8}.${i & 255}`);
    const out = encodeMessage(response(many, { edns: { udpSize: 1232, version: 0, dnssecOk: false, options: [] } }), { maxSize: 1232 });
    assert.ok(out.bytes.length <= 1232);
    const back = decodeMessage(out.bytes);
    assert.ok(back.ok);
    assert.equal(back.message.edns?.udpSize, 1232);
    assert.equal(back.message.flags.tc, true);
  });
});

describe('malformed input', () => {
  const header = (qd: number, an = 0, ns = 0, ar = 0): number[] => [0x12, 0x34, 0x01, 0x00, 0, qd, 0, an, 0, ns, 0, ar];
  const cases: { name: string; bytes: number[]; error: RegExp; hasHeader: boolean }[] = [
    { name: 'empty packet', bytes: [], error: /shorter than a header/, hasHeader: false },
    { name: 'short header', bytes: [1, 2, 3], error: /shorter than a header/, hasHeader: false },
    { name: 'question count without a question', bytes: header(1), error: /past the end/, hasHeader: true },
    { name: 'label past the end', bytes: [...header(1), 10, 0x61, 0x62], error: /past the end/, hasHeader: true },
    { name: 'self-pointing compression pointer', bytes: [...header(1), 0xc0, 12, 0, 1, 0, 1], error: /backwards/, hasHeader: true },
    { name: 'forward pointer', bytes: [...header(1), 0xc0, 40, 0, 1, 0, 1], error: /backwards/, hasHeader: true },
    { name: 'extended label type', bytes: [...header(1), 0x41, 0, 0, 1, 0, 1], error: /label type/, hasHeader: true },
    { name: 'missing qtype', bytes: [...header(1), 1, 0x61, 0], error: /truncated/, hasHeader: true },
    { name: 'A rdata of 3 bytes', bytes: [...header(1, 1), 0, 0, 1, 0, 1, 0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 3, 1, 2, 3], error: /not 4 bytes/, hasHeader: true },
    { name: 'OPT in the answer section', bytes: [...header(0, 1), 0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0], error: /OPT record outside/, hasHeader: true },
    { name: 'two OPT records', bytes: [...header(0, 0, 0, 2), 0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 41, 4, 0, 0, 0, 0, 0, 0, 0], error: /more than one OPT/, hasHeader: true },
    { name: 'rdata length past the end', bytes: [...header(0, 1), 0, 0, 16, 0, 1, 0, 0, 0, 5, 0, 200, 1], error: /truncated/, hasHeader: true },
    { name: 'TXT string past its rdata', bytes: [...header(0, 1), 0, 0, 16, 0, 1, 0, 0, 0, 5, 0, 2, 5, 0x61], error: /TXT string/, hasHeader: true },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = decodeMessage(Uint8Array.from(c.bytes));
      assert.equal(r.ok, false);
      if (r.ok) return;
      assert.match(r.error, c.error);
      assert.equal(r.header !== undefined, c.hasHeader);
      if (c.hasHeader) assert.equal(r.header?.id, 0x1234);
    });
  }

  test('a pointer loop through labels ends with an error', () => {
    // offset 12: label "a", then a pointer back to 12: a.a.a.a... until the 255-byte limit.
    const bytes = Uint8Array.from([...header(1), 1, 0x61, 0xc0, 12, 0, 1, 0, 1]);
    assert.throws(() => readName(bytes, 12));
    const r = decodeMessage(bytes);
    assert.equal(r.ok, false);
  });

  test('random bytes never throw', () => {
    let seed = 12345;
    const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >>> 16) & 0xff;
    for (let i = 0; i < 20000; i++) {
      const len = rnd() % 96;
      const bytes = Uint8Array.from({ length: len }, rnd);
      const r = decodeMessage(bytes);
      assert.equal(typeof r.ok, 'boolean');
    }
  });
});
