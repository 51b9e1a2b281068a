import type { KeyValue, ListOptions, ListResult, Store, WatchEvent, WatchOptions, WatchStart, WriteResult } from '../store.js';
import { EventHistory } from '../core/event-history.js';
import { listFromIndex } from '../core/snapshot-list.js';
import { KeyIndex } from '../core/key-index.js';
import { WatchHub } from '../core/watch-hub.js';
import { planWrite, type WriteOp } from '../core/write-plan.js';

export interface MemoryStoreOptions {
  /** Most recent events kept for watch replay; older ones are compacted away. Default 10,000. */
  readonly keepHistory?: number;
}

/**
 * A Store that lives only in this process: for unit tests of other seams and
 * for `--datastore-endpoint memory://`. Writes apply immediately (there is no
 * disk to wait for); their promises still resolve asynchronously and watch
 * events are delivered on a later microtask, like every other Store.
 */
export class MemoryStore implements Store {
  readonly description = 'memory://';
  private readonly index = new KeyIndex();
  private readonly history: EventHistory;
  private readonly hub = new WatchHub();
  private revision = 0;
  private compacted = 0;
  private closed = false;

  constructor(options: MemoryStoreOptions = {}) {
    this.history = new EventHistory(options.keepHistory ?? 10_000);
  }

  currentRevision(): number {
    return this.revision;
  }

  compactRevision(): number {
    return this.compacted;
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.assertOpen();
    return this.index.get(key);
  }

  async list(options: ListOptions): Promise<ListResult> {
    this.assertOpen();
    return listFromIndex(options, {
      index: this.index,
      revision: this.revision,
      compacted: this.compacted,
      eventsAfter: (after, prefix) => this.history.since(after, prefix) ?? [],
    });
  }

  async count(prefix: string): Promise<number> {
    this.assertOpen();
    return this.index.count(prefix);
  }

  create(key: string, value: string): Promise<WriteResult> {
    return this.write({ kind: 'create', key, value });
  }

  update(key: string, value: string, expectedModRevision: number): Promise<WriteResult> {
    return this.write({ kind: 'update', key, value, expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<WriteResult> {
    return this.write(
      expectedModRevision === undefined ? { kind: 'delete', key } : { kind: 'delete', key, expectedModRevision },
    );
  }

  watch(options: WatchOptions, onEvents: (events: readonly WatchEvent[]) => void): WatchStart {
    this.assertOpen();
    if (options.afterRevision < this.compacted) {
      return { ok: false, reason: 'compacted', compactRevision: this.compacted };
    }
    // The ring covers everything above the compact revision, so replay never misses.
    const replay = this.history.since(options.afterRevision, options.prefix) ?? [];
    const cancel = this.hub.register(options.prefix, options.afterRevision, replay, onEvents);
    return { ok: true, cancel };
  }

  async compact(revision: number): Promise<void> {
    this.assertOpen();
    const target = Math.min(Math.floor(revision), this.revision);
    if (target <= this.compacted) return;
    this.compacted = target;
    this.history.dropThrough(target);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.hub.cancelAll();
  }

  private async write(op: WriteOp): Promise<WriteResult> {
    this.assertOpen();
    const plan = planWrite(op, this.index.get(op.key), this.revision + 1);
    const event = plan.event;
    if (event === undefined) return plan.result;
    this.revision++;
    if (event.type === 'delete') this.index.remove(op.key);
    else this.index.put(event.kv);
    const evicted = this.history.append([event]);
    if (evicted !== undefined) this.compacted = Math.max(this.compacted, evicted);
    this.hub.publish([event]);
    return plan.result;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error('memory store is closed');
  }
}
