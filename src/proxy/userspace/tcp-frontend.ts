/**
 * TCP for one virtual service: accept, pick a backend, connect (retrying other
 * backends when a connect is refused or times out), then splice both ways with
 * half-close. No usable backend → the client gets a RST at once.
 *
 * New connections are the expensive case for a userspace proxy, so each one is
 * a single object (ProxiedConnection) holding its state and listeners, the
 * connect timeout is an entry in a shared FIFO (no timer per connection) and
 * the peer address is only asked for when the virtual service looks at it.
 */
import net from 'node:net';
import type { Logger } from '../../log/logger.js';
import { DeadlineQueue, type Expirable } from './deadline-queue.js';
import { SocketSplice } from './socket-splice.js';
import type { Backend, ConnState, VirtualService } from './virtual-service.js';

/** Connect timeouts of successive attempts (the old kube-proxy userspace mode used the same ladder). */
export const DEFAULT_DIAL_TIMEOUTS_MS: readonly number[] = [250, 500, 1000, 2000];

/** A proxied connection (or anything else) the dataplane tears down when it closes. */
export interface Destroyable {
  destroy(): void;
}

export interface TcpFrontendOptions {
  readonly log?: Logger;
  readonly dialTimeoutsMs?: readonly number[];
  /** Every proxied connection is registered here (until both its sockets closed) so the dataplane can tear them down on close. */
  readonly connections: Set<Destroyable>;
}

/** Connect timeouts of every frontend in this process. */
const dialDeadlines = new DeadlineQueue();

const ignore = (): void => {};

function normalizeIP(ip: string | undefined): string {
  if (!ip) return '';
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip;
}

/** What the connections of one frontend share. */
interface FrontendContext {
  readonly vs: VirtualService;
  readonly ladder: readonly number[];
  readonly log: Logger | undefined;
  readonly connections: Set<Destroyable>;
}

/**
 * One client connection: dialing (possibly several attempts), then spliced.
 * Counts: active from connect until the first FIN, closing until both sockets
 * closed, then closed (InActConn for the linger time).
 */
class ProxiedConnection extends SocketSplice implements Expirable, Destroyable {
  private readonly ctx: FrontendContext;
  private readonly clientIP: string;
  private readonly clientPort: number;
  private backend: Backend | undefined;
  /** The socket of the attempt in progress. */
  private dialing: net.Socket | undefined;
  private attempt = 0;
  private tried: Set<string> | undefined;
  private timeoutMs = 0;
  private timeoutSeq = -1;
  private state: ConnState | undefined;
  private closedSockets = 0;

  constructor(ctx: FrontendContext, client: net.Socket, clientIP: string, clientPort: number) {
    super(client);
    this.ctx = ctx;
    this.clientIP = clientIP;
    this.clientPort = clientPort;
    client.on('error', this.onClientError);
    client.on('close', this.onClientClose);
  }

  /** Starts the next attempt, or resets the client when no backend is left to try. */
  dial(): void {
    const { vs, ladder } = this.ctx;
    const client = this.client;
    const backend = client.destroyed ? undefined : vs.choose(this.clientIP, this.clientPort, this.tried);
    if (backend === undefined) {
      if (!client.destroyed) client.resetAndDestroy();
      return;
    }
    this.backend = backend;
    const up = net.connect(this.connectOptions(backend.dialIP, backend.port));
    this.dialing = up;
    // One listener for the socket's life: a connect failure before 'connect', a reset of the client after.
    up.on('error', (err: Error) => this.onUpstreamError(up, backend, err));
    up.on('connect', () => this.onConnect(up, backend));
    this.timeoutMs = ladder[Math.min(this.attempt, ladder.length - 1)] ?? 1000;
    this.timeoutSeq = dialDeadlines.add(this.timeoutMs, this);
  }

  /** Connect timeout of the attempt in progress. */
  expire(): void {
    this.dialing?.destroy(new Error('connect timeout'));
  }

