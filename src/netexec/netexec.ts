/**
 * `switchyard netexec`: the test workload (after agnhost netexec). HTTP on --http-port:
 * `/` (the time), `/hostname` (also `/hostName`), `/clientip` (`ip:port` of the caller),
 * `/echo?msg=&code=`, `/healthz` (200 once the UDP server runs), `/dial?host=&port=&request=
 * &protocol=http|udp&tries=` (JSON `{"responses":[...],"errors":[...]}`), `/redirect?location=
 * &code=`, `/exit?code=`, `/shutdown`. UDP on --udp-port answers `hostname`, `echo <text>` and
 * `clientip`. -1 disables a server; with both disabled it just waits (a pause container).
 *
 * It binds --bind-address, else `SWITCHYARD_LISTEN_IP` (the rootless runtime's pod address),
 * else all addresses. The hostname is `$HOSTNAME` (the pod name under the agent) or the machine's.
 * `--content=nginx|myapp` serves those images' front pages at `/` (built-in stand-ins);
 * `--content=hello-app` answers every path as google-samples hello-app does (its version from
 * `contentVersion`).
 */
import { createSocket } from 'node:dgram';
import { type IncomingMessage, type ServerResponse, createServer, request as httpRequest } from 'node:http';
import { hostname as osHostname } from 'node:os';

export interface NetexecOptions {
  readonly httpPort: number;
  readonly udpPort: number;
  readonly bindAddress?: string;
  /** Answer every HTTP request as if it were a GET of this path (agnhost --http-override). */
  readonly httpOverride?: string;
  readonly content?: 'nginx' | 'myapp' | 'hello-app';
  /** Version hello-app reports (`2.0.0`). */
  readonly contentVersion?: string;
  readonly log?: (line: string) => void;
  /** Called for /exit and /shutdown (default: process.exit). */
  readonly exit?: (code: number) => void;
}

export interface NetexecServer {
  /** Actual ports (useful with port 0); -1 when disabled. */
  readonly httpPort: number;
  readonly udpPort: number;
  close(): Promise<void>;
}

export function netexecHostname(): string {
  return process.env.HOSTNAME || osHostname();
}

/** Go's log.Printf prefix: `2006/01/02 15:04:05 `. */
function goLogLine(msg: string): string {
  const d = new Date();
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}/${p(d.getMonth() + 1)}/${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())} ${msg}`;
}

const NGINX_PAGE = `<!DOCTYPE html>
<html>
<head>
<title>Welcome to nginx!</title>
<style>
html { color-scheme: light dark; }
body { width: 35em; margin: 0 auto;
font-family: Tahoma, Verdana, Arial, sans-serif; }
</style>
</head>
<body>
<h1>Welcome to nginx!</h1>
<p>If you see this page, the nginx web server is successfully installed and
working. Further configuration is required.</p>

<p>For online documentation and support please refer to
<a href="http://nginx.org/">nginx.org</a>.<br/>
Commercial support is available at
<a href="http://nginx.com/">nginx.com</a>.</p>

<p><em>Thank you for using nginx.</em></p>
</body>
</html>
`;

/** The UDP protocol: one datagram in, one answer out (undefined: no answer). */
export function udpAnswer(text: string, client: { address: string; port: number }): string | undefined {
  const t = text.trim().toLowerCase();
  if (t === 'hostname') return netexecHostname();
  if (t.startsWith('echo ')) return t.slice(5);
  if (t === 'clientip') return joinHostPort(client.address, client.port);
  return undefined;
}

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function dialHttp(host: string, port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host, port, path: `/${request.replace(/^\//, '')}`, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`Get "http://${joinHostPort(host, port)}/${request}": context deadline exceeded`)));
    req.on('error', reject);
    req.end();
  });
}

function dialUdp(host: string, port: number, request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = createSocket(host.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error("reading from udp connection failed. err:'i/o timeout'"));
    }, 5000);
    sock.once('message', (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(msg.toString());
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      sock.close();
      reject(new Error(`udp dial failed. err:${e.message}`));
    });
    sock.send(request, port, host);
  });
}

