/**
 * Message → wire, with RFC 1035 name compression and a size limit.
 *
 * When the records do not fit in `maxSize`, whole records are dropped from the end: a drop from the
 * answer or authority section sets TC (the client should retry over TCP); a drop from the additional
 * section does not (RFC 2181 section 9). The OPT record always fits: room for it is reserved.
 */
import { RRType } from './constants.js';
import { parseIPv4, parseIPv6 } from './ip.js';
import type { Edns, Message, Question, RData, ResourceRecord } from './message.js';
import { parseName } from './name.js';

export interface EncodeOptions {
  /** Largest message to produce (512 for plain UDP, the EDNS size for EDNS UDP, 65535 for TCP). */
  readonly maxSize?: number;
}

export interface EncodeResult {
  readonly bytes: Buffer;
  /** Records were dropped from the answer or authority section (TC is set in `bytes`). */
  readonly truncated: boolean;
}

export class EncodeError extends Error {
  override readonly name = 'EncodeError';
}

class Overflow extends Error {}

const MAX_MESSAGE = 65535;
// One scratch buffer for every encode: encoding is synchronous, and the result is copied out.
const scratch = Buffer.allocUnsafe(MAX_MESSAGE + 1024);

/** Lower-case wire form of each suffix, used as the compression key (unambiguous, unlike text). */
function suffixKeys(labels: readonly Uint8Array[]): string[] {
  const keys = new Array<string>(labels.length);
  let acc = '';
  for (let i = labels.length - 1; i >= 0; i--) {
    const l = labels[i] ?? new Uint8Array();
    let s = String.fromCharCode(l.length);
    for (const b of l) s += String.fromCharCode(b >= 0x41 && b <= 0x5a ? b + 32 : b);
    acc = s + acc;
    keys[i] = acc;
  }
  return keys;
}

class Writer {
  pos = 0;
  private readonly comp = new Map<string, number>();
  /** Keys added since the last mark, so a rollback can forget pointers into dropped bytes. */
  private added: string[] = [];

  constructor(private readonly limit: number) {}

  ensure(n: number): void {
    if (this.pos + n > this.limit) throw new Overflow();
  }
  u8(v: number): void {
    this.ensure(1);
    scratch[this.pos++] = v & 0xff;
  }
  u16(v: number): void {
    this.ensure(2);
    scratch.writeUInt16BE(v & 0xffff, this.pos);
    this.pos += 2;
  }
  u32(v: number): void {
    this.ensure(4);
    scratch.writeUInt32BE(v >>> 0, this.pos);
    this.pos += 4;
  }
  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    scratch.set(b, this.pos);
    this.pos += b.length;
  }
  name(text: string, compress: boolean): void {
    let labels: Uint8Array[];
    try {
      labels = parseName(text);
    } catch (err) {
      throw new EncodeError((err as Error).message);
    }
    const keys = suffixKeys(labels);
    for (let i = 0; i < labels.length; i++) {
      const key = keys[i] ?? '';
      if (compress) {
        const ptr = this.comp.get(key);
        if (ptr !== undefined) {
          this.u16(0xc000 | ptr);
          return;
        }
      }
      if (this.pos < 0x3fff && !this.comp.has(key)) {
        this.comp.set(key, this.pos);
        this.added.push(key);
      }
      const l = labels[i] ?? new Uint8Array();
      this.u8(l.length);
      this.bytes(l);
    }
    this.u8(0);
  }
  mark(): number {
    this.added = [];
    return this.pos;
  }
  rollback(to: number): void {
    for (const k of this.added) if ((this.comp.get(k) ?? 0) >= to) this.comp.delete(k);
    this.added = [];
    this.pos = to;
  }
}

function writeAddress(w: Writer, type: number, address: string): void {
  const b = type === RRType.AAAA ? parseIPv6(address) : parseIPv4(address);
  if (!b) throw new EncodeError(`invalid ${type === RRType.AAAA ? 'IPv6' : 'IPv4'} address ${JSON.stringify(address)}`);
  w.bytes(b);
}

function writeRData(w: Writer, type: number, d: RData): void {
  switch (d.kind) {
    case 'address':
      writeAddress(w, type, d.address);
      return;
    case 'name':
      w.name(d.target, type !== RRType.DNAME);
      return;
    case 'mx':
      w.u16(d.preference);
      w.name(d.exchange, true);
      return;
    case 'srv':
      w.u16(d.priority);
      w.u16(d.weight);
      w.u16(d.port);
      w.name(d.target, false); // RFC 2782: the target is not compressed
      return;
    case 'soa':
      w.name(d.mname, true);
      w.name(d.rname, true);
      w.u32(d.serial);
      w.u32(d.refresh);
      w.u32(d.retry);
      w.u32(d.expire);
      w.u32(d.minimum);
      return;
    case 'txt':
      for (const t of d.texts.length ? d.texts : ['']) {
        const b = Buffer.from(t, 'latin1');
        if (b.length > 255) throw new EncodeError('TXT string longer than 255 bytes');
        w.u8(b.length);
        w.bytes(b);
      }
      return;
    case 'raw':
      w.bytes(d.bytes);
      return;
  }
}

