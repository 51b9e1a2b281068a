import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoReader, ProtobufDecodeError } from './wire.js';
import { ProtoWriter } from './test-encoder.js';

describe('ProtoReader varints', () => {
  const cases: { name: string; bytes: number[]; read: (r: ProtoReader) => unknown; want: unknown }[] = [
    { name: 'zero', bytes: [0x00], read: (r) => r.varint(), want: 0n },
    { name: 'one byte', bytes: [0x7f], read: (r) => r.varint(), want: 127n },
    { name: '300', bytes: [0xac, 0x02], read: (r) => r.varint(), want: 300n },
    { name: 'max uint64', bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], read: (r) => r.varint(), want: 2n ** 64n - 1n },
    { name: 'int64 -1', bytes: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], read: (r) => r.int64(), want: -1 },
    { name: 'int32 -2 (sign-extended to 10 bytes)', bytes: [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], read: (r) => r.int32(), want: -2 },
    { name: 'int32 max', bytes: [0xff, 0xff, 0xff, 0xff, 0x07], read: (r) => r.int32(), want: 2147483647 },
    { name: 'bool true', bytes: [0x01], read: (r) => r.bool(), want: true },
    { name: 'bool false', bytes: [0x00], read: (r) => r.bool(), want: false },
    { name: 'fixed32', bytes: [0x01, 0x02, 0x03, 0x84], read: (r) => r.fixed32(), want: 0x84030201 },
    { name: 'fixed64', bytes: [1, 0, 0, 0, 2, 0, 0, 0], read: (r) => r.fixed64(), want: (2n << 32n) | 1n },
    { name: 'string', bytes: [0x03, 0x61, 0xc3, 0xa9], read: (r) => r.string(), want: 'aé' },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const r = new ProtoReader(Uint8Array.from(c.bytes));
      assert.equal(c.read(r), c.want);
      assert.ok(r.eof());
    });
  }
});

describe('ProtoReader tags and skipping', () => {
  test('reads field number and wire type', () => {
    const r = new ProtoReader(new ProtoWriter().string(15, 'x').varint(2000, 1).finish());
    assert.deepEqual(r.tag(), { field: 15, wireType: 2 });
    assert.equal(r.string(), 'x');
    assert.deepEqual(r.tag(), { field: 2000, wireType: 0 });
    assert.equal(r.uint(), 1);
    assert.ok(r.eof());
  });

  test('skips every wire type, including a nested group', () => {
    const bytes = new ProtoWriter()
      .varint(1, 300)
      .fixed64(2, 5n)
      .string(3, 'skip me')
      .fixed32(4, 9)
      .raw([(5 << 3) | 3, (6 << 3) | 0, 0x01, (7 << 3) | 3, (7 << 3) | 4, (5 << 3) | 4]) // group 5 { 6: 1, group 7 {} }
      .string(8, 'kept')
      .finish();
    const r = new ProtoReader(bytes);
    for (;;) {
      const t = r.tag();
      if (t.field === 8) {
        assert.equal(r.string(), 'kept');
        break;
      }
      r.skip(t.wireType, t.field);
    }
    assert.ok(r.eof());
  });

  test('bytes() returns a view limited to the field', () => {
    const r = new ProtoReader(new ProtoWriter().bytes(1, Uint8Array.from([9, 8, 7])).varint(2, 1).finish());
    r.tag();
    assert.deepEqual(Array.from(r.bytes()), [9, 8, 7]);
    assert.deepEqual(r.tag(), { field: 2, wireType: 0 });
  });

  test('respects start/end bounds', () => {
    const r = new ProtoReader(Uint8Array.from([0xff, 0x08, 0x01, 0xff]), 1, 3);
    assert.deepEqual(r.tag(), { field: 1, wireType: 0 });
    assert.equal(r.uint(), 1);
    assert.ok(r.eof());
  });
});

describe('ProtoReader malformed input', () => {
  const cases: { name: string; bytes: number[]; read: (r: ProtoReader) => unknown; error: RegExp }[] = [
    { name: 'truncated varint', bytes: [0x80, 0x80], read: (r) => r.varint(), error: /end of data in varint/ },
    { name: 'varint over 10 bytes', bytes: Array(11).fill(0x80), read: (r) => r.varint(), error: /longer than 10 bytes/ },
    { name: 'length beyond end', bytes: [0x05, 0x61], read: (r) => r.bytes(), error: /need 5 bytes/ },
    { name: 'truncated fixed32', bytes: [0x01, 0x02], read: (r) => r.fixed32(), error: /need 4 bytes/ },
    { name: 'field number 0', bytes: [0x02], read: (r) => r.tag(), error: /field number 0/ },
    { name: 'wire type 7', bytes: [0x0f], read: (r) => r.tag(), error: /invalid wire type 7/ },
    { name: 'unterminated group', bytes: [0x08, 0x01], read: (r) => r.skip(3, 1), error: /end of data in group/ },
    { name: 'stray end group', bytes: [], read: (r) => r.skip(4, 1), error: /unexpected end group/ },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(
        () => c.read(new ProtoReader(Uint8Array.from(c.bytes))),
        (e: unknown) => e instanceof ProtobufDecodeError && c.error.test(e.message),
      );
    });
  }
});
