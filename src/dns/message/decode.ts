/**
 * Wire → Message (RFC 1035 section 4, RFC 6891 OPT). Never throws: malformed input comes back as
 * `{ ok: false }`, with the header when at least 12 bytes arrived so a server can answer FORMERR.
 */
import { RRType } from './constants.js';
import { formatIPv4, formatIPv6 } from './ip.js';
import { labelText, MAX_NAME_WIRE } from './name.js';
import type { Edns, EdnsOption, Flags, Message, Question, RData, ResourceRecord } from './message.js';

export interface Header {
  readonly id: number;
  readonly flags: Flags;
  readonly rcode: number;
  readonly qdcount: number;
  readonly ancount: number;
  readonly nscount: number;
  readonly arcount: number;
}

export type DecodeResult =
  | { readonly ok: true; readonly message: Message }
  | { readonly ok: false; readonly error: string; readonly header?: Header };

class DecodeError extends Error {}

const MAX_POINTER_JUMPS = 64;

export function decodeHeader(buf: Uint8Array): Header | undefined {
  if (buf.length < 12) return undefined;
  const b2 = buf[2] ?? 0;
  const b3 = buf[3] ?? 0;
  const u16 = (o: number): number => ((buf[o] ?? 0) << 8) | (buf[o + 1] ?? 0);
  return {
    id: u16(0),
    flags: {
      qr: (b2 & 0x80) !== 0,
      opcode: (b2 >> 3) & 0x0f,
      aa: (b2 & 0x04) !== 0,
      tc: (b2 & 0x02) !== 0,
      rd: (b2 & 0x01) !== 0,
      ra: (b3 & 0x80) !== 0,
      ad: (b3 & 0x20) !== 0,
      cd: (b3 & 0x10) !== 0,
    },
    rcode: b3 & 0x0f,
    qdcount: u16(4),
    ancount: u16(6),
    nscount: u16(8),
    arcount: u16(10),
  };
}

/**
 * Reads a possibly compressed name at `off`. Returns the text and the offset after the name as it
 * sits at `off` (after the first pointer, if any). Pointers must point backwards, jumps are
 * capped, and the expanded name must fit in 255 bytes, so hostile loops end.
 */
export function readName(buf: Uint8Array, off: number): { name: string; next: number } {
  let pos = off;
  let next = -1;
  let jumps = 0;
  let wire = 1;
  let s = '';
  for (;;) {
    if (pos >= buf.length) throw new DecodeError('name runs past the end of the message');
    const len = buf[pos] ?? 0;
    if (len === 0) {
      pos++;
      break;
    }
    const kind = len & 0xc0;
    if (kind === 0xc0) {
      if (pos + 1 >= buf.length) throw new DecodeError('truncated compression pointer');
      const ptr = ((len & 0x3f) << 8) | (buf[pos + 1] ?? 0);
      if (ptr >= pos) throw new DecodeError('compression pointer does not point backwards');
      if (next < 0) next = pos + 2;
      if (++jumps > MAX_POINTER_JUMPS) throw new DecodeError('too many compression pointers');
      pos = ptr;
      continue;
    }
    if (kind !== 0) throw new DecodeError(`unsupported label type 0x${kind.toString(16)}`);
    if (pos + 1 + len > buf.length) throw new DecodeError('label runs past the end of the message');
    wire += len + 1;
    if (wire > MAX_NAME_WIRE) throw new DecodeError('name longer than 255 bytes');
    s += `${labelText(buf, pos + 1, pos + 1 + len)}.`;
    pos += 1 + len;
  }
  return { name: s === '' ? '.' : s, next: next >= 0 ? next : pos };
}

class Reader {
  pos: number;
  constructor(
    readonly buf: Uint8Array,
    start: number,
  ) {
    this.pos = start;
  }
  need(n: number): void {
    if (this.pos + n > this.buf.length) throw new DecodeError('message truncated');
  }
  u8(): number {
    this.need(1);
    return this.buf[this.pos++] ?? 0;
  }
  u16(): number {
    this.need(2);
    const v = ((this.buf[this.pos] ?? 0) << 8) | (this.buf[this.pos + 1] ?? 0);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const b = this.buf;
    const p = this.pos;
    this.pos += 4;
    return (((b[p] ?? 0) << 24) >>> 0) + ((b[p + 1] ?? 0) << 16) + ((b[p + 2] ?? 0) << 8) + (b[p + 3] ?? 0);
  }
  name(): string {
    const r = readName(this.buf, this.pos);
    this.pos = r.next;
    return r.name;
  }
}

