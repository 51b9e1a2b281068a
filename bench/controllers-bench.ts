/**
 * Controller benchmark (`npm run bench:controllers`): starts a real `switchyard server` (the
 * compiled CLI, EndpointSlice controller on, no scheduler, no agent) and acts as the nodes:
 * it binds pods to Node objects directly and reports them Running/Ready with a podIP through
 * the status subresource, many requests at a time.
 *
 * Scenarios:
 *   A. one Service over BENCH_PODS pods (5,000);
 *   B. BENCH_SERVICES Services (1,000) × BENCH_PODS_PER_SERVICE pods (10).
 * For each: the time from the last pod becoming Ready to every slice being correct (each pod
 * present once and ready), the number of EndpointSlice writes seen on a watch until things
 * settle, and the writes caused by one pod flipping to not ready (upstream: exactly one).
 *
 * Environment knobs: BENCH_PODS, BENCH_SERVICES, BENCH_PODS_PER_SERVICE, BENCH_CONCURRENCY (64),
 * BENCH_CONTROLLERS (server --controllers, default `endpointslice`), BENCH_KEEP=1 (keep the data dir).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { KubeClient, type WatchEvent } from '../src/client/kube-client.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';
import { ENDPOINTSLICES, NODES, PODS, SERVICES } from '../src/controllers/resources.js';
import type { EndpointSlice, Pod } from '../src/controllers/endpointslice/slice-types.js';

const env = (name: string, dflt: number): number => {
  const v = process.env[name];
  const n = v === undefined || v === '' ? dflt : Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got ${v ?? ''}`);
  return n;
};

const PODS_A = env('BENCH_PODS', 5000);
const SERVICES_B = env('BENCH_SERVICES', 1000);
const PODS_PER_SERVICE = env('BENCH_PODS_PER_SERVICE', 10);
const CONCURRENCY = env('BENCH_CONCURRENCY', 64);
const CONTROLLERS = process.env.BENCH_CONTROLLERS ?? 'endpointslice';
const NODE_COUNT = 12;
const ZONES = ['zone-a', 'zone-b', 'zone-c'];
/** Quiet time after which slice writes count as settled. */
const SETTLE_MS = 2500;

// dist/bench/controllers-bench.js → repo root is two levels up.
const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');

interface Server {
  readonly proc: ChildProcess;
  readonly pid: number;
  readonly kubeconfig: string;
  readonly dataDir: string;
  logs(): string;
}

async function startServer(): Promise<Server> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  const dataDir = mkdtempSync(join(tmpdir(), 'switchyard-ctrl-bench-'));
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const proc = spawn(
    process.execPath,
    [CLI, 'server', '--data-dir', dataDir, '--bind-address', '127.0.0.1', '--https-listen-port', '0', '--disable-agent', `--controllers=${CONTROLLERS}`, '--log-level', 'warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
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

/** Stops the server we started, by its PID (SIGTERM, then SIGKILL after 20 s). */
async function stopServer(s: Server): Promise<void> {
  if (s.proc.exitCode !== null || s.proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => s.proc.once('exit', () => r()));
  process.kill(s.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (s.proc.exitCode === null) process.kill(s.pid, 'SIGKILL');
  }, 20_000);
  await exited;
  clearTimeout(timer);
}

async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++] as T);
    }),
  );
}

const stamp = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

/**
 * Follows every EndpointSlice through a watch: keeps the current set, counts writes, and
 * resolves waits on a predicate over the set as soon as an event makes it true.
 */
class SliceWatch {
  readonly slices = new Map<string, EndpointSlice>();
  writes = 0;
  lastEventAt = 0;
  private readonly stop = new AbortController();
  private waiters: { ok: () => boolean; resolve: () => void }[] = [];
  private done: Promise<void> | undefined;

  constructor(private readonly client: KubeClient) {}

  async start(): Promise<void> {
    const list = await this.client.list<EndpointSlice>(ENDPOINTSLICES, '', {});
    for (const s of list.items) this.slices.set(`${s.metadata.namespace}/${s.metadata.name}`, s);
    this.done = this.client.watch(ENDPOINTSLICES, '', { resourceVersion: list.metadata.resourceVersion }, (ev) => this.onEvent(ev), this.stop.signal);
  }

