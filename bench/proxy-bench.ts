/**
 * `npm run bench:proxy`: Switchyard's userspace dataplane against HAProxy (TCP mode) and a
 * direct connection, same backends, same client, same duration, all on loopback and rootless
 * (no addresses or rules are configured: 127.0.0.0/8 is local on Linux).
 *
 * - Backends: one nginx (Debian nginx-light) answering a small 200 on 127.244.0.2/3/4:8080,
 *   the loopback twins of the pod IPs 10.244.0.2/3/4 (a Node http server when nginx is missing).
 * - Client: wrk, PROXY_BENCH_THREADS threads (2) and PROXY_BENCH_CONNECTIONS connections (50)
 *   for PROXY_BENCH_SECONDS (10) per run: keep-alive for requests/s and p99 (`--latency`), then
 *   `Connection: close` for new connections/s (every request on a fresh TCP connection, which
 *   through a proxy also means a fresh backend connection).
 * - Paths: (a) direct to one backend; (b) HAProxy `mode tcp`, `balance roundrobin` over the
 *   three, once with `nbthread 1` and once with `nbthread 2`; (c) `switchyard proxy
 *   --loopback-mapping --loopback-endpoints` against a real `switchyard server`, for a Service
 *   whose EndpointSlice lists 10.244.0.2/3/4: the ClusterIP a.b.c.d is served on 127.b.c.d.
 *   One row per `--proxy-workers` count in PROXY_BENCH_WORKERS (default "1,2": one process,
 *   then two worker processes sharing the listener); the proxy CPU column sums the primary
 *   and its workers.
 * - Network programming latency (PROXY_BENCH_TRIALS trials, 20; 0 skips it): from the write that makes an
 *   endpoint ready to the first HTTP 200 through the ClusterIP, via (1) the EndpointSlice
 *   written directly and (2) the Pod's Ready condition (the EndpointSlice controller in the
 *   server then writes the slice). The proxy runs with its default --min-sync-period (1s);
 *   trials are spaced further apart than that, so each change is synced at once.
 *
 * The machine has few cores: wrk, nginx and the proxy under test share them, so compare ratios
 * rather than absolute figures; the CPU µs/req (keep-alive) and µs/conn (`Connection: close`)
 * columns are the proxy's own CPU (user + system, primary and workers) per completed request,
 * which depends much less on what else runs. PROXY_BENCH_CPU_PROF=<dir> runs the Switchyard proxy with
 * --cpu-prof into that folder. Needs wrk and haproxy (installed with apt-get when missing and
 * running as root; otherwise that part is skipped with a note). Every process started here is
 * stopped by its PID.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { KubeObject } from '../src/api/object.js';
import { KubeClient } from '../src/client/kube-client.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';
import { nginxBackendConf } from './nginx-conf.js';

const SECONDS = Number(process.env.PROXY_BENCH_SECONDS ?? 10);
const THREADS = Number(process.env.PROXY_BENCH_THREADS ?? 2);
const CONNECTIONS = Number(process.env.PROXY_BENCH_CONNECTIONS ?? 50);
const TRIALS = Number(process.env.PROXY_BENCH_TRIALS ?? 20);
const CPU_PROF = process.env.PROXY_BENCH_CPU_PROF;
/** Worker counts measured for the Switchyard proxy (`--proxy-workers`), e.g. "1,2". */
const WORKER_COUNTS = (process.env.PROXY_BENCH_WORKERS ?? '1,2').split(',').map(Number).filter((n) => Number.isInteger(n) && n >= 1);

const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const POD_IPS = ['10.244.0.2', '10.244.0.3', '10.244.0.4'];
const BACKEND_PORT = 8080;
const SERVICE_PORT = 8080;
const HAPROXY_PORT = 18080;
const NODE_NAME = 'proxy-bench-node';

const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true };
const SERVICES = { group: '', version: 'v1', plural: 'services', namespaced: true };
const ENDPOINT_SLICES = { group: 'discovery.k8s.io', version: 'v1', plural: 'endpointslices', namespaced: true };
const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const loopback = (ip: string): string => `127.${ip.split('.').slice(1).join('.')}`;

function have(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  return !r.error && r.status !== null;
}

