/**
 * Watch streams: one JSON object per line, headers flushed at once (kubectl and
 * client-go block until they see them). Supports resume from a resourceVersion,
 * the initial ADDED replay for rv ""/"0", selector transitions (an object
 * leaving a selector is sent as DELETED), Table rows, bookmarks and 410 Expired.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/object.js';
import type { WatchEvent } from '../../storage/store.js';
import { decodeShared } from '../rest/object-codec.js';
import type { ResourceStore } from '../rest/resource-store.js';
import { apiVersionOf } from '../resources.js';
import * as errors from '../status.js';
import type { OutputForm } from '../http/respond.js';

export interface WatchRequest {
  readonly store: ResourceStore;
  readonly namespace: string | undefined;
  readonly resourceVersion: string;
  readonly labelMatch?: (labels: Record<string, string> | undefined) => boolean;
  readonly fieldMatch?: (fields: Record<string, string>) => boolean;
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

export async function serveWatch(req: IncomingMessage, res: ServerResponse, w: WatchRequest): Promise<void> {
  const rs = w.store;
  let startRevision: number;
  const initial: KubeObject[] = [];
  if (w.resourceVersion === '' || w.resourceVersion === '0') {
    const list = await rs.list({
      namespace: w.namespace,
      ...(w.labelMatch ? { labelMatch: w.labelMatch } : {}),
      ...(w.fieldMatch ? { fieldMatch: w.fieldMatch } : {}),
    });
    initial.push(...list.items);
    startRevision = Number(list.resourceVersion);
  } else {
    startRevision = Number(w.resourceVersion);
    if (!Number.isInteger(startRevision) || startRevision < 0) {
      throw errors.badRequest(`invalid resource version: ${JSON.stringify(w.resourceVersion)}`);
    }
  }

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

  const matches = (obj: KubeObject): boolean =>
    (!w.labelMatch || w.labelMatch(obj.metadata.labels)) && (!w.fieldMatch || w.fieldMatch(rs.fieldsOf(obj)));

  const onEvents = (events: readonly WatchEvent[]): void => {
    for (const ev of events) {
      if (closed) return;
      lastRevision = Math.max(lastRevision, ev.kv.modRevision);
      const cur = decodeShared(ev.kv);
      if (ev.type === 'delete') {
        if (matches(cur)) write('DELETED', render(cur));
        continue;
      }
      const nowMatch = matches(cur);
      const before = ev.prevKv ? matches(decodeShared(ev.prevKv)) : false;
      if (nowMatch && before) write('MODIFIED', render(cur));
      else if (nowMatch) write('ADDED', render(cur));
      else if (before) write('DELETED', render(cur));
    }
  };

  for (const obj of initial) write('ADDED', render(obj));

  const started = rs.watchRaw(w.namespace, startRevision, onEvents);
  if (!started.ok) {
    const status = errors.expired(`too old resource version: ${startRevision} (${started.compactRevision + 1})`).status;
    write('ERROR', status);
    res.end();
    return;
  }

  const timers: NodeJS.Timeout[] = [];
  function finish(): void {
    if (closed) return;
    closed = true;
    if (started.ok) started.cancel();
    for (const t of timers) clearTimeout(t);
    w.signal.removeEventListener('abort', finish);
    res.end();
  }
  if (w.allowBookmarks) {
    const kind = rs.type.kind;
    const apiVersion = apiVersionOf(rs.type);
    const t = setInterval(() => {
      write('BOOKMARK', { kind, apiVersion, metadata: { resourceVersion: String(lastRevision) } });
    }, BOOKMARK_INTERVAL_MS);
    t.unref();
    timers.push(t);
  }
  if (w.timeoutSeconds && w.timeoutSeconds > 0) {
    const t = setTimeout(finish, w.timeoutSeconds * 1000);
    t.unref();
    timers.push(t);
  }
  req.on('close', finish);
  res.on('close', finish);
  res.on('error', finish);
  w.signal.addEventListener('abort', finish);
}
