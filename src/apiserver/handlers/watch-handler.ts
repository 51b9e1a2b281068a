/**
 * Watch streams: one JSON object per line, headers flushed at once (kubectl and
 * client-go block until they see them). Supports resume from a resourceVersion,
 * the initial ADDED replay for rv ""/"0", selector transitions (an object
 * leaving a selector is sent as DELETED), Table rows, bookmarks and 410 Expired.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/object.js';
import type { KeyValue, WatchEvent } from '../../storage/store.js';
import { decodeShared, objectJson } from '../rest/object-codec.js';
import type { ResourceStore } from '../rest/resource-store.js';
import { apiVersionOf } from '../resources.js';
import * as errors from '../status.js';
import type { OutputForm } from '../http/respond.js';

export interface WatchRequest extends WatchScope {
  readonly allowBookmarks: boolean;
  readonly timeoutSeconds?: number;
  readonly form: OutputForm;
  /** Converts one object to a one-row Table (first: include column definitions). */
  readonly toTable: (obj: KubeObject, first: boolean) => unknown;
  readonly toPartial: (obj: KubeObject) => unknown;
  /** Stops the stream when the server shuts down. */
  readonly signal: AbortSignal;
}

const BOOKMARK_INTERVAL_MS = 30_000;
/** A watcher that cannot keep up is dropped (it relists), as upstream's cacher does. */
const MAX_BUFFERED_BYTES = 32 * 1024 * 1024;

/**
 * Object JSON of recent events, keyed by the store's event key/value (one
 * object shared by every watcher of that event), so a write watched by N
 * clients is serialised once rather than N times.
 */
const eventJson = new Map<KeyValue, string>();
const EVENT_JSON_LIMIT = 256;

function sharedObjectJson(kv: KeyValue): string {
  let text = eventJson.get(kv);
  if (text === undefined) {
    text = objectJson(kv);
    if (eventJson.size >= EVENT_JSON_LIMIT) {
      const oldest = eventJson.keys().next();
      if (!oldest.done) eventJson.delete(oldest.value);
    }
    eventJson.set(kv, text);
  }
  return text;
}

/** What a watch of one resource looks at, for any transport. */
export interface WatchScope {
  readonly store: ResourceStore;
  readonly namespace: string | undefined;
  readonly resourceVersion: string;
  readonly labelMatch?: (labels: Record<string, string> | undefined) => boolean;
  readonly fieldMatch?: (fields: Record<string, string>) => boolean;
}

/**
 * Where a watch starts: for rv ""/"0" the current objects (sent as ADDED first)
 * and the list's revision, else the given revision. Throws 400 on a bad rv.
 */
export async function watchStart(w: WatchScope): Promise<{ readonly initial: KubeObject[]; readonly startRevision: number }> {
  if (w.resourceVersion === '' || w.resourceVersion === '0') {
    const list = await w.store.list({
      namespace: w.namespace,
      ...(w.labelMatch ? { labelMatch: w.labelMatch } : {}),
      ...(w.fieldMatch ? { fieldMatch: w.fieldMatch } : {}),
    });
    return { initial: list.items, startRevision: Number(list.resourceVersion) };
  }
  const startRevision = Number(w.resourceVersion);
  if (!Number.isInteger(startRevision) || startRevision < 0) {
    throw errors.badRequest(`invalid resource version: ${JSON.stringify(w.resourceVersion)}`);
  }
  return { initial: [], startRevision };
}

/** Receives a watch's events; `kv` is the stored value the object was decoded from. */
export type WatchEventSink = (type: 'ADDED' | 'MODIFIED' | 'DELETED', kv: KeyValue, obj: KubeObject) => void;

/**
 * Turns store events into watch events for `w`: with selectors, an object that
 * starts matching is ADDED and one that stops matching is DELETED, as upstream.
 * Objects are the shared decoded values (read-only).
 */
export function watchEventFilter(w: WatchScope, send: WatchEventSink): (events: readonly WatchEvent[]) => number {
  const rs = w.store;
  const matches = (obj: KubeObject): boolean =>
    (!w.labelMatch || w.labelMatch(obj.metadata.labels)) && (!w.fieldMatch || w.fieldMatch(rs.fieldsOf(obj)));
  const filtering = Boolean(w.labelMatch || w.fieldMatch);
  let lastRevision = 0;
  return (events) => {
    for (const ev of events) {
      lastRevision = Math.max(lastRevision, ev.kv.modRevision);
      const cur = decodeShared(ev.kv);
      if (!filtering) {
        send(ev.type === 'delete' ? 'DELETED' : ev.prevKv ? 'MODIFIED' : 'ADDED', ev.kv, cur);
        continue;
      }
      if (ev.type === 'delete') {
        if (matches(cur)) send('DELETED', ev.kv, cur);
        continue;
      }
      const nowMatch = matches(cur);
      const before = ev.prevKv ? matches(decodeShared(ev.prevKv)) : false;
      if (nowMatch && before) send('MODIFIED', ev.kv, cur);
      else if (nowMatch) send('ADDED', ev.kv, cur);
      else if (before) send('DELETED', ev.kv, cur);
    }
    return lastRevision;
  };
}

