/**
 * A small Kubernetes REST client (the part of client-go's rest + dynamic clients
 * that Switchyard's components need): JSON requests with typed helpers addressed by a
 * resource descriptor, Status errors as KubeApiError, and streaming watches.
 * Works against Switchyard's own server and any conformant Kubernetes API server.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { KubeObject } from '../api/object.js';
import { isRecord } from '../api/object.js';
import type { ClientConfig } from './kubeconfig.js';

/** Addresses a resource collection; `ResourceType` from the API server's table fits. */
export interface ResourceRef {
  /** API group, '' for core. */
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly namespaced: boolean;
}

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Absolute path below the server URL, e.g. `/api/v1/namespaces`. */
  readonly path: string;
  /** Undefined values are left out. */
  readonly query?: Readonly<Record<string, QueryValue>>;
  /** Objects are sent as JSON; strings and Buffers as they are. */
  readonly body?: unknown;
  readonly contentType?: string;
  readonly accept?: string;
  readonly signal?: AbortSignal;
  /** Whole-request timeout; default 60 s (0 disables). */
  readonly timeoutMs?: number;
}

/** An API failure, built from the server's `Status` body (or from the HTTP status when there is none). */
export class KubeApiError extends Error {
  readonly code: number;
  /** Upstream reason string: NotFound, AlreadyExists, Conflict, Invalid, Expired, ... */
  readonly reason: string;
  /** The decoded Status object when the server sent one, else the raw body text. */
  readonly status: unknown;
  constructor(code: number, reason: string, message: string, status: unknown) {
    super(message);
    this.name = 'KubeApiError';
    this.code = code;
    this.reason = reason;
    this.status = status;
  }
}

// Reasons client-go's errors package infers from a bare HTTP status.
const REASON_BY_CODE: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Expired',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'Invalid',
  429: 'TooManyRequests',
  500: 'InternalError',
  503: 'ServiceUnavailable',
  504: 'Timeout',
};

/** Builds the error for a non-2xx response body. */
export function apiErrorFromResponse(code: number, body: string): KubeApiError {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    parsed = undefined;
  }
  if (isRecord(parsed) && parsed.kind === 'Status') {
    const c = typeof parsed.code === 'number' && parsed.code > 0 ? parsed.code : code;
    const reason = typeof parsed.reason === 'string' && parsed.reason ? parsed.reason : (REASON_BY_CODE[c] ?? 'Unknown');
    const message = typeof parsed.message === 'string' ? parsed.message : `${reason} (${c})`;
    return new KubeApiError(c, reason, message, parsed);
  }
  const reason = REASON_BY_CODE[code] ?? 'Unknown';
  const text = body.trim();
  return new KubeApiError(code, reason, text ? `${reason} (${code}): ${text.slice(0, 500)}` : `${reason} (${code})`, body);
}

/** Builds the error carried by a watch `ERROR` event's Status object. */
export function apiErrorFromStatus(status: unknown): KubeApiError {
  const s = isRecord(status) ? status : {};
  const code = typeof s.code === 'number' ? s.code : 500;
  const reason = typeof s.reason === 'string' && s.reason ? s.reason : (REASON_BY_CODE[code] ?? 'Unknown');
  const message = typeof s.message === 'string' ? s.message : `${reason} (${code})`;
  return new KubeApiError(code, reason, message, status);
}

function hasCode(err: unknown, code: number): boolean {
  return err instanceof KubeApiError && err.code === code;
}
export const isNotFound = (err: unknown): boolean => hasCode(err, 404);
export const isConflict = (err: unknown): boolean => err instanceof KubeApiError && err.code === 409 && err.reason === 'Conflict';
export const isAlreadyExists = (err: unknown): boolean => err instanceof KubeApiError && err.reason === 'AlreadyExists';
/** 410: the resource version asked for is compacted away; relist. */
export const isExpired = (err: unknown): boolean =>
  err instanceof KubeApiError && (err.code === 410 || err.reason === 'Expired' || err.reason === 'Gone');

export interface ListMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface KubeList<T> {
  apiVersion?: string;
  kind?: string;
  metadata: ListMeta;
  items: T[];
}

export interface ListOptions {
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly limit?: number;
  readonly continue?: string;
  readonly resourceVersion?: string;
  /** How `resourceVersion` is matched (with a limit and no match the server reads exactly that version). */
  readonly resourceVersionMatch?: 'Exact' | 'NotOlderThan';
  /** Fetch every page (following `metadata.continue`) and return them as one list. */
  readonly followContinue?: boolean;
  readonly signal?: AbortSignal;
}

