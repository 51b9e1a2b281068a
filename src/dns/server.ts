/**
 * DNS over UDP and TCP on one address and port (RFC 1035 section 4.2, RFC 7766): UDP datagrams
 * answered one for one; TCP with two-byte length framing, several queries per connection,
 * answers written as they are ready, idle connections closed after `tcpIdleMs`.
 * A packet the handler cannot make sense of is dropped; nothing a client sends stops the loop.
 */
import dgram from 'node:dgram';
import net from 'node:net';
import type { Logger } from '../log/logger.js';
import type { ClientInfo, PacketHandler } from './handler.js';

export interface DnsServerOptions {
  /** IP address to bind (`0.0.0.0`, `::`, `127.0.0.1`, ...). */
  readonly host: string;
  /** 0 picks a free port (the same for UDP and TCP). */
  readonly port: number;
  readonly handler: PacketHandler;
  readonly log?: Logger;
  /** Default 10 s. */
  readonly tcpIdleMs?: number;
  /** Most simultaneous TCP connections (default 1000); more are closed at once. */
  readonly maxTcpConnections?: number;
  /**
   * TCP port when UDP binds `port` 0 but must land on a known port: a cluster worker binds UDP
   * port 0 to share the first worker's socket (same bind key) and TCP on the port that got.
   * listen() fails when the UDP port differs.
   */
  readonly tcpPort?: number;
}

export interface DnsListening {
  readonly host: string;
  readonly port: number;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string, family: number) => void;

/**
 * dgram `lookup` for addresses that are already IPs of the socket's family (rinfo.address always
 * is): answers synchronously, without dns.lookup's extra tick or an isIPv6 test per packet.
 */
function literalLookup(family: 4 | 6): (address: string, opts: unknown, cb: LookupCallback) => void {
  return (address, _opts, cb) => cb(null, address, family);
}

export function splitHostPort(listen: string, defaultPort: number): { host: string; port: number } {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(listen);
  if (bracket) return { host: bracket[1] ?? '', port: bracket[2] ? Number(bracket[2]) : defaultPort };
  const parts = listen.split(':');
  if (parts.length === 2) return { host: parts[0] || '0.0.0.0', port: Number(parts[1]) };
  if (parts.length > 2) return { host: listen, port: defaultPort }; // bare IPv6
  return { host: listen || '0.0.0.0', port: defaultPort };
}

export class DnsServer {
  private udp: dgram.Socket | undefined;
  private tcp: net.Server | undefined;
  private readonly conns = new Set<net.Socket>();
  private readonly opts: DnsServerOptions;

  constructor(opts: DnsServerOptions) {
    this.opts = opts;
  }

  /** Binds UDP, then TCP on the same port (retrying a few random ports when port 0 clashes). */
  async listen(): Promise<DnsListening> {
    const family = net.isIPv6(this.opts.host) ? 'udp6' : 'udp4';
    for (let attempt = 0; ; attempt++) {
      // Replies go to IP literals: a synchronous lookup skips dns.lookup's nextTick on every send.
      const udp = dgram.createSocket({ type: family, reuseAddr: false, lookup: literalLookup(family === 'udp6' ? 6 : 4) });
      const port = await new Promise<number>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(this.opts.port, this.opts.host, () => {
          udp.removeListener('error', reject);
          resolve(udp.address().port);
        });
      });
      const want = this.opts.tcpPort;
      if (want !== undefined && want !== port) {
        udp.close();
        throw new Error(`UDP socket is on port ${port}, not the expected ${want}`);
      }
      try {
        this.tcp = await this.listenTcp(want ?? port);
      } catch (err) {
        udp.close();
        if (this.opts.port === 0 && want === undefined && attempt < 10 && (err as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        throw err;
      }
      this.udp = udp;
      udp.on('message', (msg, rinfo) => this.onDatagram(msg, rinfo));
      udp.on('error', (err) => this.opts.log?.warn(`udp: ${err.message}`));
      return { host: this.opts.host, port };
    }
  }

  private listenTcp(port: number): Promise<net.Server> {
    const server = net.createServer({ noDelay: true }, (sock) => this.onConnection(sock));
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: this.opts.host }, () => {
        server.removeListener('error', reject);
        server.on('error', (err) => this.opts.log?.warn(`tcp: ${err.message}`));
        resolve(server);
      });
    });
  }

  private onDatagram(msg: Buffer, rinfo: dgram.RemoteInfo): void {
    const udp = this.udp;
    if (!udp) return;
    const client: ClientInfo = { address: rinfo.address, port: rinfo.port, proto: 'udp' };
    const out = this.opts.handler.handle(msg, client);
    if (out === undefined) return;
    if (!(out instanceof Promise)) {
      udp.send(out, rinfo.port, rinfo.address);
      return;
    }
    void out.then((b) => {
      if (b && this.udp) this.udp.send(b, rinfo.port, rinfo.address);
    });
  }

  private onConnection(sock: net.Socket): void {
    if (this.conns.size >= (this.opts.maxTcpConnections ?? 1000)) {
      sock.destroy();
      return;
    }
    this.conns.add(sock);
    sock.on('close', () => this.conns.delete(sock));
    sock.on('error', () => sock.destroy());
    sock.setTimeout(this.opts.tcpIdleMs ?? 10_000, () => sock.destroy());
    const client: ClientInfo = { address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0, proto: 'tcp' };
    let acc: Buffer = Buffer.alloc(0);
    const write = (b: Buffer | undefined): void => {
      if (!b || sock.destroyed) return;
      const frame = Buffer.allocUnsafe(2 + b.length);
      frame.writeUInt16BE(b.length, 0);
      b.copy(frame, 2);
      sock.write(frame);
    };
    sock.on('data', (d: Buffer) => {
      acc = acc.length ? Buffer.concat([acc, d]) : d;
      while (acc.length >= 2) {
        const len = acc.readUInt16BE(0);
        if (acc.length < 2 + len) break;
        const msg = acc.subarray(2, 2 + len);
        acc = acc.subarray(2 + len);
        if (len < 12) {
          // Not even a header: nothing sensible to answer on this stream.
          sock.destroy();
          return;
        }
        const out = this.opts.handler.handle(Buffer.from(msg), client);
        if (out instanceof Promise) void out.then(write);
        else write(out);
      }
    });
  }

  /** Stops listening and closes open TCP connections. */
  async close(): Promise<void> {
    const udp = this.udp;
    const tcp = this.tcp;
    this.udp = undefined;
    this.tcp = undefined;
    for (const c of this.conns) c.destroy();
    this.conns.clear();
    await Promise.all([
      udp ? new Promise<void>((r) => udp.close(() => r())) : undefined,
      tcp ? new Promise<void>((r) => tcp.close(() => r())) : undefined,
    ]);
  }
}
