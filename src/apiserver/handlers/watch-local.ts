/**
 * Watches for the server's own components (controllers, DNS, the embedded node
 * agent): the same events, selectors, bookmarks, deadlines and 410 handling as
 * a watch over HTTP, delivered as the shared decoded objects instead of JSON
 * lines, so an in-process informer neither parses nor copies an event.
 */
import type { KubeObject } from '../../api/object.js';
import type { WatchEvent } from '../../storage/store.js';
import { bookmarkObject, expiredStatus, type WatchScope, watchEventFilter, watchStart, watchTimers } from './watch-handler.js';

export interface LocalWatchRequest extends WatchScope {
  readonly allowBookmarks: boolean;
  readonly timeoutSeconds?: number;
  /** The watcher's own cancellation. */
  readonly signal: AbortSignal;
  /** The server's shutdown. */
  readonly serverSignal: AbortSignal;
}

export interface LocalWatchEvent {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  /** Read-only: shared with every other watcher of the event. */
  readonly object: unknown;
}

/**
 * Streams events to `onEvent` until the deadline, either signal, or an ERROR
 * event (compacted start revision); resolves then. Rejects with what `onEvent`
 * throws (the watch stops first), or with an ApiError for a bad request.
 */
export async function watchLocal(w: LocalWatchRequest, onEvent: (ev: LocalWatchEvent) => void): Promise<void> {
  if (w.signal.aborted || w.serverSignal.aborted) return;
  const { initial, startRevision } = await watchStart(w);
  return new Promise<void>((resolve, reject) => {
    let closed = false;
    let lastRevision = startRevision;
    let stopTimers = (): void => undefined;
    let cancel = (): void => undefined;
    const finish = (err?: unknown): void => {
      if (closed) return;
      closed = true;
      cancel();
      stopTimers();
      w.signal.removeEventListener('abort', onAbort);
      w.serverSignal.removeEventListener('abort', onAbort);
      if (err === undefined) resolve();
      else reject(err);
    };
    const onAbort = (): void => finish();
    const emit = (type: LocalWatchEvent['type'], object: unknown): void => {
      if (closed) return;
      try {
        onEvent({ type, object });
      } catch (err) {
        finish(err ?? new Error('watch handler failed'));
      }
    };
    const filter = watchEventFilter(w, (type, _kv, obj: KubeObject) => emit(type, obj));
    for (const obj of initial) emit('ADDED', obj);
    if (closed) return;
    const started = w.store.watchRaw(w.namespace, startRevision, (events: readonly WatchEvent[]) => {
      if (!closed) lastRevision = Math.max(lastRevision, filter(events));
    });
    if (!started.ok) {
      emit('ERROR', expiredStatus(startRevision, started.compactRevision));
      finish();
      return;
    }
    cancel = () => started.cancel();
    stopTimers = watchTimers({
      allowBookmarks: w.allowBookmarks,
      ...(w.timeoutSeconds !== undefined ? { timeoutSeconds: w.timeoutSeconds } : {}),
      bookmark: () => emit('BOOKMARK', bookmarkObject(w.store, lastRevision)),
      onDeadline: () => finish(),
    });
    w.signal.addEventListener('abort', onAbort);
    w.serverSignal.addEventListener('abort', onAbort);
  });
}
