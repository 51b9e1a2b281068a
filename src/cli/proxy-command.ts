/**
 * `switchyard proxy`: the service proxy (kube-proxy counterpart) against any
 * Kubernetes API server, and `switchyard proxy status`: the ipvsadm-style view
 * of a running proxy, read from its metrics port.
 */
import { hostname } from 'node:os';
import { request as httpRequest } from 'node:http';
import { KubeClient } from '../client/kube-client.js';
import { defaultKubeconfigPath, inClusterConfig, loadKubeconfig } from '../client/kubeconfig.js';
import { createLogger, setLogLevel } from '../log/logger.js';
import { UnsupportedProxyModeError, createDataplane } from '../proxy/create-dataplane.js';
import { PROXY_MODES, type ProxyMode } from '../proxy/dataplane.js';
import { parseGoDuration } from '../proxy/duration.js';
import { parseNodePortAddresses } from '../proxy/node-addresses.js';
import { type ProxyStatusDocument, ProxyServer, parseBindAddress } from '../proxy/proxy-server.js';
import { parseSchedulerName } from '../proxy/schedulers/scheduler.js';
import { formatIpvsadm } from '../proxy/status-format.js';
import { type FlagSpec, type FlagValues, FlagError, bool, formatHelp, num, parseFlags, str } from './flags.js';

/** `--proxy-workers`, shared by every command that runs the proxy. */
export const PROXY_WORKERS_FLAG: FlagSpec = {
  name: 'proxy-workers',
  type: 'number',
  default: 1,
  description: 'Userspace: processes accepting TCP on the shared listeners (1 = all in this process). rr/lc state is per worker; UDP and ClientIP-affinity Services stay in the main process',
};

/** The validated `--proxy-workers` value (only userspace mode may use more than one). */
export function parseProxyWorkers(values: FlagValues, mode: string): number {
  const n = num(values, 'proxy-workers');
  if (!Number.isInteger(n) || n < 1 || n > 64) throw new FlagError(`--proxy-workers must be an integer from 1 to 64, got ${JSON.stringify(str(values, 'proxy-workers'))}`);
  if (n > 1 && mode !== 'userspace') throw new FlagError('--proxy-workers applies to --proxy-mode userspace only');
  return n;
}

export const PROXY_FLAGS: readonly FlagSpec[] = [
  { name: 'kubeconfig', type: 'string', description: 'Kubeconfig of the API server (default: in-cluster config, else $KUBECONFIG or ~/.kube/config)' },
  { name: 'hostname-override', type: 'string', description: 'Name of this node: endpoints on it are local (default: the hostname)' },
  { name: 'proxy-mode', type: 'string', default: 'userspace', description: `Dataplane: ${PROXY_MODES.join(', ')}` },
  { name: 'ipvs-scheduler', type: 'string', default: 'rr', description: 'Default scheduler (rr, wrr, lc, wlc, sed, nq, sh, dh, random, maglev); per Service: annotation switchyard.io/scheduler' },
  { name: 'loopback-mapping', type: 'boolean', default: false, description: 'Rootless userspace mode: serve virtual IP a.b.c.d on 127.b.c.d (no address configuration needed)' },
  { name: 'loopback-endpoints', type: 'boolean', default: false, description: 'With --loopback-mapping: also connect to endpoint a.b.c.d on 127.b.c.d (a cluster simulated on loopback)' },
  { name: 'netns-ok', type: 'boolean', default: false, description: 'Userspace identity mode: add each Service IP to lo; refused unless running in a private network namespace' },
  { name: 'nodeport-addresses', type: 'string', default: '', description: 'Comma-separated CIDRs of the node addresses that serve NodePorts (default: all non-loopback addresses)' },
  { name: 'healthz-bind-address', type: 'string', default: '0.0.0.0:10256', description: 'host:port of the health server (/healthz, /livez); empty disables' },
  { name: 'metrics-bind-address', type: 'string', default: '127.0.0.1:10249', description: 'host:port of the metrics server (/metrics, /status); empty disables' },
  { name: 'bind-address-hard-fail', type: 'boolean', default: false, description: 'Exit when the health or metrics server cannot bind' },
  { name: 'min-sync-period', type: 'string', default: '1s', description: 'Minimum time between syncs' },
  { name: 'sync-period', type: 'string', default: '30s', description: 'Maximum time between syncs (periodic resync)' },
  { name: 'udp-timeout', type: 'string', default: '30s', description: 'Idle time after which a proxied UDP flow is forgotten (userspace)' },
  PROXY_WORKERS_FLAG,
  { name: 'log-level', type: 'string', default: 'info', description: 'debug, info, warn or error' },
];

