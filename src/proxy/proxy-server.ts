/**
 * A runnable service proxy: Proxier + its HTTP endpoints (kube-proxy's healthz
 * server on --healthz-bind-address, metrics server on --metrics-bind-address)
 * + the healthCheckNodePort servers. Used by `switchyard proxy` and meant for
 * embedding in the node agent.
 *
 * Metrics server paths: /metrics (Prometheus), /healthz, /proxyMode, and
 * /status (JSON: the virtual services, read by `switchyard proxy status`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { VirtualServiceStatus } from './dataplane.js';
import { PROMETHEUS_CONTENT_TYPE, ProxyMetrics } from './metrics.js';
import { resolveNodePortAddresses } from './node-addresses.js';
import { ProxyHealth } from './proxy-health.js';
import { Proxier, type ProxierOptions } from './proxier.js';
import { ServiceHealthServer } from './service-health-server.js';

export interface ProxyServerOptions extends Omit<ProxierOptions, 'metrics' | 'health' | 'serviceHealth'> {
  /** `host:port` for /healthz and /livez; empty disables (kube-proxy default 0.0.0.0:10256). */
  readonly healthzBindAddress?: string;
  /** `host:port` for /metrics and /status; empty disables (kube-proxy default 127.0.0.1:10249). */
  readonly metricsBindAddress?: string;
  /** Fail start() when an HTTP endpoint cannot bind (kube-proxy --bind-address-hard-fail); otherwise log and go on. */
  readonly bindAddressHardFail?: boolean;
  /** Serve healthCheckNodePorts (default true). */
  readonly serviceHealthChecks?: boolean;
}

/** JSON served at /status. */
export interface ProxyStatusDocument {
  readonly mode: string;
  readonly nodeName: string;
  readonly synced: boolean;
  readonly virtualServices: readonly VirtualServiceStatus[];
}

/** Splits `host:port` / `[v6]:port`; throws on anything else. */
export function parseBindAddress(raw: string): { host: string; port: number } {
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(raw) ?? /^([^:]*):(\d+)$/.exec(raw);
  const port = Number(m?.[2]);
  if (!m || !Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`invalid bind address ${JSON.stringify(raw)}: want host:port`);
  return { host: m[1] || '0.0.0.0', port };
}

export class ProxyServer {
  readonly proxier: Proxier;
  readonly metrics = new ProxyMetrics();
  private readonly opts: ProxyServerOptions;
  private readonly serviceHealth: ServiceHealthServer | undefined;
  private readonly servers: http.Server[] = [];
  private healthzAddr: AddressInfo | undefined;
  private metricsAddr: AddressInfo | undefined;

  constructor(opts: ProxyServerOptions) {
    this.opts = opts;
    const health = new ProxyHealth({ healthTimeoutMs: 2 * (opts.syncPeriodMs ?? 30_000), clock: opts.clock });
    this.serviceHealth =
      opts.serviceHealthChecks === false
        ? undefined
        : new ServiceHealthServer({
            // Upstream listens on the node port addresses when they are restricted, else on all addresses.
            addresses: (opts.nodePortAddresses ?? []).length > 0 ? resolveNodePortAddresses(opts.nodePortAddresses ?? [], opts.ipFamily ?? 'IPv4', opts.interfaces) : [],
            isProxyHealthy: () => health.isHealthy(),
            log: opts.log?.child('healthcheck'),
          });
    this.proxier = new Proxier({ ...opts, metrics: this.metrics, health, ...(this.serviceHealth ? { serviceHealth: this.serviceHealth } : {}) });
  }

  get healthzAddress(): AddressInfo | undefined {
    return this.healthzAddr;
  }
  get metricsAddress(): AddressInfo | undefined {
    return this.metricsAddr;
  }

  /** Binds the HTTP endpoints. */
  async start(): Promise<void> {
    if (this.opts.healthzBindAddress) {
      this.healthzAddr = await this.serve('healthz', this.opts.healthzBindAddress, (req, res) => {
        if (!this.proxier.health.handle(req, res, this.metrics)) notFound(res);
      });
    }
    if (this.opts.metricsBindAddress) {
      this.metricsAddr = await this.serve('metrics', this.opts.metricsBindAddress, (req, res) => this.handleMetrics(req, res));
    }
  }

  /** The JSON document of /status. */
  statusDocument(): ProxyStatusDocument {
    return {
      mode: this.opts.dataplane.mode,
      nodeName: this.opts.nodeName,
      synced: this.proxier.lastState !== undefined,
      virtualServices: this.proxier.status(),
    };
  }

  /** Runs until `signal` aborts, then closes the HTTP servers, health checks and the dataplane. */
  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.proxier.run(signal);
    } finally {
      for (const s of this.servers) s.close();
      this.serviceHealth?.close();
      await this.opts.dataplane.close();
    }
  }

  private handleMetrics(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    switch (path) {
      case '/metrics':
        res.writeHead(200, { 'content-type': PROMETHEUS_CONTENT_TYPE });
        res.end(this.metrics.render());
        return;
      case '/healthz':
      case '/livez':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('ok');
        return;
      case '/proxyMode':
        res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(this.opts.dataplane.mode);
        return;
      case '/status':
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(this.statusDocument()));
        return;
      default:
        notFound(res);
    }
  }

  private async serve(what: string, bind: string, handler: http.RequestListener): Promise<AddressInfo | undefined> {
    const { host, port } = parseBindAddress(bind);
    const server = http.createServer(handler);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (err) {
      const msg = `failed to start ${what} server on ${bind}: ${(err as Error).message}`;
      if (this.opts.bindAddressHardFail) throw new Error(msg);
      this.opts.log?.error(msg);
      return undefined;
    }
    this.servers.push(server);
    return server.address() as AddressInfo;
  }
}

function notFound(res: http.ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('404 page not found\n');
}
