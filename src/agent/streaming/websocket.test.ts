import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { acceptKey, encodeFrame, FrameDecoder, FrameError, Opcode, WebSocketConnection } from './websocket.js';

describe('acceptKey', () => {
  test('RFC 6455 section 1.3 example', () => {
    assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });
});

describe('frame encoding round trip', () => {
  const mask = Buffer.from([1, 2, 3, 4]);
  const cases = [
    { name: 'empty', len: 0, headerLen: 2 },
    { name: '125 bytes: 7-bit length', len: 125, headerLen: 2 },
    { name: '126 bytes: 16-bit length', len: 126, headerLen: 4 },
    { name: '65535 bytes: 16-bit length', len: 65535, headerLen: 4 },
    { name: '65536 bytes: 64-bit length', len: 65536, headerLen: 10 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const payload = Buffer.alloc(c.len, 0x61);
      const server = encodeFrame(Opcode.Binary, payload);
      assert.equal(server.length, c.headerLen + c.len);
      assert.deepEqual(new FrameDecoder(false).push(server), [{ fin: true, opcode: Opcode.Binary, payload }]);
      const client = encodeFrame(Opcode.Binary, payload, { mask });
      assert.equal(client.length, c.headerLen + 4 + c.len);
      assert.deepEqual(new FrameDecoder(true).push(client), [{ fin: true, opcode: Opcode.Binary, payload }]);
    });
  }

  test('frames split at every byte boundary still decode', () => {
    const wire = Buffer.concat([encodeFrame(Opcode.Binary, Buffer.from('hello'), { mask }), encodeFrame(Opcode.Ping, Buffer.from('p'), { mask })]);
    const d = new FrameDecoder(true);
    const got = [];
    for (const byte of wire) got.push(...d.push(Buffer.from([byte])));
    assert.deepEqual(
      got.map((f) => [f.opcode, f.payload.toString()]),
      [
        [Opcode.Binary, 'hello'],
        [Opcode.Ping, 'p'],
      ],
    );
  });
});

describe('protocol errors', () => {
  const cases: { name: string; wire: Buffer; requireMask: boolean; code: number }[] = [
    { name: 'unmasked client frame', wire: encodeFrame(Opcode.Binary, Buffer.from('x')), requireMask: true, code: 1002 },
    { name: 'masked server frame', wire: encodeFrame(Opcode.Binary, Buffer.from('x'), { mask: Buffer.from([9, 9, 9, 9]) }), requireMask: false, code: 1002 },
    { name: 'fragmented control frame', wire: encodeFrame(Opcode.Ping, Buffer.from('x'), { fin: false }), requireMask: false, code: 1002 },
    { name: 'reserved bit', wire: Buffer.from([0xc2, 0x00]), requireMask: false, code: 1002 },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.throws(
        () => new FrameDecoder(c.requireMask).push(c.wire),
        (e: unknown) => e instanceof FrameError && e.closeCode === c.code,
      );
    });
  }
});

describe('WebSocketConnection', () => {
  function pair() {
    const serverWire = new PassThrough();
    const clientWire = new PassThrough();
    const server = new WebSocketConnection(duplex(serverWire, clientWire), 'server', 'p');
    const client = new WebSocketConnection(duplex(clientWire, serverWire), 'client', 'p');
    return { server, client };
  }
  /** A socket stand-in: reads what the peer wrote into `readFrom`, writes into `writeTo`. */
  function duplex(readFrom: PassThrough, writeTo: PassThrough) {
    const d = new PassThrough();
    readFrom.on('data', (c: Buffer) => d.push(c));
    d.write = ((chunk: Buffer) => writeTo.write(chunk)) as typeof d.write;
    d.end = (() => d) as unknown as typeof d.end;
    return d;
  }

  test('reassembles fragments, answers pings, and completes the close handshake', async () => {
    const { server, client } = pair();
    const got: string[] = [];
    server.on('message', (m, binary) => got.push(`${binary ? 'bin' : 'text'}:${m.toString()}`));
    const mask = Buffer.from([5, 6, 7, 8]);
    client.socket.write(encodeFrame(Opcode.Binary, Buffer.from('he'), { fin: false, mask }));
    client.socket.write(encodeFrame(Opcode.Ping, Buffer.from('hb'), { mask }));
    client.socket.write(encodeFrame(Opcode.Continuation, Buffer.from('llo'), { mask }));
    client.sendText('t');
    const serverClosed = new Promise<number>((r) => server.on('close', (code) => r(code)));
    const clientClosed = new Promise<number>((r) => client.on('close', (code) => r(code)));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, ['bin:hello', 'text:t']);
    client.close(1000, 'bye');
    assert.equal(await serverClosed, 1000);
    assert.equal(await clientClosed, 1000);
  });
});
