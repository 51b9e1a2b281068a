/**
 * A netexec-like backend for proxy tests: HTTP `GET /hostname` answers with
 * the backend's name (any other path echoes the path), and a UDP socket on the
 * same port answers every datagram with the name. `hold` keeps TCP
 * connections open without answering (for connection-count tests).
 */
import dgram from 'node:dgram';
import http from 'node:http';
import net from 'node:net';

export interface EchoBackend {
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** Requests (TCP connections + UDP datagrams) served. */
  readonly hits: () => number;
  close(): Promise<void>;
}

export async function startEchoBackend(name: string, host: string, port = 0, opts: { udp?: boolean } = {}): Promise<EchoBackend> {
  let hits = 0;
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    hits++;
    if (req.url === '/hold') return; // never answers; the client closes
    res.setHeader('connection', 'close');
    res.end(req.url === '/hostname' ? name : (req.url ?? ''));
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.once('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const actualPort = (server.address() as net.AddressInfo).port;
  let udp: dgram.Socket | undefined;
  if (opts.udp ?? true) {
    const sock = dgram.createSocket('udp4');
    udp = sock;
    sock.on('message', (_msg, rinfo) => {
      hits++;
      sock.send(name, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(actualPort, host, () => resolve());
    });
  }
  return {
    name,
    host,
    port: actualPort,
    hits: () => hits,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
      udp?.close();
    },
  };
}

/** GET /hostname through `host:port`; `localAddress` picks the client's source address. */
export function getHostname(host: string, port: number, opts: { localAddress?: string; path?: string; timeoutMs?: number } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: opts.path ?? '/hostname', localAddress: opts.localAddress, agent: false, timeout: opts.timeoutMs ?? 3000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** What happens to a TCP connection attempt: data, a reset/refusal, or a timeout, and how long it took. */
export function probeTcp(host: string, port: number, timeoutMs = 2000): Promise<{ outcome: 'refused' | 'reset' | 'closed' | 'timeout' | 'data'; ms: number }> {
  const started = Date.now();
  return new Promise((resolve) => {
    const s = net.connect({ host, port });
    const done = (outcome: 'refused' | 'reset' | 'closed' | 'timeout' | 'data'): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ outcome, ms: Date.now() - started });
    };
    const timer = setTimeout(() => done('timeout'), timeoutMs);
    s.on('connect', () => s.write('GET /hostname HTTP/1.0\r\n\r\n'));
    s.on('data', () => done('data'));
    s.on('error', (e: NodeJS.ErrnoException) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'reset'));
    s.on('close', () => done('closed'));
  });
}

/** Sends one datagram from `socket` (or a fresh one) and waits for the answer. */
export function udpQuery(host: string, port: number, opts: { socket?: dgram.Socket; timeoutMs?: number; payload?: string } = {}): Promise<string> {
  const sock = opts.socket ?? dgram.createSocket('udp4');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new Error('udp timeout')), opts.timeoutMs ?? 1000);
    const onMessage = (m: Buffer): void => finish(undefined, m.toString());
    const finish = (err?: Error, v?: string): void => {
      clearTimeout(timer);
      sock.off('message', onMessage);
      if (!opts.socket) sock.close();
      if (err) reject(err);
      else resolve(v ?? '');
    };
    sock.on('message', onMessage);
    sock.send(opts.payload ?? 'ping', port, host);
  });
}
