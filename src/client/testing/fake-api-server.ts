/**
 * A tiny in-memory Kubernetes API server for client tests, on 127.0.0.1: get/list (with
 * limit/continue), create/update (resourceVersion preconditions)/merge-patch/delete, and watch
 * streams (chunked NDJSON, each line deliberately split over two writes, synthetic ADDED for
 * rv 0/"", 410 ERROR below the compaction point, bookmarks on demand).
 * Test code only; it follows upstream wire shapes but none of the validation.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../api/object.js';
import { isRecord } from '../../api/object.js';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

interface Parsed {
  coll: string;
  ns: string;
  name: string | undefined;
  subresource: string | undefined;
}

interface Watcher {
  coll: string;
  ns: string;
  res: http.ServerResponse;
  bookmarks: boolean;
}

interface HistoryEvent {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  coll: string;
  ns: string;
  object: KubeObject;
}

/** Return a response to short-circuit a request (fault injection), or undefined to serve it. */
export type Interceptor = (req: RecordedRequest) => { code: number; body: unknown; contentType?: string } | undefined;

function status(code: number, reason: string, message: string): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isRecord(patch)) return patch;
  const out: Record<string, unknown> = isRecord(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

export class FakeApiServer {
  rv = 100;
  compactedRV = 0;
  readonly requests: RecordedRequest[] = [];
  readonly objects = new Map<string, Map<string, KubeObject>>();
  interceptor: Interceptor | undefined;
  private readonly history: HistoryEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly server = http.createServer((req, res) => this.handle(req, res));

  /** Starts listening on 127.0.0.1 and resolves to the base URL. */
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.closeWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Number of open watch streams. */
  watchCount(): number {
    return this.watchers.size;
  }

  /** Ends every open watch stream cleanly. */
  closeWatches(): void {
    for (const w of this.watchers) w.res.end();
    this.watchers.clear();
  }

  /** Forgets history: watches from older versions get 410. */
  compact(): void {
    this.compactedRV = this.rv;
    this.history.length = 0;
  }

  /** Sends a BOOKMARK at a fresh resource version to watchers that asked for bookmarks. */
  bookmark(): string {
    const rv = String(++this.rv);
    for (const w of this.watchers) {
      if (w.bookmarks) this.write(w.res, { type: 'BOOKMARK', object: { kind: 'Bookmark', apiVersion: 'v1', metadata: { resourceVersion: rv } } });
    }
    return rv;
  }

  /** Creates or replaces an object directly (emits ADDED/MODIFIED). `coll` is `group/version/plural`. */
  put(coll: string, obj: KubeObject): KubeObject {
    const ns = obj.metadata.namespace ?? '';
    const key = `${ns}/${obj.metadata.name ?? ''}`;
    const m = this.collection(coll);
    const type = m.has(key) ? 'MODIFIED' : 'ADDED';
    const stored: KubeObject = { ...obj, metadata: { ...obj.metadata, resourceVersion: String(++this.rv) } };
    m.set(key, stored);
    this.emit({ rv: this.rv, type, coll, ns, object: stored });
    return stored;
  }

  /** Deletes directly (emits DELETED). */
  remove(coll: string, ns: string, name: string, silently = false): void {
    const m = this.collection(coll);
    const old = m.get(`${ns}/${name}`);
    if (!old) return;
    m.delete(`${ns}/${name}`);
    const rv = ++this.rv;
    if (!silently) this.emit({ rv, type: 'DELETED', coll, ns, object: { ...old, metadata: { ...old.metadata, resourceVersion: String(rv) } } });
  }

  private collection(coll: string): Map<string, KubeObject> {
    let m = this.objects.get(coll);
    if (!m) this.objects.set(coll, (m = new Map()));
    return m;
  }

  private emit(ev: HistoryEvent): void {
    this.history.push(ev);
    for (const w of this.watchers) {
      if (w.coll === ev.coll && (w.ns === '' || w.ns === ev.ns)) this.write(w.res, { type: ev.type, object: ev.object });
    }
  }

  /** Writes one NDJSON line in two chunks, split mid-line, so clients must reassemble. */
  private write(res: http.ServerResponse, ev: unknown): void {
    const line = `${JSON.stringify(ev)}\n`;
    const cut = Math.floor(line.length / 2);
    res.write(line.slice(0, cut));
    res.write(line.slice(cut));
  }

  private parse(pathname: string): Parsed | undefined {
    const segs = pathname.split('/').filter(Boolean).map(decodeURIComponent);
    let gv: string;
    let rest: string[];
    if (segs[0] === 'api' && segs.length >= 3) {
      gv = `/${segs[1] ?? ''}`;
      rest = segs.slice(2);
    } else if (segs[0] === 'apis' && segs.length >= 4) {
      gv = `${segs[1] ?? ''}/${segs[2] ?? ''}`;
      rest = segs.slice(3);
    } else return undefined;
    let ns = '';
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      ns = rest[1] ?? '';
      rest = rest.slice(2);
    }
    const plural = rest[0];
    if (!plural) return undefined;
    return { coll: `${gv}/${plural}`, ns, name: rest[1], subresource: rest[2] };
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const rec: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      this.requests.push(rec);
      const send = (code: number, body: unknown, contentType = 'application/json'): void => {
        res.writeHead(code, { 'Content-Type': contentType });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      const forced = this.interceptor?.(rec);
      if (forced) return send(forced.code, forced.body, forced.contentType);
      const p = this.parse(url.pathname);
      if (!p) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
      try {
        this.serve(rec, p, res, send);
      } catch (err) {
        send(500, status(500, 'InternalError', String(err)));
      }
    });
  }

  private serve(rec: RecordedRequest, p: Parsed, res: http.ServerResponse, send: (code: number, body: unknown) => void): void {
    const m = this.collection(p.coll);
    const plural = p.coll.split('/').pop() ?? '';
    const notFound = (name: string): void => send(404, status(404, 'NotFound', `${plural} "${name}" not found`));
    const body = (): KubeObject => JSON.parse(rec.body) as KubeObject;
    if (rec.method === 'GET' && p.name === undefined && rec.query.get('watch') === 'true') return this.watch(rec, p, res);
    if (rec.method === 'GET' && p.name === undefined) {
      const all = [...m.entries()].filter(([k]) => p.ns === '' || k.startsWith(`${p.ns}/`)).sort(([a], [b]) => a.localeCompare(b));
      const start = Number(rec.query.get('continue') ?? '0');
      const limit = Number(rec.query.get('limit') ?? '0');
      const page = limit > 0 ? all.slice(start, start + limit) : all.slice(start);
      const next = limit > 0 && start + limit < all.length ? String(start + limit) : undefined;
      return send(200, {
        kind: 'List',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.rv), ...(next ? { continue: next } : {}) },
        items: page.map(([, o]) => o),
      });
    }
    const key = `${p.ns}/${p.name ?? ''}`;
    switch (rec.method) {
      case 'GET': {
        const o = m.get(key);
        return o ? send(200, o) : notFound(p.name ?? '');
      }
      case 'POST': {
        const o = body();
        const k = `${p.ns}/${o.metadata.name ?? ''}`;
        if (m.has(k)) return send(409, status(409, 'AlreadyExists', `${plural} "${o.metadata.name ?? ''}" already exists`));
        return send(201, this.put(p.coll, { ...o, metadata: { ...o.metadata, namespace: p.ns || undefined } }));
      }
      case 'PUT': {
        const o = body();
        const cur = m.get(key);
        if (!cur) return notFound(p.name ?? '');
        const want = o.metadata.resourceVersion;
        if (want && want !== cur.metadata.resourceVersion) {
          return send(
            409,
            status(409, 'Conflict', `Operation cannot be fulfilled on ${plural} "${p.name ?? ''}": the object has been modified; please apply your changes to the latest version and try again`),
          );
        }
        return send(200, this.put(p.coll, o));
      }
      case 'PATCH': {
        const cur = m.get(key);
        if (!cur) return notFound(p.name ?? '');
        return send(200, this.put(p.coll, mergePatch(cur, JSON.parse(rec.body)) as KubeObject));
      }
      case 'DELETE': {
        const cur = m.get(key);
        if (!cur) return notFound(p.name ?? '');
        this.remove(p.coll, p.ns, p.name ?? '');
        return send(200, cur);
      }
      default:
        return send(405, status(405, 'MethodNotAllowed', 'method not allowed'));
    }
  }

  private watch(rec: RecordedRequest, p: Parsed, res: http.ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    const rvParam = rec.query.get('resourceVersion') ?? '';
    const w: Watcher = { coll: p.coll, ns: p.ns, res, bookmarks: rec.query.get('allowWatchBookmarks') === 'true' };
    const matches = (coll: string, ns: string): boolean => coll === p.coll && (p.ns === '' || p.ns === ns);
    if (rvParam === '' || rvParam === '0') {
      for (const o of this.collection(p.coll).values()) if (matches(p.coll, o.metadata.namespace ?? '')) this.write(res, { type: 'ADDED', object: o });
    } else {
      const from = Number(rvParam);
      if (from < this.compactedRV) {
        this.write(res, {
          type: 'ERROR',
          object: status(410, 'Expired', `too old resource version: ${from} (${this.compactedRV})`),
        });
        res.end();
        return;
      }
      for (const ev of this.history) if (ev.rv > from && matches(ev.coll, ev.ns)) this.write(res, { type: ev.type, object: ev.object });
    }
    this.watchers.add(w);
    res.on('close', () => this.watchers.delete(w));
  }
}
