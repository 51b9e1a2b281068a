/**
 * Cluster DNS, assembled: informers → slim index → kubernetes backend → query handler (autopath,
 * wire-answer cache, forwarder with cache) → UDP/TCP server, plus /metrics, /health and /ready.
 * `switchyard dns` runs this alone against any API server; `switchyard server` embeds it.
 */
import { existsSync } from 'node:fs';
import type { ListWatchClient } from '../client/informer.js';
import type { Logger } from '../log/logger.js';
import { type DnsWorkers, startDnsWorkers } from './dns-workers.js';
import { type HttpEndpoints, startHttpEndpoints } from './http-endpoints.js';
import { ClusterIndex } from './kubernetes/cluster-index.js';
import { watchCluster } from './kubernetes/watch-cluster.js';
import { canonicalName } from './message/name.js';
import { DnsMetrics } from './metrics.js';
import { formatUpstream, parseUpstream, readResolvConf, type Upstream } from './resolv-conf.js';
import { DnsServer, splitHostPort } from './server.js';
import { buildServing, type Serving, type ServingConfig, serverLabel } from './serving.js';

export const DEFAULT_DNS_LISTEN = '127.0.0.1:53';
export const DEFAULT_METRICS_LISTEN = '127.0.0.1:9153';
export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const DEFAULT_DNS_TTL = 5;

export interface ClusterDnsOptions {
  readonly client: ListWatchClient;
  readonly log: Logger;
  /** `host:port` for UDP and TCP; port 0 picks a free one. Default 127.0.0.1:53. */
  readonly listen?: string;
  /** Cluster domain (default cluster.local). */
  readonly zone?: string;
  /** TTL of cluster records and negative answers (default 5 s). */
  readonly ttl?: number;
  /** Upstream resolvers, `ip[:port]`. Default: the nameserver lines of `resolvConf`. */
  readonly upstreams?: readonly string[];
  /** Default /etc/resolv.conf: upstreams (unless given) and the host search domains for autopath. */
  readonly resolvConf?: string;
  /** Host search domains walked by autopath after the cluster ones; default: from resolvConf. */
  readonly hostSearch?: readonly string[];
  /** `host:port` for /metrics, /health, /ready; '' turns the listener off. Default 127.0.0.1:9153. */
  readonly metricsListen?: string;
  readonly logQueries?: boolean;
  /** Randomise record order in answers (default off). */
  readonly shuffle?: boolean;
  /** Walk pods' search paths server-side (needs a pods informer; default on). */
  readonly autopath?: boolean;
  /** This server's service address(es), served as `ns.dns.<zone>` (e.g. 10.96.0.10). */
  readonly nsAddresses?: readonly string[];
  /** Forwarded answers cached at most (default 9984; 0: off). */
  readonly cacheSize?: number;
  readonly upstreamTimeoutMs?: number;
  /**
   * Worker processes answering queries (node:cluster, one shared UDP socket and TCP listener;
   * this process keeps the informers and feeds each worker a copy of the index). 0, the
   * default, answers in this process. Worth it only with spare cores: one process is bound by
   * Node's per-datagram cost (roughly 25 µs), not by the DNS logic.
   */
  readonly workers?: number;
}

export interface ClusterDns {
  readonly host: string;
  readonly port: number;
  /** Port of the /metrics, /health, /ready listener, when on. */
  readonly metricsPort: number | undefined;
  readonly upstreams: readonly string[];
  readonly index: ClusterIndex;
  /** Worker processes serving (0: queries are answered in this process). */
  readonly workers: number;
  /** True once Services, EndpointSlices, Namespaces (and Pods with autopath) have synced. */
  ready(): boolean;
  waitForSync(): Promise<boolean>;
  /** Stops the informers and closes every listener and socket. */
  close(): Promise<void>;
}

function loadResolvConf(path: string, log: Logger): { nameservers: readonly Upstream[]; search: readonly string[] } {
  if (!existsSync(path)) return { nameservers: [], search: [] };
  try {
    return readResolvConf(path);
  } catch (err) {
    log.warn(`cannot read ${path}: ${(err as Error).message}`);
    return { nameservers: [], search: [] };
  }
}

