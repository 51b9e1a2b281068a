/**
 * A 3-node Switchyard cluster on one machine, built from network namespaces (root only):
 *
 *   <prefix>ul      underlay: bridge `br0`, one veth port per node (a "switch")
 *   <prefix>n1..n3  nodes: `eth0` on the underlay with 172.30.0.1<k>/24, no default route
 *   <prefix>pod-*   pods, made by each node's agent (SWITCHYARD_NETNS_PREFIX)
 *
 * Node 1 runs `switchyard server --disable-agent` bound to its underlay address (its cluster DNS
 * on <node 1 IP>:53, published as the kube-dns Endpoints), and every node runs
 * `switchyard agent --runtime netns --proxy-mode <mode>` (node 1 included): pods, routes and the
 * node's service proxy. Optional client namespaces `<prefix>c<k>` (172.30.0.10<k>) sit on the
 * underlay like machines outside the cluster (NodePort clients).
 * Processes are started with `nsenter --net=/run/netns/<node>`: they keep the machine's mount
 * namespace, so the pod namespaces they create are visible here (`ip netns exec <pod-ns>`).
 * kubectl runs inside node 1's namespace (the API server is not reachable from the machine's
 * own namespace, on purpose).
 *
 * Nothing is ever created in the machine's own network namespace: veths are created inside
 * the underlay namespace with the peer moved straight into the node namespace. 172.30.0.0/24,
 * 10.96.0.0/12 and 10.244.0.0/16 exist only inside the namespaces. `stop()` (and
 * `cleanupPrefix`, also run before starting) kills what runs in the prefix's namespaces and
 * deletes them.
 */
import { type ChildProcess, type SpawnOptions, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '..', '..', '..');
const CLI_DIST = join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
const CLI_SRC = join(REPO_ROOT, 'src', 'cli', 'main.ts');
/** The underlay network (never present in the machine's own namespace). */
export const UNDERLAY_SUBNET = '172.30.0';
export const API_PORT = 6443;
/** The server's default --service-cidr. */
export const SERVICE_CIDR = '10.96.0.0/12';

export interface CommandResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * How to run the CLI: the compiled one (as the other e2e suites do), or the sources through
 * tsx when SWITCHYARD_E2E_FROM_SOURCE=1 (handy while developing; SWITCHYARD_E2E_CLI names
 * another entry file to run that way). Without SWITCHYARD_E2E_FROM_SOURCE, a SWITCHYARD_E2E_CLI
 * ending in `.js` is a compiled CLI built elsewhere (`tsc --outDir`).
 */
export function cliCommand(): string[] {
  const other = process.env.SWITCHYARD_E2E_CLI;
  if (process.env.SWITCHYARD_E2E_FROM_SOURCE === '1') return [process.execPath, '--import', 'tsx', other ?? CLI_SRC];
  return [process.execPath, other?.endsWith('.js') ? other : CLI_DIST];
}