export async function startNetexec(opts: NetexecOptions): Promise<NetexecServer> {
  const log = opts.log ?? ((l: string) => process.stderr.write(`${goLogLine(l)}\n`));
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const bind = opts.bindAddress || process.env.SWITCHYARD_LISTEN_IP || undefined;
  let udpReady = opts.udpPort < 0;
  const closers: (() => Promise<void>)[] = [];
  let udpPort = -1;
  let httpPort = -1;

  if (opts.udpPort >= 0) {
    const sock = createSocket(bind?.includes(':') ? 'udp6' : 'udp4');
    await new Promise<void>((resolve, reject) => {
      sock.once('error', reject);
      sock.bind(opts.udpPort, bind, () => {
        sock.removeListener('error', reject);
        resolve();
      });
    });
    udpPort = sock.address().port;
    udpReady = true;
    log(`Started UDP server on port ${bind ?? ''} ${udpPort}`);
    sock.on('message', (msg, rinfo) => {
      const answer = udpAnswer(msg.toString(), rinfo);
      if (answer === undefined) {
        if (msg.toString().trim()) log(`Unknown UDP command received from ${joinHostPort(rinfo.address, rinfo.port)}: ${msg.toString().trim().toLowerCase()}`);
        return;
      }
      sock.send(answer, rinfo.port, rinfo.address);
    });
    closers.push(() => new Promise((r) => sock.close(() => r())));
  }

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(opts.httpOverride ?? req.url ?? '/', 'http://netexec');
    const q = url.searchParams;
    const text = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(code, { 'Content-Type': type });
      res.end(body);
    };
    log(`${req.method ?? 'GET'} ${url.pathname}${url.search}`);
    if (opts.content === 'nginx' && (url.pathname === '/' || url.pathname === '/index.html')) {
      res.writeHead(200, { 'Content-Type': 'text/html', Server: 'nginx' });
      res.end(NGINX_PAGE);
      return;
    }
    if (opts.content === 'hello-app') {
      return text(200, `Hello, world!\nVersion: ${opts.contentVersion || '1.0.0'}\nHostname: ${netexecHostname()}\n`);
    }
    if (opts.content === 'myapp') {
      if (url.pathname === '/' || url.pathname === '/index.html') return text(200, 'Hello MyApp | Version: v1 | <a href="hostname.html">Pod Name</a>\n', 'text/html');
      if (url.pathname === '/hostname.html') return text(200, `${netexecHostname()}\n`, 'text/html');
    }
    switch (url.pathname) {
      case '/':
        return text(200, `NOW: ${new Date().toISOString()}`);
      case '/hostname':
      case '/hostName':
        return text(200, netexecHostname());
      case '/clientip':
        return text(200, joinHostPort(req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0));
      case '/echo': {
        const code = q.get('code');
        if (code && !/^\d+$/.test(code)) return text(200, `argument 'code' must be an integer or empty, got ${JSON.stringify(code)}\n`);
        return text(code ? Number(code) : 200, q.get('msg') ?? '');
      }
      case '/healthz':
        return text(udpReady ? 200 : 412, '');
      case '/redirect': {
        const location = q.get('location') ?? '';
        res.writeHead(Number(q.get('code') || 302), { Location: location });
        res.end();
        return;
      }
      case '/exit':
      case '/shutdown': {
        const code = Number(q.get('code') || 0);
        text(200, '');
        setTimeout(() => exit(Number.isInteger(code) ? code : 0), 10);
        return;
      }
      case '/dial': {
        const host = q.get('host') ?? '';
        const port = Number(q.get('port'));
        const request = q.get('request') ?? '';
        const protocol = (q.get('protocol') || 'http').toLowerCase();
        const tries = Number(q.get('tries') || 1);
        if (!request) return text(400, 'request parameter not specified.\n');
        if (!Number.isInteger(tries)) return text(400, 'tries parameter is invalid.\n');
        if (!host || !Number.isInteger(port) || port <= 0) return text(400, 'host and/or port param are invalid.\n');
        if (protocol !== 'http' && protocol !== 'udp') return text(400, `unsupported protocol. ${protocol}\n`);
        const responses: string[] = [];
        const errors: string[] = [];
        for (let i = 0; i < tries; i++) {
          try {
            responses.push(protocol === 'udp' ? await dialUdp(host, port, request) : await dialHttp(host, port, request));
          } catch (e) {
            errors.push(e instanceof Error ? e.message : String(e));
          }
        }
        const out: Record<string, string[]> = {};
        if (responses.length) out.responses = responses;
        if (errors.length) out.errors = errors;
        return text(200, JSON.stringify(out), 'application/json');
      }
      default:
        return text(404, '404 page not found\n');
    }
  };

  if (opts.httpPort >= 0) {
    const server = createServer((req, res) => {
      handle(req, res).catch((e: unknown) => {
        if (!res.headersSent) res.writeHead(500);
        res.end(String(e));
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.httpPort, bind, () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    const addr = server.address();
    httpPort = typeof addr === 'object' && addr ? addr.port : opts.httpPort;
    log(`Started HTTP server on port ${httpPort}`);
    closers.push(
      () =>
        new Promise((r) => {
          server.close(() => r());
          server.closeAllConnections();
        }),
    );
  }
  return {
    httpPort,
    udpPort,
    close: async () => {
      await Promise.all(closers.map((c) => c()));
    },
  };
}
