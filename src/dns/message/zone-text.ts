/**
 * Records in zone-file notation (RFC 1035 section 5, RFC 3597 for unknown types), one per line:
 * `web.default.svc.cluster.local. 5 IN A 10.96.0.20`. Used by tests, the query log and static zones.
 */
import { className, RRClass, RRType, typeName, typeNumber } from './constants.js';
import { canonicalIP } from './ip.js';
import type { Question, RData, ResourceRecord } from './message.js';
import { fqdn, parseName } from './name.js';

function quoteTxt(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22 || c === 0x5c) out += `\\${s[i] ?? ''}`;
    else if (c < 0x20 || c > 0x7e) out += `\\${String(c).padStart(3, '0')}`;
    else out += s[i] ?? '';
  }
  return `${out}"`;
}

export function formatRData(type: number, d: RData): string {
  switch (d.kind) {
    case 'address':
      return d.address;
    case 'name':
      return d.target;
    case 'mx':
      return `${d.preference} ${d.exchange}`;
    case 'srv':
      return `${d.priority} ${d.weight} ${d.port} ${d.target}`;
    case 'soa':
      return `${d.mname} ${d.rname} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    case 'txt':
      return d.texts.map(quoteTxt).join(' ');
    case 'raw':
      return `\\# ${d.bytes.length}${d.bytes.length ? ` ${Buffer.from(d.bytes).toString('hex')}` : ''}`;
  }
  return `; unprintable type ${type}`;
}

/** `name ttl CLASS TYPE rdata`. */
export function formatRecord(rr: ResourceRecord): string {
  return `${rr.name} ${rr.ttl} ${className(rr.class)} ${typeName(rr.type)} ${formatRData(rr.type, rr.data)}`;
}

export function formatQuestion(q: Question): string {
  return `${q.name} ${className(q.class)} ${typeName(q.type)}`;
}

/** Splits on blanks, keeping "quoted strings" (with escapes) as single tokens. */
function tokenize(line: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < line.length) {
    const c = line[i] ?? '';
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === ';') break;
    if (c === '"') {
      let s = '';
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\') {
          const digits = line.slice(i + 1, i + 4);
          if (/^\d{3}$/.test(digits)) {
            s += String.fromCharCode(Number(digits));
            i += 4;
            continue;
          }
          i++;
        }
        s += line[i] ?? '';
        i++;
      }
      if (line[i] !== '"') throw new Error(`unterminated string in ${JSON.stringify(line)}`);
      i++;
      out.push(`"${s}`); // a leading quote marks a string token
      continue;
    }
    let tok = '';
    while (i < line.length && line[i] !== ' ' && line[i] !== '\t') {
      tok += line[i] ?? '';
      i++;
    }
    out.push(tok);
  }
  return out;
}

function num(tok: string | undefined, what: string, max: number): number {
  if (tok === undefined || !/^\d+$/.test(tok)) throw new Error(`expected ${what}, got ${JSON.stringify(tok)}`);
  const n = Number(tok);
  if (n > max) throw new Error(`${what} ${n} out of range`);
  return n;
}

function nameTok(tok: string | undefined, what: string): string {
  if (tok === undefined) throw new Error(`missing ${what}`);
  parseName(tok); // validates
  return fqdn(tok);
}

function parseRData(type: number, toks: string[]): RData {
  if (toks[0] === '\\#') {
    const len = num(toks[1], 'rdata length', 65535);
    const hex = toks.slice(2).join('');
    if (hex.length !== len * 2 || !/^[0-9a-fA-F]*$/.test(hex)) throw new Error('RFC 3597 rdata length does not match its hex');
    return { kind: 'raw', bytes: Uint8Array.from(Buffer.from(hex, 'hex')) };
  }
  switch (type) {
    case RRType.A:
    case RRType.AAAA: {
      const ip = canonicalIP(toks[0] ?? '');
      if (!ip || (ip.family === 4) !== (type === RRType.A)) throw new Error(`bad address ${JSON.stringify(toks[0])}`);
      return { kind: 'address', address: ip.text };
    }
    case RRType.CNAME:
    case RRType.NS:
    case RRType.PTR:
    case RRType.DNAME:
      return { kind: 'name', target: nameTok(toks[0], 'target') };
    case RRType.MX:
      return { kind: 'mx', preference: num(toks[0], 'preference', 65535), exchange: nameTok(toks[1], 'exchange') };
    case RRType.SRV:
      return {
        kind: 'srv',
        priority: num(toks[0], 'priority', 65535),
        weight: num(toks[1], 'weight', 65535),
        port: num(toks[2], 'port', 65535),
        target: nameTok(toks[3], 'target'),
      };
    case RRType.SOA:
      return {
        kind: 'soa',
        mname: nameTok(toks[0], 'mname'),
        rname: nameTok(toks[1], 'rname'),
        serial: num(toks[2], 'serial', 0xffffffff),
        refresh: num(toks[3], 'refresh', 0xffffffff),
        retry: num(toks[4], 'retry', 0xffffffff),
        expire: num(toks[5], 'expire', 0xffffffff),
        minimum: num(toks[6], 'minimum', 0xffffffff),
      };
    case RRType.TXT:
      return { kind: 'txt', texts: toks.map((t) => (t.startsWith('"') ? t.slice(1) : t)) };
    default:
      throw new Error(`type ${typeName(type)} needs RFC 3597 \\# rdata`);
  }
}

/** Parses one record line: `name ttl [class] type rdata`. Throws with a readable message. */
export function parseRecord(line: string): ResourceRecord {
  const toks = tokenize(line);
  const name = nameTok(toks[0], 'owner name');
  const ttl = num(toks[1], 'ttl', 0x7fffffff);
  let i = 2;
  let klass: number = RRClass.IN;
  if (toks[i] === 'IN' || toks[i] === 'CH') {
    klass = toks[i] === 'IN' ? RRClass.IN : RRClass.CH;
    i++;
  }
  const type = typeNumber(toks[i] ?? '');
  if (type === undefined) throw new Error(`unknown type ${JSON.stringify(toks[i])} in ${JSON.stringify(line)}`);
  return { name, type, class: klass, ttl, data: parseRData(type, toks.slice(i + 1)) };
}