export const PROXY_STATUS_FLAGS: readonly FlagSpec[] = [
  { name: 'metrics-bind-address', type: 'string', default: '127.0.0.1:10249', description: 'Metrics address of the running proxy' },
  { name: 'output', type: 'string', default: 'ipvsadm', description: 'ipvsadm, wide (adds the loopback listen address) or json' },
];

const USAGE = 'switchyard proxy [flags]\n  switchyard proxy status [flags]';
const SUMMARY = 'Run the Switchyard service proxy (a kube-proxy counterpart) for one node.';

/** A duration flag in milliseconds; FlagError when malformed. */
function durationFlag(raw: string, flag: string): number {
  const ms = parseGoDuration(raw);
  if (ms === undefined) throw new FlagError(`invalid duration ${JSON.stringify(raw)} for --${flag} (e.g. 250ms, 1s, 1m)`);
  return ms;
}

/** `switchyard proxy ...`: dispatches `status`, otherwise runs the proxy until SIGINT/SIGTERM. */
export async function runProxyCommand(argv: readonly string[]): Promise<number> {
  if (argv[0] === 'status') return runProxyStatusCommand(argv.slice(1));
  const { values, help, positional } = parseFlags(PROXY_FLAGS, argv);
  if (help) {
    process.stdout.write(`${formatHelp(USAGE, SUMMARY, PROXY_FLAGS)}\n`);
    return 0;
  }
  if (positional.length > 0) throw new FlagError(`unexpected argument ${JSON.stringify(positional[0])}`);
  const level = str(values, 'log-level');
  if (level === 'debug' || level === 'info' || level === 'warn' || level === 'error') setLogLevel(level);
  const log = createLogger('proxy');

  const mode = str(values, 'proxy-mode') as ProxyMode;
  if (!PROXY_MODES.includes(mode)) throw new FlagError(`--proxy-mode must be one of ${PROXY_MODES.join(', ')}, got ${JSON.stringify(mode)}`);
  const scheduler = parseSchedulerName(str(values, 'ipvs-scheduler'));
  if (!scheduler) throw new FlagError(`unknown --ipvs-scheduler ${JSON.stringify(str(values, 'ipvs-scheduler'))}`);
  let nodePortAddresses: string[];
  try {
    nodePortAddresses = parseNodePortAddresses(str(values, 'nodeport-addresses'));
  } catch (e) {
    throw new FlagError((e as Error).message);
  }
  for (const f of ['healthz-bind-address', 'metrics-bind-address']) {
    const v = str(values, f);
    if (v) {
      try {
        parseBindAddress(v);
      } catch (e) {
        throw new FlagError(`--${f}: ${(e as Error).message}`);
      }
    }
  }
  const minSyncPeriodMs = durationFlag(str(values, 'min-sync-period'), 'min-sync-period');
  const syncPeriodMs = durationFlag(str(values, 'sync-period'), 'sync-period');
  if (syncPeriodMs < minSyncPeriodMs) throw new FlagError('--sync-period must be at least --min-sync-period');
  const udpIdleTimeoutMs = durationFlag(str(values, 'udp-timeout'), 'udp-timeout');
  const proxyWorkers = parseProxyWorkers(values, mode);
  const nodeName = (str(values, 'hostname-override') || hostname()).toLowerCase();

  const kubeconfig = str(values, 'kubeconfig');
  const config = kubeconfig ? loadKubeconfig(kubeconfig) : process.env.KUBERNETES_SERVICE_HOST ? inClusterConfig() : loadKubeconfig(defaultKubeconfigPath());
  let dataplane;
  try {
    dataplane = createDataplane({
      mode,
      log: log.child(mode),
      loopbackMapping: bool(values, 'loopback-mapping'),
      loopbackEndpoints: bool(values, 'loopback-endpoints'),
      manageAddresses: bool(values, 'netns-ok'),
      defaultScheduler: scheduler,
      udpIdleTimeoutMs,
      proxyWorkers,
    });
  } catch (e) {
    if (e instanceof UnsupportedProxyModeError) throw new FlagError(e.message);
    throw e;
  }
  const client = new KubeClient(config, { component: 'kube-proxy' });
  const server = new ProxyServer({
    client,
    nodeName,
    dataplane,
    minSyncPeriodMs,
    syncPeriodMs,
    nodePortAddresses,
    healthzBindAddress: str(values, 'healthz-bind-address'),
    metricsBindAddress: str(values, 'metrics-bind-address'),
    bindAddressHardFail: bool(values, 'bind-address-hard-fail'),
    log,
  });
  await server.start();
  const stop = new AbortController();
  const onSignal = (sig: string): void => {
    if (stop.signal.aborted) return;
    log.info(`${sig} received, shutting down`);
    stop.abort();
  };
  process.once('SIGINT', () => onSignal('SIGINT'));
  process.once('SIGTERM', () => onSignal('SIGTERM'));
  log.info(
    `proxy for node ${nodeName} against ${config.server}: mode ${mode}${mode === 'userspace' ? ` (${bool(values, 'loopback-mapping') ? 'loopback mapping' : 'identity addresses'}${proxyWorkers > 1 ? `, ${proxyWorkers} workers` : ''})` : ''}, scheduler ${scheduler}` +
      `${server.metricsAddress ? `, metrics on ${server.metricsAddress.address}:${server.metricsAddress.port}` : ''}` +
      `${server.healthzAddress ? `, healthz on ${server.healthzAddress.address}:${server.healthzAddress.port}` : ''}`,
  );
  void server.proxier.waitForFirstSync(stop.signal).then((ok) => ok && log.info(`first sync done: ${server.proxier.lastState?.services.size ?? 0} service ports`));
  await server.run(stop.signal);
  client.close();
  return 0;
}

