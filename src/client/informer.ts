/**
 * A list+watch cache with event handlers (client-go's SharedIndexInformer).
 *
 * Loop: list (first from the watch cache with resourceVersion "0", later from the last seen
 * version), replace the cache, then watch from the list's version with bookmarks on. When the
 * stream ends it re-watches from the last version seen (bookmarks advance it). A 410 / Expired
 * (as an ERROR event or an HTTP status) forces a relist with a consistent read (""). Other
 * failures back off exponentially (capped at 30 s, jittered) before retrying.
 *
 * Handlers run synchronously, in event order, on the informer's loop: keep them quick (enqueue a
 * key) — a slow handler delays the cache. A handler that throws is logged and skipped.
 *
 * Cached objects are deep-frozen and shared with every handler and reader: treat them as
 * read-only and `cloneJson` one before changing it (mutating throws in strict mode).
 */
import type { KubeObject } from '../api/object.js';
import { deepFreeze, isRecord } from '../api/object.js';
import type { Logger } from '../log/logger.js';
import { Backoff, type BackoffOptions } from './backoff.js';
import type { KubeClient, ResourceRef, WatchEvent } from './kube-client.js';
import { KubeApiError, apiErrorFromStatus, isExpired } from './kube-client.js';

/** The client calls an informer needs (KubeClient satisfies it). */
export type ListWatchClient = Pick<KubeClient, 'list' | 'watch'>;

/** Maps an object to the index values it is filed under. */
export type IndexFunc<T> = (obj: T) => readonly string[];

export interface EventHandlers<T> {
  onAdd?(obj: T, isInitialList: boolean): void;
  /** Also called on relist for objects still present, and on every resync (then old === new). */
  onUpdate?(oldObj: T, newObj: T): void;
  /**
   * `finalStateUnknown` is true when the delete was inferred from a relist (the watch missed it);
   * `obj` is then the last state the cache knew.
   */
  onDelete?(obj: T, finalStateUnknown: boolean): void;
}

export interface InformerOptions<T> {
  readonly client: ListWatchClient;
  readonly resource: ResourceRef;
  /** Restrict to one namespace; empty or absent: all namespaces. */
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  /** Re-deliver onUpdate for every cached object this often (0/absent: never). */
  readonly resyncMs?: number;
  /** Page size for lists (default 500). */
  readonly pageSize?: number;
  readonly indexers?: Readonly<Record<string, IndexFunc<T>>>;
  readonly backoff?: BackoffOptions;
  /** Server-side watch timeout is drawn from [min, 2*min) seconds (default min 300, as client-go). */
  readonly minWatchTimeoutSeconds?: number;
  readonly log?: Logger;
}

