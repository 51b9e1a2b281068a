/**
 * `npm run bench:pods`: how fast one node agent brings pods up, and what it costs in memory.
 *
 * A real `switchyard server` (all controllers, no embedded agent, no DNS) and, as a separate
 * child process so its memory can be read, `switchyard agent --runtime process` (rootless: each
 * pod is a local process on the loopback twin of its pod IP) with `--proxy-mode none`, so the
 * figures are the agent's own. A Deployment of `registry.k8s.io/e2e-test-images/agnhost:2.45`
 * `netexec --http-port=8080` (run as the built-in `switchyard netexec`) with an HTTP readiness
 * probe (periodSeconds 1) is scaled with the real kubectl from 0 to N for each N in
 * PODS_BENCH_SIZES (default 10,100): the time from `kubectl scale` to N pods Ready (polled every
 * 100 ms), then back to 0 and the time until every pod object is gone.
 *
 * Memory: the agent's peak RSS (VmHWM from /proc, a high-water mark over the whole run, so the
 * N=100 row includes the N=10 run before it), its RSS at the moment N pods were Ready, and the
 * summed RSS of the pod processes (its children) at that moment.
 *
 * Every process started here is stopped by its PID at the end (pods first, by scaling to 0).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { KubeObject } from '../src/api/object.js';
import { KubeClient } from '../src/client/kube-client.js';
import { loadKubeconfig } from '../src/client/kubeconfig.js';

const SIZES = (process.env.PODS_BENCH_SIZES ?? '10,100').split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0);
const TIMEOUT_MS = Number(process.env.PODS_BENCH_TIMEOUT_S ?? 300) * 1000;
const REPO_ROOT = resolve(import.meta.dirname, '..', '..');
const CLI = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const NODE_NAME = 'pods-bench-node';
const PODS = { group: '', version: 'v1', plural: 'pods', namespaced: true };
const NODES = { group: '', version: 'v1', plural: 'nodes', namespaced: false };

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

const children = new Set<ChildProcess>();

function start(args: string[]): { proc: ChildProcess; output: () => string } {
  const proc = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
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

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(everyMs);
  }
}

/** A `VmXxx:` field of /proc/<pid>/status in bytes (0 when the process is gone). */
function vm(pid: number | undefined, field: 'VmHWM' | 'VmRSS'): number {
  if (pid === undefined) return 0;
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return Number(m?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** Summed RSS and count of the direct children of `pid` (the pod processes of the agent). */
function childrenRss(pid: number | undefined): { count: number; rss: number } {
  if (pid === undefined) return { count: 0, rss: 0 };
  let count = 0;
  let rss = 0;
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== pid) continue;
      count++;
      rss += vm(Number(d), 'VmRSS');
    } catch {
      // Gone meanwhile.
    }
  }
  return { count, rss };
}

const mib = (n: number): string => `${(n / 1024 / 1024).toFixed(1)} MiB`;

function kubectl(kubeconfig: string, cacheDir: string, args: string[], input = ''): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? resolvePromise(out) : reject(new Error(`kubectl ${args.join(' ')}: exit ${code}: ${err}${out}`))));
    child.stdin.end(input);
  });
}

