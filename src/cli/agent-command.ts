/**
 * `switchyard agent`: one node (k3s-agent style). Joins with `--server URL --token TOKEN`
 * (the token is sent as `Authorization: Bearer <token>`; the server CA comes from
 * `--server-ca FILE` or is fetched from `<server>/cacerts`, checked against the token when the
 * token has the k3s form `K10<sha256 of the CA>::...`), or uses `--kubeconfig FILE`.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { hostname, networkInterfaces } from 'node:os';
import { join, resolve } from 'node:path';
import { type NodeAgentOptions, type RuntimeFactory, startNodeAgent } from '../agent/agent.js';
import { KubeClient } from '../client/kube-client.js';
import { type ClientConfig, loadKubeconfig } from '../client/kubeconfig.js';
import { createLogger, setLogLevel } from '../log/logger.js';
import { type FlagSpec, FlagError, formatHelp, num, parseFlags, str } from './flags.js';
import { defaultDataDir } from './server-command.js';
import { isNodeProxyMode, runNodeProxy } from '../proxy/node-proxy.js';
import { PROXY_WORKERS_FLAG, parseProxyWorkers } from './proxy-command.js';

export const AGENT_FLAGS: readonly FlagSpec[] = [
  { name: 'server', type: 'string', description: 'API server URL, e.g. https://10.0.0.1:6443', env: 'SWITCHYARD_URL' },
  { name: 'token', type: 'string', description: 'Join token issued by the server (sent as a bearer token)', env: 'SWITCHYARD_TOKEN' },
  { name: 'server-ca', type: 'string', description: 'PEM file of the server CA (default: fetched from <server>/cacerts)' },
  { name: 'kubeconfig', type: 'string', description: 'Use this kubeconfig instead of --server/--token', env: 'KUBECONFIG' },
  { name: 'node-name', type: 'string', description: 'Node name (default: the host name)', env: 'SWITCHYARD_NODE_NAME' },
  { name: 'node-ip', type: 'string', description: 'Node InternalIP (default: 127.0.0.1 with the process runtime, else the first non-loopback IPv4)' },
  { name: 'zone', type: 'string', description: 'topology.kubernetes.io/zone label of the node' },
  { name: 'region', type: 'string', description: 'topology.kubernetes.io/region label of the node' },
  { name: 'node-label', type: 'string', description: 'Extra node labels: k=v[,k2=v2]' },
  { name: 'data-dir', type: 'string', description: 'Folder for pod sandboxes and agent state (default <data-dir>/agent)', env: 'SWITCHYARD_DATA_DIR' },
  { name: 'proxy-mode', type: 'string', default: 'userspace', description: "Service proxy run with the agent: userspace, nftables, iptables, or none" },
  PROXY_WORKERS_FLAG,
  { name: 'runtime', type: 'string', default: 'process', description: "Pod runtime: 'process' (rootless, pods on loopback addresses) or 'netns' (root, a network namespace per pod)" },
  { name: 'kubelet-port', type: 'number', default: 10250, description: 'HTTPS port of the agent endpoint (logs, exec); 0 picks a free port' },
  { name: 'cluster-dns', type: 'string', default: '10.96.0.10', description: 'Cluster DNS server for pods (comma-separated for several)' },
  { name: 'cluster-domain', type: 'string', default: 'cluster.local', description: 'Cluster domain' },
  { name: 'log-level', type: 'string', default: 'info', description: 'debug, info, warn or error' },
];

const USAGE = 'switchyard agent --server URL --token TOKEN [flags]';
const SUMMARY = 'Run a node agent: registers a Node and runs the pods scheduled to it as local processes.';

function firstNonLoopbackIPv4(): string {
  for (const addrs of Object.values(networkInterfaces())) for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  return '127.0.0.1';
}

function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new FlagError(`--node-label: expected key=value, got ${JSON.stringify(part)}`);
    out[part.slice(0, eq)] = part.slice(eq + 1);
  }
  return out;
}

/** Fetches `<server>/cacerts` (unverified: the CA is what we are after) and checks it against a k3s-style token. */
async function fetchServerCA(server: string, token: string): Promise<string> {
  const pem = await new Promise<string>((resolvePromise, reject) => {
    const req = httpsRequest(`${server.replace(/\/+$/, '')}/cacerts`, { rejectUnauthorized: false, timeout: 10_000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 && body.includes('BEGIN CERTIFICATE') ? resolvePromise(body) : reject(new Error(`GET /cacerts answered ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
  const m = /^K10([0-9a-f]{64})::/.exec(token);
  if (m) {
    const digest = createHash('sha256').update(pem).digest('hex');
    if (digest !== m[1]) throw new Error('the server CA does not match the hash in the join token');
  }
  return pem;
}

async function clientConfig(values: Record<string, string | number | boolean | undefined>, dataDir: string): Promise<ClientConfig> {
  const server = str(values, 'server');
  const token = str(values, 'token');
  if (server) {
    if (!token) throw new FlagError('--token is required with --server');
    let caPem: string;
    const caFile = str(values, 'server-ca');
    if (caFile) caPem = readFileSync(caFile, 'utf8');
    else {
      try {
        caPem = await fetchServerCA(server, token);
      } catch (err) {
        throw new FlagError(`could not fetch the server CA from ${server}/cacerts (${err instanceof Error ? err.message : String(err)}); pass --server-ca FILE`);
      }
      writeFileSync(join(dataDir, 'server-ca.crt'), caPem);
    }
    return { server, token, caPem };
  }
  const kubeconfig = str(values, 'kubeconfig');
  if (kubeconfig) return loadKubeconfig(kubeconfig);
  throw new FlagError('give --server URL --token TOKEN (or --kubeconfig FILE)');
}

/** Loaded only when asked for: the netns runtime needs root and Linux tools. */
export async function netnsRuntimeFactory(dataDir: string): Promise<RuntimeFactory> {
  const mod = await import('../agent/runtime/netns/netns-runtime.js');
  return (podCIDR, nodeIP) => mod.NetnsRuntime.create({ dataDir, podCIDR, nodeIP });
}

export async function runAgentCommand(argv: readonly string[]): Promise<number> {
  const { values, help } = parseFlags(AGENT_FLAGS, argv);
  if (help) {
    process.stdout.write(`${formatHelp(USAGE, SUMMARY, AGENT_FLAGS)}\n`);
    return 0;
  }
  const level = str(values, 'log-level');
  if (level === 'debug' || level === 'info' || level === 'warn' || level === 'error') setLogLevel(level);
  const log = createLogger('agent');
  const runtimeKind = str(values, 'runtime');
  if (runtimeKind !== 'process' && runtimeKind !== 'netns') throw new FlagError(`--runtime must be process or netns, got ${JSON.stringify(runtimeKind)}`);
  const dataDir = resolve(str(values, 'data-dir') || join(defaultDataDir(), 'agent'));
  mkdirSync(dataDir, { recursive: true });
  const port = num(values, 'kubelet-port');
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FlagError(`--kubelet-port must be a port number, got ${port}`);
  const config = await clientConfig(values, dataDir);
  const client = new KubeClient(config, { component: 'kubelet' });
  const nodeIP = str(values, 'node-ip') || (runtimeKind === 'process' ? '127.0.0.1' : firstNonLoopbackIPv4());
  const runtime: NodeAgentOptions['runtime'] = runtimeKind === 'netns' ? await netnsRuntimeFactory(dataDir) : 'process';
  const token = str(values, 'token');
  const handle = await startNodeAgent({
    client,
    nodeName: (str(values, 'node-name') || hostname()).toLowerCase(),
    nodeIP,
    zone: str(values, 'zone') || undefined,
    region: str(values, 'region') || undefined,
    labels: parseLabels(str(values, 'node-label')),
    dataDir,
    runtime,
    clusterDNS: str(values, 'cluster-dns').split(',').map((s) => s.trim()).filter(Boolean),
    clusterDomain: str(values, 'cluster-domain'),
    kubeletPort: port,
    clientCaPem: config.caPem,
    bearerTokens: token ? [token] : [],
    log,
  });
  log.info(`node agent ${handle.agent.nodeName} running (pod CIDR ${handle.agent.cidr})`);
  // With pods in network namespaces, this node routes other nodes' pod CIDRs to them (host-gw).
  const routes = new AbortController();
  const proxyMode = str(values, 'proxy-mode');
  let proxyDone: Promise<void> = Promise.resolve();
  if (proxyMode !== 'none') {
    if (!isNodeProxyMode(proxyMode)) throw new FlagError(`--proxy-mode must be userspace, nftables, iptables or none, got ${JSON.stringify(proxyMode)}`);
    proxyDone = runNodeProxy(
      {
        clientConfig: config,
        nodeName: handle.agent.nodeName,
        mode: proxyMode,
        rootless: runtimeKind === 'process',
        proxyWorkers: parseProxyWorkers(values, proxyMode),
        log: log.child('proxy'),
      },
      routes.signal,
    );
  }
  if (runtimeKind === 'netns') {
    const { runPodRouteSync } = await import('../agent/runtime/netns/pod-route-sync.js');
    void runPodRouteSync({ client, nodeName: handle.agent.nodeName, signal: routes.signal, log: log.child('routes') });
  }
  return new Promise<number>((resolvePromise) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) return;
      stopping = true;
      log.info(`${signal} received, stopping the agent`);
      routes.abort();
      proxyDone.then(() => handle.stop()).then(
        () => {
          client.close();
          resolvePromise(0);
        },
        (err: unknown) => {
          log.error(`shutdown: ${err instanceof Error ? err.message : String(err)}`);
          resolvePromise(1);
        },
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}
