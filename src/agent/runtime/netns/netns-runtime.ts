/**
 * The root/Linux pod runtime: the agent runs inside a node network namespace; each pod gets a
 * network namespace of its own (`<prefix><uid8>`, default prefix `sy-pod-`), a veth pair whose
 * node end sits on the node bridge `cbr0` (hairpin on, so a pod can reach itself through a
 * Service) and whose pod end is `eth0` with an address from host-local IPAM and a default
 * route via the bridge (the first address of the node's pod CIDR).
 *
 * Processes: every container and exec runs as
 *   ip netns exec <pod-ns> unshare --uts sh -c '<set hostname>; exec "$@"' <hostname> <argv...>
 * so it and its children live in the pod's network namespace, see the pod's /etc/hosts,
 * /etc/hostname and /etc/resolv.conf (bind-mounted by `ip netns exec` from /etc/netns/<ns>/)
 * and `hostname` answers the pod's hostname. Containers get their own process group; their
 * output is written as CRI log lines.
 *
 * State lives under `<dataDir>/netns-runtime/`: `ipam/` (host-local), `pods/<uid>/sandbox.json`
 * (written before the namespace is created, so a crash half way is cleaned up on the next
 * createSandbox/removeSandbox) and `pods/<uid>/logs/<container>/<attempt>.log`.
 *
 * Namespaces: start the agent with `nsenter --net=/run/netns/<node>` (it keeps the machine's
 * mount namespace, so pod namespaces created with `ip netns add` are visible machine-wide
 * and survive an agent restart). Under `ip netns exec <node>` the agent gets a private mount
 * namespace and its pod namespaces are visible only to itself and its children.
 */
import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { connect as netConnect, type Socket } from 'node:net';
import { join } from 'node:path';
import { CriLogWriter } from '../../cri-log.js';
import type {
  ContainerHandle,
  ContainerSpec,
  ExecOptions,
  ExecResult,
  ExitInfo,
  Runtime,
  Sandbox,
  SandboxSpec,
} from '../runtime.js';
import { type CommandRunner, ExecCommandRunner, mustRun } from './command-runner.js';
import { HostLocalIpam } from './host-local-ipam.js';
import { formatCidr, parseIpv4Cidr, type Ipv4Cidr } from './ipv4.js';
import { assertNodeNamespace } from './namespace-guard.js';
import { podEtcFiles } from './pod-etc-files.js';
import { replaceFile } from '../replace-file.js';
import { findPython, spawnOnPty } from './pty-exec.js';

export const DEFAULT_BRIDGE = 'cbr0';
export const DEFAULT_NETNS_PREFIX = 'sy-pod-';
/** containerd's default PATH for containers whose env sets none. */
const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Sets the UTS hostname of the fresh UTS namespace, then becomes the command. */
const HOSTNAME_WRAPPER = 'echo "$0" > /proc/sys/kernel/hostname && exec "$@"';

export interface NetnsRuntimeOptions {
  /** Agent data dir; the runtime keeps its state under `<dataDir>/netns-runtime/`. */
  readonly dataDir: string;
  /** The node's spec.podCIDR (IPv4), e.g. `10.244.1.0/24`. */
  readonly podCIDR: string;
  /** The node's own address (status.podIP of hostNetwork pods). */
  readonly nodeIP: string;
  readonly bridge?: string;
  /**
   * Prefix of pod namespace names (default `$SWITCHYARD_NETNS_PREFIX` or `sy-pod-`). Names
   * under /run/netns are machine-wide: test clusters use their own prefix so cleanup can
   * find everything they made.
   */
  readonly netnsPrefix?: string;
  /** Program the network even in the machine's own namespace (a dedicated machine only). */
  readonly allowHostNetworkNamespace?: boolean;
  readonly commands?: CommandRunner;
  /** Where `ip netns exec` looks for per-namespace etc files (default /etc/netns). */
  readonly etcNetnsDir?: string;
  readonly log?: (msg: string) => void;
}

