/**
 * Network namespaces for the kernel dataplanes' root tests and benchmark.
 * Nothing here touches the machine's own namespace: every namespace is
 * created here (`sy-kp-<id>-<role>`), every interface is created inside one
 * of them (`ip -n`), every process runs in one of them (`ip netns exec`).
 *
 * An owner file `/tmp/sy-kp-<id>.pid` holds the creating process's PID, so a
 * lab whose owner died (a crashed test) is recognised as stale and removed
 * by the next `cleanupStaleLabs()` without disturbing a lab in use.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { findExecutable } from '../command-runner.js';

export const LAB_PREFIX = 'sy-kp-';
const ID_RE = /^sy-kp-([a-z0-9]+)-/;

const ownerFile = (id: string): string => join(tmpdir(), `${LAB_PREFIX}${id}.pid`);

function run(argv: readonly string[], input?: string): { status: number; stdout: string; stderr: string } {
  const [cmd, ...args] = argv;
  const r = spawnSync(cmd ?? '', args, { encoding: 'utf8', input, timeout: 60_000 });
  return { status: r.status ?? 1, stdout: r.stdout ?? '', stderr: r.stderr ?? (r.error ? r.error.message : '') };
}

function must(argv: readonly string[], input?: string): string {
  const r = run(argv, input);
  if (r.status !== 0) throw new Error(`${argv.join(' ')}: ${r.stderr.trim() || `exit ${r.status}`}`);
  return r.stdout;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Why the root lab cannot run here (undefined = it can): not root, or a tool is missing. */
export function labUnavailable(tools: readonly string[] = []): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root (creates network namespaces)';
  for (const t of ['ip', ...tools]) if (findExecutable(t) === undefined) return `${t} is not installed`;
  return undefined;
}

/** Names of existing lab namespaces. */
export function labNamespaces(): string[] {
  return existsSync('/run/netns') ? readdirSync('/run/netns').filter((n) => n.startsWith(LAB_PREFIX)) : [];
}

/** Deletes lab namespaces whose owning process is gone (and stops what still runs inside them). Returns the names removed. */
export function cleanupStaleLabs(): string[] {
  const removed: string[] = [];
  for (const ns of labNamespaces()) {
    const id = ID_RE.exec(ns)?.[1];
    let owner = 0;
    if (id) {
      try {
        owner = Number(readFileSync(ownerFile(id), 'utf8').trim());
      } catch {
        owner = 0;
      }
    }
    if (owner > 0 && alive(owner)) continue;
    killInside(ns);
    run(['ip', 'netns', 'del', ns]);
    removed.push(ns);
    if (id && !labNamespaces().some((n) => n.startsWith(`${LAB_PREFIX}${id}-`))) rmSync(ownerFile(id), { force: true });
  }
  return removed;
}