export interface WriteOptions {
  readonly fieldManager?: string;
  /** Server-side dry run (`dryRun=All`). */
  readonly dryRun?: boolean;
  readonly subresource?: string;
  readonly signal?: AbortSignal;
}

export interface PatchOptions extends WriteOptions {
  /** Server-side apply: take over conflicting fields. */
  readonly force?: boolean;
}

export type PatchType = 'merge' | 'strategic' | 'json' | 'apply';

const PATCH_CONTENT_TYPE: Readonly<Record<PatchType, string>> = {
  merge: 'application/merge-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  json: 'application/json-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface DeleteOptions {
  readonly propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  readonly gracePeriodSeconds?: number;
  readonly preconditions?: { readonly uid?: string; readonly resourceVersion?: string };
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
}

export interface WatchOptions {
  /** Start after this version; '' or '0' make the server start with synthetic ADDED events. */
  readonly resourceVersion?: string;
  readonly labelSelector?: string;
  readonly fieldSelector?: string;
  readonly allowWatchBookmarks?: boolean;
  /** Server-side stream lifetime; the client also gives up 30 s after it as a safety net. */
  readonly timeoutSeconds?: number;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  readonly type: WatchEventType;
  readonly object: unknown;
}

/**
 * A watch served by an API server in this same process (its controllers, DNS and
 * node agent use it rather than HTTP): same events and semantics, objects shared
 * and read-only. Rejects with KubeApiError when the server refuses the watch.
 */
export type InProcessWatch = (
  req: { readonly res: ResourceRef; readonly namespace: string | undefined; readonly opts: WatchOptions },
  onEvent: (ev: WatchEvent) => void,
  signal: AbortSignal,
) => Promise<void>;

export interface KubeClientOptions {
  /** Serve watches in process (see InProcessWatch); other requests still go over `server`. */
  readonly inProcessWatch?: InProcessWatch;
  /** Sent as `User-Agent: switchyard/<component>`. */
  readonly component?: string;
  /** Pooled sockets per host for ordinary requests (watches use a separate, unbounded pool). */
  readonly maxSockets?: number;
  readonly defaultTimeoutMs?: number;
}

const WATCH_EVENT_TYPES: ReadonlySet<string> = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);
const TOKEN_FILE_TTL_MS = 60_000;

/**
 * REST client for one API server. Ordinary requests share a keep-alive pool; each watch holds
 * its own socket from a second pool so that long-lived streams never starve requests.
 * Call `close()` to release sockets.
 */
export class KubeClient {
  readonly config: ClientConfig;
  private readonly base: URL;
  private readonly basePath: string;
  private readonly mod: typeof http | typeof https;
  private readonly agent: http.Agent;
  private readonly watchAgent: http.Agent;
  private readonly userAgent: string;
  private readonly defaultTimeoutMs: number;
  private tokenCache: { token: string; readAt: number } | undefined;
  private readonly inProcessWatch: InProcessWatch | undefined;
  /** Where requests go: host and port of `server`, or the configured Unix socket. */
  private readonly target: http.RequestOptions;

  constructor(config: ClientConfig, opts: KubeClientOptions = {}) {
    this.config = config;
    this.base = new URL(config.server);
    this.basePath = this.base.pathname.replace(/\/+$/, '');
    this.userAgent = `switchyard/${opts.component ?? 'client'}`;
    this.defaultTimeoutMs = opts.defaultTimeoutMs ?? 60_000;
    this.inProcessWatch = opts.inProcessWatch;
    const maxSockets = opts.maxSockets ?? 64;
    this.target = config.socketPath
      ? { socketPath: config.socketPath }
      : { protocol: this.base.protocol, hostname: this.base.hostname.replace(/^\[|\]$/g, ''), port: this.base.port || undefined };
    if (this.base.protocol === 'https:') {
      this.mod = https;
      const tls: https.AgentOptions = {
        ca: config.caPem,
        cert: config.clientCertPem,
        key: config.clientKeyPem,
        rejectUnauthorized: config.insecureSkipTlsVerify !== true,
        servername: config.tlsServerName,
      };
      this.agent = new https.Agent({ ...tls, keepAlive: true, maxSockets });
      this.watchAgent = new https.Agent({ ...tls, keepAlive: true });
    } else if (this.base.protocol === 'http:') {
      this.mod = http;
      this.agent = new http.Agent({ keepAlive: true, maxSockets });
      this.watchAgent = new http.Agent({ keepAlive: true });
    } else {
      throw new Error(`unsupported server URL scheme: ${config.server}`);
    }
  }