/** Cache key: `namespace/name`, or `name` for cluster-scoped objects (client-go MetaNamespaceKeyFunc). */
export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name ?? ''}` : (obj.metadata.name ?? '');
}

/** Inverse of objectKey. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** Index by namespace ('' for cluster-scoped objects). */
export const namespaceIndex: IndexFunc<KubeObject> = (o) => [o.metadata.namespace ?? ''];

/** Index by the value of one label (objects without it are not indexed). */
export function labelIndex(label: string): IndexFunc<KubeObject> {
  return (o) => {
    const v = o.metadata.labels?.[label];
    return v === undefined ? [] : [v];
  };
}

function isKubeObject(v: unknown): v is KubeObject {
  return isRecord(v) && isRecord(v.metadata);
}

type WatchOutcome = { kind: 'ended'; events: number; ms: number } | { kind: 'relist'; expired: boolean; error?: KubeApiError };

export class Informer<T extends KubeObject = KubeObject> {
  private readonly opts: InformerOptions<T>;
  private readonly items = new Map<string, T>();
  private readonly indexers = new Map<string, IndexFunc<T>>();
  /** index name → value → keys */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly handlers = new Set<EventHandlers<T>>();
  private readonly syncWaiters = new Set<() => void>();
  private readonly log: Logger | undefined;
  private synced = false;
  private lastRV = '';
  private lastRVUnavailable = false;
  private running = false;

  constructor(opts: InformerOptions<T>) {
    this.opts = opts;
    this.log = opts.log;
    for (const [name, fn] of Object.entries(opts.indexers ?? {})) this.addIndexer(name, fn);
  }

  /** Registers handlers; objects already cached are delivered to the new onAdd first. Returns an unsubscribe. */
  addEventHandler(h: EventHandlers<T>): () => void {
    this.handlers.add(h);
    if (h.onAdd) for (const o of this.items.values()) this.call(() => h.onAdd?.(o, true));
    return () => this.handlers.delete(h);
  }

  /** Adds (or replaces) an index; existing objects are indexed immediately. */
  addIndexer(name: string, fn: IndexFunc<T>): void {
    this.indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indices.set(name, idx);
    for (const [key, o] of this.items) this.indexOne(idx, fn, key, o);
  }

  /** The cached object (frozen), or undefined. `ns` is '' for cluster-scoped objects. */
  get(ns: string, name: string): T | undefined {
    return this.items.get(ns ? `${ns}/${name}` : name);
  }

  getByKey(key: string): T | undefined {
    return this.items.get(key);
  }

  /** Every cached object (frozen). */
  list(): T[] {
    return [...this.items.values()];
  }

  keys(): string[] {
    return [...this.items.keys()];
  }

  /** Objects whose index function returned `value`. Throws for an unknown index name. */
  byIndex(indexName: string, value: string): T[] {
    const idx = this.indices.get(indexName);
    if (!idx) throw new Error(`informer ${this.opts.resource.plural}: index "${indexName}" does not exist`);
    const out: T[] = [];
    for (const key of idx.get(value) ?? []) {
      const o = this.items.get(key);
      if (o) out.push(o);
    }
    return out;
  }

  /** True once the first list has been stored and delivered to handlers. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves true once synced, or false if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<boolean> {
    if (this.synced) return Promise.resolve(true);
    if (signal?.aborted) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onAbort = (): void => {
        this.syncWaiters.delete(done);
        resolve(false);
      };
      const done = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve(true);
      };
      this.syncWaiters.add(done);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** The resource version the cache is at (from the last list, event or bookmark). */
  lastSyncResourceVersion(): string {
    return this.lastRV;
  }

  /** Lists and watches until `signal` aborts. One run at a time. */
  async run(signal: AbortSignal): Promise<void> {
    if (this.running) throw new Error(`informer ${this.opts.resource.plural}: already running`);
    this.running = true;
    const backoff = new Backoff(this.opts.backoff);
    const resync = this.opts.resyncMs ? setInterval(() => this.resync(), this.opts.resyncMs) : undefined;
    try {
      let needList = true;
      while (!signal.aborted) {
        try {
          if (needList) {
            await this.listAndReplace(signal);
            needList = false;
          }
          if (signal.aborted) break;
          const out = await this.watchOnce(signal);
          if (signal.aborted) break;
          if (out.kind === 'relist') {
            needList = true;
            if (out.expired) {
              this.lastRVUnavailable = true;
              this.log?.debug(`${this.opts.resource.plural}: watch expired (${out.error?.message ?? '410'}), relisting`);
            } else {
              this.log?.warn(`${this.opts.resource.plural}: watch error: ${out.error?.message ?? 'unknown'}`);
              await backoff.wait(signal);
            }
          } else if (out.events === 0 && out.ms < 1000) {
            // A stream that closes at once with nothing in it would otherwise spin.
            await backoff.wait(signal);
          } else {
            backoff.reset();
          }
        } catch (err) {
          if (signal.aborted) break;
          if (isExpired(err)) {
            this.lastRVUnavailable = true;
            needList = true;
            continue;
          }
          // Server refused (non-410): relist. Transport failure while watching: re-watch from lastRV.
          if (err instanceof KubeApiError) needList = true;
          this.log?.warn(`${this.opts.resource.plural}: ${needList ? 'list' : 'watch'} failed: ${err instanceof Error ? err.message : String(err)}`);
          await backoff.wait(signal);
        }
      }
    } finally {
      if (resync) clearInterval(resync);
      this.running = false;
    }
  }

  private relistResourceVersion(): string {
    if (this.lastRVUnavailable) return '';
    return this.lastRV === '' ? '0' : this.lastRV;
  }

  private async listAndReplace(signal: AbortSignal): Promise<void> {
    const rv = this.relistResourceVersion();
    const list = await this.opts.client.list<T>(this.opts.resource, this.opts.namespace, {
      labelSelector: this.opts.labelSelector,
      fieldSelector: this.opts.fieldSelector,
      resourceVersion: rv,
      // As client-go's reflector: data at least as new as what the cache has seen, not that exact snapshot.
      ...(rv !== '' && rv !== '0' ? { resourceVersionMatch: 'NotOlderThan' as const } : {}),
      limit: this.opts.pageSize ?? 500,
      followContinue: true,
      signal,
    });
    if (signal.aborted) return;
    this.lastRVUnavailable = false;
    this.replace(list.items, list.metadata.resourceVersion ?? '');
  }

  /** Stores a full list: adds, updates, and deletes for objects no longer present. */
  private replace(items: readonly T[], rv: string): void {
    const seen = new Set<string>();
    const initial = !this.synced;
    for (const raw of items) {
      const obj = deepFreeze(raw);
      const key = objectKey(obj);
      seen.add(key);
      this.upsert(key, obj, initial);
    }
    for (const [key, old] of [...this.items]) {
      if (seen.has(key)) continue;
      this.remove(key);
      for (const h of this.handlers) this.call(() => h.onDelete?.(old, true));
    }
    this.lastRV = rv;
    if (!this.synced) {
      this.synced = true;
      for (const w of this.syncWaiters) w();
      this.syncWaiters.clear();
    }
  }

  private watchOnce(signal: AbortSignal): Promise<WatchOutcome> {
    const stop = new AbortController();
    const onOuterAbort = (): void => stop.abort();
    signal.addEventListener('abort', onOuterAbort, { once: true });
    const min = this.opts.minWatchTimeoutSeconds ?? 300;
    const started = Date.now();
    let events = 0;
    let relist: WatchOutcome | undefined;
    const onEvent = (ev: WatchEvent): void => {
      if (relist) return;
      events++;
      if (ev.type === 'ERROR') {
        const error = apiErrorFromStatus(ev.object);
        relist = { kind: 'relist', expired: isExpired(error), error };
        stop.abort();
        return;
      }
      if (!isKubeObject(ev.object)) return;
      const rv = ev.object.metadata.resourceVersion;
      if (ev.type === 'BOOKMARK') {
        if (rv) this.lastRV = rv;
        return;
      }
      const obj = deepFreeze(ev.object as T);
      const key = objectKey(obj);
      if (ev.type === 'DELETED') {
        this.remove(key);
        for (const h of this.handlers) this.call(() => h.onDelete?.(obj, false));
      } else {
        this.upsert(key, obj, false);
      }
      if (rv) this.lastRV = rv;
    };
    return this.opts.client
      .watch(
        this.opts.resource,
        this.opts.namespace,
        {
          resourceVersion: this.lastRV,
          labelSelector: this.opts.labelSelector,
          fieldSelector: this.opts.fieldSelector,
          allowWatchBookmarks: true,
          timeoutSeconds: Math.floor(min * (1 + Math.random())),
        },
        onEvent,
        stop.signal,
      )
      .then((): WatchOutcome => relist ?? { kind: 'ended', events, ms: Date.now() - started })
      .finally(() => signal.removeEventListener('abort', onOuterAbort));
  }

  private upsert(key: string, obj: T, initial: boolean): void {
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    this.items.set(key, obj);
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name);
      if (idx) this.indexOne(idx, fn, key, obj);
    }
    for (const h of this.handlers) {
      if (old) this.call(() => h.onUpdate?.(old, obj));
      else this.call(() => h.onAdd?.(obj, initial));
    }
  }

  private remove(key: string): void {
    const old = this.items.get(key);
    if (!old) return;
    this.unindex(key, old);
    this.items.delete(key);
  }

  private indexOne(idx: Map<string, Set<string>>, fn: IndexFunc<T>, key: string, obj: T): void {
    for (const v of this.safeIndex(fn, obj)) {
      let keys = idx.get(v);
      if (!keys) idx.set(v, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name);
      if (!idx) continue;
      for (const v of this.safeIndex(fn, obj)) {
        const keys = idx.get(v);
        keys?.delete(key);
        if (keys && keys.size === 0) idx.delete(v);
      }
    }
  }

  private safeIndex(fn: IndexFunc<T>, obj: T): readonly string[] {
    try {
      return fn(obj);
    } catch (err) {
      this.log?.error(`${this.opts.resource.plural}: index function failed on ${objectKey(obj)}: ${String(err)}`);
      return [];
    }
  }

  private resync(): void {
    if (!this.synced) return;
    for (const o of this.items.values()) for (const h of this.handlers) this.call(() => h.onUpdate?.(o, o));
  }

  private call(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.log?.error(`${this.opts.resource.plural}: event handler failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
}

/** Waits until every informer has synced; false if `signal` aborts first. */
export async function waitForCacheSync(informers: readonly { waitForSync(signal?: AbortSignal): Promise<boolean> }[], signal?: AbortSignal): Promise<boolean> {
  const results = await Promise.all(informers.map((i) => i.waitForSync(signal)));
  return results.every(Boolean);
}
