/**
 * TCP for one virtual service: accept, pick a backend, connect (retrying other
 * backends when a connect is refused or times out), then splice both ways with
 * half-close. No usable backend → the client gets a RST at once.
 */
import net from 'node:net';
import type { Logger } from '../../log/logger.js';
import { SocketSplice } from './socket-splice.js';
import type { Backend, ConnState, VirtualService } from './virtual-service.js';

/** Connect timeouts of successive attempts (the old kube-proxy userspace mode used the same ladder). */
export const DEFAULT_DIAL_TIMEOUTS_MS: readonly number[] = [250, 500, 1000, 2000];

export interface TcpFrontendOptions {
  readonly log?: Logger;
  readonly dialTimeoutsMs?: readonly number[];
  /** Every proxied socket pair is registered here so the dataplane can tear them down on close. */
  readonly connections: Set<net.Socket>;
}

function normalizeIP(ip: string | undefined): string {
  if (!ip) return '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

export class TcpFrontend {
  private readonly vs: VirtualService;
  private readonly opts: TcpFrontendOptions;
  private server: net.Server | undefined;

  constructor(vs: VirtualService, opts: TcpFrontendOptions) {
    this.vs = vs;
    this.opts = opts;
  }

  /** Binds the listener; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL, EACCES). */
  listen(): Promise<void> {
    const { localAddress, port } = this.vs.config;
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true }, (c) => this.accept(c));
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      server.once('error', onError);
      server.listen({ host: localAddress, port, backlog: 511 }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.opts.log?.warn(`tcp ${localAddress}:${port}: ${err.message}`));
        this.server = server;
        resolve();
      });
    });
  }

  /** Stops accepting; established connections carry on (they are closed with the dataplane). */
  close(): void {
    this.server?.close();
    this.server = undefined;
  }

  private accept(client: net.Socket): void {
    client.on('error', () => {});
    const clientIP = normalizeIP(client.remoteAddress);
    const clientPort = client.remotePort ?? 0;
    if (!this.vs.allows(clientIP) || !this.vs.hasBackends()) {
      // Upstream REJECTs (or drops) here; a RST is the closest a socket can do.
      client.resetAndDestroy();
      return;
    }
    this.opts.connections.add(client);
    client.once('close', () => this.opts.connections.delete(client));
    this.dial(client, clientIP, clientPort, new Set(), 0);
  }

  private dial(client: net.Socket, clientIP: string, clientPort: number, tried: Set<string>, attempt: number): void {
    const ladder = this.opts.dialTimeoutsMs ?? DEFAULT_DIAL_TIMEOUTS_MS;
    const backend = this.vs.choose(clientIP, clientPort, tried);
    if (!backend || client.destroyed) {
      if (!client.destroyed) client.resetAndDestroy();
      return;
    }
    const link = new SocketSplice(client);
    const upstream = net.connect(link.connectOptions(backend.dialIP, backend.port));
    const timeoutMs = ladder[Math.min(attempt, ladder.length - 1)] ?? 1000;
    let connected = false;
    const timer = setTimeout(() => upstream.destroy(new Error('connect timeout')), timeoutMs);
    const onEarlyClose = (): void => {
      upstream.destroy();
    };
    client.once('close', onEarlyClose);
    upstream.once('error', (err) => {
      if (connected) return;
      clearTimeout(timer);
      client.off('close', onEarlyClose);
      this.opts.log?.debug(`tcp ${this.vs.config.address}:${this.vs.config.port}: connect to ${backend.key} failed: ${err.message}`);
      this.vs.connectFailed(clientIP, backend);
      tried.add(backend.key);
      if (attempt + 1 < ladder.length && !client.destroyed) this.dial(client, clientIP, clientPort, tried, attempt + 1);
      else client.resetAndDestroy();
    });
    upstream.once('connect', () => {
      connected = true;
      clearTimeout(timer);
      client.off('close', onEarlyClose);
      this.splice(client, upstream, backend, link);
    });
  }

  private splice(client: net.Socket, upstream: net.Socket, backend: Backend, link: SocketSplice): void {
    this.opts.connections.add(upstream);
    let state: ConnState = 'active';
    this.vs.transition(backend, undefined, 'active');
    const move = (to: ConnState): void => {
      if (state === to || state === 'closed') return;
      this.vs.transition(backend, state, to);
      state = to;
    };
    upstream.on('error', () => client.destroyed || client.resetAndDestroy());
    client.on('error', () => upstream.destroyed || upstream.resetAndDestroy());
    client.on('end', () => move('closing'));
    upstream.on('end', () => move('closing'));
    let closed = 0;
    const onClose = (): void => {
      if (++closed === 2) move('closed');
    };
    client.once('close', () => {
      onClose();
      if (!upstream.destroyed && upstream.writableEnded && upstream.readableEnded) upstream.destroy();
    });
    upstream.once('close', () => {
      this.opts.connections.delete(upstream);
      onClose();
      if (!client.destroyed && client.writableEnded && client.readableEnded) client.destroy();
    });
    // Counters move per connection (above); the bytes themselves go through the splice.
    link.start(upstream);
  }
}