  private onEvent(ev: WatchEvent): void {
    if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') return;
    const s = ev.object as EndpointSlice;
    const key = `${s.metadata.namespace}/${s.metadata.name}`;
    if (ev.type === 'DELETED') this.slices.delete(key);
    else this.slices.set(key, s);
    this.writes++;
    this.lastEventAt = performance.now();
    this.waiters = this.waiters.filter((w) => {
      if (!w.ok()) return true;
      w.resolve();
      return false;
    });
  }

  /** Resolves when `ok()` holds (checked now and after every event); rejects after `timeoutMs`. */
  until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
    if (ok()) return Promise.resolve();
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), timeoutMs);
      this.waiters.push({ ok, resolve: () => (clearTimeout(timer), resolvePromise()) });
    });
  }

  /** Waits until no slice event arrived for SETTLE_MS. */
  async settle(): Promise<void> {
    for (;;) {
      const quiet = performance.now() - this.lastEventAt;
      if (quiet >= SETTLE_MS) return;
      await new Promise((r) => setTimeout(r, SETTLE_MS - quiet + 10));
    }
  }

  /** Slices of one service. */
  of(service: string): EndpointSlice[] {
    return [...this.slices.values()].filter((s) => s.metadata.labels?.['kubernetes.io/service-name'] === service);
  }

  async close(): Promise<void> {
    this.stop.abort();
    await this.done?.catch(() => undefined);
  }
}

/** Every expected pod appears exactly once, ready, in the service's slices. */
function correct(slices: readonly EndpointSlice[], expectedPods: number): boolean {
  let total = 0;
  const seen = new Set<string>();
  for (const s of slices) {
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready !== true) return false;
      total++;
      seen.add(e.targetRef?.name ?? '');
    }
  }
  return total === expectedPods && seen.size === expectedPods;
}

interface Result {
  readonly scenario: string;
  readonly pods: number;
  readonly services: number;
  readonly readyPhaseMs: number;
  readonly convergeMs: number;
  readonly slices: number;
  readonly writes: number;
  readonly flipWrites: number;
}

class Bench {
  private ipSeq = 0;
  constructor(
    private readonly client: KubeClient,
    private readonly watch: SliceWatch,
  ) {}

