/**
 * API server benchmark (`npm run bench:api`): starts a real `switchyard server`
 * (the compiled CLI, every controller running, no agent) on a fresh data dir
 * and drives it over HTTPS with Switchyard's own KubeClient.
 *
 * Measures, against the targets:
 *   - creates/s of 10,000 Services from 32 concurrent clients (>= 1,000/s);
 *   - LIST of all 10,000 Services, p50/p99 over 30 runs, request to last byte
 *     (p99 < 300 ms); the time including this process' JSON.parse is shown too;
 *   - delay from a write to its watch event at each of 100 watchers, p99 (< 50 ms);
 *   - the server's peak RSS, VmHWM of /proc/<pid>/status (< 300 MB).
 *
 * Environment knobs: BENCH_SERVICES (10000), BENCH_CLIENTS (32), BENCH_LISTS (30),
 * BENCH_WATCHERS (100), BENCH_UPDATES (300), BENCH_UPDATE_GAP_MS (20),
 * BENCH_CONTROLLERS (server --controllers, default '*'), BENCH_CPU_PROF=<dir>
 * (run the server under `node --cpu-prof`, profile written on exit),
 * BENCH_KEEP=1 (keep the data dir).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { KubeObject } from '../src/api/object.js';
import { KubeClient, type ResourceRef } from '../src/client/kube-client.js';
import { type ClientConfig, loadKubeconfig } from '../src/client/kubeconfig.js';

const env = (name: string, dflt: number): number => {
  const v = process.env[name];
  const n = v === undefined || v === '' ? dflt : Number(v);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, got ${v ?? ''}`);
  return n;
};

const SERVICES = env('BENCH_SERVICES', 10_000);
const CLIENTS = env('BENCH_CLIENTS', 32);
const LISTS = env('BENCH_LISTS', 30);
const WATCHERS = env('BENCH_WATCHERS', 100);
const UPDATES = env('BENCH_UPDATES', 300);
const UPDATE_GAP_MS = env('BENCH_UPDATE_GAP_MS', 20);
const CONTROLLERS = process.env.BENCH_CONTROLLERS ?? '*';
const CPU_PROF = process.env.BENCH_CPU_PROF;

const SERVICES_REF: ResourceRef = { group: '', version: 'v1', plural: 'services', namespaced: true };
const NAMESPACE = 'default';
const STAMP = 'bench.switchyard.io/written-at';

// dist/bench/api-bench.js → repo root is two levels up.
const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

const now = (): number => performance.timeOrigin + performance.now();

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] as number;
}

function sortNum(a: number[]): number[] {
  return a.sort((x, y) => x - y);
}

interface Server {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly kubeconfig: string;
  readonly dataDir: string;
  logs(): string;
}

async function startServer(): Promise<Server> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const nodeArgs = CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', resolve(CPU_PROF)] : [];
  const args = [
    ...nodeArgs,
    CLI,
    'server',
    '--data-dir',
    dataDir,
    '--bind-address',
    '127.0.0.1',
    '--https-listen-port',
    '0',
    '--disable-agent',
    `--controllers=${CONTROLLERS}`,
    '--log-level',
    'warn',
  ];
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  proc.stdout?.on('data', (d: Buffer) => (logs = (logs + d.toString()).slice(-20_000)));
  proc.stderr?.on('data', (d: Buffer) => (logs = (logs + d.toString()).slice(-20_000)));
  const deadline = Date.now() + 30_000;
  while (!existsSync(kubeconfig)) {
    if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${logs}`);
    if (Date.now() > deadline) throw new Error(`server did not start in time:\n${logs}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  if (proc.pid === undefined) throw new Error('server has no pid');
  return { proc, pid: proc.pid, kubeconfig, dataDir, logs: () => logs };
}

async function stopServer(s: Server): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => s.proc.once('exit', () => r()));
  s.proc.kill('SIGTERM');
  const timer = setTimeout(() => s.proc.kill('SIGKILL'), 20_000);
  await exited;
  clearTimeout(timer);
}

function statusField(pid: number, field: string): number {
  const text = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) * 1024 : NaN;
}

/** CPU seconds (user + system) the process has used, from /proc/<pid>/stat. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After the command: state is field 3, utime 14 and stime 15 (1-based over the whole line).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** Runs a phase and prints the server's and this process' CPU time over it. */
async function phase<T>(name: string, pid: number, fn: () => Promise<T>): Promise<T> {
  const s0 = cpuSeconds(pid);
  const c0 = process.cpuUsage();
  const t0 = now();
  const r = await fn();
  const wall = (now() - t0) / 1000;
  const c = process.cpuUsage(c0);
  const mb = (n: number): string => `${(n / 1048576).toFixed(0)} MB`;
  console.log(
    `${name}: ${wall.toFixed(2)} s wall, server CPU ${(cpuSeconds(pid) - s0).toFixed(2)} s, bench client CPU ${((c.user + c.system) / 1e6).toFixed(2)} s, server RSS ${mb(statusField(pid, 'VmRSS'))} (peak ${mb(statusField(pid, 'VmHWM'))})`,
  );
  return r;
}