/** Stops the processes inside one of our namespaces (they can only be ours: we created it). */
function killInside(ns: string): void {
  const pids = run(['ip', 'netns', 'pids', ns])
    .stdout.split(/\s+/)
    .filter(Boolean)
    .map(Number)
    .filter((p) => p > 1 && p !== process.pid);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** A process started in a namespace, speaking JSON lines on stdin/stdout (see netns-agent.ts). */
export class LabProcess {
  private readonly pending: ((line: string) => void)[] = [];
  private readonly lines: string[] = [];
  private exited = false;
  stderr = '';

  constructor(readonly child: ChildProcess) {
    const rl = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    rl.on('line', (l) => {
      const w = this.pending.shift();
      if (w) w(l);
      else this.lines.push(l);
    });
    child.stderr?.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    child.on('exit', () => {
      this.exited = true;
      for (const w of this.pending.splice(0)) w('{"error":"process exited"}');
    });
  }

  /** The next line the process prints. */
  nextLine(timeoutMs = 15_000): Promise<string> {
    const queued = this.lines.shift();
    if (queued !== undefined) return Promise.resolve(queued);
    if (this.exited) return Promise.reject(new Error(`process exited: ${this.stderr}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.pending.indexOf(done);
        if (i >= 0) this.pending.splice(i, 1);
        reject(new Error(`no answer within ${timeoutMs} ms; stderr: ${this.stderr}`));
      }, timeoutMs);
      const done = (l: string): void => {
        clearTimeout(timer);
        resolve(l);
      };
      this.pending.push(done);
    });
  }

  /** Sends one JSON request and waits for its one-line JSON answer. */
  async request<T>(req: unknown, timeoutMs = 15_000): Promise<T> {
    this.child.stdin?.write(`${JSON.stringify(req)}\n`);
    const line = await this.nextLine(timeoutMs);
    const v = JSON.parse(line) as T & { error?: string };
    if (v && typeof v === 'object' && typeof v.error === 'string') throw new Error(v.error);
    return v;
  }

  stop(): void {
    const pid = this.child.pid;
    if (pid !== undefined && !this.exited) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

export interface PodSpec {
  readonly role: string;
  readonly ip: string;
}

/** The addresses of the standard lab: a node with bridge cbr0, pods on it. */
export const LAB_NODE_IP = '10.244.0.1';
export const LAB_POD_CIDR = '10.244.0.0/24';
export const LAB_SERVICE_CIDR = '10.96.0.0/12';

/** One set of namespaces owned by this process. */
export class NetnsLab {
  readonly id: string;
  readonly prefix: string;
  private readonly names: string[] = [];
  private readonly procs: LabProcess[] = [];
  private closed = false;

  private constructor() {
    this.id = randomBytes(4).toString('hex');
    this.prefix = `${LAB_PREFIX}${this.id}-`;
    writeFileSync(ownerFile(this.id), String(process.pid));
  }

  /** A new lab (after removing stale ones). */
  static create(): NetnsLab {
    cleanupStaleLabs();
    return new NetnsLab();
  }

  /** Creates `sy-kp-<id>-<role>` with lo up; returns its name. */
  addNamespace(role: string): string {
    if (!/^[a-z0-9-]+$/.test(role)) throw new Error(`bad role ${role}`);
    const name = this.prefix + role;
    must(['ip', 'netns', 'add', name]);
    this.names.push(name);
    must(['ip', '-n', name, 'link', 'set', 'lo', 'up']);
    return name;
  }

  /** Runs a command inside `ns` (synchronously); throws on failure. */
  exec(ns: string, argv: readonly string[], input?: string): string {
    this.own(ns);
    return must(['ip', 'netns', 'exec', ns, ...argv], input);
  }

  /** Like exec, without throwing. */
  tryExec(ns: string, argv: readonly string[]): { status: number; stdout: string; stderr: string } {
    this.own(ns);
    return run(['ip', 'netns', 'exec', ns, ...argv]);
  }

  /** Starts a long-running process inside `ns` (stopped by close()). */
  spawn(ns: string, argv: readonly string[]): LabProcess {
    this.own(ns);
    // `ip netns exec` execs the program: the PID we hold is the program's.
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['pipe', 'pipe', 'pipe'] });
    const p = new LabProcess(child);
    this.procs.push(p);
    return p;
  }

  /**
   * The standard pod network: namespace `node` with bridge cbr0 (10.244.0.1/24,
   * forwarding on, bridge netfilter on where the kernel has it, a route for
   * the Service range), and one namespace per pod on a veth into the bridge
   * with the node as default gateway. Returns the node namespace's name.
   */
  podNetwork(pods: readonly PodSpec[]): string {
    const node = this.addNamespace('node');
    // The Service route points back out of cbr0, where pod traffic came in: the kernel would send
    // ICMP redirects, and a redirect just sent rate-limits the REJECT's port-unreachable to that pod.
    for (const scope of ['all', 'default']) this.exec(node, ['sysctl', '-qw', `net.ipv4.conf.${scope}.send_redirects=0`]);
    this.exec(node, ['ip', 'link', 'add', 'cbr0', 'type', 'bridge']);
    this.exec(node, ['sysctl', '-qw', 'net.ipv4.conf.cbr0.send_redirects=0']);
    this.exec(node, ['ip', 'addr', 'add', `${LAB_NODE_IP}/24`, 'dev', 'cbr0']);
    this.exec(node, ['ip', 'link', 'set', 'cbr0', 'up']);
    this.exec(node, ['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    // Pod → Service → pod on the same bridge needs the bridge to pass packets through netfilter.
    this.tryExec(node, ['sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1']);
    for (const [i, p] of pods.entries()) {
      const ns = this.addNamespace(p.role);
      const port = `veth${i}`;
      this.exec(node, ['ip', 'link', 'add', port, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      this.exec(node, ['ip', 'link', 'set', port, 'master', 'cbr0']);
      // A pod reaching itself through a Service comes back out of its own bridge port.
      this.exec(node, ['ip', 'link', 'set', port, 'type', 'bridge_slave', 'hairpin', 'on']);
      this.exec(node, ['ip', 'link', 'set', port, 'up']);
      this.exec(ns, ['ip', 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0']);
      this.exec(ns, ['ip', 'link', 'set', 'eth0', 'up']);
      this.exec(ns, ['ip', 'route', 'add', 'default', 'via', LAB_NODE_IP]);
    }
    // Locally originated connections to a Service IP need a route before any rule sees them.
    this.exec(node, ['ip', 'route', 'add', LAB_SERVICE_CIDR, 'dev', 'cbr0']);
    return node;
  }

  /** Stops every process and deletes every namespace of this lab (safe to call twice). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const p of this.procs) p.stop();
    for (const ns of this.names) {
      killInside(ns);
      run(['ip', 'netns', 'del', ns]);
    }
    // Anything with our prefix that was created outside addNamespace (should be nothing).
    for (const ns of labNamespaces().filter((n) => n.startsWith(this.prefix))) run(['ip', 'netns', 'del', ns]);
    rmSync(ownerFile(this.id), { force: true });
  }

  private own(ns: string): void {
    if (!this.names.includes(ns)) throw new Error(`namespace ${ns} is not part of lab ${this.prefix}`);
  }
}
