/**
 * UDP for one virtual service: a flow table keyed by client address:port.
 * The first datagram of a flow picks a backend; later ones follow it through
 * the flow's own upstream socket, and replies go back to the client from the
 * virtual address. Flows idle for `idleTimeoutMs` are forgotten, and flows to
 * backends that left the Service are dropped (the next datagram picks anew).
 */
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { Clock } from '../../client/clock.js';
import type { Logger } from '../../log/logger.js';
import type { Backend, VirtualService } from './virtual-service.js';

interface Flow {
  readonly clientAddress: string;
  readonly clientPort: number;
  readonly backend: Backend;
  readonly upstream: dgram.Socket;
  lastActive: number;
}

export interface UdpFrontendOptions {
  readonly clock: Clock;
  readonly idleTimeoutMs: number;
  readonly log?: Logger;
}

export class UdpFrontend {
  private readonly vs: VirtualService;
  private readonly opts: UdpFrontendOptions;
  private socket: dgram.Socket | undefined;
  private readonly flows = new Map<string, Flow>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(vs: VirtualService, opts: UdpFrontendOptions) {
    this.vs = vs;
    this.opts = opts;
  }

  listen(): Promise<void> {
    const { localAddress, port } = this.vs.config;
    const socket = dgram.createSocket({ type: isIPv6(localAddress) ? 'udp6' : 'udp4' });
    return new Promise((resolve, reject) => {
      const onError = (err: Error): void => {
        socket.close();
        reject(err);
      };
      socket.once('error', onError);
      socket.bind({ address: localAddress, port, exclusive: true }, () => {
        socket.off('error', onError);
        socket.on('error', (err) => this.opts.log?.warn(`udp ${localAddress}:${port}: ${err.message}`));
        socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
        this.socket = socket;
        const every = Math.max(50, Math.min(1000, Math.floor(this.opts.idleTimeoutMs / 2)));
        this.sweeper = setInterval(() => this.sweep(), every);
        this.sweeper.unref();
        resolve();
      });
    });
  }

  /** Number of flows in the table. */
  get flowCount(): number {
    return this.flows.size;
  }

  /** Drops flows whose backend is no longer current. */
  pruneRemovedBackends(): void {
    for (const [key, f] of this.flows) if (!this.vs.isCurrent(f.backend)) this.dropFlow(key, f);
  }

  close(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    for (const [key, f] of this.flows) this.dropFlow(key, f);
    try {
      this.socket?.close();
    } catch {
      // Already closed.
    }
    this.socket = undefined;
  }

  private sweep(): void {
    const cutoff = this.opts.clock.now() - this.opts.idleTimeoutMs;
    for (const [key, f] of this.flows) if (f.lastActive <= cutoff) this.dropFlow(key, f);
  }

  private dropFlow(key: string, f: Flow): void {
    this.flows.delete(key);
    this.vs.transition(f.backend, 'flow', 'closed');
    try {
      f.upstream.close();
    } catch {
      // Already closed.
    }
  }

  private onMessage(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const clientAddress = rinfo.address.startsWith('::ffff:') ? rinfo.address.slice(7) : rinfo.address;
    if (!this.vs.allows(clientAddress)) return;
    const key = `${rinfo.address}|${rinfo.port}`;
    let flow = this.flows.get(key);
    if (flow && !this.vs.isCurrent(flow.backend)) {
      this.dropFlow(key, flow);
      flow = undefined;
    }
    if (!flow) {
      const backend = this.vs.choose(clientAddress, rinfo.port);
      // No endpoints: drop (a socket cannot send the ICMP port-unreachable a kernel proxy would).
      if (!backend) return;
      flow = this.openFlow(key, rinfo, backend);
    }
    flow.lastActive = this.opts.clock.now();
    flow.upstream.send(msg, flow.backend.port, flow.backend.dialIP, (err) => {
      if (err) this.opts.log?.debug(`udp ${this.vs.config.address}:${this.vs.config.port} → ${flow?.backend.key}: ${err.message}`);
    });
  }

  private openFlow(key: string, rinfo: dgram.RemoteInfo, backend: Backend): Flow {
    const upstream = dgram.createSocket({ type: isIPv6(backend.dialIP) ? 'udp6' : 'udp4' });
    const flow: Flow = { clientAddress: rinfo.address, clientPort: rinfo.port, backend, upstream, lastActive: this.opts.clock.now() };
    upstream.on('error', (err) => {
      this.opts.log?.debug(`udp flow ${key} → ${backend.key}: ${err.message}`);
      if (this.flows.get(key) === flow) this.dropFlow(key, flow);
    });
    upstream.on('message', (reply, from) => {
      if (from.port !== backend.port) return;
      flow.lastActive = this.opts.clock.now();
      this.socket?.send(reply, rinfo.port, rinfo.address);
    });
    this.flows.set(key, flow);
    this.vs.transition(backend, undefined, 'flow');
    return flow;
  }
}