function decodeRData(r: Reader, type: number, rdlen: number): RData {
  const end = r.pos + rdlen;
  r.need(rdlen);
  const buf = r.buf;
  const done = (d: RData): RData => {
    if (r.pos !== end) throw new DecodeError(`rdata of type ${type} has ${end - r.pos} stray bytes`);
    return d;
  };
  switch (type) {
    case RRType.A:
      if (rdlen !== 4) throw new DecodeError('A rdata is not 4 bytes');
      r.pos = end;
      return { kind: 'address', address: formatIPv4(buf, end - 4) };
    case RRType.AAAA:
      if (rdlen !== 16) throw new DecodeError('AAAA rdata is not 16 bytes');
      r.pos = end;
      return { kind: 'address', address: formatIPv6(buf, end - 16) };
    case RRType.CNAME:
    case RRType.NS:
    case RRType.PTR:
    case RRType.DNAME:
      return done({ kind: 'name', target: r.name() });
    case RRType.MX: {
      const preference = r.u16();
      return done({ kind: 'mx', preference, exchange: r.name() });
    }
    case RRType.SRV: {
      const priority = r.u16();
      const weight = r.u16();
      const port = r.u16();
      return done({ kind: 'srv', priority, weight, port, target: r.name() });
    }
    case RRType.SOA: {
      const mname = r.name();
      const rname = r.name();
      const serial = r.u32();
      const refresh = r.u32();
      const retry = r.u32();
      const expire = r.u32();
      const minimum = r.u32();
      return done({ kind: 'soa', mname, rname, serial, refresh, retry, expire, minimum });
    }
    case RRType.TXT: {
      const texts: string[] = [];
      while (r.pos < end) {
        const len = r.u8();
        if (r.pos + len > end) throw new DecodeError('TXT string runs past its rdata');
        texts.push(Buffer.from(buf.buffer, buf.byteOffset + r.pos, len).toString('latin1'));
        r.pos += len;
      }
      return done({ kind: 'txt', texts });
    }
    default:
      r.pos = end;
      return { kind: 'raw', bytes: Uint8Array.prototype.slice.call(buf, end - rdlen, end) };
  }
}

function decodeEdns(r: Reader, udpSize: number, ttl: number, rdlen: number): Edns {
  const end = r.pos + rdlen;
  r.need(rdlen);
  const options: EdnsOption[] = [];
  while (r.pos < end) {
    const code = r.u16();
    const len = r.u16();
    if (r.pos + len > end) throw new DecodeError('EDNS option runs past the OPT rdata');
    options.push({ code, data: Uint8Array.prototype.slice.call(r.buf, r.pos, r.pos + len) });
    r.pos += len;
  }
  return { udpSize, version: (ttl >>> 16) & 0xff, dnssecOk: (ttl & 0x8000) !== 0, options };
}

/** Decodes a whole message (bytes after the last counted record are ignored). */
export function decodeMessage(buf: Uint8Array): DecodeResult {
  const header = decodeHeader(buf);
  if (!header) return { ok: false, error: `message shorter than a header (${buf.length} bytes)` };
  try {
    const r = new Reader(buf, 12);
    const questions: Question[] = [];
    for (let i = 0; i < header.qdcount; i++) {
      const name = r.name();
      questions.push({ name, type: r.u16(), class: r.u16() });
    }
    const sections: ResourceRecord[][] = [[], [], []];
    const counts = [header.ancount, header.nscount, header.arcount];
    let edns: Edns | undefined;
    let extRcode = 0;
    for (let s = 0; s < 3; s++) {
      const out = sections[s] ?? [];
      for (let i = 0; i < (counts[s] ?? 0); i++) {
        const name = r.name();
        const type = r.u16();
        const klass = r.u16();
        const ttl = r.u32();
        const rdlen = r.u16();
        if (type === RRType.OPT) {
          if (s !== 2) throw new DecodeError('OPT record outside the additional section');
          if (edns) throw new DecodeError('more than one OPT record');
          if (name !== '.') throw new DecodeError('OPT record with a non-root owner');
          edns = decodeEdns(r, klass, ttl, rdlen);
          extRcode = ttl >>> 24;
          continue;
        }
        out.push({ name, type, class: klass, ttl, data: decodeRData(r, type, rdlen) });
      }
    }
    // Trailing bytes after the counted records are ignored, as most servers do.
    return {
      ok: true,
      message: {
        id: header.id,
        flags: header.flags,
        rcode: (extRcode << 4) | header.rcode,
        questions,
        answers: sections[0] ?? [],
        authorities: sections[1] ?? [],
        additionals: sections[2] ?? [],
        ...(edns ? { edns } : {}),
      },
    };
  } catch (err) {
    if (err instanceof DecodeError) return { ok: false, error: err.message, header };
    return { ok: false, error: `decode failed: ${String(err)}`, header };
  }
}