const isReady = (p: KubeObject): boolean => {
  const st = p['status'] as { phase?: string; conditions?: { type: string; status: string }[] } | undefined;
  return p.metadata.deletionTimestamp === undefined && st?.phase === 'Running' && (st.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
};

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: {name: netexec, namespace: default}
spec:
  replicas: 0
  selector: {matchLabels: {app: netexec}}
  template:
    metadata: {labels: {app: netexec}}
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: netexec
        image: registry.k8s.io/e2e-test-images/agnhost:2.45
        args: [netexec, --http-port=8080]
        ports: [{containerPort: 8080, name: http}]
        readinessProbe: {httpGet: {path: /healthz, port: http}, periodSeconds: 1}
`;

interface Row {
  readonly n: number;
  readonly readyS: number;
  readonly firstReadyS: number;
  readonly cleanupS: number;
  readonly agentHwm: number;
  readonly agentRss: number;
  readonly pods: number;
  readonly podsRss: number;
}

async function main(): Promise<void> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first`);
  if (spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status !== 0) throw new Error('kubectl is not installed');
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-pods-bench-'));
  const dataDir = join(dir, 'server');
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  const cacheDir = join(dir, 'kubectl-cache');
  let client: KubeClient | undefined;
  let agent: ReturnType<typeof start> | undefined;
  let server: ReturnType<typeof start> | undefined;
  const onSignal = (): void => {
    // The agent kills its pods on SIGTERM; the server goes next.
    for (const p of children) p.kill('SIGTERM');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    server = start([CLI, 'server', '--data-dir', dataDir, '--bind-address', '127.0.0.1', '--https-listen-port', '0', '--disable-agent', '--disable-dns', '--log-level', 'warn']);
    const srv = server;
    await until('the server kubeconfig', async () => (existsSync(kubeconfig) ? true : srv.proc.exitCode !== null ? Promise.reject(new Error(srv.output())) : undefined), 30_000, 50);
    client = new KubeClient(loadKubeconfig(kubeconfig), { component: 'pods-bench' });
    const c = client;
    await until('the API server', async () => c.list(NODES, undefined).then(() => true), 30_000);

    agent = start([CLI, 'agent', '--kubeconfig', kubeconfig, '--node-name', NODE_NAME, '--runtime', 'process', '--proxy-mode', 'none', '--kubelet-port', '0', '--data-dir', join(dir, 'agent'), '--log-level', 'warn']);
    const ag = agent;
    await until(
      'the node Ready',
      async () => {
        if (ag.proc.exitCode !== null) throw new Error(`agent exited:\n${ag.output()}`);
        const node = await c.get(NODES, undefined, NODE_NAME).catch(() => undefined);
        const conds = (node?.['status'] as { conditions?: { type: string; status: string }[] } | undefined)?.conditions ?? [];
        return conds.some((x) => x.type === 'Ready' && x.status === 'True') ? true : undefined;
      },
      60_000,
    );
    await kubectl(kubeconfig, cacheDir, ['apply', '-f', '-'], DEPLOYMENT);
    const pid = agent.proc.pid;
    console.log(
      `pods bench: one node, agent as a child process (process runtime, --proxy-mode none), node ${process.version}, ${spawnSync('nproc', [], { encoding: 'utf8' }).stdout.trim()} cores; agent RSS at idle ${mib(vm(pid, 'VmRSS'))}`,
    );

    const rows: Row[] = [];
    for (const n of SIZES) {
      const t0 = performance.now();
      await kubectl(kubeconfig, cacheDir, ['scale', 'deployment/netexec', `--replicas=${n}`]);
      let firstReady = 0;
      await until(
        `${n} pods Ready`,
        async () => {
          const items = (await c.list(PODS, 'default', { labelSelector: 'app=netexec' })).items;
          const ready = items.filter(isReady).length;
          if (ready > 0 && firstReady === 0) firstReady = performance.now() - t0;
          return ready >= n ? true : undefined;
        },
        TIMEOUT_MS,
      ).catch(async (e: unknown) => {
        const pods = await kubectl(kubeconfig, cacheDir, ['get', 'pods', '-o', 'wide']).catch((x: unknown) => String(x));
        throw new Error(`${String(e)}\n${pods}\nagent output:\n${ag.output()}`);
      });
      const readyS = (performance.now() - t0) / 1000;
      const kids = childrenRss(pid);
      const agentRss = vm(pid, 'VmRSS');
      console.log(`  N=${n}: ${n} pods Ready in ${readyS.toFixed(2)} s (first after ${(firstReady / 1000).toFixed(2)} s); agent RSS ${mib(agentRss)}, ${kids.count} pod processes ${mib(kids.rss)}`);
      const t1 = performance.now();
      await kubectl(kubeconfig, cacheDir, ['scale', 'deployment/netexec', '--replicas=0']);
      await until('every pod gone', async () => ((await c.list(PODS, 'default', { labelSelector: 'app=netexec' })).items.length === 0 ? true : undefined), TIMEOUT_MS);
      const cleanupS = (performance.now() - t1) / 1000;
      await until('every pod process gone', async () => (childrenRss(pid).count === 0 ? true : undefined), 30_000);
      console.log(`         scaled back to 0: all pod objects gone in ${cleanupS.toFixed(2)} s`);
      rows.push({ n, readyS, firstReadyS: firstReady / 1000, cleanupS, agentHwm: vm(pid, 'VmHWM'), agentRss, pods: kids.count, podsRss: kids.rss });
    }

    console.log('');
    const header = ['pods', 'scale → all Ready', 'first Ready', 'pods/s', 'scale to 0 → gone', 'agent peak RSS (VmHWM)', 'agent RSS at N Ready', 'pod processes RSS (sum)'];
    const body = rows.map((r) => [String(r.n), `${r.readyS.toFixed(2)} s`, `${r.firstReadyS.toFixed(2)} s`, (r.n / r.readyS).toFixed(1), `${r.cleanupS.toFixed(2)} s`, mib(r.agentHwm), mib(r.agentRss), `${mib(r.podsRss)} (${r.pods})`]);
    const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
    const line = (cells: string[]): string => cells.map((x, i) => x.padStart(widths[i] ?? 0)).join('  ');
    console.log(line(header));
    for (const b of body) console.log(line(b));
  } finally {
    if (client) {
      // Pods go first (the agent stops them), then the agent, then the server.
      await kubectl(kubeconfig, cacheDir, ['delete', 'deployment/netexec', '--ignore-not-found', '--wait=false']).catch(() => undefined);
      client.close();
    }
    if (agent) await stop(agent.proc);
    if (server) await stop(server.proc);
    for (const p of [...children]) await stop(p);
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    for (const p of children) p.kill('SIGTERM');
    console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
    process.exit(1);
  },
);