/** `switchyard proxy status`: fetches /status from a running proxy and prints it (to `write`, default stdout). */
export async function runProxyStatusCommand(argv: readonly string[], write: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values, help } = parseFlags(PROXY_STATUS_FLAGS, argv);
  if (help) {
    write(`${formatHelp('switchyard proxy status [flags]', 'Show the virtual services of a running proxy, like ipvsadm -Ln.', PROXY_STATUS_FLAGS)}\n`);
    return 0;
  }
  const output = str(values, 'output');
  if (!['ipvsadm', 'wide', 'json'].includes(output)) throw new FlagError(`--output must be ipvsadm, wide or json, got ${JSON.stringify(output)}`);
  let target: { host: string; port: number };
  try {
    target = parseBindAddress(str(values, 'metrics-bind-address'));
  } catch (e) {
    throw new FlagError((e as Error).message);
  }
  const host = target.host === '0.0.0.0' ? '127.0.0.1' : target.host === '::' ? '::1' : target.host;
  const body = await new Promise<string>((resolve, reject) => {
    const req = httpRequest({ host, port: target.port, path: '/status', timeout: 5000 }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => (res.statusCode === 200 ? resolve(text) : reject(new Error(`GET /status: HTTP ${res.statusCode}: ${text.trim()}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => reject(new Error(`cannot reach the proxy's metrics server at ${host}:${target.port}: ${e.message}`)));
    req.end();
  });
  if (output === 'json') {
    write(`${body.trim()}\n`);
    return 0;
  }
  const doc = JSON.parse(body) as ProxyStatusDocument;
  write(formatIpvsadm(doc.virtualServices, { showLocal: output === 'wide' }));
  return 0;
}
