/** A tiny DNS client for tests and the benchmark: one query over UDP or TCP to 127.0.0.1. */
import dgram from 'node:dgram';
import net from 'node:net';
import { typeNumber } from '../message/constants.js';
import { decodeMessage } from '../message/decode.js';
import { encodeMessage } from '../message/encode.js';
import { type Edns, type Message, makeQuery } from '../message/message.js';

let nextId = 1;

/** A query for `name`/`type` (mnemonic), EDNS0 with 1232 bytes unless `edns` is false. */
export function question(name: string, type: string, opts: { edns?: Edns | false; id?: number } = {}): Message {
  const t = typeNumber(type);
  if (t === undefined) throw new Error(`unknown type ${type}`);
  return makeQuery({ id: opts.id ?? (nextId++ & 0xffff), name, type: t, edns: opts.edns });
}

/** Sends raw bytes over UDP; resolves with the first reply, or undefined after `timeoutMs`. */
export function udpRaw(port: number, bytes: Uint8Array, timeoutMs = 2000, host = '127.0.0.1'): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      sock.close();
      resolve(undefined);
    }, timeoutMs);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve(m);
    });
    sock.on('error', () => undefined);
    sock.send(bytes, port, host);
  });
}

/** Sends raw bytes as one TCP frame; resolves with the reply frame's body, or undefined. */
export function tcpRaw(port: number, bytes: Uint8Array, timeoutMs = 2000, host = '127.0.0.1'): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    let acc = Buffer.alloc(0);
    let done = false;
    const finish = (b: Buffer | undefined): void => {
      if (done) return;
      done = true;
      sock.destroy();
      resolve(b);
    };
    sock.setTimeout(timeoutMs, () => finish(undefined));
    sock.on('error', () => finish(undefined));
    sock.on('close', () => finish(undefined));
    sock.on('connect', () => {
      const frame = Buffer.alloc(2 + bytes.length);
      frame.writeUInt16BE(bytes.length, 0);
      frame.set(bytes, 2);
      sock.write(frame);
    });
    sock.on('data', (d: Buffer) => {
      acc = Buffer.concat([acc, d]);
      if (acc.length >= 2 && acc.length >= 2 + acc.readUInt16BE(0)) finish(acc.subarray(2, 2 + acc.readUInt16BE(0)));
    });
  });
}

/** Sends `msg` and decodes the reply; throws on timeout or an undecodable reply. */
export async function exchange(port: number, msg: Message, opts: { tcp?: boolean; timeoutMs?: number } = {}): Promise<Message> {
  const bytes = encodeMessage(msg).bytes;
  const reply = opts.tcp ? await tcpRaw(port, bytes, opts.timeoutMs) : await udpRaw(port, bytes, opts.timeoutMs);
  if (!reply) throw new Error(`no reply from 127.0.0.1:${port} to ${msg.questions[0]?.name ?? '?'}`);
  const d = decodeMessage(reply);
  if (!d.ok) throw new Error(`undecodable reply: ${d.error}`);
  if (d.message.id !== msg.id) throw new Error(`reply id ${d.message.id} does not match query id ${msg.id}`);
  return d.message;
}
