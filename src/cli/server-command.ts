/**
 * `switchyard server`: the control plane on one machine (k3s-style flags).
 * Starts the store, the PKI, the API server and its bootstrap, then writes the
 * admin kubeconfig once the API answers.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { request as httpsRequest } from 'node:https';
import { ApiServer } from '../apiserver/api-server.js';
import { bootstrapCluster } from '../apiserver/bootstrap.js';
import { createLogger, setLogLevel } from '../log/logger.js';
import { loadOrCreatePki } from '../pki/certificates.js';
import { writeKubeconfig } from '../pki/kubeconfig.js';
import { openStore } from '../storage/open-store.js';
import { type FlagSpec, FlagError, bool, formatHelp, num, parseFlags, str } from './flags.js';
import { KubeClient } from '../client/kube-client.js';
import { ControllerManager } from '../controllers/controller-manager.js';
import { selectControllers } from '../controllers/all-controllers.js';
import { DEFAULT_CONTROLLER_CONFIG } from '../controllers/controller-context.js';
import { type ClusterDns, startClusterDns } from '../dns/cluster-dns.js';
import { startNodeAgent } from '../agent/agent.js';
import { netnsRuntimeFactory } from './agent-command.js';
import { isNodeProxyMode, runNodeProxy } from '../proxy/node-proxy.js';
import { PROXY_WORKERS_FLAG, parseProxyWorkers } from './proxy-command.js';

/**
 * kube-apiserver publishes a non-loopback address in the `kubernetes` Endpoints
 * (validation forbids loopback there): the bind address when it is a real one,
 * otherwise the host's first non-internal IPv4 address.
 */
function defaultAdvertiseAddress(bindAddress: string): string {
  if (bindAddress !== '0.0.0.0' && bindAddress !== '::' && !bindAddress.startsWith('127.') && bindAddress !== '::1') return bindAddress;
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '';
}

export function defaultDataDir(): string {
  return process.getuid?.() === 0 ? '/var/lib/switchyard' : join(homedir(), '.switchyard');
}

export const SERVER_FLAGS: readonly FlagSpec[] = [
  { name: 'data-dir', type: 'string', description: 'Folder to hold state (database, certificates, kubeconfig)', env: 'SWITCHYARD_DATA_DIR' },
  { name: 'bind-address', type: 'string', default: '0.0.0.0', description: 'Address the API server listens on' },
  { name: 'https-listen-port', type: 'number', default: 6443, description: 'HTTPS port of the API server (0 picks a free port)' },
  { name: 'advertise-address', type: 'string', description: 'Address published in the kubernetes Endpoints (default: the bind address, or the first non-loopback IPv4 of the host)' },
  { name: 'write-kubeconfig', type: 'string', description: 'Write the admin kubeconfig to this path (default <data-dir>/kubeconfig.yaml)', env: 'SWITCHYARD_KUBECONFIG_OUTPUT' },
  { name: 'datastore-endpoint', type: 'string', description: 'Storage: sqlite://<file> (default <data-dir>/server/db/state.db) or memory://', env: 'SWITCHYARD_DATASTORE_ENDPOINT' },
  { name: 'service-cidr', type: 'string', default: '10.96.0.0/12', description: 'IPv4 range for Service cluster IPs' },
  { name: 'service-node-port-range', type: 'string', default: '30000-32767', description: 'Port range for NodePort services' },
  { name: 'cluster-cidr', type: 'string', default: '10.244.0.0/16', description: 'IPv4 range for pod IPs' },
  { name: 'cluster-dns', type: 'string', default: '10.96.0.10', description: 'Cluster DNS service IP' },
  { name: 'cluster-domain', type: 'string', default: 'cluster.local', description: 'Cluster domain' },
  { name: 'token', type: 'string', description: 'Join token agents present (default: generated once and kept in <data-dir>/server/token)', env: 'SWITCHYARD_TOKEN' },
  { name: 'dns-listen', type: 'string', description: "Where the embedded cluster DNS answers, UDP and TCP (default 127.0.0.1:53; <node-ip>:53 with --agent-runtime netns, published as the kube-dns Endpoints)" },
  { name: 'dns-metrics-listen', type: 'string', default: '127.0.0.1:9153', description: "Cluster DNS /metrics, /health and /ready ('' to turn off)" },
  { name: 'disable-dns', type: 'boolean', default: false, description: 'Do not run the embedded cluster DNS' },
  { name: 'disable-agent', type: 'boolean', default: false, description: 'Do not run the embedded node agent' },
  { name: 'node-name', type: 'string', description: 'Name of the embedded agent\'s Node (default: the hostname)' },
  { name: 'node-ip', type: 'string', description: 'InternalIP of the embedded agent\'s Node (default 127.0.0.1 with the process runtime)' },
  { name: 'agent-runtime', type: 'string', default: 'process', description: "Embedded agent's pod runtime: 'process' (pods on loopback addresses) or 'netns' (root, inside a node network namespace)" },
  { name: 'kubelet-port', type: 'number', default: 10250, description: "Embedded agent's port for logs and exec (a free one is used if taken)" },
  { name: 'proxy-mode', type: 'string', default: 'userspace', description: "Embedded service proxy: userspace, nftables, iptables, or none" },
  PROXY_WORKERS_FLAG,
  { name: 'zone', type: 'string', description: 'topology.kubernetes.io/zone label of the embedded agent\'s Node' },
  { name: 'controllers', type: 'string', default: '*', description: "Controllers to run: '*' for all, 'name' to enable, '-name' to disable (kube-controller-manager --controllers)" },
  { name: 'max-endpoints-per-slice', type: 'number', default: 100, description: 'Most endpoints in one EndpointSlice (1-1000)' },
  { name: 'leader-elect', type: 'boolean', default: false, description: 'Run controllers only while holding the kube-system/kube-controller-manager Lease (for several servers on one etcd)' },
  { name: 'log-level', type: 'string', default: 'info', description: 'debug, info, warn or error' },
];

