/**
 * The storage seam: a revisioned key/value store with etcd semantics, in the
 * manner of kine. Every implementation (sqlite, memory, later etcd) must pass
 * the conformance suite in `store-conformance.ts`.
 *
 * Keys look like `/registry/services/default/nginx`. Values are the JSON text
 * of a Kubernetes object. One global, monotonic revision counter orders every
 * write; an object's `modRevision` is its `metadata.resourceVersion`.
 */

export interface KeyValue {
  readonly key: string;
  /** JSON text of the stored object. */
  readonly value: string;
  /** Revision of the write that created this key (unchanged by updates). */
  readonly createRevision: number;
  /** Revision of the last write to this key. */
  readonly modRevision: number;
}

export type WatchEventType = 'put' | 'delete';

export interface WatchEvent {
  readonly type: WatchEventType;
  /** For `put`: the new value. For `delete`: the value as it was when deleted, with `modRevision` = revision of the delete. */
  readonly kv: KeyValue;
  /** The previous value for updates and deletes; absent for creates. */
  readonly prevKv?: KeyValue;
}

export interface ListOptions {
  /** Only keys starting with this prefix. */
  readonly prefix: string;
  /** Maximum number of items; 0 or absent means all. */
  readonly limit?: number;
  /** Return only keys strictly greater than this key (pagination). */
  readonly startAfter?: string;
  /**
   * Read the keys as they were at this revision (a consistent snapshot across
   * pages). At or above the current revision it reads the current values; below
   * the compact revision the list rejects with RevisionCompactedError.
   */
  readonly revision?: number;
}

export interface ListResult {
  /** Items sorted by key ascending. */
  readonly items: readonly KeyValue[];
  /** The store revision at which the list was taken. */
  readonly revision: number;
  /** True when `limit` cut the result and more keys remain. */
  readonly more: boolean;
  /** Number of keys left after the last returned one (only meaningful when `more`). */
  readonly remaining: number;
}

export type WriteFailure =
  | { readonly ok: false; readonly reason: 'exists'; readonly current: KeyValue }
  | { readonly ok: false; readonly reason: 'not-found' }
  | { readonly ok: false; readonly reason: 'conflict'; readonly current: KeyValue };

export type WriteResult = { readonly ok: true; readonly kv: KeyValue; readonly prevKv?: KeyValue } | WriteFailure;

export type WatchStart =
  | { readonly ok: true; readonly cancel: () => void }
  /** The requested revision is older than the compacted history: the caller must relist (HTTP 410 Expired). */
  | { readonly ok: false; readonly reason: 'compacted'; readonly compactRevision: number };

export interface WatchOptions {
  readonly prefix: string;
  /** Deliver every event with revision > afterRevision, then live events. */
  readonly afterRevision: number;
}

export interface Store {
  /** Human name for logs, e.g. `sqlite:///var/lib/switchyard/state.db`. */
  readonly description: string;

  /** The revision of the newest write (0 for an empty store). */
  currentRevision(): number;

  /** The oldest revision still available to watchers (events after it can be replayed). */
  compactRevision(): number;

  get(key: string): Promise<KeyValue | undefined>;

  list(options: ListOptions): Promise<ListResult>;

  /** Number of keys under the prefix. */
  count(prefix: string): Promise<number>;

  /**
   * Create a key. Fails with `exists` if it is present.
   * The promise resolves only once the write is durable (survives kill -9).
   */
  create(key: string, value: string): Promise<WriteResult>;

  /**
   * Replace a key's value if its modRevision equals `expectedModRevision`
   * (`conflict` otherwise, `not-found` if missing). Durable on resolve.
   */
  update(key: string, value: string, expectedModRevision: number): Promise<WriteResult>;

  /**
   * Delete a key; when `expectedModRevision` is given the delete is conditional
   * (`conflict` on mismatch). Durable on resolve. The result's kv is the deleted value.
   */
  delete(key: string, expectedModRevision?: number): Promise<WriteResult>;

  /**
   * Start watching. Events are delivered in revision order, in batches, on the
   * event loop (never synchronously inside this call). Events of one write are
   * delivered after that write's promise has resolved or in the same tick.
   */
  watch(options: WatchOptions, onEvents: (events: readonly WatchEvent[]) => void): WatchStart;

  /** Drop history at or below `revision` (never the current values). */
  compact(revision: number): Promise<void>;

  close(): Promise<void>;
}
