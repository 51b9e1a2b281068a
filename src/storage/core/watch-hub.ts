import type { WatchEvent } from '../store.js';
import { eventRevision } from './event-history.js';

type Listener = (events: readonly WatchEvent[]) => void;

interface Watcher {
  readonly prefix: string;
  /** Only events above this revision are delivered. */
  readonly afterRevision: number;
  readonly onEvents: Listener;
  readonly queue: WatchEvent[][];
  scheduled: boolean;
  cancelled: boolean;
}

/**
 * Fans committed events out to watchers. Delivery is always asynchronous (a
 * microtask after the commit or registration), in revision order, one
 * callback per commit batch; the replay of history is one batch of its own.
 * A callback that throws is reported as a process warning and does not
 * affect other watchers or the writer.
 */
export class WatchHub {
  private readonly watchers = new Set<Watcher>();

  get size(): number {
    return this.watchers.size;
  }

  /**
   * Registers a watcher. `replay` are the history events it must see first
   * (already filtered by prefix); afterwards it receives every published
   * event under `prefix` with revision > afterRevision. Returns the cancel function.
   */
  register(prefix: string, afterRevision: number, replay: readonly WatchEvent[], onEvents: Listener): () => void {
    const watcher: Watcher = { prefix, afterRevision, onEvents, queue: [], scheduled: false, cancelled: false };
    this.watchers.add(watcher);
    if (replay.length > 0) this.enqueue(watcher, [...replay]);
    return () => {
      watcher.cancelled = true;
      watcher.queue.length = 0;
      this.watchers.delete(watcher);
    };
  }

  /** Delivers the events of one commit (in revision order) to interested watchers. */
  publish(events: readonly WatchEvent[]): void {
    if (events.length === 0) return;
    for (const w of this.watchers) {
      const mine = events.filter((e) => eventRevision(e) > w.afterRevision && e.kv.key.startsWith(w.prefix));
      if (mine.length > 0) this.enqueue(w, mine);
    }
  }

  /** Cancels every watcher (store closing). */
  cancelAll(): void {
    for (const w of this.watchers) {
      w.cancelled = true;
      w.queue.length = 0;
    }
    this.watchers.clear();
  }

  private enqueue(w: Watcher, batch: WatchEvent[]): void {
    w.queue.push(batch);
    if (w.scheduled) return;
    w.scheduled = true;
    queueMicrotask(() => drain(w));
  }
}

function drain(w: Watcher): void {
  w.scheduled = false;
  while (!w.cancelled) {
    const batch = w.queue.shift();
    if (batch === undefined) return;
    try {
      w.onEvents(batch);
    } catch (err) {
      process.emitWarning(err instanceof Error ? err : new Error(String(err)), 'WatchCallbackError');
    }
  }
}
