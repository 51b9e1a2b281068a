/** Hashes kube-proxy puts into chain names: sha256, RFC 4648 base32 (standard alphabet), truncated. */
import { createHash } from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32 with padding (Go's base32.StdEncoding). */
export function base32(buf: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of buf) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += '=';
  return out;
}

/** First `n` characters of base32(sha256(text)). */
export function sha256Base32(text: string, n: number): string {
  return base32(createHash('sha256').update(text).digest()).slice(0, n);
}

/**
 * Memoizes a pure string function (chain names are recomputed for every
 * endpoint on every rebuild; hashing dominates a full sync otherwise).
 * Bounded: the cache is dropped when it grows past `max` entries.
 */
export function memoize(fn: (s: string) => string, max = 1_000_000): (s: string) => string {
  let cache = new Map<string, string>();
  return (s) => {
    const hit = cache.get(s);
    if (hit !== undefined) return hit;
    const v = fn(s);
    if (cache.size >= max) cache = new Map();
    cache.set(s, v);
    return v;
  };
}
