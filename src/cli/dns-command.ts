/**
 * `switchyard dns`: cluster DNS (the CoreDNS kubernetes plugin's records, forwarding, cache,
 * autopath, metrics) against any Kubernetes API server reachable with a kubeconfig.
 */
import { KubeClient } from '../client/kube-client.js';
import { defaultKubeconfigPath, inClusterConfig, loadKubeconfig } from '../client/kubeconfig.js';
import { startClusterDns, DEFAULT_CLUSTER_DOMAIN, DEFAULT_DNS_LISTEN, DEFAULT_DNS_TTL, DEFAULT_METRICS_LISTEN } from '../dns/cluster-dns.js';
import { createLogger, setLogLevel } from '../log/logger.js';
import { type FlagSpec, FlagError, bool, formatHelp, num, parseFlags, str } from './flags.js';

export const DNS_FLAGS: readonly FlagSpec[] = [
  { name: 'workers', type: 'number', default: 0, description: 'Worker processes answering queries on one shared socket (0: answer in this process; this process keeps the informers)' },
  { name: 'kubeconfig', type: 'string', description: 'Kubeconfig of the API server to watch (default: $KUBECONFIG, else ~/.kube/config; in a pod without either, the service account)' },
  { name: 'context', type: 'string', description: 'Kubeconfig context to use (default: the current context)' },
  { name: 'listen', type: 'string', default: DEFAULT_DNS_LISTEN, description: 'Address and port to serve DNS on, UDP and TCP (port 0 picks a free one)' },
  { name: 'cluster-domain', type: 'string', default: DEFAULT_CLUSTER_DOMAIN, description: 'Cluster domain served from the API' },
  { name: 'ttl', type: 'number', default: DEFAULT_DNS_TTL, description: 'TTL in seconds of cluster records and of negative answers' },
  { name: 'upstream', type: 'string', description: "Comma-separated upstream resolvers 'ip[:port]' for names outside the cluster (default: nameservers of --resolv-conf)" },
  { name: 'resolv-conf', type: 'string', default: '/etc/resolv.conf', description: 'resolv.conf giving the default upstreams and the host search domains for autopath' },
  { name: 'autopath', type: 'boolean', default: true, description: "Answer a pod's search-path walk in one round trip (watches pods to know client namespaces)" },
  { name: 'shuffle', type: 'boolean', default: false, description: 'Randomise the order of A, AAAA and SRV records in each answer' },
  { name: 'log-queries', type: 'boolean', default: false, description: 'Log every query (CoreDNS log plugin format)' },
  { name: 'metrics-listen', type: 'string', default: DEFAULT_METRICS_LISTEN, description: "Address for /metrics, /health and /ready ('' to disable)" },
  { name: 'cache-size', type: 'number', default: 9984, description: 'Most forwarded answers kept in the cache (0 disables it)' },
  { name: 'ns-address', type: 'string', description: 'Service IP of this DNS server, answered for ns.dns.<cluster-domain> (e.g. 10.96.0.10)' },
  { name: 'log-level', type: 'string', default: 'info', description: 'debug, info, warn or error' },
];

const USAGE = 'switchyard dns --kubeconfig FILE [flags]';
const SUMMARY = 'Serve cluster DNS (Services, EndpointSlices, pods) for any Kubernetes API server, forwarding other names upstream.';

/** Runs until SIGINT/SIGTERM; returns the exit code. */
export async function runDnsCommand(argv: readonly string[]): Promise<number> {
  const { values, help, positional } = parseFlags(DNS_FLAGS, argv);
  if (help) {
    process.stdout.write(`${formatHelp(USAGE, SUMMARY, DNS_FLAGS)}\n`);
    return 0;
  }
  if (positional.length) throw new FlagError(`unexpected argument ${JSON.stringify(positional[0])}`);
  const level = str(values, 'log-level');
  if (level === 'debug' || level === 'info' || level === 'warn' || level === 'error') setLogLevel(level);
  else throw new FlagError(`--log-level must be debug, info, warn or error, got ${JSON.stringify(level)}`);
  const ttl = num(values, 'ttl');
  if (!Number.isInteger(ttl) || ttl < 0 || ttl > 3600) throw new FlagError(`--ttl must be a whole number of seconds from 0 to 3600, got ${ttl}`);
  const cacheSize = num(values, 'cache-size');
  if (!Number.isInteger(cacheSize) || cacheSize < 0) throw new FlagError(`--cache-size must be a whole number, got ${cacheSize}`);
  const log = createLogger('dns');

  const kubeconfig = str(values, 'kubeconfig');
  const inPod = !kubeconfig && !process.env.KUBECONFIG && process.env.KUBERNETES_SERVICE_HOST !== undefined;
  const config = inPod ? inClusterConfig() : loadKubeconfig(kubeconfig || defaultKubeconfigPath(), str(values, 'context') || undefined);
  const client = new KubeClient(config, { component: 'dns' });
  log.info(`watching the API server at ${config.server}`);

  const upstreamFlag = str(values, 'upstream');
  const nsAddress = str(values, 'ns-address');
  const dns = await startClusterDns({
    client,
    log,
    listen: str(values, 'listen'),
    zone: str(values, 'cluster-domain'),
    ttl,
    upstreams: upstreamFlag ? upstreamFlag.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
    resolvConf: str(values, 'resolv-conf'),
    autopath: bool(values, 'autopath'),
    shuffle: bool(values, 'shuffle'),
    logQueries: bool(values, 'log-queries'),
    metricsListen: str(values, 'metrics-listen'),
    workers: num(values, 'workers'),
    cacheSize,
    nsAddresses: nsAddress ? [nsAddress] : [],
  }).catch((err: unknown) => {
    client.close();
    throw err;
  });

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal} received, shutting down`);
      void dns
        .close()
        .catch((e: unknown) => log.error(`shutdown: ${(e as Error).message}`))
        .finally(() => {
          client.close();
          resolve(0);
        });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
