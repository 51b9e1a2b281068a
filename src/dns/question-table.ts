/**
 * A bounded map from a DNS question in wire form (name, type, class) to a value, looked up
 * straight from the bytes of a packet: no string is made per query. Letters of the name match
 * in any case (DNS names compare ASCII case-insensitively); type and class bytes match exactly.
 * When full, the oldest keys go first.
 */

interface Slot<V> {
  /** Question bytes with the name's ASCII letters in lower case. */
  readonly key: Buffer;
  /** Length of the name within `key`. */
  readonly nameLen: number;
  value: V;
  /** Next slot with the same hash. */
  next: Slot<V> | undefined;
}

/** Hashes stay small integers (V8 Smis), which Map hashes and compares cheaply. */
const HASH_MASK = 0x3fffffff;

/** ASCII upper case to lower case; every other byte as it is. */
function fold(b: number): number {
  return b >= 0x41 && b <= 0x5a ? b + 32 : b;
}

/**
 * FNV-1a of `buf[start, end)` with the name part `[start, nameEnd)` case-folded: the hash every
 * method of QuestionTable takes, computed once per packet by the caller.
 */
export function questionHash(buf: Uint8Array, start: number, nameEnd: number, end: number): number {
  let h = 0x811c9dc5;
  for (let i = start; i < nameEnd; i++) h = Math.imul(h ^ fold(buf[i] as number), 0x01000193);
  for (let i = nameEnd; i < end; i++) h = Math.imul(h ^ (buf[i] as number), 0x01000193);
  return h & HASH_MASK;
}

export class QuestionTable<V> {
  private readonly buckets = new Map<number, Slot<V>>();
  private count = 0;

  /** At most `capacity` keys; 0 stores nothing. */
  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.count;
  }

  /** The value for the question `buf[start, end)` whose name ends at `nameEnd`, or undefined. */
  get(buf: Uint8Array, start: number, nameEnd: number, end: number, hash: number): V | undefined {
    for (let s = this.buckets.get(hash); s !== undefined; s = s.next) {
      if (matches(s, buf, start, nameEnd, end)) return s.value;
    }
    return undefined;
  }

  /** Stores `value` for the question (replacing an earlier one); the key bytes are copied. */
  set(buf: Uint8Array, start: number, nameEnd: number, end: number, hash: number, value: V): void {
    const head = this.buckets.get(hash);
    for (let s = head; s !== undefined; s = s.next) {
      if (matches(s, buf, start, nameEnd, end)) {
        s.value = value;
        return;
      }
    }
    if (this.capacity <= 0) return;
    if (this.count >= this.capacity) this.evictOldest();
    const key = Buffer.allocUnsafe(end - start);
    for (let i = start; i < end; i++) key[i - start] = i < nameEnd ? fold(buf[i] as number) : (buf[i] as number);
    // A new key goes to the front of its chain; the bucket keeps its place in insertion order.
    const slot: Slot<V> = { key, nameLen: nameEnd - start, value, next: this.buckets.get(hash) };
    this.buckets.set(hash, slot);
    this.count++;
  }

  /** Removes the question's value, if any. */
  delete(buf: Uint8Array, start: number, nameEnd: number, end: number, hash: number): void {
    let prev: Slot<V> | undefined;
    for (let s = this.buckets.get(hash); s !== undefined; prev = s, s = s.next) {
      if (!matches(s, buf, start, nameEnd, end)) continue;
      if (prev) prev.next = s.next;
      else if (s.next) this.buckets.set(hash, s.next);
      else this.buckets.delete(hash);
      this.count--;
      return;
    }
  }

  clear(): void {
    this.buckets.clear();
    this.count = 0;
  }

  /** Drops the bucket inserted first (every key sharing its hash). */
  private evictOldest(): void {
    const first = this.buckets.entries().next();
    if (first.done) return;
    for (let s: Slot<V> | undefined = first.value[1]; s !== undefined; s = s.next) this.count--;
    this.buckets.delete(first.value[0]);
  }
}

function matches<V>(s: Slot<V>, buf: Uint8Array, start: number, nameEnd: number, end: number): boolean {
  const k = s.key;
  if (k.length !== end - start || s.nameLen !== nameEnd - start) return false;
  let j = 0;
  for (let i = start; i < nameEnd; i++, j++) if (fold(buf[i] as number) !== k[j]) return false;
  for (let i = nameEnd; i < end; i++, j++) if (buf[i] !== k[j]) return false;
  return true;
}
