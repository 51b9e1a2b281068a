/**
 * Reading a range as it was at an earlier revision (etcd's ranged read at a
 * revision, which kube-apiserver uses so that every page of a paged LIST shows
 * the same snapshot). Stores keep the current values in a KeyIndex and every
 * event since their compact revision, so the value of a key at revision R is
 * its current value unless an event after R touched it, in which case it is
 * the first such event's previous value (absent when that event created it).
 */
import type { KeyValue, ListOptions, ListResult, WatchEvent } from '../store.js';
import type { KeyIndex, KeyRange } from './key-index.js';

/** A read at a revision whose history has been compacted away (the API's 410 Expired). */
export class RevisionCompactedError extends Error {
  constructor(
    readonly revision: number,
    readonly compactRevision: number,
  ) {
    super(`revision ${revision} has been compacted (compact revision ${compactRevision})`);
    this.name = 'RevisionCompactedError';
  }
}

/**
 * The page `(startAfter, limit]` of keys under `prefix` as of `revision`.
 * `current(startAfter, limit)` reads the index now; `eventsAfter` holds every
 * event under the prefix with revision > `revision`, in revision order.
 */
export function rangeAtRevision(opts: {
  readonly revision: number;
  readonly startAfter?: string;
  readonly limit?: number;
  readonly current: (startAfter: string | undefined, limit: number | undefined) => KeyRange;
  readonly eventsAfter: readonly WatchEvent[];
}): Omit<ListResult, 'revision'> {
  const limit = opts.limit !== undefined && opts.limit > 0 ? opts.limit : undefined;
  if (opts.eventsAfter.length === 0) return opts.current(opts.startAfter, limit);
  // Value at the revision of every key changed since (null: absent then).
  const then = new Map<string, KeyValue | null>();
  for (const ev of opts.eventsAfter) {
    if (!then.has(ev.kv.key)) then.set(ev.kv.key, ev.prevKv ?? null);
  }
  const after = opts.startAfter;
  const restored = [...then.values()]
    .filter((kv): kv is KeyValue => kv !== null && (after === undefined || kv.key > after))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  // Every key now after `startAfter`, minus the changed ones, merged with their old values.
  const now = opts.current(after, undefined).items.filter((kv) => !then.has(kv.key));
  const merged: KeyValue[] = [];
  let i = 0;
  let j = 0;
  while (i < now.length || j < restored.length) {
    const a = now[i];
    const b = restored[j];
    if (b === undefined || (a !== undefined && a.key < b.key)) {
      merged.push(a as KeyValue);
      i++;
    } else {
      merged.push(b);
      j++;
    }
  }
  const items = limit !== undefined ? merged.slice(0, limit) : merged;
  return { items, more: items.length < merged.length, remaining: merged.length - items.length };
}

/**
 * Store.list for a store that keeps its current values in `index` and every
 * event after `compacted`: the current range, or the range as of
 * `options.revision` (see Store.list).
 */
export function listFromIndex(
  options: ListOptions,
  state: {
    readonly index: KeyIndex;
    readonly revision: number;
    readonly compacted: number;
    /** Every event under `prefix` with revision > `after`, in order. */
    readonly eventsAfter: (after: number, prefix: string) => readonly WatchEvent[];
  },
): ListResult {
  const revision = options.revision;
  if (revision === undefined || revision >= state.revision) {
    const range = state.index.range(options.prefix, options.startAfter, options.limit);
    return { items: range.items, revision: state.revision, more: range.more, remaining: range.remaining };
  }
  if (revision < state.compacted) throw new RevisionCompactedError(revision, state.compacted);
  const page = rangeAtRevision({
    revision,
    ...(options.startAfter !== undefined ? { startAfter: options.startAfter } : {}),
    ...(options.limit !== undefined ? { limit: options.limit } : {}),
    current: (startAfter, limit) => state.index.range(options.prefix, startAfter, limit),
    eventsAfter: state.eventsAfter(revision, options.prefix),
  });
  return { ...page, revision };
}