/** The Status of the ERROR event a watch from a compacted revision gets. */
export function expiredStatus(startRevision: number, compactRevision: number): unknown {
  return errors.expired(`too old resource version: ${startRevision} (${compactRevision + 1})`).status;
}

/**
 * Bookmark and deadline timers of a watch: a bookmark every 30 s and, as
 * upstream's cacher does, 2 s before the deadline (so a client re-watching after
 * the timeout resumes from a recent resourceVersion); `onDeadline` at the end.
 */
export function watchTimers(opts: {
  readonly allowBookmarks: boolean;
  readonly timeoutSeconds?: number;
  readonly bookmark: () => void;
  readonly onDeadline: () => void;
}): () => void {
  const timers: NodeJS.Timeout[] = [];
  if (opts.allowBookmarks) {
    const t = setInterval(opts.bookmark, BOOKMARK_INTERVAL_MS);
    t.unref();
    timers.push(t);
    if (opts.timeoutSeconds && opts.timeoutSeconds > 2) {
      const pre = setTimeout(opts.bookmark, (opts.timeoutSeconds - 2) * 1000);
      pre.unref();
      timers.push(pre);
    }
  }
  if (opts.timeoutSeconds && opts.timeoutSeconds > 0) {
    const t = setTimeout(opts.onDeadline, opts.timeoutSeconds * 1000);
    t.unref();
    timers.push(t);
  }
  return () => {
    for (const t of timers) clearTimeout(t);
  };
}

/** The BOOKMARK object for revision `rv` of the store's kind. */
export function bookmarkObject(rs: ResourceStore, rv: number): unknown {
  return { kind: rs.type.kind, apiVersion: apiVersionOf(rs.type), metadata: { resourceVersion: String(rv) } };
}

export async function serveWatch(req: IncomingMessage, res: ServerResponse, w: WatchRequest): Promise<void> {
  const rs = w.store;
  const { initial, startRevision } = await watchStart(w);

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  let first = true;
  let lastRevision = startRevision;
  let closed = false;
  const render = (obj: KubeObject): unknown => {
    if (w.form.kind === 'table') {
      const t = w.toTable(obj, first);
      first = false;
      return t;
    }
    if (w.form.kind === 'partial') return w.toPartial(obj);
    return obj;
  };
  const write = (type: string, obj: unknown): void => {
    if (closed) return;
    res.write(`${JSON.stringify({ type, object: obj })}\n`);
    if (res.writableLength > MAX_BUFFERED_BYTES) finish();
  };
  const filter = watchEventFilter(w, (type, kv, obj) => {
    if (closed) return;
    if (w.form.kind !== 'object') return write(type, render(obj));
    res.write(`{"type":"${type}","object":${sharedObjectJson(kv)}}\n`);
    if (res.writableLength > MAX_BUFFERED_BYTES) finish();
  });
  const onEvents = (events: readonly WatchEvent[]): void => {
    if (closed) return;
    lastRevision = Math.max(lastRevision, filter(events));
  };

  for (const obj of initial) write('ADDED', render(obj));

  const started = rs.watchRaw(w.namespace, startRevision, onEvents);
  if (!started.ok) {
    write('ERROR', expiredStatus(startRevision, started.compactRevision));
    res.end();
    return;
  }

  let stopTimers = (): void => undefined;
  function finish(): void {
    if (closed) return;
    closed = true;
    if (started.ok) started.cancel();
    stopTimers();
    w.signal.removeEventListener('abort', finish);
    res.end();
  }
  stopTimers = watchTimers({
    allowBookmarks: w.allowBookmarks,
    ...(w.timeoutSeconds !== undefined ? { timeoutSeconds: w.timeoutSeconds } : {}),
    bookmark: () => write('BOOKMARK', bookmarkObject(rs, lastRevision)),
    onDeadline: finish,
  });
  req.on('close', finish);
  res.on('close', finish);
  res.on('error', finish);
  w.signal.addEventListener('abort', finish);
}