/**
 * The agent core's runtime factory for `--runtime netns`: the pod CIDR and node IP come from
 * the registered Node; the rest is fixed per agent.
 */
export function netnsRuntimeFactory(
  base: Omit<NetnsRuntimeOptions, 'podCIDR' | 'nodeIP'>,
): (podCIDR: string, nodeIP: string) => Promise<NetnsRuntime> {
  return (podCIDR, nodeIP) => NetnsRuntime.create({ ...base, podCIDR, nodeIP });
}

interface SandboxState {
  readonly uid: string;
  readonly namespace: string;
  readonly name: string;
  readonly hostname: string;
  /** `creating` until every step succeeded. */
  readonly phase: 'creating' | 'ready';
  readonly netns?: string;
  readonly veth?: string;
  readonly ip: string;
}

interface Tools {
  readonly ip: string;
  readonly unshare: string;
  readonly sh: string;
}

function lookPath(name: string): string {
  for (const dir of (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/usr/bin', '/sbin', '/bin'])) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`${name} not found on PATH (the netns runtime needs iproute2 and util-linux)`);
}

/** The first 8 hex digits of a uid; longer when needed to tell pods apart. */
function uidTag(uid: string, length = 8): string {
  return uid.replace(/[^0-9a-zA-Z]/g, '').toLowerCase().slice(0, length);
}

function signalNumber(sig: NodeJS.Signals | null): number {
  return (sig && osConstants.signals[sig]) || 1;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, fsConstants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Check that argv[0] can be run, with the container runtime's messages: containers share the
 * machine's filesystem, so a missing program is reported at start (as runc does) rather than
 * as exit code 127 from the wrapper shell.
 */
function checkProgram(program: string, pathVar: string): void {
  if (program.includes('/')) {
    if (!existsSync(program)) throw new Error(`exec: "${program}": stat ${program}: no such file or directory`);
    if (!isExecutable(program)) throw new Error(`exec: "${program}": permission denied`);
    return;
  }
  if (!pathVar.split(':').some((dir) => dir && isExecutable(join(dir, program)))) {
    throw new Error(`exec: "${program}": executable file not found in $PATH`);
  }
}

export class NetnsRuntime implements Runtime {
  readonly description: string;
  private readonly root: string;
  private readonly bridge: string;
  private readonly prefix: string;
  private readonly cmd: CommandRunner;
  private readonly ipam: HostLocalIpam;
  private readonly etcNetns: string;
  private readonly log: (msg: string) => void;
  private readonly python: string | undefined;
  private readonly locks = new Map<string, Promise<unknown>>();

  private constructor(
    private readonly opts: NetnsRuntimeOptions,
    private readonly cidr: Ipv4Cidr,
    private readonly tools: Tools,
  ) {
    this.root = join(opts.dataDir, 'netns-runtime');
    this.bridge = opts.bridge ?? DEFAULT_BRIDGE;
    this.prefix = opts.netnsPrefix ?? process.env.SWITCHYARD_NETNS_PREFIX ?? DEFAULT_NETNS_PREFIX;
    this.cmd = opts.commands ?? new ExecCommandRunner();
    this.ipam = new HostLocalIpam(join(this.root, 'ipam'), cidr);
    this.etcNetns = opts.etcNetnsDir ?? '/etc/netns';
    this.log = opts.log ?? (() => undefined);
    this.python = findPython();
    this.description = `netns (bridge ${this.bridge}, ${formatCidr(cidr)})`;
  }

  /**
   * Check where we are, then set the node up: bridge with the pod gateway address, `lo` up,
   * IP forwarding and bridge netfilter on (all in the node namespace this process runs in).
   * Rejects when run in the machine's own network namespace without the override.
   */
  static async create(opts: NetnsRuntimeOptions): Promise<NetnsRuntime> {
    const cidr = parseIpv4Cidr(opts.podCIDR);
    if (!cidr) throw new Error(`netns runtime: pod CIDR ${JSON.stringify(opts.podCIDR)} is not an IPv4 CIDR`);
    if (cidr.prefix > 30) throw new Error(`netns runtime: pod CIDR ${opts.podCIDR} is too small`);
    await assertNodeNamespace('the netns runtime', { allowHostNamespace: opts.allowHostNetworkNamespace });
    const tools = opts.commands
      ? { ip: 'ip', unshare: 'unshare', sh: 'sh' }
      : { ip: lookPath('ip'), unshare: lookPath('unshare'), sh: existsSync('/bin/sh') ? '/bin/sh' : lookPath('sh') };
    const rt = new NetnsRuntime(opts, cidr, tools);
    await rt.setupNode();
    return rt;
  }

  private ip(...args: string[]): Promise<string> {
    return mustRun(this.cmd, [this.tools.ip, ...args]);
  }

  private async setupNode(): Promise<void> {
    const gw = `${this.ipam.gateway}/${this.cidr.prefix}`;
    await mkdir(join(this.root, 'pods'), { recursive: true });
    await this.ip('link', 'set', 'lo', 'up');
    const exists = await this.cmd.run([this.tools.ip, 'link', 'show', 'dev', this.bridge]);
    if (exists.code !== 0) await this.ip('link', 'add', this.bridge, 'type', 'bridge');
    await this.ip('addr', 'replace', gw, 'dev', this.bridge);
    await this.ip('link', 'set', this.bridge, 'up');
    if (!this.opts.commands) {
      await writeFile('/proc/sys/net/ipv4/ip_forward', '1\n');
      // br_netfilter: Service traffic between pods on the same bridge must pass the proxy's rules.
      if (existsSync('/proc/sys/net/bridge/bridge-nf-call-iptables')) {
        await writeFile('/proc/sys/net/bridge/bridge-nf-call-iptables', '1\n').catch(() => undefined);
      }
    }
    this.log(`netns runtime ready: ${this.description}, gateway ${gw}`);
  }

  // ---- sandboxes --------------------------------------------------------------------------

  private podDir(uid: string): string {
    return join(this.root, 'pods', uid);
  }

  private async readState(uid: string): Promise<SandboxState | undefined> {
    try {
      return JSON.parse(await readFile(join(this.podDir(uid), 'sandbox.json'), 'utf8')) as SandboxState;
    } catch {
      return undefined;
    }
  }

  private async writeState(s: SandboxState): Promise<void> {
    await mkdir(this.podDir(s.uid), { recursive: true });
    await writeFile(join(this.podDir(s.uid), 'sandbox.json'), `${JSON.stringify(s, null, 2)}\n`);
  }

  /** One operation per uid at a time (create and remove of the same pod must not interleave). */
  private withLock<T>(uid: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(uid) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const tail = next.catch(() => undefined);
    this.locks.set(uid, tail);
    void tail.then(() => {
      if (this.locks.get(uid) === tail) this.locks.delete(uid);
    });
    return next;
  }

  private toSandbox(s: SandboxState): Sandbox {
    return s.netns ? { uid: s.uid, ip: s.ip, netns: s.netns, dir: this.podDir(s.uid) } : { uid: s.uid, ip: s.ip, dir: this.podDir(s.uid) };
  }

  createSandbox(spec: SandboxSpec): Promise<Sandbox> {
    return this.withLock(spec.uid, async () => {
      const existing = await this.readState(spec.uid);
      if (existing?.phase === 'ready' && (await this.healthy(existing))) {
        // Adopted (after an agent restart) or created before: refresh the etc files only.
        if (existing.netns) await this.writeEtcFiles(existing.netns, spec, existing.ip);
        return this.toSandbox(existing);
      }
      if (existing) await this.teardown(existing);
      if (spec.hostNetwork) {
        const state: SandboxState = { uid: spec.uid, namespace: spec.namespace, name: spec.name, hostname: spec.hostname, phase: 'ready', ip: this.opts.nodeIP };
        await this.writeState(state);
        return this.toSandbox(state);
      }
      const netns = await this.pickNetnsName(spec.uid);
      const veth = `veth${uidTag(spec.uid)}`;
      const ip = await this.ipam.allocate(spec.uid);
      const state: SandboxState = { uid: spec.uid, namespace: spec.namespace, name: spec.name, hostname: spec.hostname, phase: 'creating', netns, veth, ip };
      await this.writeState(state);
      try {
        await this.buildNetwork(netns, veth, ip);
        await this.writeEtcFiles(netns, spec, ip);
        const ready: SandboxState = { ...state, phase: 'ready' };
        await this.writeState(ready);
        this.log(`sandbox ${spec.namespace}/${spec.name}: netns ${netns}, ${ip}`);
        return this.toSandbox(ready);
      } catch (e) {
        await this.teardown(state).catch(() => undefined);
        throw e;
      }
    });
  }

  /** `<prefix><uid8>`, lengthened if another sandbox of ours already holds that name. */
  private async pickNetnsName(uid: string): Promise<string> {
    const taken = new Set<string>();
    for (const other of await this.stateUids()) {
      if (other === uid) continue;
      const s = await this.readState(other);
      if (s?.netns) taken.add(s.netns);
    }
    for (const len of [8, 12, 32]) {
      const name = `${this.prefix}${uidTag(uid, len)}`;
      if (!taken.has(name)) return name;
    }
    throw new Error(`cannot name a network namespace for pod ${uid}`);
  }

  private async buildNetwork(netns: string, veth: string, ip: string): Promise<void> {
    // Leftovers of an earlier attempt with the same names (only ever ours: derived from the uid).
    await this.cmd.run([this.tools.ip, 'link', 'del', veth]);
    await this.cmd.run([this.tools.ip, 'netns', 'del', netns]);
    await this.ip('netns', 'add', netns);
    await this.ip('-n', netns, 'link', 'set', 'lo', 'up');
    await this.ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns);
    await this.ip('link', 'set', veth, 'master', this.bridge);
    await this.ip('link', 'set', 'dev', veth, 'type', 'bridge_slave', 'hairpin', 'on');
    await this.ip('link', 'set', veth, 'up');
    await this.ip('-n', netns, 'addr', 'add', `${ip}/${this.cidr.prefix}`, 'dev', 'eth0');
    await this.ip('-n', netns, 'link', 'set', 'eth0', 'up');
    await this.ip('-n', netns, 'route', 'add', 'default', 'via', this.ipam.gateway, 'dev', 'eth0');
  }

  private async writeEtcFiles(netns: string, spec: SandboxSpec, ip: string): Promise<void> {
    const dir = join(this.etcNetns, netns);
    await mkdir(dir, { recursive: true });
    for (const [name, text] of Object.entries(podEtcFiles(spec, ip))) await replaceFile(join(dir, name), text, { tempDir: this.etcNetns });
  }

  private async healthy(s: SandboxState): Promise<boolean> {
    if (!s.netns) return true;
    const r = await this.cmd.run([this.tools.ip, '-n', s.netns, '-o', 'addr', 'show', 'dev', 'eth0']);
    return r.code === 0 && r.stdout.includes(` ${s.ip}/`);
  }

  removeSandbox(uid: string): Promise<void> {
    return this.withLock(uid, async () => {
      const state = await this.readState(uid);
      if (state) await this.teardown(state);
      await this.ipam.release(uid);
      // As the process runtime does: the pod's folder (logs included) goes with the sandbox.
      await rm(this.podDir(uid), { recursive: true, force: true });
    });
  }

  /** Kill everything in the pod namespace, delete veth, namespace and etc files, release the IP. */
  private async teardown(s: SandboxState): Promise<void> {
    if (s.netns) {
      await this.killNamespaceProcesses(s.netns);
      if (s.veth) await this.cmd.run([this.tools.ip, 'link', 'del', s.veth]);
      await this.cmd.run([this.tools.ip, 'netns', 'del', s.netns]);
      await rm(join(this.etcNetns, s.netns), { recursive: true, force: true });
    }
    await this.ipam.release(s.uid);
    await rm(join(this.podDir(s.uid), 'sandbox.json'), { force: true });
  }

  private async namespacePids(netns: string): Promise<number[]> {
    const r = await this.cmd.run([this.tools.ip, 'netns', 'pids', netns]);
    if (r.code !== 0) return [];
    return r.stdout
      .split(/\s+/)
      .map((t) => Number(t))
      .filter((n) => Number.isInteger(n) && n > 1 && n !== process.pid);
  }

  private async killNamespaceProcesses(netns: string): Promise<void> {
    for (let round = 0; round < 50; round++) {
      const pids = await this.namespacePids(netns);
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await new Promise((r) => setTimeout(r, 40));
    }
    this.log(`netns ${netns}: processes still present after SIGKILL`);
  }

  private async stateUids(): Promise<string[]> {
    try {
      return await readdir(join(this.root, 'pods'));
    } catch {
      return [];
    }
  }

  async listSandboxes(): Promise<string[]> {
    const out: string[] = [];
    for (const uid of await this.stateUids()) {
      if (await this.readState(uid)) out.push(uid);
    }
    return out.sort();
  }

  // ---- processes --------------------------------------------------------------------------

  /** argv that runs `argv` in the sandbox: pod netns (when it has one), own UTS ns with the pod hostname. */
  private async wrap(sandbox: Sandbox, argv: readonly string[]): Promise<string[]> {
    const state = await this.readState(sandbox.uid);
    const hostname = state?.hostname ?? 'localhost';
    const inner = [this.tools.unshare, '--uts', this.tools.sh, '-c', HOSTNAME_WRAPPER, hostname, ...argv];
    return sandbox.netns ? [this.tools.ip, 'netns', 'exec', sandbox.netns, ...inner] : inner;
  }

  private envFor(env: Readonly<Record<string, string>> | undefined, hostname: string): NodeJS.ProcessEnv {
    const out: NodeJS.ProcessEnv = { HOSTNAME: hostname, ...(env ?? {}) };
    if (!out.PATH) out.PATH = DEFAULT_PATH;
    return out;
  }

  async startContainer(sandbox: Sandbox, container: ContainerSpec, attempt: number): Promise<ContainerHandle> {
    const state = await this.readState(sandbox.uid);
    if (!state || state.phase !== 'ready') throw new Error(`sandbox ${sandbox.uid} does not exist`);
    if (container.argv.length === 0) throw new Error(`container ${container.name}: no command`);
    const env = this.envFor(container.env, state.hostname);
    checkProgram(container.argv[0] ?? '', env.PATH ?? DEFAULT_PATH);
    const cwd = container.workingDir || '/';
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
      throw new Error(`chdir to cwd ("${cwd}") set in config.json failed: no such file or directory`);
    }
    // Same layout as the process runtime: <sandbox dir>/logs/<container>/<attempt>.log.
    const logDir = join(this.podDir(sandbox.uid), 'logs', container.name);
    await mkdir(logDir, { recursive: true });
    const logPath = join(logDir, `${attempt}.log`);
    const writer = new CriLogWriter(logPath);
    const argv = await this.wrap(sandbox, container.argv);
    const [file, ...args] = argv;
    const startedAt = new Date();
    const child = spawn(file ?? '', args, {
      env,
      cwd,
      stdio: [container.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout?.on('data', (d: Buffer) => writer.write('stdout', d));
    child.stderr?.on('data', (d: Buffer) => writer.write('stderr', d));
    const exited = new Promise<ExitInfo>((resolve) => {
      let settled = false;
      const finish = (exitCode: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
        if (settled) return;
        settled = true;
        if (spawnError) writer.write('stderr', Buffer.from(`${spawnError.message}\n`));
        // Give pipes a moment to drain; a daemonized child could hold them open forever.
        const close = (): void => {
          writer.close();
          const finishedAt = new Date();
          const reason = spawnError ? 'ContainerCannotRun' : exitCode === 0 ? 'Completed' : 'Error';
          // Like a container runtime: a signal death is exit code 128 + signal number.
          const code = spawnError ? 128 : (exitCode ?? 128 + signalNumber(signal));
          resolve({ exitCode: code, signal, startedAt, finishedAt, reason });
        };
        if (spawnError) close();
        else {
          const t = setTimeout(close, 500);
          child.once('close', () => {
            clearTimeout(t);
            close();
          });
        }
      };
      child.once('exit', (code, signal) => finish(code, signal));
      child.once('error', (e) => finish(null, null, e));
    });
    if (child.pid === undefined) await exited;
    const pid = child.pid ?? -1;
    return {
      pid,
      startedAt,
      exited,
      logPath,
      kill(signal: NodeJS.Signals) {
        if (pid <= 0) return;
        try {
          process.kill(-pid, signal);
        } catch {
          try {
            process.kill(pid, signal);
          } catch {
            // gone
          }
        }
      },
    };
  }

  async exec(sandbox: Sandbox, opts: ExecOptions, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<ExecResult> {
    const state = await this.readState(sandbox.uid);
    if (!state) throw new Error(`sandbox ${sandbox.uid} does not exist`);
    if (opts.argv.length === 0) throw new Error('exec: no command');
    const argv = await this.wrap(sandbox, opts.argv);
    const env = this.envFor(opts.env, state.hostname);
    if (opts.tty) {
      if (!this.python) throw new Error('exec with a TTY needs python3 on the node (for its pty module)');
      const pty = spawnOnPty(this.python, argv, { env, cwd: '/' });
      opts.onResize?.((s) => pty.resize(s.rows, s.cols));
      return this.runChild(pty.child, opts, stdout, stderr);
    }
    const [file, ...args] = argv;
    const child = spawn(file ?? '', args, { env, cwd: '/', stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    return this.runChild(child, opts, stdout, stderr);
  }

  private runChild(
    child: import('node:child_process').ChildProcess,
    opts: ExecOptions,
    stdout: NodeJS.WritableStream,
    stderr: NodeJS.WritableStream,
  ): Promise<ExecResult> {
    return new Promise<ExecResult>((resolve, reject) => {
      child.stdout?.pipe(stdout, { end: false });
      child.stderr?.pipe(stderr, { end: false });
      child.stdin?.on('error', () => undefined);
      if (opts.stdin && child.stdin) opts.stdin.pipe(child.stdin);
      else child.stdin?.end();
      const abort = (): void => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone
        }
      };
      if (opts.signal?.aborted) abort();
      opts.signal?.addEventListener('abort', abort, { once: true });
      child.once('error', (e) => {
        opts.signal?.removeEventListener('abort', abort);
        reject(e);
      });
      // Output that is still in the pipes arrives before 'close'; a background process that
      // keeps them open must not hold the session, so 'exit' plus a short grace also ends it.
      let done = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
        if (done) return;
        done = true;
        opts.signal?.removeEventListener('abort', abort);
        if (opts.stdin && child.stdin) opts.stdin.unpipe(child.stdin);
        resolve({ exitCode: code ?? 128 + signalNumber(signal) });
      };
      child.once('exit', (code, signal) => {
        const t = setTimeout(() => finish(code, signal), 1000);
        child.once('close', () => {
          clearTimeout(t);
          finish(code, signal);
        });
      });
    });
  }

  connect(sandbox: Sandbox, port: number): Promise<Socket> {
    return new Promise((resolve, reject) => {
      const s = netConnect({ host: sandbox.ip, port });
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.locks.values()]);
  }
}