function writeRecord(w: Writer, rr: ResourceRecord): void {
  w.name(rr.name, true);
  w.u16(rr.type);
  w.u16(rr.class);
  w.u32(rr.ttl);
  const lenAt = w.pos;
  w.u16(0);
  writeRData(w, rr.type, rr.data);
  scratch.writeUInt16BE(w.pos - lenAt - 2, lenAt);
}

function writeQuestion(w: Writer, q: Question): void {
  w.name(q.name, true);
  w.u16(q.type);
  w.u16(q.class);
}

function optSize(e: Edns): number {
  return 11 + e.options.reduce((n, o) => n + 4 + o.data.length, 0);
}

function writeOpt(w: Writer, e: Edns, rcode: number): void {
  w.u8(0);
  w.u16(RRType.OPT);
  w.u16(e.udpSize);
  w.u32((((rcode >> 4) & 0xff) << 24) | ((e.version & 0xff) << 16) | (e.dnssecOk ? 0x8000 : 0));
  w.u16(optSize(e) - 11);
  for (const o of e.options) {
    w.u16(o.code);
    w.u16(o.data.length);
    w.bytes(o.data);
  }
}

/** Header flags in wire order (bytes 2-3) for `msg` with the low rcode bits. */
export function flagBits(msg: Pick<Message, 'flags' | 'rcode'>, tc: boolean): number {
  const f = msg.flags;
  return (
    (f.qr ? 0x8000 : 0) |
    ((f.opcode & 0x0f) << 11) |
    (f.aa ? 0x0400 : 0) |
    (tc || f.tc ? 0x0200 : 0) |
    (f.rd ? 0x0100 : 0) |
    (f.ra ? 0x0080 : 0) |
    (f.ad ? 0x0020 : 0) |
    (f.cd ? 0x0010 : 0) |
    (msg.rcode & 0x0f)
  );
}

/**
 * Encodes `msg`. Throws EncodeError for content that cannot be encoded (a bad name or address);
 * size limits never throw, they truncate.
 */
export function encodeMessage(msg: Message, opts: EncodeOptions = {}): EncodeResult {
  const maxSize = Math.min(Math.max(opts.maxSize ?? MAX_MESSAGE, 12), MAX_MESSAGE);
  if (msg.rcode > 15 && !msg.edns) throw new EncodeError(`rcode ${msg.rcode} needs an OPT record`);
  const reserve = msg.edns ? optSize(msg.edns) : 0;
  const w = new Writer(Math.max(maxSize - reserve, 12));
  w.pos = 12;
  let truncated = false;
  let qd = 0;
  const counts = [0, 0, 0];
  try {
    for (const q of msg.questions) {
      writeQuestion(w, q);
      qd++;
    }
    const sections = [msg.answers, msg.authorities, msg.additionals];
    outer: for (let s = 0; s < 3; s++) {
      for (const rr of sections[s] ?? []) {
        const at = w.mark();
        try {
          writeRecord(w, rr);
        } catch (err) {
          if (!(err instanceof Overflow)) throw err;
          w.rollback(at);
          if (s < 2) truncated = true;
          break outer;
        }
        counts[s] = (counts[s] ?? 0) + 1;
      }
    }
  } catch (err) {
    if (!(err instanceof Overflow)) throw err;
    // Not even the question fits: send the bare header with TC.
    w.rollback(12);
    qd = 0;
    truncated = true;
  }
  let arcount = counts[2] ?? 0;
  if (msg.edns) {
    const ow = new Writer(MAX_MESSAGE + 1024);
    ow.pos = w.pos;
    writeOpt(ow, msg.edns, msg.rcode);
    w.pos = ow.pos;
    arcount++;
  }
  scratch.writeUInt16BE(msg.id & 0xffff, 0);
  scratch.writeUInt16BE(flagBits(msg, truncated), 2);
  scratch.writeUInt16BE(qd, 4);
  scratch.writeUInt16BE(counts[0] ?? 0, 6);
  scratch.writeUInt16BE(counts[1] ?? 0, 8);
  scratch.writeUInt16BE(arcount, 10);
  return { bytes: Buffer.from(scratch.subarray(0, w.pos)), truncated };
}