function serviceManifest(name: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: { app: 'bench', shard: String(name.length % 7) } },
    // No selector: the endpoint controllers leave it alone, so the load is the API server's.
    spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] },
  };
}

async function benchCreates(clients: KubeClient[]): Promise<{ seconds: number; perSecond: number }> {
  let next = 0;
  const started = now();
  await Promise.all(
    clients.map(async (c) => {
      for (let i = next++; i < SERVICES; i = next++) {
        await c.create(SERVICES_REF, NAMESPACE, serviceManifest(`bench-${String(i).padStart(5, '0')}`), { fieldManager: 'bench' });
      }
    }),
  );
  const seconds = (now() - started) / 1000;
  return { seconds, perSecond: SERVICES / seconds };
}

interface ListTimes {
  /** Request sent to last byte received (the server's and the network's share). */
  readonly ttlb: { p50: number; p99: number };
  /** The same plus decoding the JSON in this process (what a JS client sees). */
  readonly decoded: { p50: number; p99: number };
  readonly items: number;
  readonly bytes: number;
}

/** GET without decoding: resolves with the body size once the last byte is in. */
function fetchBytes(config: ClientConfig, agent: https.Agent, path: string, accept: string): Promise<Buffer> {
  return new Promise((resolvePromise, reject) => {
    const req = https.request(new URL(path, config.server), { agent, headers: { Accept: accept } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolvePromise(Buffer.concat(chunks)) : reject(new Error(`GET ${path}: ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function benchLists(config: ClientConfig, client: KubeClient, accept = 'application/json'): Promise<ListTimes> {
  const agent = new https.Agent({ keepAlive: true, ca: config.caPem, cert: config.clientCertPem, key: config.clientKeyPem });
  const path = client.resourcePath(SERVICES_REF, NAMESPACE);
  const ttlb: number[] = [];
  const decoded: number[] = [];
  let items = 0;
  let bytes = 0;
  try {
    for (let i = 0; i < LISTS; i++) {
      // Collect the previous answer's garbage outside the timed window (npm run bench:api
      // runs with --expose-gc), so this process' GC does not count as server latency.
      (globalThis as { gc?: () => void }).gc?.();
      const t0 = now();
      const body = await fetchBytes(config, agent, path, accept);
      ttlb.push(now() - t0);
      bytes = body.length;
      const parsed = JSON.parse(body.toString('utf8')) as { items?: unknown[]; rows?: unknown[] };
      decoded.push(now() - t0);
      items = (parsed.items ?? parsed.rows ?? []).length;
    }
  } finally {
    agent.destroy();
  }
  sortNum(ttlb);
  sortNum(decoded);
  return {
    ttlb: { p50: percentile(ttlb, 50), p99: percentile(ttlb, 99) },
    decoded: { p50: percentile(decoded, 50), p99: percentile(decoded, 99) },
    items,
    bytes,
  };
}

async function benchWatch(clients: KubeClient[]): Promise<{ p50: number; p99: number; max: number; delivered: number; expected: number; ackP99: number }> {
  const writer = clients[0] as KubeClient;
  const stop = new AbortController();
  setMaxListeners(0, stop.signal);
  const rv = (await writer.list(SERVICES_REF, NAMESPACE, { limit: 1 })).metadata.resourceVersion ?? '';
  const delays: number[] = [];
  const ackDelays: number[] = [];
  const acked = new Map<string, number>();
  let delivered = 0;
  let opened = 0;
  const watches: Promise<void>[] = [];
  for (let w = 0; w < WATCHERS; w++) {
    const c = clients[w % clients.length] as KubeClient;
    watches.push(
      c
        .watch(
          SERVICES_REF,
          NAMESPACE,
          { resourceVersion: rv },
          (ev) => {
            if (ev.type !== 'MODIFIED') return;
            const arrived = now();
            const obj = ev.object as KubeObject;
            const stamp = Number(obj.metadata.annotations?.[STAMP]);
            if (!Number.isFinite(stamp)) return;
            delivered++;
            delays.push(arrived - stamp);
            const ack = acked.get(obj.metadata.resourceVersion ?? '');
            if (ack !== undefined) ackDelays.push(Math.max(0, arrived - ack));
          },
          stop.signal,
        )
        .catch((e: unknown) => {
          if (!stop.signal.aborted) console.error(`watcher ${w} failed: ${(e as Error).message}`);
        }),
    );
    opened++;
  }
  // Let every stream get its headers before writing.
  await new Promise((r) => setTimeout(r, 1000));
  const targets = Math.min(SERVICES, 50);
  for (let i = 0; i < UPDATES; i++) {
    const name = `bench-${String(i % targets).padStart(5, '0')}`;
    const stamp = now();
    const r = await writer.patch(SERVICES_REF, NAMESPACE, name, { metadata: { annotations: { [STAMP]: String(stamp) } } }, 'merge', { fieldManager: 'bench' });
    acked.set(r.metadata.resourceVersion ?? '', now());
    await new Promise((res) => setTimeout(res, UPDATE_GAP_MS));
  }
  // Give stragglers a moment.
  const expected = UPDATES * opened;
  const deadline = Date.now() + 5000;
  while (delivered < expected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  stop.abort();
  await Promise.all(watches);
  sortNum(delays);
  sortNum(ackDelays);
  return {
    p50: percentile(delays, 50),
    p99: percentile(delays, 99),
    max: delays[delays.length - 1] ?? NaN,
    delivered,
    expected,
    ackP99: percentile(ackDelays, 99),
  };
}

function fmtMs(n: number): string {
  return `${n.toFixed(1)} ms`;
}

async function main(): Promise<void> {
  console.log(
    `api-bench: ${SERVICES} services, ${CLIENTS} clients, ${LISTS} lists, ${WATCHERS} watchers x ${UPDATES} updates every ${UPDATE_GAP_MS} ms, controllers=${CONTROLLERS}`,
  );
  const server = await startServer();
  console.log(`server pid ${server.pid}, data dir ${server.dataDir}`);
  const config = loadKubeconfig(server.kubeconfig);
  const clients = Array.from({ length: CLIENTS }, () => new KubeClient(config, { component: 'api-bench', maxSockets: 1, defaultTimeoutMs: 120_000 }));
  const rows: { metric: string; value: string; target: string; pass: boolean }[] = [];
  try {
    const cr = await phase('creates', server.pid, () => benchCreates(clients));
    console.log(`creates: ${SERVICES} in ${cr.seconds.toFixed(2)} s`);
    rows.push({ metric: `create Service (${CLIENTS} clients)`, value: `${Math.round(cr.perSecond)}/s`, target: '>= 1000/s', pass: cr.perSecond >= 1000 });

    // Controllers may still be catching up on the create burst; let them settle.
    await new Promise((r) => setTimeout(r, 2000));
    const ls = await phase('lists', server.pid, () => benchLists(config, clients[0] as KubeClient));
    if (ls.items < SERVICES) throw new Error(`LIST returned ${ls.items} items, expected >= ${SERVICES}`);
    console.log(`list: ${ls.items} items, ${(ls.bytes / 1e6).toFixed(1)} MB JSON`);
    rows.push({ metric: `LIST ${ls.items} services p50`, value: fmtMs(ls.ttlb.p50), target: '(info)', pass: true });
    rows.push({ metric: `LIST ${ls.items} services p99`, value: fmtMs(ls.ttlb.p99), target: '< 300 ms', pass: ls.ttlb.p99 < 300 });
    rows.push({ metric: `LIST p99 incl. client JSON.parse`, value: fmtMs(ls.decoded.p99), target: '(info)', pass: true });
    const lt = await phase('table lists', server.pid, () => benchLists(config, clients[0] as KubeClient, 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'));
    rows.push({ metric: `LIST as one Table (10k rows) p99`, value: fmtMs(lt.ttlb.p99), target: '(info)', pass: true });

    const wr = await phase('watch', server.pid, () => benchWatch(clients));
    rows.push({ metric: `watch delivery p50 (${WATCHERS} watchers)`, value: fmtMs(wr.p50), target: '(info)', pass: true });
    rows.push({ metric: `watch delivery p99 (${WATCHERS} watchers)`, value: fmtMs(wr.p99), target: '< 50 ms', pass: wr.p99 < 50 && wr.delivered === wr.expected });
    rows.push({ metric: 'watch delivery max', value: fmtMs(wr.max), target: '(info)', pass: true });
    rows.push({ metric: 'watch delivery p99 after write ack', value: fmtMs(wr.ackP99), target: '(info)', pass: true });
    rows.push({ metric: 'watch events delivered', value: `${wr.delivered}/${wr.expected}`, target: 'all', pass: wr.delivered === wr.expected });

    const hwm = statusField(server.pid, 'VmHWM');
    const rss = statusField(server.pid, 'VmRSS');
    rows.push({ metric: 'server peak RSS (VmHWM)', value: `${(hwm / 1048576).toFixed(0)} MB`, target: '< 300 MB', pass: hwm < 300 * 1048576 });
    rows.push({ metric: 'server RSS at end', value: `${(rss / 1048576).toFixed(0)} MB`, target: '(info)', pass: true });
  } catch (e) {
    console.error(`benchmark failed: ${(e as Error).stack ?? String(e)}\nserver log tail:\n${server.logs().slice(-4000)}`);
    process.exitCode = 1;
  } finally {
    for (const c of clients) c.close();
    await stopServer(server);
    if (process.env.BENCH_KEEP !== '1') rmSync(server.dataDir, { recursive: true, force: true });
  }
  const w0 = Math.max(6, ...rows.map((r) => r.metric.length));
  const w1 = Math.max(5, ...rows.map((r) => r.value.length));
  const w2 = Math.max(6, ...rows.map((r) => r.target.length));
  const line = (a: string, b: string, c: string, d: string): string => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c.padEnd(w2)}  ${d}`;
  console.log('');
  console.log(line('metric', 'value', 'target', 'result'));
  for (const r of rows) console.log(line(r.metric, r.value, r.target, r.target === '(info)' ? '' : r.pass ? 'PASS' : 'MISS'));
  if (CPU_PROF) console.log(`\nserver CPU profile written to ${resolve(CPU_PROF)}`);
}

await main();
