/**
 * Domain names in presentation form: parsing to wire labels and printing labels back.
 * Limits are RFC 1035's: labels of at most 63 bytes, names of at most 255 bytes on the wire.
 */

export const MAX_LABEL = 63;
export const MAX_NAME_WIRE = 255;

export class NameError extends Error {
  override readonly name = 'NameError';
}

// Bytes printed with a backslash so that the text parses back to the same label.
function escapeByte(b: number): string {
  if (b === 0x2e) return '\\.';
  if (b === 0x5c) return '\\\\';
  if (b === 0x22 || b === 0x3b || b === 0x28 || b === 0x29) return `\\${String.fromCharCode(b)}`;
  if (b < 0x21 || b > 0x7e) return `\\${String(b).padStart(3, '0')}`;
  return String.fromCharCode(b);
}

/** One label's bytes as presentation text (no trailing dot). */
export function labelText(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const b = buf[i] ?? 0;
    s += b > 0x20 && b < 0x7f && b !== 0x2e && b !== 0x5c && b !== 0x22 && b !== 0x3b && b !== 0x28 && b !== 0x29 ? String.fromCharCode(b) : escapeByte(b);
  }
  return s;
}

/**
 * Splits presentation text into wire labels. Accepts names with or without the trailing dot;
 * `.` and `` (empty) are the root. Throws NameError for empty labels, over-long labels or names,
 * and bad escapes.
 */
export function parseName(text: string): Uint8Array[] {
  if (text === '.' || text === '') return [];
  const labels: Uint8Array[] = [];
  let cur: number[] = [];
  let total = 1;
  const n = text.length;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x2e) {
      if (cur.length === 0) throw new NameError(`empty label in ${JSON.stringify(text)}`);
      labels.push(Uint8Array.from(cur));
      total += cur.length + 1;
      cur = [];
      continue;
    }
    let b = c;
    if (c === 0x5c) {
      const next = text.charCodeAt(i + 1);
      if (Number.isNaN(next)) throw new NameError(`trailing backslash in ${JSON.stringify(text)}`);
      if (next >= 0x30 && next <= 0x39) {
        const digits = text.slice(i + 1, i + 4);
        if (!/^\d{3}$/.test(digits)) throw new NameError(`bad \\DDD escape in ${JSON.stringify(text)}`);
        b = Number(digits);
        if (b > 255) throw new NameError(`bad \\DDD escape in ${JSON.stringify(text)}`);
        i += 3;
      } else {
        b = next;
        i += 1;
      }
    }
    if (b > 0xff) throw new NameError(`non-ASCII character in ${JSON.stringify(text)} (use \\DDD escapes)`);
    cur.push(b);
    if (cur.length > MAX_LABEL) throw new NameError(`label longer than ${MAX_LABEL} bytes in ${JSON.stringify(text)}`);
  }
  if (cur.length > 0) {
    labels.push(Uint8Array.from(cur));
    total += cur.length + 1;
  }
  if (total > MAX_NAME_WIRE) throw new NameError(`name longer than ${MAX_NAME_WIRE} bytes: ${JSON.stringify(text)}`);
  return labels;
}

/** Presentation text of labels, with the trailing dot. */
export function formatName(labels: readonly Uint8Array[]): string {
  if (labels.length === 0) return '.';
  let s = '';
  for (const l of labels) s += `${labelText(l, 0, l.length)}.`;
  return s;
}

/** Adds the trailing dot if missing. */
export function fqdn(name: string): string {
  return name.endsWith('.') && !name.endsWith('\\.') ? name : `${name}.`;
}

/** Lower-cases ASCII letters and ensures the trailing dot: the form used for lookups and cache keys. */
export function canonicalName(name: string): string {
  return fqdn(name).toLowerCase();
}

/** True when `name` equals `zone` or sits below it (both canonical). */
export function isSubdomain(name: string, zone: string): boolean {
  if (zone === '.') return true;
  return name === zone || (name.endsWith(zone) && name.charCodeAt(name.length - zone.length - 1) === 0x2e && name.charCodeAt(name.length - zone.length - 2) !== 0x5c);
}

/**
 * The labels of `name` left of `zone`, leftmost first (both canonical, `name` inside `zone`).
 * Labels are presentation text; an escaped dot inside a label does not split it.
 */
export function labelsLeftOf(name: string, zone: string): string[] {
  if (name === zone) return [];
  const rel = zone === '.' ? name.slice(0, -1) : name.slice(0, name.length - zone.length - 1);
  if (rel === '') return [];
  if (!rel.includes('\\')) return rel.split('.');
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < rel.length; i++) {
    const ch = rel[i] ?? '';
    if (ch === '\\') {
      cur += ch + (rel[i + 1] ?? '');
      i++;
    } else if (ch === '.') {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}