const USAGE = 'switchyard server [flags]';
const SUMMARY = 'Run the Switchyard control plane: a Kubernetes-compatible API server on an embedded store.';

export async function runServerCommand(argv: readonly string[]): Promise<number> {
  const { values, help } = parseFlags(SERVER_FLAGS, argv);
  if (help) {
    process.stdout.write(`${formatHelp(USAGE, SUMMARY, SERVER_FLAGS)}\n`);
    return 0;
  }
  const level = str(values, 'log-level');
  if (level === 'debug' || level === 'info' || level === 'warn' || level === 'error') setLogLevel(level);
  const log = createLogger('server');
  const dataDir = resolve(str(values, 'data-dir') || defaultDataDir());
  const bindAddress = str(values, 'bind-address');
  const port = num(values, 'https-listen-port');
  const advertise = str(values, 'advertise-address') || defaultAdvertiseAddress(bindAddress);
  const kubeconfigPath = resolve(str(values, 'write-kubeconfig') || join(dataDir, 'kubeconfig.yaml'));
  const serviceCIDR = str(values, 'service-cidr');
  const nodePortRange = str(values, 'service-node-port-range');

  const started = Date.now();
  const store = openStore(str(values, 'datastore-endpoint') || undefined, dataDir);
  log.info(`storage: ${store.description} (revision ${store.currentRevision()})`);

  const apiLog = log.child('apiserver');
  const clusterDomain = str(values, 'cluster-domain');
  const pki = await loadOrCreatePki(join(dataDir, 'server', 'tls'), {
    dnsNames: ['localhost', hostname(), 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${clusterDomain}`],
    ips: [...new Set(['127.0.0.1', '::1', advertise, ...(bindAddress !== '0.0.0.0' && bindAddress !== '::' ? [bindAddress] : [])])],
  });
  const token = loadOrCreateToken(join(dataDir, 'server'), pki.ca.certPem, str(values, 'token'));
  const server = new ApiServer({
    tokens: new Map([[token, { name: 'system:node-agent', groups: ['system:nodes', 'system:authenticated'] }]]),
    kubeletClient: { certPem: pki.admin.certPem, keyPem: pki.admin.keyPem },
    store,
    log: apiLog,
    bindAddress,
    port,
    tls: { keyPem: pki.serving.keyPem, certPem: pki.serving.certPem, caPem: pki.ca.certPem },
    serviceCIDR,
    nodePortRange,
  });
  await server.restore();
  const addr = await server.listen();
  // In a node namespace (netns runtime) the DNS server answers on the node address, which the
  // kube-dns Service's Endpoints publish, so every node's proxy sends 10.96.0.10:53 there.
  const dnsListen =
    str(values, 'dns-listen') ||
    (str(values, 'agent-runtime') === 'netns' && !bool(values, 'disable-agent') ? `${str(values, 'node-ip') || advertise}:53` : '127.0.0.1:53');
  const dnsHost = dnsListen.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const dnsPort = Number(/:(\d+)$/.exec(dnsListen)?.[1] ?? 53);
  const dnsEndpoint =
    !bool(values, 'disable-dns') && dnsHost && !dnsHost.startsWith('127.') && dnsHost !== '::1' && dnsHost !== '0.0.0.0' ? { ip: dnsHost, port: dnsPort } : undefined;
  await bootstrapCluster(server, {
    advertiseAddress: advertise,
    securePort: addr.port,
    clusterDNS: str(values, 'cluster-dns'),
    ...(dnsEndpoint ? { dnsEndpoint } : {}),
  });
  server.markReady();
  const host = bindAddress === '0.0.0.0' || bindAddress === '::' ? '127.0.0.1' : bindAddress;
  const url = `https://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
  await waitForApi(url, pki.ca.certPem, pki.admin);
  writeKubeconfig(kubeconfigPath, { server: url, caPem: pki.ca.certPem, clientCertPem: pki.admin.certPem, clientKeyPem: pki.admin.keyPem });
  log.info(`API server listening on ${url} (ready in ${Date.now() - started} ms)`);

  const maxPerSlice = num(values, 'max-endpoints-per-slice');
  if (!Number.isInteger(maxPerSlice) || maxPerSlice < 1 || maxPerSlice > 1000) {
    throw new FlagError(`--max-endpoints-per-slice must be between 1 and 1000, got ${maxPerSlice}`);
  }
  // The server's own components use the in-process loopback (no TLS per watch event).
  const loopback = await server.listenLoopback();
  const loopbackConfig = { server: 'http://localhost', socketPath: loopback.socketPath, token: loopback.token };
  const controllerStop = new AbortController();
  const controllerClient = new KubeClient(
    loopbackConfig,
    { component: 'kube-controller-manager', inProcessWatch: server.inProcessWatch() },
  );
  const controllers = selectControllers(str(values, 'controllers'));
  const manager = new ControllerManager({
    client: controllerClient,
    log: log.child('controllers'),
    controllers,
    config: {
      ...DEFAULT_CONTROLLER_CONFIG,
      maxEndpointsPerSlice: maxPerSlice,
      clusterCIDR: str(values, 'cluster-cidr'),
    },
    leaderElect: bool(values, 'leader-elect'),
  });
  server.setGarbageCollectorEnabled(controllers.some((c) => c.name === 'garbagecollector'));
  const managerDone = manager.run(controllerStop.signal);
  log.info(`controllers: ${controllers.map((c) => c.name).join(', ') || '(none)'}`);

  let agent: { stop(): Promise<void> } | undefined;
  if (!bool(values, 'disable-agent')) {
    const runtimeKind = str(values, 'agent-runtime');
    if (runtimeKind !== 'process' && runtimeKind !== 'netns') throw new FlagError(`--agent-runtime must be process or netns, got ${JSON.stringify(runtimeKind)}`);
    const nodeIP = str(values, 'node-ip') || (runtimeKind === 'process' ? '127.0.0.1' : advertise);
    const zone = str(values, 'zone');
    const agentClient = new KubeClient(
      loopbackConfig,
      { component: 'kubelet', inProcessWatch: server.inProcessWatch() },
    );
    // The agent waits for its Node's pod CIDR (node IPAM controller), so it starts in the background.
    const starting = startNodeAgent({
      client: agentClient,
      nodeName: (str(values, 'node-name') || hostname()).toLowerCase(),
      nodeIP,
      ...(zone ? { zone } : {}),
      roles: ['control-plane', 'master'],
      dataDir: join(dataDir, 'agent'),
      runtime: runtimeKind === 'netns' ? await netnsRuntimeFactory(join(dataDir, 'agent')) : 'process',
      clusterDNS: [str(values, 'cluster-dns')],
      clusterDomain,
      kubeletPort: num(values, 'kubelet-port'),
      kubeletBindAddress: nodeIP,
      fallbackToFreePort: true,
      clientCaPem: pki.ca.certPem,
      bearerTokens: [token],
      log: log.child('agent'),
    });
    const routes = new AbortController();
    if (runtimeKind === 'netns') {
      const { runPodRouteSync } = await import('../agent/runtime/netns/pod-route-sync.js');
      void starting.then((a) => runPodRouteSync({ client: agentClient, nodeName: a.agent.nodeName, signal: routes.signal, log: log.child('routes') }));
    }
    // The node's service proxy (kube-proxy counterpart), next to the agent.
    const proxyMode = str(values, 'proxy-mode');
    const proxyStop = new AbortController();
    let proxyDone: Promise<void> = Promise.resolve();
    if (proxyMode !== 'none') {
      if (!isNodeProxyMode(proxyMode)) throw new FlagError(`--proxy-mode must be userspace, nftables, iptables or none, got ${JSON.stringify(proxyMode)}`);
      proxyDone = runNodeProxy(
        {
          clientConfig: loopbackConfig,
          nodeName: (str(values, 'node-name') || hostname()).toLowerCase(),
          mode: proxyMode,
          rootless: runtimeKind === 'process',
          proxyWorkers: parseProxyWorkers(values, proxyMode),
          log: log.child('proxy'),
        },
        proxyStop.signal,
      );
    }
    agent = {
      stop: async () => {
        proxyStop.abort();
        await proxyDone;
        routes.abort();
        const a = await starting.catch(() => undefined);
        await a?.stop();
        agentClient.close();
      },
    };
    starting.catch((e: unknown) => log.error(`node agent failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  let dns: ClusterDns | undefined;
  if (!bool(values, 'disable-dns')) {
    try {
      dns = await startClusterDns({
        client: controllerClient,
        log: log.child('dns'),
        listen: dnsListen,
        metricsListen: str(values, 'dns-metrics-listen'),
        zone: clusterDomain,
        nsAddresses: [str(values, 'cluster-dns')],
      });
    } catch (e) {
      // DNS is one component among several: report and keep the control plane up.
      log.error(`cluster DNS not started (${(e as Error).message}); use --dns-listen to pick another address or --disable-dns`);
    }
  }
  log.info(`join token for agents: ${join(dataDir, 'server', 'token')}`);
  log.info(`kubeconfig written to ${kubeconfigPath}; try: KUBECONFIG=${kubeconfigPath} kubectl get services`);

  return new Promise<number>((resolvePromise) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal} received, shutting down`);
      void (async () => {
        try {
          await agent?.stop();
          await dns?.close();
          controllerStop.abort();
          await managerDone;
          controllerClient.close();
          await server.close();
          await store.close();
        } catch (e) {
          log.error(`shutdown: ${(e as Error).message}`);
        }
        resolvePromise(0);
      })();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

/**
 * The join token agents present as a bearer token, k3s style: `K10<sha256 of the CA>::server:<secret>`,
 * generated on first start and kept in `<dir>/token` (an explicit --token wins and is stored).
 */
function loadOrCreateToken(dir: string, caPem: string, explicit: string): string {
  const file = join(dir, 'token');
  if (explicit) {
    writeFileSync(file, `${explicit}\n`, { mode: 0o600 });
    return explicit;
  }
  if (existsSync(file)) {
    const t = readFileSync(file, 'utf8').trim();
    if (t) return t;
  }
  const caHash = createHash('sha256').update(caPem).digest('hex');
  const token = `K10${caHash}::server:${randomBytes(16).toString('hex')}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return token;
}

/** Confirm the API answers an authenticated request before handing out a kubeconfig. */
async function waitForApi(url: string, caPem: string, admin: { certPem: string; keyPem: string }): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const ok = await new Promise<boolean>((res) => {
      const req = httpsRequest(`${url}/api/v1/namespaces/default`, { ca: caPem, cert: admin.certPem, key: admin.keyPem }, (r) => {
        r.resume();
        res(r.statusCode === 200);
      });
      req.on('error', () => res(false));
      req.end();
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the API server at ${url} did not answer`);
}
