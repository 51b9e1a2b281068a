/**
 * The agent's HTTPS endpoint (kubelet's port 10250), serving container logs for the API
 * server's `pods/log` proxy:
 *
 *   GET /containerLogs/{namespace}/{pod}/{container}?follow=&tailLines=&previous=&timestamps=
 *       &sinceSeconds=&sinceTime=&limitBytes=
 *
 * → 200 `text/plain` with the log text (CRI framing removed), streamed while following;
 *   400 for bad parameters or a missing previous instance; 404 for an unknown pod or container.
 *
 * Authentication: a client certificate signed by the cluster CA (the API server presents its
 * admin client certificate), or `Authorization: Bearer <token>` with one of the accepted
 * tokens (the agent's join token). Everything else gets 401. `/healthz` is open.
 *
 * Other components may serve more paths on the same server through `extraHandler` (exec,
 * port-forward).
 */
import { readdirSync } from 'node:fs';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from '../log/logger.js';
import { type LogReadOptions, streamLog } from './cri-log.js';

export type LogLocation = { readonly ok: true; readonly dir: string; readonly isRunning: () => boolean } | { readonly ok: false; readonly code: number; readonly message: string };

export interface LogSource {
  /** Where the container's log files (`<attempt>.log`) are. */
  locate(namespace: string, pod: string, container: string): LogLocation;
}

export interface LogServerOptions {
  readonly bindAddress: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Try a free port when `port` is taken (the embedded agent). */
  readonly fallbackToFreePort?: boolean;
  readonly certPem: string;
  readonly keyPem: string;
  /** CA whose client certificates are accepted (the cluster CA); none: certificates are not accepted. */
  readonly clientCaPem?: string;
  readonly bearerTokens?: readonly string[];
  readonly source: LogSource;
  readonly log: Logger;
  /** Consulted first; returns true when it handled the request. */
  readonly extraHandler?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** Attempt numbers of the log files in `dir`, ascending. */
export function logAttempts(dir: string): number[] {
  try {
    return readdirSync(dir)
      .map((f) => /^(\d+)\.log$/.exec(f)?.[1])
      .filter((n): n is string => n !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
  } catch {
    return [];
  }
}

function boolParam(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function intParam(q: URLSearchParams, name: string): number | undefined | Error {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) return new Error(`invalid ${name}: ${JSON.stringify(v)}`);
  return Number(v);
}

export class LogServer {
  private server: Server | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly opts: LogServerOptions) {}

  /** Starts listening; resolves to the port in use. */
  async listen(): Promise<number> {
    const o = this.opts;
    const server = createServer({ key: o.keyPem, cert: o.certPem, ca: o.clientCaPem, requestCert: true, rejectUnauthorized: false }, (req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        o.log.warn(`kubelet endpoint: ${req.url ?? ''}: ${err instanceof Error ? err.message : String(err)}`);
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
        res.end();
      });
    });
    this.server = server;
    const tryListen = (port: number): Promise<number> =>
      new Promise((resolve, reject) => {
        const onError = (e: Error): void => reject(e);
        server.once('error', onError);
        server.listen(port, o.bindAddress, () => {
          server.removeListener('error', onError);
          resolve((server.address() as AddressInfo).port);
        });
      });
    try {
      return await tryListen(o.port);
    } catch (err) {
      if (o.fallbackToFreePort && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') {
        o.log.info(`port ${o.port} on ${o.bindAddress} is taken; the agent endpoint uses a free port`);
        return tryListen(0);
      }
      throw err;
    }
  }

  get httpsServer(): Server | undefined {
    return this.server;
  }

  async close(): Promise<void> {
    this.abort.abort();
    const s = this.server;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    });
  }

  /** Whether the request may use the endpoint (also for upgrade requests on `socket`). */
  authorize(req: IncomingMessage, socket: Duplex = req.socket): boolean {
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) return (this.opts.bearerTokens ?? []).includes(auth.slice(7).trim());
    return this.opts.clientCaPem !== undefined && (socket as TLSSocket).authorized === true;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    const text = (code: number, body: string): void => {
      res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(body);
    };
    if (url.pathname === '/healthz') return text(200, 'ok');
    if (!this.authorize(req)) return text(401, 'Unauthorized');
    if (this.opts.extraHandler?.(req, res)) return;
    const m = /^\/containerLogs\/([^/]+)\/([^/]+)\/([^/]+)\/?$/.exec(url.pathname);
    if (!m) return text(404, '404 page not found');
    if (req.method !== 'GET') return text(405, 'method not allowed');
    const [ns, pod, container] = [m[1], m[2], m[3]].map((s) => decodeURIComponent(s ?? ''));
    const q = url.searchParams;
    const tail = intParam(q, 'tailLines');
    const limit = intParam(q, 'limitBytes');
    const sinceSeconds = intParam(q, 'sinceSeconds');
    for (const v of [tail, limit, sinceSeconds]) if (v instanceof Error) return text(400, v.message);
    let sinceMs: number | undefined;
    if (typeof sinceSeconds === 'number') sinceMs = Date.now() - sinceSeconds * 1000;
    const sinceTime = q.get('sinceTime');
    if (sinceTime) {
      const t = Date.parse(sinceTime);
      if (Number.isNaN(t)) return text(400, `invalid sinceTime: ${JSON.stringify(sinceTime)}`);
      sinceMs = t;
    }
    const loc = this.opts.source.locate(ns ?? '', pod ?? '', container ?? '');
    if (!loc.ok) return text(loc.code, loc.message);
    const attempts = logAttempts(loc.dir);
    const previous = boolParam(q.get('previous'));
    const attempt = previous ? attempts[attempts.length - 2] : attempts[attempts.length - 1];
    if (attempt === undefined) {
      return previous
        ? text(400, `previous terminated container "${container}" in pod "${pod}" not found`)
        : text(400, `container "${container}" in pod "${pod}" is waiting to start: no logs yet`);
    }
    const readOpts: LogReadOptions = {
      tailLines: typeof tail === 'number' ? tail : undefined,
      limitBytes: typeof limit === 'number' ? limit : undefined,
      timestamps: boolParam(q.get('timestamps')),
      sinceMs,
    };
    const follow = boolParam(q.get('follow')) && !previous;
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Transfer-Encoding': 'chunked' });
    const current = attempts[attempts.length - 1];
    const ac = new AbortController();
    const onClose = (): void => ac.abort();
    res.on('close', onClose);
    this.abort.signal.addEventListener('abort', onClose, { once: true });
    try {
      await streamLog(
        join(loc.dir, `${attempt}.log`),
        readOpts,
        res,
        follow
          ? {
              signal: ac.signal,
              // Follow ends when this instance has stopped (a restart writes a new file).
              isDone: () => !loc.isRunning() || logAttempts(loc.dir).at(-1) !== current,
            }
          : undefined,
      );
    } finally {
      this.abort.signal.removeEventListener('abort', onClose);
      res.end();
    }
  }
}
