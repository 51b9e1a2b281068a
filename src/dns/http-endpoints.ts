/**
 * The DNS server's HTTP side: `/metrics` (Prometheus text), `/health` (CoreDNS `health`: 200
 * "OK" while the process serves) and `/ready` (CoreDNS `ready`: 200 once the cluster data has
 * synced, 503 before). CoreDNS spreads these over :9153, :8080 and :8181; Switchyard serves all
 * three on one listener, 127.0.0.1:9153 by default, so nothing collides with other components.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpEndpointsOptions {
  readonly host: string;
  readonly port: number;
  /** The exposition text; with worker processes, gathered from them first. */
  readonly metrics: { render(): string | Promise<string> };
  readonly ready: () => boolean;
}

export interface HttpEndpoints {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHttpEndpoints(opts: HttpEndpointsOptions): Promise<HttpEndpoints> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, body: string, type = 'text/plain; charset=utf-8'): void => {
      res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (path === '/metrics') {
      const text = opts.metrics.render();
      if (typeof text === 'string') return send(200, text, 'text/plain; version=0.0.4; charset=utf-8');
      void text.then(
        (t) => send(200, t, 'text/plain; version=0.0.4; charset=utf-8'),
        (err: unknown) => send(500, `metrics: ${err instanceof Error ? err.message : String(err)}\n`),
      );
      return;
    }
    if (path === '/health') return send(200, 'OK');
    if (path === '/ready') return opts.ready() ? send(200, 'OK') : send(503, 'kubernetes: not synced\n');
    return send(404, 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.removeListener('error', reject);
      resolve();
    });
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