  /** Closes pooled sockets; in-flight requests fail. */
  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }

  /** Namespace of the kubeconfig context, or `default`. */
  get defaultNamespace(): string {
    return this.config.namespace ?? 'default';
  }

  /**
   * Collection or object path: `/api/v1/namespaces/{ns}/{plural}[/{name}[/{sub}]]`, or the
   * `/apis/{group}/{version}` form. An empty `ns` on a namespaced resource means all namespaces.
   */
  resourcePath(res: ResourceRef, ns: string | undefined, name?: string, subresource?: string): string {
    let p = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
    if (res.namespaced && ns) p += `/namespaces/${encodeURIComponent(ns)}`;
    p += `/${res.plural}`;
    if (name !== undefined) {
      if (name === '') throw new Error(`resource name may not be empty (${res.plural})`);
      p += `/${encodeURIComponent(name)}`;
      if (subresource) p += `/${subresource}`;
    }
    return p;
  }

  private authorization(): string | undefined {
    const c = this.config;
    if (c.tokenFile) {
      const now = Date.now();
      if (!this.tokenCache || now - this.tokenCache.readAt > TOKEN_FILE_TTL_MS) {
        try {
          this.tokenCache = { token: readFileSync(c.tokenFile, 'utf8').trim(), readAt: now };
        } catch (err) {
          // Keep using the last good token if the file is briefly missing during rotation.
          if (!this.tokenCache) throw err;
        }
      }
      return `Bearer ${this.tokenCache.token}`;
    }
    if (c.token) return `Bearer ${c.token}`;
    if (c.username !== undefined) return `Basic ${Buffer.from(`${c.username}:${c.password ?? ''}`).toString('base64')}`;
    return undefined;
  }

  private url(path: string, query?: Readonly<Record<string, QueryValue>>): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const q = qs.toString();
    return `${this.basePath}${path}${q ? `?${q}` : ''}`;
  }

  private headers(accept: string, contentType?: string, length?: number): http.OutgoingHttpHeaders {
    const h: http.OutgoingHttpHeaders = { Accept: accept, 'User-Agent': this.userAgent };
    const auth = this.authorization();
    if (auth) h.Authorization = auth;
    if (contentType) h['Content-Type'] = contentType;
    if (length !== undefined) h['Content-Length'] = length;
    return h;
  }

  /**
   * One request. Resolves to the decoded JSON body (undefined for an empty body) on 2xx;
   * rejects with KubeApiError on any other status, or with the transport error.
   */
  request<T>(opts: RequestOptions): Promise<T> {
    let payload: Buffer | undefined;
    let contentType = opts.contentType;
    if (opts.body !== undefined) {
      if (Buffer.isBuffer(opts.body)) payload = opts.body;
      else if (typeof opts.body === 'string') payload = Buffer.from(opts.body);
      else payload = Buffer.from(JSON.stringify(opts.body));
      contentType ??= 'application/json';
    }
    const timeoutMs = opts.timeoutMs ?? this.defaultTimeoutMs;
    return new Promise<T>((resolvePromise, reject) => {
      if (opts.signal?.aborted) {
        reject(abortError(opts.signal));
        return;
      }
      const req = this.mod.request(
        {
          ...this.target,
          method: opts.method,
          path: this.url(opts.path, opts.query),
          headers: this.headers(opts.accept ?? 'application/json', contentType, payload?.length),
          agent: this.agent,
          signal: opts.signal,
          timeout: timeoutMs > 0 ? timeoutMs : undefined,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            const code = res.statusCode ?? 0;
            if (code < 200 || code > 299) {
              reject(apiErrorFromResponse(code, text));
              return;
            }
            if (text.trim() === '') {
              resolvePromise(undefined as T);
              return;
            }
            try {
              resolvePromise(JSON.parse(text) as T);
            } catch {
              reject(new Error(`${opts.method} ${opts.path}: response is not JSON: ${text.slice(0, 200)}`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${opts.method} ${opts.path}: timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(payload);
    });
  }

  get<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, name: string, opts: { signal?: AbortSignal } = {}): Promise<T> {
    return this.request<T>({ method: 'GET', path: this.resourcePath(res, ns, name), signal: opts.signal });
  }

  /**
   * List a collection (`ns` empty or undefined: all namespaces). With `followContinue` every page is
   * fetched and merged; if the continue token expires mid-way (410) the list is retried once unpaged,
   * as client-go's pager does.
   */
  async list<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, opts: ListOptions = {}): Promise<KubeList<T>> {
    const path = this.resourcePath(res, ns);
    const page = (cont: string | undefined, limit: number | undefined): Promise<KubeList<T>> =>
      this.request<KubeList<T>>({
        method: 'GET',
        path,
        signal: opts.signal,
        query: {
          labelSelector: opts.labelSelector || undefined,
          fieldSelector: opts.fieldSelector || undefined,
          limit: limit || undefined,
          continue: cont || undefined,
          // The continue token carries the version; sending both is rejected upstream.
          resourceVersion: cont ? undefined : opts.resourceVersion || undefined,
          resourceVersionMatch: cont || !opts.resourceVersion ? undefined : opts.resourceVersionMatch,
        },
      }).then((raw) => normalizeList<T>(raw));
    const first = await page(opts.continue, opts.limit);
    if (!opts.followContinue) return first;
    const items = [...first.items];
    let cont = first.metadata.continue;
    let last = first;
    while (cont) {
      try {
        last = await page(cont, opts.limit);
      } catch (err) {
        if (!isExpired(err)) throw err;
        return page(undefined, undefined);
      }
      items.push(...last.items);
      cont = last.metadata.continue;
    }
    return { ...first, metadata: { resourceVersion: first.metadata.resourceVersion ?? last.metadata.resourceVersion }, items };
  }

  /** POST a new object into `ns` (or the object's own namespace). */
  create<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.request<T>({
      method: 'POST',
      path: this.resourcePath(res, res.namespaced ? (ns ?? obj.metadata.namespace) : undefined),
      query: { fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined },
      body: obj,
      signal: opts.signal,
    });
  }

  /**
   * PUT the object (name from `metadata.name`); `metadata.resourceVersion`, when set, makes the
   * write conditional and a stale one fails with 409 Conflict.
   */
  update<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, obj: T, opts: WriteOptions = {}): Promise<T> {
    const name = obj.metadata.name;
    if (!name) throw new Error(`update ${res.plural}: metadata.name is required`);
    return this.request<T>({
      method: 'PUT',
      path: this.resourcePath(res, res.namespaced ? (ns ?? obj.metadata.namespace) : undefined, name, opts.subresource),
      query: { fieldManager: opts.fieldManager, dryRun: opts.dryRun ? 'All' : undefined },
      body: obj,
      signal: opts.signal,
    });
  }

  /** PUT to the `status` subresource. */
  updateStatus<T extends KubeObject = KubeObject>(res: ResourceRef, ns: string | undefined, obj: T, opts: Omit<WriteOptions, 'subresource'> = {}): Promise<T> {
    return this.update(res, ns, obj, { ...opts, subresource: 'status' });
  }

  /**
   * PATCH with the given patch type. `apply` is server-side apply and needs a `fieldManager`
   * (default `switchyard`); `force` takes over conflicting fields.
   */
  patch<T extends KubeObject = KubeObject>(
    res: ResourceRef,
    ns: string | undefined,
    name: string,
    patch: unknown,
    type: PatchType,
    opts: PatchOptions = {},
  ): Promise<T> {
    const fieldManager = opts.fieldManager ?? (type === 'apply' ? 'switchyard' : undefined);
    return this.request<T>({
      method: 'PATCH',
      path: this.resourcePath(res, ns, name, opts.subresource),
      query: {
        fieldManager,
        dryRun: opts.dryRun ? 'All' : undefined,
        force: type === 'apply' && opts.force !== undefined ? opts.force : undefined,
      },
      body: patch,
      contentType: PATCH_CONTENT_TYPE[type],
      signal: opts.signal,
    });
  }

  /** DELETE with a DeleteOptions body; resolves to what the server returns (the object or a Status). */
  delete(res: ResourceRef, ns: string | undefined, name: string, opts: DeleteOptions = {}): Promise<unknown> {
    const body: Record<string, unknown> = { kind: 'DeleteOptions', apiVersion: 'v1' };
    if (opts.propagationPolicy) body.propagationPolicy = opts.propagationPolicy;
    if (opts.gracePeriodSeconds !== undefined) body.gracePeriodSeconds = opts.gracePeriodSeconds;
    if (opts.preconditions) body.preconditions = opts.preconditions;
    if (opts.dryRun) body.dryRun = ['All'];
    return this.request<unknown>({ method: 'DELETE', path: this.resourcePath(res, ns, name), body, signal: opts.signal });
  }

  /**
   * Stream a watch. Each newline-delimited JSON event goes to `onEvent` in order (lines split across
   * chunks are reassembled). Resolves when the server ends the stream or `signal` aborts; rejects with
   * KubeApiError if the server refuses the watch (non-200), or with the transport/parse error, or with
   * whatever `onEvent` throws (the stream is then closed).
   */
  watch(
    res: ResourceRef,
    ns: string | undefined,
    opts: WatchOptions,
    onEvent: (ev: WatchEvent) => void,
    signal: AbortSignal,
  ): Promise<void> {
    if (this.inProcessWatch) return this.inProcessWatch({ res, namespace: ns, opts }, onEvent, signal);
    const query: Record<string, QueryValue> = {
      watch: 'true',
      resourceVersion: opts.resourceVersion || undefined,
      labelSelector: opts.labelSelector || undefined,
      fieldSelector: opts.fieldSelector || undefined,
      allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
      timeoutSeconds: opts.timeoutSeconds,
    };
    return new Promise<void>((resolvePromise, reject) => {
      if (signal.aborted) {
        resolvePromise();
        return;
      }
      let settled = false;
      let safety: NodeJS.Timeout | undefined;
      const finish = (err?: unknown): void => {
        if (settled) return;
        settled = true;
        signal.removeEventListener('abort', onAbort);
        if (safety) clearTimeout(safety);
        if (err === undefined) resolvePromise();
        else reject(err);
      };
      const onAbort = (): void => {
        finish();
        req.destroy();
      };
      const req = this.mod.request(
        {
          ...this.target,
          method: 'GET',
          path: this.url(this.resourcePath(res, ns), query),
          headers: this.headers('application/json'),
          agent: this.watchAgent,
        },
        (resp) => {
          if (resp.statusCode !== 200) {
            const chunks: Buffer[] = [];
            resp.on('data', (c: Buffer) => chunks.push(c));
            resp.on('end', () => finish(apiErrorFromResponse(resp.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'))));
            resp.on('error', (e) => finish(e));
            return;
          }
          resp.setEncoding('utf8'); // decodes multi-byte characters split across chunks
          let pending: string[] = [];
          const deliver = (line: string): boolean => {
            if (line.trim() === '') return true;
            try {
              onEvent(parseWatchLine(line));
              return true;
            } catch (err) {
              finish(err);
              req.destroy();
              return false;
            }
          };
          resp.on('data', (chunk: string) => {
            let start = 0;
            for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', start)) {
              const line = pending.length ? pending.join('') + chunk.slice(start, nl) : chunk.slice(start, nl);
              pending = [];
              start = nl + 1;
              if (settled || !deliver(line)) return;
            }
            if (start < chunk.length) pending.push(chunk.slice(start));
          });
          resp.on('end', () => {
            if (!settled && pending.length) deliver(pending.join(''));
            finish();
          });
          resp.on('error', (e) => finish(e));
          resp.on('close', () => {
            if (!resp.complete) finish(new Error(`watch ${res.plural}: connection closed mid-stream`));
          });
        },
      );
      req.on('error', (e) => finish(e));
      signal.addEventListener('abort', onAbort, { once: true });
      // Safety net for servers that ignore timeoutSeconds and silently stall.
      if (opts.timeoutSeconds !== undefined) {
        safety = setTimeout(() => {
          finish();
          req.destroy();
        }, (opts.timeoutSeconds + 30) * 1000);
      }
      req.end();
    });
  }
}

function parseWatchLine(line: string): WatchEvent {
  let ev: unknown;
  try {
    ev = JSON.parse(line);
  } catch {
    throw new Error(`watch: malformed event line: ${line.slice(0, 200)}`);
  }
  if (!isRecord(ev) || typeof ev.type !== 'string' || !WATCH_EVENT_TYPES.has(ev.type)) {
    throw new Error(`watch: unexpected event: ${line.slice(0, 200)}`);
  }
  return { type: ev.type as WatchEventType, object: ev.object };
}

function normalizeList<T>(raw: unknown): KubeList<T> {
  if (!isRecord(raw)) throw new Error('list: response is not an object');
  const meta = isRecord(raw.metadata) ? (raw.metadata as ListMeta) : {};
  const items = Array.isArray(raw.items) ? (raw.items as T[]) : [];
  return { ...(raw as object), metadata: meta, items } as KubeList<T>;
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('request aborted');
}