  /** Tears both sockets down (dataplane close). */
  destroy(): void {
    this.dialing?.destroy();
    this.upstream?.destroy();
    this.client.destroy();
  }

  protected override halfClosed(): void {
    this.move('closing');
  }

  private stopDialing(): void {
    dialDeadlines.cancel(this.timeoutMs, this.timeoutSeq);
    this.dialing = undefined;
  }

  private onConnect(up: net.Socket, backend: Backend): void {
    if (this.dialing !== up) return;
    this.stopDialing();
    this.state = 'active';
    this.ctx.vs.transition(backend, undefined, 'active');
    up.on('close', this.onUpstreamClose);
    this.start(up);
  }

  private onUpstreamError(up: net.Socket, backend: Backend, err: Error): void {
    if (this.upstream === up) {
      if (!this.client.destroyed) this.client.resetAndDestroy();
      return;
    }
    if (this.dialing !== up) return;
    this.stopDialing();
    const { vs, ladder, log } = this.ctx;
    log?.debug(`tcp ${vs.config.address}:${vs.config.port}: connect to ${backend.key} failed: ${err.message}`);
    vs.connectFailed(this.clientIP, backend);
    (this.tried ??= new Set()).add(backend.key);
    this.attempt++;
    if (this.attempt < ladder.length && !this.client.destroyed) this.dial();
    else if (!this.client.destroyed) this.client.resetAndDestroy();
  }

  private readonly onClientError = (): void => {
    const up = this.upstream;
    if (up !== undefined && !up.destroyed) up.resetAndDestroy();
  };

  private readonly onClientClose = (): void => {
    const up = this.upstream;
    if (up === undefined) {
      // Gone before a backend answered: abandon the attempt in progress.
      const dialing = this.dialing;
      this.stopDialing();
      dialing?.destroy();
      this.ctx.connections.delete(this);
      this.release();
      return;
    }
    this.socketClosed();
    if (!up.destroyed && up.writableEnded && up.readableEnded) up.destroy();
  };

  private readonly onUpstreamClose = (): void => {
    this.socketClosed();
    const client = this.client;
    if (!client.destroyed && client.writableEnded && client.readableEnded) client.destroy();
  };

  private socketClosed(): void {
    if (++this.closedSockets < 2) return;
    this.move('closed');
    this.ctx.connections.delete(this);
    this.release();
  }

  private move(to: ConnState): void {
    const from = this.state;
    if (from === to || from === 'closed' || from === undefined || this.backend === undefined) return;
    this.ctx.vs.transition(this.backend, from, to);
    this.state = to;
  }
}

export class TcpFrontend {
  private readonly vs: VirtualService;
  private readonly opts: TcpFrontendOptions;
  private readonly ctx: FrontendContext;
  private server: net.Server | undefined;

  constructor(vs: VirtualService, opts: TcpFrontendOptions) {
    this.vs = vs;
    this.opts = opts;
    this.ctx = { vs, ladder: opts.dialTimeoutsMs ?? DEFAULT_DIAL_TIMEOUTS_MS, log: opts.log, connections: opts.connections };
  }

  /** Binds the listener; rejects with the bind error (EADDRINUSE, EADDRNOTAVAIL, EACCES). */
  listen(): Promise<void> {
    const { localAddress, port } = this.vs.config;
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, this.accept);
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

  private readonly accept = (client: net.Socket): void => {
    const vs = this.vs;
    // getpeername is a syscall: only when source ranges, affinity or a hashing scheduler need it.
    const clientIP = vs.needsClientAddress ? normalizeIP(client.remoteAddress) : '';
    const clientPort = vs.needsClientAddress ? (client.remotePort ?? 0) : 0;
    if (!vs.hasBackends() || !vs.allows(clientIP)) {
      // Upstream REJECTs (or drops) here; a RST is the closest a socket can do.
      client.on('error', ignore);
      client.resetAndDestroy();
      return;
    }
    const conn = new ProxiedConnection(this.ctx, client, clientIP, clientPort);
    this.opts.connections.add(conn);
    conn.dial();
  };
}
