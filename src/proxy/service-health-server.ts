/**
 * The healthCheckNodePort servers (kube-proxy ServiceHealthServer): one HTTP
 * server per LoadBalancer Service with externalTrafficPolicy Local, answering
 * any path with the number of local ready endpoints. 200 when there is at
 * least one and the proxy is healthy, 503 otherwise, so cloud load balancers
 * only send traffic to nodes that can serve it locally.
 */
import http from 'node:http';
import type { Logger } from '../log/logger.js';

interface Instance {
  readonly port: number;
  readonly servers: http.Server[];
  endpoints: number;
}

export interface ServiceHealthServerOptions {
  /** Addresses to listen on; empty means all (0.0.0.0). */
  readonly addresses: readonly string[];
  readonly isProxyHealthy: () => boolean;
  readonly log?: Logger;
}

/** Body as upstream writes it (tab-indented JSON). */
export function serviceHealthBody(namespace: string, name: string, localEndpoints: number, proxyHealthy: boolean): string {
  return [
    '{',
    '\t"service": {',
    `\t\t"namespace": ${JSON.stringify(namespace)},`,
    `\t\t"name": ${JSON.stringify(name)}`,
    '\t},',
    `\t"localEndpoints": ${localEndpoints},`,
    `\t"serviceProxyHealthy": ${proxyHealthy}`,
    '}',
  ].join('\n');
}

export class ServiceHealthServer {
  private readonly opts: ServiceHealthServerOptions;
  private readonly services = new Map<string, Instance>();

  constructor(opts: ServiceHealthServerOptions) {
    this.opts = opts;
  }

  /**
   * Makes `wanted` (`ns/name` → health check port) the served set: servers no
   * longer wanted (or on another port) close, new ones open. Listen failures
   * are logged and retried on the next call.
   */
  async syncServices(wanted: ReadonlyMap<string, number>): Promise<void> {
    for (const [nsn, inst] of this.services) {
      if (wanted.get(nsn) === inst.port) continue;
      for (const s of inst.servers) s.close();
      this.services.delete(nsn);
    }
    for (const [nsn, port] of wanted) {
      if (this.services.has(nsn)) continue;
      const inst: Instance = { port, servers: [], endpoints: 0 };
      try {
        for (const host of this.opts.addresses.length > 0 ? this.opts.addresses : ['0.0.0.0']) inst.servers.push(await this.listen(nsn, host, port));
        this.services.set(nsn, inst);
      } catch (err) {
        for (const s of inst.servers) s.close();
        this.opts.log?.error(`failed to start healthcheck for ${nsn} on port ${port}: ${(err as Error).message}`);
      }
    }
  }

  /** Local ready endpoint counts per `ns/name`; Services missing from the map have 0. */
  syncEndpoints(counts: ReadonlyMap<string, number>): void {
    for (const [nsn, inst] of this.services) inst.endpoints = counts.get(nsn) ?? 0;
  }

  /** Ports being served (tests). */
  ports(): Map<string, number> {
    return new Map([...this.services].map(([k, v]) => [k, v.port]));
  }

  close(): void {
    for (const inst of this.services.values()) for (const s of inst.servers) s.close();
    this.services.clear();
  }

  private listen(nsn: string, host: string, port: number): Promise<http.Server> {
    const slash = nsn.indexOf('/');
    const namespace = nsn.slice(0, slash);
    const name = nsn.slice(slash + 1);
    const server = http.createServer((_req, res) => {
      const count = this.services.get(nsn)?.endpoints ?? 0;
      const healthy = this.opts.isProxyHealthy();
      res.writeHead(count > 0 && healthy ? 200 : 503, { 'content-type': 'application/json', 'x-content-type-options': 'nosniff' });
      res.end(serviceHealthBody(namespace, name, count, healthy));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server);
      });
    });
  }
}