  private nextIP(): string {
    const n = ++this.ipSeq;
    return `10.${64 + Math.floor(n / 62500)}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
  }

  async createNodes(): Promise<void> {
    await pool(Array.from({ length: NODE_COUNT }, (_, i) => i), 8, async (i) => {
      const name = `bench-node-${i}`;
      await this.client.create(NODES, undefined, { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'topology.kubernetes.io/zone': ZONES[i % ZONES.length] ?? '' } } });
      const n = await this.client.get(NODES, undefined, name);
      n['status'] = {
        allocatable: { cpu: '8', memory: '32Gi', pods: '2000' },
        capacity: { cpu: '8', memory: '32Gi', pods: '2000' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: stamp(), lastTransitionTime: stamp() }],
      };
      await this.client.updateStatus(NODES, undefined, n);
    });
  }

  async createService(name: string, app: string): Promise<void> {
    await this.client.create(SERVICES, 'default', {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name },
      spec: { selector: { app }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
  }

  /** Last known state of each pod we wrote, so status reports need no GET first. */
  private readonly pods = new Map<string, Pod>();

  async createPod(name: string, app: string, i: number): Promise<void> {
    const created: Pod = await this.client.create(PODS, 'default', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app } },
      spec: { nodeName: `bench-node-${i % NODE_COUNT}`, containers: [{ name: 'app', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] }] },
    });
    this.pods.set(name, created);
  }

  /** The kubelet's report: Running with an IP, Ready or not (retries on conflicts). */
  async setStatus(name: string, ready: boolean): Promise<void> {
    for (;;) {
      const p = structuredClone(this.pods.get(name) ?? (await this.client.get<Pod>(PODS, 'default', name)));
      const ip = p.status?.podIP ?? this.nextIP();
      const now = stamp();
      p.status = {
        ...p.status,
        phase: 'Running',
        podIP: ip,
        podIPs: [{ ip }],
        conditions: [
          { type: 'Initialized', status: 'True', lastTransitionTime: now },
          { type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: now },
          { type: 'ContainersReady', status: ready ? 'True' : 'False', lastTransitionTime: now },
          { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
        ],
      };
      try {
        this.pods.set(name, await this.client.updateStatus(PODS, 'default', p));
        return;
      } catch (e) {
        if ((e as { code?: number }).code !== 409) throw e;
        this.pods.delete(name);
      }
    }
  }

  /**
   * Creates the services and pods, makes every pod ready, then measures convergence, writes,
   * and one readiness flip.
   */
  async scenario(label: string, services: string[], podsPerService: number): Promise<Result> {
    await pool(services, CONCURRENCY, (s) => this.createService(s, s));
    const pods = services.flatMap((s) => Array.from({ length: podsPerService }, (_, i) => ({ name: `${s}-${i}`, app: s, i })));
    const t0 = performance.now();
    await pool(pods, CONCURRENCY, (p) => this.createPod(p.name, p.app, p.i));
    const t1 = performance.now();
    process.stdout.write(`  ${label}: ${pods.length} pods created in ${((t1 - t0) / 1000).toFixed(1)} s\n`);
    await this.watch.settle();
    const writesBefore = this.watch.writes;
    const tReady0 = performance.now();
    await pool(pods, CONCURRENCY, (p) => this.setStatus(p.name, true));
    const lastReady = performance.now();
    process.stdout.write(`  ${label}: ${pods.length} pods made ready in ${((lastReady - tReady0) / 1000).toFixed(1)} s\n`);
    const allCorrect = (): boolean => services.every((s) => correct(this.watch.of(s), podsPerService));
    await this.watch.until(`${label}: all slices correct`, allCorrect, 180_000);
    const converged = performance.now();
    await this.watch.settle();
    const writes = this.watch.writes - writesBefore;
    const slices = services.reduce((n, s) => n + this.watch.of(s).length, 0);

    // One pod flips to not ready.
    const victim = pods[Math.floor(pods.length / 2)];
    if (!victim) throw new Error('no pods');
    const flipBefore = this.watch.writes;
    await this.setStatus(victim.name, false);
    await this.watch.until(
      `${label}: ${victim.name} not ready`,
      () => this.watch.of(victim.app).some((s) => s.endpoints.some((e) => e.targetRef?.name === victim.name && e.conditions.ready === false)),
      30_000,
    );
    await this.watch.settle();
    const flipWrites = this.watch.writes - flipBefore;
    return {
      scenario: label,
      pods: pods.length,
      services: services.length,
      readyPhaseMs: lastReady - tReady0,
      convergeMs: converged - lastReady,
      slices,
      writes,
      flipWrites,
    };
  }
}

function printTable(results: readonly Result[]): void {
  const header = ['scenario', 'pods', 'services', 'ready phase', 'last ready → slices correct', 'slices', 'slice writes', 'writes for 1 flip'];
  const rows = results.map((r) => [
    r.scenario,
    String(r.pods),
    String(r.services),
    `${(r.readyPhaseMs / 1000).toFixed(1)} s`,
    `${Math.round(r.convergeMs)} ms`,
    String(r.slices),
    String(r.writes),
    `${r.flipWrites} (upstream: 1)`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(`\n${line(header)}\n${line(widths.map((w) => '-'.repeat(w)))}\n`);
  for (const r of rows) process.stdout.write(`${line(r)}\n`);
}

async function main(): Promise<void> {
  process.stdout.write(`starting server (--controllers=${CONTROLLERS})\n`);
  const server = await startServer();
  const client = new KubeClient(loadKubeconfig(server.kubeconfig), { component: 'controllers-bench', maxSockets: CONCURRENCY });
  const watch = new SliceWatch(client);
  const results: Result[] = [];
  try {
    await watch.start();
    const bench = new Bench(client, watch);
    await bench.createNodes();
    results.push(await bench.scenario(`1 Service × ${PODS_A} pods`, ['bench-a'], PODS_A));
    const many = Array.from({ length: SERVICES_B }, (_, i) => `bench-b${i}`);
    results.push(await bench.scenario(`${SERVICES_B} Services × ${PODS_PER_SERVICE} pods`, many, PODS_PER_SERVICE));
    printTable(results);
  } catch (e) {
    process.stderr.write(`bench failed: ${e instanceof Error ? e.message : String(e)}\nserver log tail:\n${server.logs().slice(-4000)}\n`);
    process.exitCode = 1;
  } finally {
    await watch.close();
    client.close();
    await stopServer(server);
    if (process.env.BENCH_KEEP !== '1') rmSync(server.dataDir, { recursive: true, force: true });
  }
}

await main();