/** Installs a Debian package when `cmd` is missing and we are root; true when usable afterwards. */
function ensureTool(cmd: string, probe: string[], pkgs: string[]): boolean {
  if (have(cmd, probe)) return true;
  if (process.getuid?.() !== 0) return false;
  for (const pkg of pkgs) {
    console.log(`installing ${pkg} (apt-get)...`);
    spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
    spawnSync('apt-get', ['install', '-y', '-qq', pkg], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (have(cmd, probe)) return true;
  }
  return false;
}

/** Children started here, stopped by PID at the end (also on failure or Ctrl-C). */
const children = new Set<ChildProcess>();

function start(cmd: string, args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): { proc: ChildProcess; output: () => string } {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env }, ...(opts.cwd ? { cwd: opts.cwd } : {}) });
  let out = '';
  const keep = (d: Buffer): void => {
    out = (out + d.toString()).slice(-20_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  children.add(proc);
  proc.once('exit', () => children.delete(proc));
  return { proc, output: () => out };
}

async function stop(proc: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill(signal);
  const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

function stopAllSync(): void {
  for (const p of children) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
}

/** One HTTP GET on a fresh connection; resolves to the status code, 0 on any failure. */
function probe(host: string, port: number, timeoutMs = 1000): Promise<number> {
  return new Promise((resolvePromise) => {
    const req = http.get({ host, port, path: '/', agent: false, timeout: timeoutMs }, (res) => {
      res.resume();
      res.on('end', () => resolvePromise(res.statusCode ?? 0));
      res.on('error', () => resolvePromise(0));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolvePromise(0));
  });
}

async function until(what: string, fn: () => Promise<boolean>, timeoutMs = 20_000, everyMs = 20): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

// ---------------------------------------------------------------------------------------------
// Backends

interface Backends {
  readonly kind: string;
  stop(): Promise<void>;
}

async function startBackends(dir: string): Promise<Backends> {
  const addrs = POD_IPS.map(loopback);
  if (ensureTool('nginx', ['-v'], ['nginx-light', 'nginx'])) {
    const prefix = join(dir, 'nginx');
    mkdirSync(join(prefix, 'logs'), { recursive: true });
    const conf = nginxBackendConf({ prefix, listen: addrs.map((a) => `${a}:${BACKEND_PORT}`), workerConnections: 4096 });
    writeFileSync(join(prefix, 'nginx.conf'), conf);
    const { proc, output } = start('nginx', ['-p', prefix, '-c', join(prefix, 'nginx.conf'), '-e', 'stderr']);
    try {
      for (const a of addrs) await until(`nginx on ${a}`, async () => (await probe(a, BACKEND_PORT)) === 200, 10_000);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${output()}`);
    }
    return { kind: 'nginx (2 workers)', stop: () => stop(proc, 'SIGQUIT') };
  }
  // Fallback: a Node http server per address in this process.
  const servers = await Promise.all(
    addrs.map(
      (a) =>
        new Promise<http.Server>((ok, fail) => {
          const s = http.createServer((_req, res) => res.end(`hello from ${a}\n`));
          s.keepAliveTimeout = 120_000;
          s.once('error', fail);
          s.listen(BACKEND_PORT, a, () => ok(s));
        }),
    ),
  );
  return {
    kind: 'Node.js http (in the bench process)',
    stop: async () => {
      for (const s of servers) {
        s.closeAllConnections();
        s.close();
      }
    },
  };
}

// ---------------------------------------------------------------------------------------------
// wrk

interface WrkResult {
  readonly rps: number;
  readonly p99Ms: number;
  readonly errors: number;
  /** Requests completed (each one a new connection with `Connection: close`). */
  readonly requests: number;
  /** CPU of the proxy process tree per request, µs (when a pid was measured). */
  cpuUsPerRequest?: number;
}

function wrkDurationMs(v: string, unit: string): number {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 'ms' ? n : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : NaN;
}

async function wrk(url: string, close: boolean): Promise<WrkResult> {
  const args = ['-t', String(THREADS), '-c', String(CONNECTIONS), '-d', `${SECONDS}s`, '--latency', ...(close ? ['-H', 'Connection: close'] : []), url];
  const { proc, output } = start('wrk', args);
  const code = await new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
  const text = output();
  if (code !== 0) throw new Error(`wrk ${args.join(' ')} exited with ${code}:\n${text}`);
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(text)?.[1] ?? NaN);
  const requests = Number(/(\d+) requests in /.exec(text)?.[1] ?? NaN);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$/m.exec(text);
  const errs = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1] ?? 0);
  // With Connection: close, wrk counts the server's close after each response as a read error; only connect/timeout errors matter.
  const errors = (errs ? Number(errs[1]) + Number(errs[4]) + (close ? 0 : Number(errs[2]) + Number(errs[3])) : 0) + non2xx;
  return { rps, p99Ms: p99 ? wrkDurationMs(p99[1] ?? '', p99[2] ?? '') : NaN, errors, requests };
}

interface Row {
  readonly name: string;
  readonly keepAlive: WrkResult;
  readonly newConn: WrkResult;
  readonly cpu?: string;
}

function cpuTicks(pid: number | undefined): number {
  if (pid === undefined) return 0;
  try {
    // Fields after the command: utime is the 14th, stime the 15th field of /proc/<pid>/stat; children threads are included.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/** wrk keep-alive then Connection: close against `url`; `pid` (the proxy) gets its CPU use reported. */
async function measure(name: string, url: string, pid?: number): Promise<Row> {
  const t0 = treeTicks(pid);
  const w0 = performance.now();
  const keepAlive = await wrk(url, false);
  const t1 = treeTicks(pid);
  const newConn = await wrk(url, true);
  const t2 = treeTicks(pid);
  const wallS = (performance.now() - w0) / 1000;
  const cpu = pid === undefined ? undefined : `${(((t2 - t0) / 100 / wallS) * 100).toFixed(0)}%`;
  // CPU per operation does not depend on how much of the machine the proxy got (2 cores shared with wrk and nginx).
  if (pid !== undefined) {
    keepAlive.cpuUsPerRequest = ((t1 - t0) * 10_000) / keepAlive.requests;
    newConn.cpuUsPerRequest = ((t2 - t1) * 10_000) / newConn.requests;
  }
  const perOp = pid === undefined ? '' : `, proxy CPU ${cpu} (${fmtUs(keepAlive.cpuUsPerRequest)} µs/request, ${fmtUs(newConn.cpuUsPerRequest)} µs/connection)`;
  console.log(`  ${name}: ${keepAlive.rps.toFixed(0)} req/s, p99 ${keepAlive.p99Ms.toFixed(2)} ms, ${newConn.rps.toFixed(0)} new conn/s${perOp}`);
  return { name, keepAlive, newConn, ...(cpu ? { cpu } : {}) };
}

function fmtUs(us: number | undefined): string {
  return us === undefined || !Number.isFinite(us) ? '-' : us.toFixed(1);
}

// ---------------------------------------------------------------------------------------------
// HAProxy

async function runHaproxy(dir: string, threads: number): Promise<Row> {
  const cfg = join(dir, `haproxy-${threads}.cfg`);
  writeFileSync(
    cfg,
    `global
  nbthread ${threads}
  maxconn 5000
defaults
  mode tcp
  timeout connect 5s
  timeout client 120s
  timeout server 120s
frontend bench
  bind 127.0.0.1:${HAPROXY_PORT}
  default_backend pods
backend pods
  balance roundrobin
${POD_IPS.map((ip, i) => `  server pod${i + 1} ${loopback(ip)}:${BACKEND_PORT}`).join('\n')}
`,
  );
  const { proc, output } = start('haproxy', ['-f', cfg, '-db']);
  try {
    await until('haproxy', async () => (await probe('127.0.0.1', HAPROXY_PORT)) === 200, 10_000);
    return await measure(`haproxy tcp, nbthread ${threads}`, `http://127.0.0.1:${HAPROXY_PORT}/`, proc.pid);
  } catch (e) {
    throw new Error(`${(e as Error).message}\n${output()}`);
  } finally {
    await stop(proc);
  }
}

// ---------------------------------------------------------------------------------------------
// Switchyard: server + proxy

interface Switchyard {
  readonly server: ChildProcess;
  proxy: ChildProcess;
  readonly client: KubeClient;
  readonly kubeconfig: string;
  /** Loopback address of a Service's ClusterIP. */
  readonly serviceHost: (name: string) => Promise<string>;
  proxyOutput: () => string;
  /** Stops the running proxy and starts one with `--proxy-workers n`, serving once this resolves. */
  readonly restartProxy: (workers: number) => Promise<void>;
}

function slice(name: string, service: string, ready: boolean[]): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name, namespace: 'default', labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    ports: [{ name: 'http', protocol: 'TCP', port: BACKEND_PORT }],
    endpoints: ready.map((r, i) => ({ addresses: [POD_IPS[i] ?? ''], conditions: { ready: r, serving: r, terminating: false }, nodeName: NODE_NAME })),
  };
}

/** Sum of utime+stime of `pid` and its direct children (the proxy's worker processes). */
function treeTicks(pid: number | undefined): number {
  if (pid === undefined) return 0;
  let t = cpuTicks(pid);
  try {
    for (const c of readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean)) t += cpuTicks(Number(c));
  } catch {
    // No children file: the process alone.
  }
  return t;
}

async function startSwitchyard(dir: string): Promise<Switchyard> {
  const dataDir = join(dir, 'server');
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  // A Node object stands in for a node without an agent: a long monitor grace period keeps its pods Ready.
  const server = start(process.execPath, [CLI, 'server', '--data-dir', dataDir, '--bind-address', '127.0.0.1', '--https-listen-port', '0', '--disable-agent', '--disable-dns'], {
    env: { SWITCHYARD_NODE_MONITOR_GRACE_PERIOD: '1h' },
  });
  await until('the server kubeconfig', async () => existsSync(kubeconfig) || server.proc.exitCode !== null, 30_000, 50);
  if (server.proc.exitCode !== null) throw new Error(`switchyard server exited:\n${server.output()}`);
  const client = new KubeClient(loadKubeconfig(kubeconfig), { component: 'proxy-bench' });
  await until('the API server', async () => client.list(NODES, undefined).then(() => true, () => false), 30_000, 100);

  await client.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bench' }, spec: { ports: [{ name: 'http', port: SERVICE_PORT, targetPort: BACKEND_PORT }] } });
  await client.create(ENDPOINT_SLICES, 'default', slice('bench-manual', 'bench', [true, true, true]));

  const proxyArgs = (workers: number): string[] => [
    CLI,
    'proxy',
    '--kubeconfig',
    kubeconfig,
    '--loopback-mapping',
    '--loopback-endpoints',
    '--hostname-override',
    NODE_NAME,
    '--nodeport-addresses',
    '127.0.0.1/32',
    '--healthz-bind-address',
    '127.0.0.1:0',
    '--metrics-bind-address',
    '127.0.0.1:0',
    '--log-level',
    'warn',
    '--proxy-workers',
    String(workers),
  ];
  const nodeFlags = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', resolve(CPU_PROF)] : [];
  const serviceHost = async (name: string): Promise<string> => {
    const svc = await client.get(SERVICES, 'default', name);
    return loopback(String((svc['spec'] as { clusterIP?: string }).clusterIP));
  };
  const host = await serviceHost('bench');
  const launch = async (workers: number): Promise<{ proc: ChildProcess; output: () => string }> => {
    const proxy = start(process.execPath, [...nodeFlags, ...proxyArgs(workers)]);
    try {
      await until('the bench Service through the proxy', async () => (await probe(host, SERVICE_PORT)) === 200, 30_000, 50);
    } catch (e) {
      throw new Error(`${(e as Error).message}\n${proxy.output()}`);
    }
    return proxy;
  };
  const first = await launch(WORKER_COUNTS[0] ?? 1);
  const sy: Switchyard = {
    server: server.proc,
    proxy: first.proc,
    client,
    kubeconfig,
    serviceHost,
    proxyOutput: first.output,
    restartProxy: async (workers) => {
      await stop(sy.proxy);
      // The old listener is gone once the process exited; wait until nothing answers before the next one starts.
      await until('the old proxy to stop serving', async () => (await probe(host, SERVICE_PORT, 300)) !== 200, 10_000, 50);
      const next = await launch(workers);
      sy.proxy = next.proc;
      sy.proxyOutput = next.output;
    },
  };
  return sy;
}

// ---------------------------------------------------------------------------------------------
// Network programming latency

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? (s[m] ?? NaN) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
}
function pct(xs: readonly number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : (s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] ?? NaN);
}