/** Starts cluster DNS; resolves once the sockets listen (answers are SERVFAIL until the first sync). */
export async function startClusterDns(opts: ClusterDnsOptions): Promise<ClusterDns> {
  const log = opts.log;
  const zone = canonicalName(opts.zone ?? DEFAULT_CLUSTER_DOMAIN);
  const ttl = opts.ttl ?? DEFAULT_DNS_TTL;
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) throw new Error(`ttl must be between 0 and 3600 seconds, got ${ttl}`);
  const { host, port } = splitHostPort(opts.listen ?? DEFAULT_DNS_LISTEN, 53);
  const resolvConfPath = opts.resolvConf ?? '/etc/resolv.conf';
  const resolv = opts.upstreams && opts.hostSearch ? { nameservers: [], search: [] } : loadResolvConf(resolvConfPath, log);
  let upstreams: Upstream[] = opts.upstreams ? opts.upstreams.map((u) => parseUpstream(u)) : [...resolv.nameservers];
  const hostSearch = (opts.hostSearch ?? resolv.search).map(canonicalName).filter((s) => s !== zone && !s.endsWith(`.${zone}`));

  const autopath = opts.autopath ?? true;
  const workerCount = opts.workers ?? 0;
  if (!Number.isInteger(workerCount) || workerCount < 0 || workerCount > 64) throw new Error(`workers must be a whole number from 0 to 64, got ${workerCount}`);
  const stop = new AbortController();
  const index = new ClusterIndex();
  const watch = watchCluster({ client: opts.client, index, signal: stop.signal, pods: autopath, log: log.child('dns-informers') });

  // Forwarding to ourselves would loop (CoreDNS's `loop` plugin detects the same thing at runtime).
  const self = (u: Upstream): boolean =>
    port !== 0 && u.port === port && (u.host === host || ((host === '0.0.0.0' || host === '::') && (u.host.startsWith('127.') || u.host === '::1')));
  const looping = upstreams.filter(self);
  if (looping.length) {
    log.warn(`ignoring upstream ${looping.map(formatUpstream).join(', ')}: it is this server (forwarding there would loop)`);
    upstreams = upstreams.filter((u) => !self(u));
  }
  if (upstreams.length === 0) log.warn('no upstream resolvers: names outside the cluster zone will get SERVFAIL');

  const cfg: ServingConfig = {
    host,
    port,
    zone,
    ttl,
    nsAddresses: opts.nsAddresses ?? [],
    autopath,
    upstreams,
    hostSearch,
    logQueries: opts.logQueries ?? false,
    shuffle: opts.shuffle ?? false,
    cacheSize: opts.cacheSize,
    upstreamTimeoutMs: opts.upstreamTimeoutMs,
  };
  // In-process serving, or workers fed from this process's index.
  let serving: Serving | undefined;
  let dns: DnsServer | undefined;
  let workers: DnsWorkers | undefined;
  let http: HttpEndpoints | undefined;
  const closeServing = async (): Promise<void> => {
    serving?.forwarder.close();
    await Promise.all([dns?.close(), workers?.close()]);
  };
  try {
    let boundPort: number;
    let metrics: { render(): string | Promise<string> };
    if (workerCount === 0) {
      serving = buildServing(cfg, index, () => watch.synced(), log);
      serving.metrics.kubernetesSynced.set([], () => (watch.synced() ? 1 : 0));
      dns = new DnsServer({ host, port, handler: serving.handler, log });
      boundPort = (await dns.listen()).port;
      metrics = serving.metrics;
    } else {
      const w = await startDnsWorkers({ count: workerCount, cfg, index, synced: () => watch.synced(), whenSynced: watch.waitForSync(), log });
      workers = w;
      boundPort = w.port;
      metrics = {
        render: async () => {
          const m = new DnsMetrics(serverLabel(cfg));
          m.kubernetesSynced.set([], watch.synced() ? 1 : 0);
          for (const snap of await w.metrics()) m.absorb(snap);
          return m.render();
        },
      };
    }
    const metricsListen = opts.metricsListen ?? DEFAULT_METRICS_LISTEN;
    if (metricsListen) {
      const m = splitHostPort(metricsListen, 9153);
      http = await startHttpEndpoints({ host: m.host, port: m.port, metrics, ready: () => watch.synced() });
    }
    const ups = upstreams.map(formatUpstream);
    log.info(
      `cluster DNS for ${zone} listening on ${host.includes(':') ? `[${host}]` : host}:${boundPort} (udp+tcp${workerCount ? `, ${workerCount} worker processes` : ''}); ttl ${ttl}s; upstreams ${ups.join(', ') || '(none)'}; autopath ${autopath ? 'on' : 'off'}` +
        (http ? `; metrics, health and ready on http://${splitHostPort(metricsListen, 9153).host}:${http.port}` : ''),
    );
    void watch.waitForSync().then((ok) => {
      if (ok) log.info(`cluster DNS synced: ${index.serviceCount()} services, ${index.endpointCount()} endpoints`);
    });
    const h = http;
    return {
      host,
      port: boundPort,
      metricsPort: h?.port,
      upstreams: ups,
      index,
      workers: workerCount,
      ready: () => watch.synced(),
      waitForSync: () => watch.waitForSync(),
      close: async () => {
        stop.abort();
        await Promise.all([closeServing(), h?.close()]);
        await watch.done;
      },
    };
  } catch (err) {
    stop.abort();
    await closeServing();
    await http?.close();
    throw err;
  }
}
