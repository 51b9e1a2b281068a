/**
 * `node dist/bench/proxy-nft-throughput.js` (root): HTTP throughput through the
 * nftables dataplane against a direct connection to a pod, same backends,
 * same client, in network namespaces created for the run (`sy-kp-<id>-*`,
 * deleted at the end, also on failure or Ctrl-C). Nothing is configured in
 * the machine's own namespace.
 *
 * Topology: namespace `node` (kernel/testing/netns-lab.ts podNetwork: bridge
 * cbr0 10.244.0.1/24) with the `ip kube-proxy` table programmed by the real
 * NftablesDataplane; pod `client` (10.244.0.2, on cbr0) runs wrk; namespace
 * `backend` hangs off the node on a routed veth (10.244.1.1/24 on the node
 * side, like pods of another node) and holds the three endpoint addresses
 * 10.244.1.2/3/4 with one nginx (2 workers) listening on all of them, so both
 * paths are served by the same processes and both are routed by the node.
 * The Service 10.96.0.10:80 → those endpoints on :8080.
 *
 * Paths: (a) direct to 10.244.1.2:8080, (b) the ClusterIP through the rules:
 * the only difference is the DNAT (and the rule lookups of new
 * connections). Clients: `pod` (wrk in the client pod: prerouting DNAT,
 * forwarded) and `node` (wrk in the node namespace: output DNAT). Per
 * client, keep-alive runs give req/s and
 * p99; `Connection: close` runs give new connections/s. Runs are ordered
 * direct, ClusterIP, ClusterIP, direct (PROXY_NFT_ROUNDS pairs, default 1)
 * and averaged so load drift from other work on the machine cancels out; the
 * ratios are what to read, not the absolute figures.
 *
 * Environment: PROXY_NFT_SECONDS (10), PROXY_NFT_THREADS (2),
 * PROXY_NFT_CONNECTIONS (50), PROXY_NFT_CLIENTS ("pod,node"), PROXY_NFT_ROUNDS.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LAB_NODE_IP, NetnsLab, labUnavailable } from '../src/proxy/kernel/testing/netns-lab.js';
import { NftablesDataplane } from '../src/proxy/nftables/nftables-dataplane.js';
import { buildProxyState } from '../src/proxy/proxy-state.js';
import { ep, portInfo } from '../src/proxy/testing/fixtures.js';
import { nginxBackendConf } from './nginx-conf.js';

export type NftBenchClient = 'pod' | 'node';
export type NftBenchPath = 'direct' | 'clusterip';

export interface NftThroughputOptions {
  readonly seconds?: number;
  readonly threads?: number;
  readonly connections?: number;
  readonly clients?: readonly NftBenchClient[];
  /** Pairs of (direct, ClusterIP) run orders; each path runs 2 × rounds times per client and mode. */
  readonly rounds?: number;
  /** Progress lines (default: none). */
  readonly log?: (line: string) => void;
}

export interface NftThroughputRow {
  readonly client: NftBenchClient;
  readonly path: NftBenchPath;
  readonly url: string;
  /** Keep-alive requests per second (mean over runs). */
  readonly rps: number;
  /** Keep-alive p99 latency in ms (mean over runs). */
  readonly p99Ms: number;
  /** New connections per second (`Connection: close`, mean over runs). */
  readonly connPerSec: number;
  /** Connect/timeout errors and non-2xx responses, summed. */
  readonly errors: number;
}

const CLIENT_IP = '10.244.0.2';
const BACKEND_GATEWAY = '10.244.1.1';
const BACKEND_IPS = ['10.244.1.2', '10.244.1.3', '10.244.1.4'];
const CLUSTER_CIDR = '10.244.0.0/16';
const BACKEND_PORT = 8080;
const CLUSTER_IP = '10.96.0.10';
const SERVICE_PORT = 80;

interface WrkRun {
  readonly rps: number;
  readonly p99Ms: number;
  readonly errors: number;
}

const durationMs = (v: string, unit: string): number => {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : NaN;
};

/** Parses wrk's report (`--latency`). With `close`, read errors are the server's closes and do not count. */
export function parseWrk(text: string, close: boolean): WrkRun {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(text);
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  const errors = (errs ? Number(errs[1]) + Number(errs[4]) + (close ? 0 : Number(errs[2]) + Number(errs[3])) : 0) + non2xx;
  return { rps, p99Ms: p99 ? durationMs(p99[1] ?? '', p99[2] ?? '') : NaN, errors };
}