interface Trials {
  /** Write issued → first HTTP 200 through the ClusterIP. */
  readonly total: number[];
  /** Write issued → the API server's answer (storage commit included). */
  readonly write: number[];
}

/** Polls HTTP through host:port until it answers 200 (ok=true) or stops answering (ok=false); ms from `since`. */
async function waitFor(host: string, port: number, ok: boolean, since: number, timeoutMs = 15_000): Promise<number> {
  for (;;) {
    const code = await probe(host, port, 500);
    if ((code === 200) === ok) return performance.now() - since;
    if (performance.now() - since > timeoutMs) throw new Error(`no ${ok ? 'answer' : 'refusal'} through ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setImmediate(r));
  }
}

/** One endpoint toggled through the EndpointSlice: write ready → first 200 through the ClusterIP. */
async function latencyViaSlice(sy: Switchyard): Promise<Trials> {
  const { client } = sy;
  await client.create(SERVICES, 'default', { apiVersion: 'v1', kind: 'Service', metadata: { name: 'lat-slice' }, spec: { ports: [{ name: 'http', port: SERVICE_PORT, targetPort: BACKEND_PORT }] } });
  await client.create(ENDPOINT_SLICES, 'default', slice('lat-slice-manual', 'lat-slice', [false]));
  const host = await sy.serviceHost('lat-slice');
  const write = async (ready: boolean): Promise<void> => {
    const cur = await client.get(ENDPOINT_SLICES, 'default', 'lat-slice-manual');
    const next = slice('lat-slice-manual', 'lat-slice', [ready]);
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    await client.update(ENDPOINT_SLICES, 'default', next);
  };
  const out: Trials = { total: [], write: [] };
  for (let i = 0; i < TRIALS; i++) {
    await waitFor(host, SERVICE_PORT, false, performance.now());
    await sleep(1200); // past --min-sync-period, so the next change is synced at once
    const t0 = performance.now();
    const reached = waitFor(host, SERVICE_PORT, true, t0);
    await write(true);
    out.write.push(performance.now() - t0);
    out.total.push(await reached);
    await write(false);
  }
  return out;
}

/** One Pod's Ready condition toggled (status write) → EndpointSlice controller → proxy → first 200. */
async function latencyViaPod(sy: Switchyard): Promise<Trials> {
  const { client } = sy;
  await client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name: NODE_NAME, labels: { 'kubernetes.io/hostname': NODE_NAME } } });
  const nowIso = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  // A patch, not get + update: the node IPAM controller writes the new Node at the same moment.
  const status = {
    conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'bench', lastHeartbeatTime: nowIso(), lastTransitionTime: nowIso() }],
    addresses: [{ type: 'InternalIP', address: '127.0.0.1' }],
  };
  await client.patch(NODES, undefined, NODE_NAME, { status }, 'merge', { subresource: 'status' });
  await client.create(SERVICES, 'default', {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'lat-pod' },
    spec: { selector: { app: 'lat-pod' }, ports: [{ name: 'http', port: SERVICE_PORT, targetPort: BACKEND_PORT }] },
  });
  await client.create(PODS, 'default', {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'lat-pod', labels: { app: 'lat-pod' } },
    spec: { nodeName: NODE_NAME, containers: [{ name: 'web', image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', args: ['netexec', `--http-port=${BACKEND_PORT}`], ports: [{ containerPort: BACKEND_PORT, name: 'http' }] }] },
  });
  const host = await sy.serviceHost('lat-pod');
  const write = async (ready: boolean): Promise<void> => {
    const pod = await client.get(PODS, 'default', 'lat-pod');
    const t = nowIso();
    pod['status'] = {
      ...(pod['status'] as Record<string, unknown> | undefined),
      phase: 'Running',
      podIP: POD_IPS[0],
      podIPs: [{ ip: POD_IPS[0] }],
      hostIP: '127.0.0.1',
      startTime: t,
      conditions: [
        { type: 'PodScheduled', status: 'True', lastTransitionTime: t },
        { type: 'Initialized', status: 'True', lastTransitionTime: t },
        { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: t },
        { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: t },
      ],
      containerStatuses: [{ name: 'web', ready, restartCount: 0, image: 'registry.k8s.io/e2e-test-images/agnhost:2.45', imageID: '', started: true, state: { running: { startedAt: t } } }],
    };
    await client.updateStatus(PODS, 'default', pod);
  };
  await write(false);
  const out: Trials = { total: [], write: [] };
  for (let i = 0; i < TRIALS; i++) {
    await waitFor(host, SERVICE_PORT, false, performance.now());
    await sleep(1200);
    const t0 = performance.now();
    const reached = waitFor(host, SERVICE_PORT, true, t0);
    await write(true);
    out.write.push(performance.now() - t0);
    out.total.push(await reached);
    await write(false);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------

function fmtRatio(a: number, b: number | undefined): string {
  return b === undefined || !Number.isFinite(b) || b === 0 ? '-' : `${(a / b).toFixed(2)}x`;
}

function printTable(rows: readonly Row[]): void {
  const direct = rows.find((r) => r.name.startsWith('direct'));
  const h1 = rows.find((r) => r.name.endsWith('nbthread 1'));
  const h2 = rows.find((r) => r.name.endsWith('nbthread 2'));
  const header = ['path', 'req/s', 'p99 ms', 'new conn/s', 'proxy CPU', 'CPU µs/req', 'CPU µs/conn', 'req/s vs haproxy-1t', 'vs haproxy-2t', 'vs direct', 'conn/s vs haproxy-1t', 'vs haproxy-2t', 'vs direct', 'errors'];
  const body = rows.map((r) => [
    r.name,
    r.keepAlive.rps.toFixed(0),
    r.keepAlive.p99Ms.toFixed(2),
    r.newConn.rps.toFixed(0),
    r.cpu ?? '-',
    fmtUs(r.keepAlive.cpuUsPerRequest),
    fmtUs(r.newConn.cpuUsPerRequest),
    fmtRatio(r.keepAlive.rps, h1?.keepAlive.rps),
    fmtRatio(r.keepAlive.rps, h2?.keepAlive.rps),
    fmtRatio(r.keepAlive.rps, direct?.keepAlive.rps),
    fmtRatio(r.newConn.rps, h1?.newConn.rps),
    fmtRatio(r.newConn.rps, h2?.newConn.rps),
    fmtRatio(r.newConn.rps, direct?.newConn.rps),
    String(r.keepAlive.errors + r.newConn.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ');
  console.log(line(header));
  for (const b of body) console.log(line(b));
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  if (!ensureTool('wrk', ['--version'], ['wrk'])) {
    console.log('wrk is not installed (and cannot be installed without root): nothing to measure');
    return;
  }
  const haveHaproxy = ensureTool('haproxy', ['-v'], ['haproxy']);
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-proxy-bench-'));
  let backends: Backends | undefined;
  let sy: Switchyard | undefined;
  const onSignal = (): void => {
    stopAllSync();
    rmSync(dir, { recursive: true, force: true });
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    backends = await startBackends(dir);
    const cores = spawnSync('nproc', [], { encoding: 'utf8' }).stdout.trim();
    console.log(`proxy bench: wrk -t${THREADS} -c${CONNECTIONS} -d${SECONDS}s, backends ${backends.kind} on ${POD_IPS.map(loopback).join(', ')}:${BACKEND_PORT}, ${cores} cores, node ${process.version}`);
    const rows: Row[] = [];
    rows.push(await measure('direct (one backend)', `http://${loopback(POD_IPS[0] ?? '')}:${BACKEND_PORT}/`));
    if (haveHaproxy) {
      rows.push(await runHaproxy(dir, 1));
      rows.push(await runHaproxy(dir, 2));
    } else console.log('  haproxy is not installed: skipped');
    sy = await startSwitchyard(dir);
    const host = await sy.serviceHost('bench');
    for (const [i, workers] of WORKER_COUNTS.entries()) {
      if (i > 0) await sy.restartProxy(workers);
      const label = workers === 1 ? 'switchyard userspace (1 process)' : `switchyard userspace (${workers} workers)`;
      rows.push(await measure(label, `http://${host}:${SERVICE_PORT}/`, sy.proxy.pid));
    }
    console.log('');
    printTable(rows);

    if (TRIALS <= 0) return;
    console.log('');
    console.log(`network programming latency (${TRIALS} trials; endpoint made ready → first HTTP 200 through the ClusterIP; proxy --min-sync-period 1s, trials spaced past it):`);
    const lat = (name: string, t: Trials): string => {
      const xs = t.total;
      return `  ${name.padEnd(42)} median ${median(xs).toFixed(1)} ms, p90 ${pct(xs, 90).toFixed(1)} ms, min ${Math.min(...xs).toFixed(1)} ms, max ${Math.max(...xs).toFixed(1)} ms (API write answered: median ${median(t.write).toFixed(1)} ms)`;
    };
    console.log(lat('EndpointSlice write → proxy', await latencyViaSlice(sy)));
    console.log(lat('Pod Ready (status write) → slice → proxy', await latencyViaPod(sy)));
  } finally {
    sy?.client.close();
    // SIGTERM lets the proxy write its --cpu-prof profile.
    if (sy) await stop(sy.proxy);
    if (sy) await stop(sy.server);
    await backends?.stop();
    for (const p of [...children]) await stop(p);
    if (CPU_PROF) console.log(`cpu profile in ${resolve(CPU_PROF)}`);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    stopAllSync();
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