function run(argv: readonly string[], opts: { input?: string; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): CommandResult {
  const [file, ...args] = argv;
  const r = spawnSync(file ?? '', args, { input: opts.input, timeout: opts.timeoutMs ?? 60_000, encoding: 'utf8', env: opts.env ?? process.env, cwd: REPO_ROOT });
  return { code: r.status ?? (r.error ? 127 : 1), stdout: r.stdout ?? '', stderr: `${r.stderr ?? ''}${r.error ? r.error.message : ''}` };
}

function must(argv: readonly string[]): string {
  const r = run(argv);
  if (r.code !== 0) throw new Error(`${argv.join(' ')}: exit ${r.code}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Why the multinode suite cannot run here, or undefined when it can. */
export function multinodeSkipReason(): string | undefined {
  if (process.platform !== 'linux') return 'needs Linux network namespaces';
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, veth, bridges)';
  for (const [tool, args] of [
    ['ip', ['-V']],
    ['nsenter', ['--version']],
    ['kubectl', ['version', '--client']],
    ['curl', ['--version']],
  ] as const) {
    if (run([tool, ...args]).code !== 0) return `needs ${tool}`;
  }
  const cli = cliCommand();
  if (!existsSync(cli[cli.length - 1] ?? '')) return `${cli[cli.length - 1] ?? CLI_DIST} is missing: run \`npm run build\` first`;
  const help = run([...cli, 'agent', '--help'], { timeoutMs: 30_000 });
  if (help.code !== 0) return '`switchyard agent` is not available in this build';
  if (!/--runtime/.test(help.stdout)) return '`switchyard agent` has no --runtime flag (netns runtime not wired yet)';
  return undefined;
}

/** Kill what runs in every namespace named `<prefix>*`, delete those namespaces and their /etc/netns files. */
export function cleanupPrefix(prefix: string): void {
  if (!/^sy-[a-z0-9-]+-$/.test(prefix)) throw new Error(`refusing to clean up unexpected prefix ${JSON.stringify(prefix)}`);
  const names = existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(prefix)) : [];
  // Pods first, then nodes, then the underlay: processes go before their namespace does.
  const order = (n: string): number => (n.startsWith(`${prefix}pod-`) ? 0 : n.endsWith('ul') ? 2 : 1);
  for (const name of names.sort((a, b) => order(a) - order(b))) {
    for (let round = 0; round < 20; round++) {
      const pids = run(['ip', 'netns', 'pids', name]).stdout.split(/\s+/).filter(Boolean).map(Number);
      if (pids.length === 0) break;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      spawnSync('sleep', ['0.05']);
    }
    run(['ip', 'netns', 'del', name]);
  }
  if (existsSync('/etc/netns')) {
    for (const name of readdirSync('/etc/netns')) if (name.startsWith(prefix)) rmSync(join('/etc/netns', name), { recursive: true, force: true });
  }
}

export interface ClusterNode {
  readonly name: string;
  /** Network namespace of the node. */
  readonly ns: string;
  /** Underlay address (the Node's InternalIP). */
  readonly ip: string;
  readonly dataDir: string;
}

interface Proc {
  readonly label: string;
  readonly child: ChildProcess;
  output: string;
  /** A server or agent that must keep running (a restarted agent's old process is not). */
  longRunning: boolean;
}

export interface MultinodeOptions {
  /** Short id in the prefix (`sy-mn-<id>-`); default: derived from the pid. */
  readonly id?: string;
  readonly nodeCount?: number;
  /** `--proxy-mode` of every agent (default: the agent's own default, userspace). */
  readonly proxyMode?: string;
  /** Client namespaces on the underlay, `<prefix>c1..cN` with 172.30.0.101.. (default 0). */
  readonly clientCount?: number;
  /** Extra flags for every agent. */
  readonly agentArgs?: readonly string[];
  readonly log?: (msg: string) => void;
}

/** A namespace on the underlay that is not a node: a machine outside the cluster. */
export interface UnderlayClient {
  readonly ns: string;
  readonly ip: string;
}

export class MultinodeCluster {
  readonly prefix: string;
  readonly underlay: string;
  readonly nodes: ClusterNode[];
  readonly clients: UnderlayClient[];
  readonly workDir: string;
  private mode: string | undefined;
  private readonly agents = new Map<string, Proc>();
  private readonly agentArgs: readonly string[];
  private readonly procs: Proc[] = [];
  private readonly log: (msg: string) => void;

  private constructor(opts: MultinodeOptions) {
    this.prefix = `sy-mn-${opts.id ?? String(process.pid)}-`;
    this.underlay = `${this.prefix}ul`;
    this.workDir = mkdtempSync(join(tmpdir(), `${this.prefix}`));
    this.log = opts.log ?? (() => undefined);
    this.nodes = Array.from({ length: opts.nodeCount ?? 3 }, (_, i) => ({
      name: `node-${i + 1}`,
      ns: `${this.prefix}n${i + 1}`,
      ip: `${UNDERLAY_SUBNET}.${11 + i}`,
      dataDir: join(this.workDir, `node-${i + 1}`),
    }));
    this.clients = Array.from({ length: opts.clientCount ?? 0 }, (_, i) => ({ ns: `${this.prefix}c${i + 1}`, ip: `${UNDERLAY_SUBNET}.${101 + i}` }));
    this.mode = opts.proxyMode;
    this.agentArgs = opts.agentArgs ?? [];
  }

  get server(): ClusterNode {
    const n = this.nodes[0];
    if (!n) throw new Error('no nodes');
    return n;
  }

  get kubeconfig(): string {
    return join(this.server.dataDir, 'server', 'kubeconfig.yaml');
  }

  /** Build the namespaces, start the server and the agents, wait until every node is Ready with a pod CIDR. */
  static async start(opts: MultinodeOptions = {}): Promise<MultinodeCluster> {
    const c = new MultinodeCluster(opts);
    cleanupPrefix(c.prefix);
    try {
      c.buildNetwork();
      await c.startServer();
      for (const n of c.nodes) c.startAgent(n);
      await c.waitForNodes();
      return c;
    } catch (e) {
      const logs = c.output();
      await c.stop();
      throw new Error(`${(e as Error).message}\n--- process output ---\n${logs}`);
    }
  }

  private buildNetwork(): void {
    must(['ip', 'netns', 'add', this.underlay]);
    must(['ip', '-n', this.underlay, 'link', 'set', 'lo', 'up']);
    must(['ip', '-n', this.underlay, 'link', 'add', 'br0', 'type', 'bridge']);
    must(['ip', '-n', this.underlay, 'link', 'set', 'br0', 'up']);
    this.nodes.forEach((n, i) => {
      must(['ip', 'netns', 'add', n.ns]);
      must(['ip', '-n', n.ns, 'link', 'set', 'lo', 'up']);
      // Created inside the underlay namespace, the peer moved straight into the node: never in ours.
      const port = `n${i + 1}`;
      must(['ip', '-n', this.underlay, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', n.ns]);
      must(['ip', '-n', this.underlay, 'link', 'set', port, 'master', 'br0', 'up']);
      must(['ip', '-n', n.ns, 'addr', 'add', `${n.ip}/24`, 'dev', 'eth0']);
      must(['ip', '-n', n.ns, 'link', 'set', 'eth0', 'up']);
      // Stands in for a node's default route, which these namespaces do not have: the kernel
      // proxy modes rewrite a node's own connections to a ClusterIP in the output hook, and that
      // runs only after a route lookup for the ClusterIP succeeded.
      must(['ip', '-n', n.ns, 'route', 'add', SERVICE_CIDR, 'dev', 'eth0']);
      mkdirSync(n.dataDir, { recursive: true });
    });
    this.clients.forEach((c, i) => {
      must(['ip', 'netns', 'add', c.ns]);
      must(['ip', '-n', c.ns, 'link', 'set', 'lo', 'up']);
      const port = `c${i + 1}`;
      must(['ip', '-n', this.underlay, 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', c.ns]);
      must(['ip', '-n', this.underlay, 'link', 'set', port, 'master', 'br0', 'up']);
      must(['ip', '-n', c.ns, 'addr', 'add', `${c.ip}/24`, 'dev', 'eth0']);
      must(['ip', '-n', c.ns, 'link', 'set', 'eth0', 'up']);
    });
  }

  private spawnIn(label: string, ns: string, argv: readonly string[]): Proc {
    // nsenter execs the program: the pid we keep is the program's own.
    const child = spawn('nsenter', [`--net=/run/netns/${ns}`, ...argv], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SWITCHYARD_NETNS_PREFIX: `${this.prefix}pod-` },
    });
    const p: Proc = { label, child, output: '', longRunning: true };
    const append = (d: Buffer): void => {
      p.output += d.toString();
      if (p.output.length > 400_000) p.output = p.output.slice(-200_000);
    };
    child.stdout?.on('data', append);
    child.stderr?.on('data', append);
    this.procs.push(p);
    this.log(`${label}: pid ${child.pid ?? '?'}`);
    return p;
  }

  private async startServer(): Promise<void> {
    const s = this.server;
    const p = this.spawnIn('server', s.ns, [
      ...cliCommand(),
      'server',
      '--data-dir',
      join(s.dataDir, 'server'),
      '--bind-address',
      s.ip,
      '--https-listen-port',
      String(API_PORT),
      // The cluster DNS on the node address: published as the kube-dns Endpoints, so every
      // node's proxy sends 10.96.0.10:53 there.
      '--dns-listen',
      `${s.ip}:53`,
      '--disable-agent',
    ]);
    await waitFor(`the server's kubeconfig`, 30_000, () => {
      if (p.child.exitCode !== null) throw new Error(`server exited with ${p.child.exitCode}`);
      return existsSync(this.kubeconfig) && existsSync(join(s.dataDir, 'server', 'server', 'token'));
    });
  }

  get token(): string {
    return readFileSync(join(this.server.dataDir, 'server', 'server', 'token'), 'utf8').trim();
  }

  /** `--proxy-mode` the agents run with (undefined: the agent's default). */
  get proxyMode(): string | undefined {
    return this.mode;
  }

  private startAgent(n: ClusterNode): void {
    const p = this.spawnIn(`agent ${n.name}${this.mode ? ` (${this.mode})` : ''}`, n.ns, [
      ...cliCommand(),
      'agent',
      '--server',
      `https://${this.server.ip}:${API_PORT}`,
      '--token',
      this.token,
      // The agents could fetch the CA from /cacerts; the file is simpler and needs no extra endpoint.
      '--server-ca',
      join(this.server.dataDir, 'server', 'server', 'tls', 'server-ca.crt'),
      '--node-ip',
      n.ip,
      '--node-name',
      n.name,
      '--data-dir',
      join(n.dataDir, 'agent'),
      '--runtime',
      'netns',
      ...(this.mode ? ['--proxy-mode', this.mode] : []),
      ...this.agentArgs,
    ]);
    this.agents.set(n.name, p);
  }

  /**
   * Stop every agent (SIGTERM: its pods' processes and its proxy's rules or addresses go with
   * it) and start them again with another `--proxy-mode`, as an operator switching modes would.
   * The pods keep their namespaces and addresses and are started again by the new agents.
   * Resolves once each node's proxy reports the new mode on its metrics port.
   */
  async restartAgents(proxyMode: string): Promise<void> {
    const old = [...this.agents.values()];
    for (const p of old) {
      p.longRunning = false;
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    }
    const deadline = Date.now() + 20_000;
    for (const p of old) {
      while (p.child.exitCode === null && p.child.signalCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (p.child.exitCode === null && p.child.signalCode === null) {
        this.log(`${p.label} did not stop in time: SIGKILL`);
        p.child.kill('SIGKILL');
      }
    }
    this.mode = proxyMode;
    for (const n of this.nodes) this.startAgent(n);
    await this.waitForNodes();
    await waitFor(`every node's proxy in ${proxyMode} mode`, 60_000, () => {
      this.checkProcesses();
      return this.nodes.every((n) => run(['nsenter', `--net=/run/netns/${n.ns}`, 'curl', '-sf', '--max-time', '2', 'http://127.0.0.1:10249/proxyMode']).stdout.trim() === proxyMode);
    });
  }

  private checkProcesses(): void {
    for (const p of this.procs) if (p.longRunning && p.child.exitCode !== null) throw new Error(`${p.label} exited with ${p.child.exitCode}`);
  }

  private async waitForNodes(): Promise<void> {
    await waitFor(`${this.nodes.length} Ready nodes with pod CIDRs`, 90_000, () => {
      this.checkProcesses();
      const r = this.kubectl(['get', 'nodes', '-o', 'json']);
      if (r.code !== 0) return false;
      const items = (JSON.parse(r.stdout) as { items: NodeJson[] }).items;
      const ready = items.filter((i) => i.spec?.podCIDR && i.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'));
      return ready.length === this.nodes.length;
    });
  }

  /** kubectl inside the server's namespace, with the admin kubeconfig. */
  kubectl(args: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): CommandResult {
    return run(['nsenter', `--net=/run/netns/${this.server.ns}`, 'kubectl', '--kubeconfig', this.kubeconfig, '--cache-dir', join(this.workDir, 'kubectl-cache'), ...args], opts);
  }

  /**
   * kubectl as a child process (for `logs -f`, `get -w`): killed by stop() if still running.
   * The caller reads its output and kills it by its pid when done.
   */
  kubectlSpawn(args: readonly string[]): ChildProcess {
    const opts: SpawnOptions = { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] };
    const child = spawn('nsenter', [`--net=/run/netns/${this.server.ns}`, 'kubectl', '--kubeconfig', this.kubeconfig, '--cache-dir', join(this.workDir, 'kubectl-cache'), ...args], opts);
    this.procs.push({ label: `kubectl ${args.join(' ')}`, child, output: '', longRunning: false });
    return child;
  }

  /** A command inside a namespace of this cluster (a node's, a pod's or a client's). */
  inNetns(ns: string, argv: readonly string[], opts: { input?: string; timeoutMs?: number } = {}): CommandResult {
    if (!ns.startsWith(this.prefix)) throw new Error(`${ns} is not a namespace of this cluster`);
    return run(['ip', 'netns', 'exec', ns, ...argv], opts);
  }

  /**
   * The namespace of a pod: `<prefix>pod-<first 8 hex digits of the uid>` as the agents name it,
   * else (a lengthened name after a collision) the one holding `podIP`; undefined when absent.
   */
  podNetns(uid: string, podIP?: string): string | undefined {
    const ns = `${this.prefix}pod-${uid.replace(/-/g, '').slice(0, 8)}`;
    if (existsSync(join('/run/netns', ns))) return ns;
    return podIP ? this.netnsOfPodIP(podIP) : undefined;
  }

  /** Names of the pod namespaces of this cluster. */
  podNamespaces(): string[] {
    return existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(`${this.prefix}pod-`)) : [];
  }

  /** The namespace holding a pod IP (asks each pod namespace). */
  netnsOfPodIP(ip: string): string | undefined {
    for (const ns of this.podNamespaces()) {
      if (run(['ip', '-n', ns, '-4', '-o', 'addr', 'show', 'dev', 'eth0']).stdout.includes(` ${ip}/`)) return ns;
    }
    return undefined;
  }

  output(): string {
    return this.procs.map((p) => `=== ${p.label} ===\n${p.output.slice(-20_000)}`).join('\n');
  }

  /** Stop the processes we started (by pid), then remove every namespace of the prefix and the work folder. */
  async stop(): Promise<void> {
    for (const p of [...this.procs].reverse()) {
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
    }
    const deadline = Date.now() + 10_000;
    for (const p of this.procs) {
      while (p.child.exitCode === null && p.child.signalCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    }
    cleanupPrefix(this.prefix);
    rmSync(this.workDir, { recursive: true, force: true });
  }
}

interface NodeJson {
  spec?: { podCIDR?: string };
  status?: { conditions?: { type: string; status: string }[] };
}

export async function waitFor(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
