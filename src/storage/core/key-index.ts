import type { KeyValue } from '../store.js';

/**
 * The current value of every key, plus the keys in sorted order, so that
 * `get` is a Map lookup and a prefix list is two binary searches and a slice.
 *
 * Sorted keys are kept in chunks of at most MAX_CHUNK keys: inserting a key
 * moves at most one chunk's worth of elements instead of the whole key set,
 * which keeps writes cheap with hundreds of thousands of keys.
 *
 * Keys compare as JavaScript strings (UTF-16 code units); for the ASCII keys
 * used by the registry this is the same order as etcd's byte order.
 */

const MAX_CHUNK = 512;
const LOAD_CHUNK = MAX_CHUNK / 2;

/** A slice of keys under a prefix. */
export interface KeyRange {
  readonly items: KeyValue[];
  /** True when `limit` cut the range. */
  readonly more: boolean;
  /** Keys of the range after the last returned item. */
  readonly remaining: number;
}

interface Position {
  readonly chunk: number;
  readonly index: number;
  /** Global rank: number of keys before this position. */
  readonly rank: number;
}

export class KeyIndex {
  private readonly values = new Map<string, KeyValue>();
  private chunks: string[][] = [];

  get size(): number {
    return this.values.size;
  }

  get(key: string): KeyValue | undefined {
    return this.values.get(key);
  }

  /** Replaces the whole content (used when loading from disk). */
  load(kvs: Iterable<KeyValue>): void {
    this.values.clear();
    for (const kv of kvs) this.values.set(kv.key, kv);
    const keys = [...this.values.keys()].sort(compareKeys);
    this.chunks = [];
    for (let i = 0; i < keys.length; i += LOAD_CHUNK) this.chunks.push(keys.slice(i, i + LOAD_CHUNK));
  }

  /** Inserts or replaces the value of `kv.key`. */
  put(kv: KeyValue): void {
    const isNew = !this.values.has(kv.key);
    this.values.set(kv.key, kv);
    if (isNew) this.insertKey(kv.key);
  }

  /** Removes a key; returns whether it was present. */
  remove(key: string): boolean {
    if (!this.values.delete(key)) return false;
    const pos = this.find((k) => k < key);
    const chunk = this.chunks[pos.chunk];
    if (chunk === undefined || chunk[pos.index] !== key) throw new Error(`key index out of sync for ${key}`);
    chunk.splice(pos.index, 1);
    if (chunk.length === 0) this.chunks.splice(pos.chunk, 1);
    return true;
  }

  /**
   * Keys starting with `prefix` (and strictly greater than `startAfter` when
   * given), in key order; at most `limit` of them when limit > 0.
   */
  range(prefix: string, startAfter?: string, limit?: number): KeyRange {
    const start = this.find(
      startAfter === undefined || startAfter < prefix ? (k) => k < prefix : (k) => k <= startAfter,
    );
    const end = this.find((k) => k < prefix || k.startsWith(prefix));
    const total = Math.max(0, end.rank - start.rank);
    const take = limit !== undefined && limit > 0 ? Math.min(limit, total) : total;
    const items: KeyValue[] = [];
    let c = start.chunk;
    let i = start.index;
    while (items.length < take) {
      const chunk = this.chunks[c];
      if (chunk === undefined) break;
      if (i >= chunk.length) {
        c++;
        i = 0;
        continue;
      }
      const key = chunk[i++] as string;
      items.push(this.values.get(key) as KeyValue);
    }
    return { items, more: take < total, remaining: total - take };
  }

  /** Number of keys starting with `prefix`. */
  count(prefix: string): number {
    if (prefix === '') return this.values.size;
    const start = this.find((k) => k < prefix);
    const end = this.find((k) => k < prefix || k.startsWith(prefix));
    return end.rank - start.rank;
  }

  /** All keys in order (for tests and debugging). */
  keys(): string[] {
    return this.chunks.flat();
  }

  private insertKey(key: string): void {
    if (this.chunks.length === 0) {
      this.chunks.push([key]);
      return;
    }
    const pos = this.find((k) => k < key);
    // Past the end: append to the last chunk rather than opening a new one.
    const c = Math.min(pos.chunk, this.chunks.length - 1);
    const chunk = this.chunks[c] as string[];
    const index = c === pos.chunk ? pos.index : chunk.length;
    chunk.splice(index, 0, key);
    if (chunk.length > MAX_CHUNK) this.chunks.splice(c + 1, 0, chunk.splice(MAX_CHUNK / 2));
  }

  /**
   * The first position whose key fails `before`. `before` must hold for a
   * leading run of the sorted keys and fail for the rest.
   */
  private find(before: (key: string) => boolean): Position {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = chunks[mid] as string[];
      if (before(chunk[chunk.length - 1] as string)) lo = mid + 1;
      else hi = mid;
    }
    let rank = 0;
    for (let c = 0; c < lo; c++) rank += (chunks[c] as string[]).length;
    const chunk = chunks[lo];
    if (chunk === undefined) return { chunk: lo, index: 0, rank };
    let a = 0;
    let b = chunk.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (before(chunk[mid] as string)) a = mid + 1;
      else b = mid;
    }
    return { chunk: lo, index: a, rank: rank + a };
  }
}

/** Key order used by every store. */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