/** Runs a command inside a namespace to completion; the child is registered so a signal can stop it. */
function runIn(children: Set<ChildProcess>, ns: string, argv: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    children.add(child);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.once('error', (e) => {
      children.delete(child);
      reject(e);
    });
    child.once('exit', (code) => {
      children.delete(child);
      resolve({ code: code ?? 1, out });
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Builds the namespaces, programs the Service with the real nftables
 * dataplane, runs wrk per client and path, and tears everything down (also
 * when something fails). Root only; throws when the lab cannot run.
 */
export async function measureNftThroughput(opts: NftThroughputOptions = {}): Promise<NftThroughputRow[]> {
  const seconds = opts.seconds ?? 10;
  const threads = opts.threads ?? 2;
  const connections = opts.connections ?? 50;
  const clients = opts.clients ?? ['pod', 'node'];
  const rounds = Math.max(1, opts.rounds ?? 1);
  const log = opts.log ?? ((): void => {});
  const reason = labUnavailable(['nft', 'wrk', 'nginx', 'curl']);
  if (reason) throw new Error(`nftables throughput bench cannot run: ${reason}`);

  const lab = NetnsLab.create();
  const children = new Set<ChildProcess>();
  const dir = mkdtempSync(join(tmpdir(), 'sy-nft-bench-'));
  const cleanup = (): void => {
    for (const c of children) c.kill('SIGKILL');
    lab.close();
    rmSync(dir, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    cleanup();
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  process.once('exit', cleanup);
  let dp: NftablesDataplane | undefined;
  try {
    const node = lab.podNetwork([{ role: 'client', ip: CLIENT_IP }]);
    const clientNs = `${lab.prefix}client`;
    // The backend is routed by the node (a point-to-point veth), not bridged with the client.
    const backendNs = lab.addNamespace('backend');
    lab.exec(node, ['ip', 'link', 'add', 'vbackend', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', backendNs]);
    lab.exec(node, ['ip', 'addr', 'add', `${BACKEND_GATEWAY}/24`, 'dev', 'vbackend']);
    lab.exec(node, ['ip', 'link', 'set', 'vbackend', 'up']);
    for (const ip of BACKEND_IPS) lab.exec(backendNs, ['ip', 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
    lab.exec(backendNs, ['ip', 'link', 'set', 'eth0', 'up']);
    lab.exec(backendNs, ['ip', 'route', 'add', 'default', 'via', BACKEND_GATEWAY]);
    for (const ns of [clientNs, node, backendNs]) {
      lab.tryExec(ns, ['sysctl', '-qw', 'net.ipv4.tcp_tw_reuse=1']);
      lab.tryExec(ns, ['sysctl', '-qw', 'net.ipv4.ip_local_port_range=10000 65000']);
      lab.tryExec(ns, ['sysctl', '-qw', 'net.core.somaxconn=4096']);
    }

    // One nginx for every endpoint address: both paths are served by the same two workers.
    const prefix = join(dir, 'nginx');
    mkdirSync(join(prefix, 'logs'), { recursive: true });
    writeFileSync(
      join(prefix, 'nginx.conf'),
      nginxBackendConf({ prefix, listen: BACKEND_IPS.map((ip) => `${ip}:${BACKEND_PORT}`), workerConnections: 8192, backlog: 4096 }),
    );
    const nginx = spawn('ip', ['netns', 'exec', backendNs, 'nginx', '-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'] });
    children.add(nginx);
    let nginxErr = '';
    nginx.stderr.on('data', (d: Buffer) => (nginxErr += d.toString()));

    dp = new NftablesDataplane({ netns: node, clusterCIDR: CLUSTER_CIDR, conntrackCleanup: false });
    const info = portInfo({ namespace: 'bench', name: 'web', portName: 'http', clusterIPs: [CLUSTER_IP], port: SERVICE_PORT });
    const state = buildProxyState({
      serviceMap: new Map([[info.key, info]]),
      endpointsMap: new Map([[info.key, BACKEND_IPS.map((ip) => ep(ip, { port: BACKEND_PORT }))]]),
      node: { nodeName: 'bench-node', labels: {} },
      nodePortAddresses: [LAB_NODE_IP],
    });
    const synced = await dp.sync(state);
    if (!synced.ok) throw new Error(`nftables sync failed: ${synced.failures[0]?.error ?? ''}`);

    const direct = `http://${BACKEND_IPS[0]}:${BACKEND_PORT}/`;
    const viaService = `http://${CLUSTER_IP}:${SERVICE_PORT}/`;
    const clientNsOf = (c: NftBenchClient): string => (c === 'pod' ? clientNs : node);
    // Every backend answers through the Service, from both clients.
    for (const c of clients) {
      for (const url of [direct, viaService]) {
        const seen = new Set<string>();
        for (let i = 0; i < 60 && (url === direct ? seen.size < 1 : seen.size < BACKEND_IPS.length); i++) {
          const r = await runIn(children, clientNsOf(c), ['curl', '-s', '-m', '2', url]);
          if (r.code === 0) seen.add(r.out.trim());
          else await sleep(100);
        }
        if (seen.size === 0) throw new Error(`no answer from ${url} (client ${c}); nginx: ${nginxErr}`);
        log(`  ${c} → ${url}: ${[...seen].sort().join(', ')}`);
      }
    }

    const wrk = async (c: NftBenchClient, url: string, close: boolean): Promise<WrkRun> => {
      const args = ['wrk', '-t', String(threads), '-c', String(connections), '-d', `${seconds}s`, '--latency', ...(close ? ['-H', 'Connection: close'] : []), url];
      const r = await runIn(children, clientNsOf(c), args);
      if (r.code !== 0) throw new Error(`${args.join(' ')} exited with ${r.code}:\n${r.out}`);
      return parseWrk(r.out, close);
    };
    const rows: NftThroughputRow[] = [];
    for (const c of clients) {
      const runs = new Map<NftBenchPath, { keep: WrkRun[]; close: WrkRun[] }>([
        ['direct', { keep: [], close: [] }],
        ['clusterip', { keep: [], close: [] }],
      ]);
      const order: NftBenchPath[] = [];
      for (let i = 0; i < rounds; i++) order.push('direct', 'clusterip', 'clusterip', 'direct');
      for (const close of [false, true]) {
        for (const p of order) {
          const r = await wrk(c, p === 'direct' ? direct : viaService, close);
          log(`  ${c} ${p} ${close ? 'Connection: close' : 'keep-alive'}: ${r.rps.toFixed(0)} /s${close ? '' : `, p99 ${r.p99Ms.toFixed(2)} ms`}${r.errors ? `, ${r.errors} errors` : ''}`);
          runs.get(p)?.[close ? 'close' : 'keep'].push(r);
        }
      }
      for (const p of ['direct', 'clusterip'] as const) {
        const r = runs.get(p) ?? { keep: [], close: [] };
        rows.push({
          client: c,
          path: p,
          url: p === 'direct' ? direct : viaService,
          rps: mean(r.keep.map((x) => x.rps)),
          p99Ms: mean(r.keep.map((x) => x.p99Ms)),
          connPerSec: mean(r.close.map((x) => x.rps)),
          errors: [...r.keep, ...r.close].reduce((n, x) => n + x.errors, 0),
        });
      }
    }
    return rows;
  } finally {
    if (dp) await dp.close().catch(() => undefined);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
    process.removeListener('exit', cleanup);
    cleanup();
  }
}

const mean = (xs: readonly number[]): number => (xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length);

export interface NftThroughputRatio {
  readonly client: NftBenchClient;
  /** ClusterIP ÷ direct. */
  readonly rps: number;
  readonly connPerSec: number;
  /** ClusterIP p99 ÷ direct p99 (lower is better). */
  readonly p99: number;
}

/** ClusterIP over direct, per client. */
export function nftThroughputRatios(rows: readonly NftThroughputRow[]): NftThroughputRatio[] {
  const out: NftThroughputRatio[] = [];
  for (const client of [...new Set(rows.map((r) => r.client))]) {
    const d = rows.find((r) => r.client === client && r.path === 'direct');
    const s = rows.find((r) => r.client === client && r.path === 'clusterip');
    if (d && s) out.push({ client, rps: s.rps / d.rps, connPerSec: s.connPerSec / d.connPerSec, p99: s.p99Ms / d.p99Ms });
  }
  return out;
}

async function main(): Promise<number> {
  const reason = labUnavailable(['nft', 'wrk', 'nginx', 'curl']);
  if (reason) {
    process.stdout.write(`nftables throughput bench skipped: ${reason}\n`);
    return 0;
  }
  const env = process.env;
  const clients = (env.PROXY_NFT_CLIENTS ?? 'pod,node').split(',').filter((c): c is NftBenchClient => c === 'pod' || c === 'node');
  const o: NftThroughputOptions = {
    seconds: Number(env.PROXY_NFT_SECONDS ?? 10),
    threads: Number(env.PROXY_NFT_THREADS ?? 2),
    connections: Number(env.PROXY_NFT_CONNECTIONS ?? 50),
    clients,
    rounds: Number(env.PROXY_NFT_ROUNDS ?? 1),
    log: (l) => process.stdout.write(`${l}\n`),
  };
  process.stdout.write(
    `nftables throughput: wrk -t${o.threads} -c${o.connections} -d${o.seconds}s, nginx (2 workers) on ${BACKEND_IPS.join(', ')}:${BACKEND_PORT}; ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}\n`,
  );
  const rows = await measureNftThroughput(o);
  const header = ['client', 'path', 'req/s (keep-alive)', 'p99', 'new conn/s', 'errors'];
  const table = rows.map((r) => [r.client, r.path === 'direct' ? `direct ${r.url}` : `ClusterIP ${r.url}`, r.rps.toFixed(0), `${r.p99Ms.toFixed(2)} ms`, r.connPerSec.toFixed(0), String(r.errors)]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((t) => (t[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(`\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const t of table) process.stdout.write(`${line(t)}\n`);
  process.stdout.write('\nClusterIP ÷ direct (target ≥ 0.95 for req/s and new conn/s):\n');
  for (const r of nftThroughputRatios(rows)) {
    process.stdout.write(`  ${r.client} client: req/s ${r.rps.toFixed(3)}, new conn/s ${r.connPerSec.toFixed(3)}, p99 ${r.p99.toFixed(2)}×\n`);
  }
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = await main();
