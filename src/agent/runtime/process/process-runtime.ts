/**
 * The rootless pod runtime: every container is a plain process of this machine.
 *
 * - A sandbox is a folder `<data-dir>/pods/<uid>/` (sandbox.json, etc/hosts, etc/resolv.conf,
 *   etc/hostname, logs/<container>/<attempt>.log in the CRI format).
 * - Pod IPs come from the node's pod CIDR and are reported as status.podIP (valid cluster
 *   addresses, accepted in EndpointSlices); the pod is served on the loopback twin of that
 *   address (10.244.1.5 → 127.244.1.5, `Sandbox.localIp`), which any user may bind on Linux.
 *   Processes learn it from `SWITCHYARD_LISTEN_IP` (switchyard netexec binds it); programs
 *   that bind 0.0.0.0 still run but share the machine's ports with every other pod.
 * - There is no isolation: processes share the machine's filesystem, users, hostname
 *   (`HOSTNAME` is set to the pod's) and resolver (the pod resolv.conf is written for
 *   reference only).
 * - Each container runs detached in its own process group; stopping it signals the group, and
 *   when its main process ends the rest of the group is killed, as a container's would be.
 * - Processes cannot be re-adopted after an agent restart: adopting a sandbox kills what the
 *   previous agent left running there (identified by pid and start time), and the agent starts
 *   the containers again.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type Socket, connect } from 'node:net';
import { join } from 'node:path';
import { constants as osConstants } from 'node:os';
import type { Logger } from '../../../log/logger.js';
import { CriLogWriter } from '../../cri-log.js';
import type { ContainerHandle, ContainerSpec, ExecOptions, ExecResult, ExitInfo, Runtime, Sandbox, SandboxSpec } from '../runtime.js';
import { PodAddressPool, loopbackFor } from './pod-address-pool.js';
import { replaceFileSync } from '../replace-file.js';

/** The environment variable telling a process which address its pod is served on. */
export const LISTEN_IP_ENV = 'SWITCHYARD_LISTEN_IP';

export interface ProcessRuntimeOptions {
  /** Agent data folder; sandboxes go to `<dataDir>/pods`. */
  readonly dataDir: string;
  /** The node's spec.podCIDR (IPv4). */
  readonly podCIDR: string;
  /** The node's address, the pod IP of hostNetwork pods. */
  readonly nodeIP: string;
  readonly log?: Logger;
  /** Environment every container starts from (default: PATH and HOME of the agent). */
  readonly baseEnv?: Readonly<Record<string, string>>;
}

interface SandboxRecord {
  uid: string;
  namespace: string;
  name: string;
  hostname: string;
  ip: string;
  localIp?: string;
  hostNetwork: boolean;
}

interface ProcRecord {
  pid: number;
  /** /proc/<pid>/stat start time, to never signal a recycled pid. */
  startTicks?: string;
}

/** Field 22 of /proc/<pid>/stat (process start time), or undefined off Linux / when gone. */
function procStartTicks(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19];
  } catch {
    return undefined;
  }
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  return signal ? (osConstants.signals[signal] ?? 0) : 0;
}

export class ProcessRuntime implements Runtime {
  readonly description: string;
  private readonly podsDir: string;
  private readonly pool: PodAddressPool;
  private readonly sandboxes = new Map<string, SandboxRecord>();
  /** Live container processes by sandbox uid. */
  private readonly live = new Map<string, Set<ChildProcess>>();
  private readonly baseEnv: Readonly<Record<string, string>>;

  constructor(private readonly opts: ProcessRuntimeOptions) {
    this.podsDir = join(opts.dataDir, 'pods');
    mkdirSync(this.podsDir, { recursive: true });
    this.pool = new PodAddressPool(opts.podCIDR, join(opts.dataDir, 'pod-addresses.json'));
    this.description = `process (rootless; pods on loopback twins of ${opts.podCIDR})`;
    const env: Record<string, string> = {};
    if (process.env.PATH) env.PATH = process.env.PATH;
    if (process.env.HOME) env.HOME = process.env.HOME;
    this.baseEnv = opts.baseEnv ?? env;
  }

  private dir(uid: string): string {
    return join(this.podsDir, uid);
  }

  async createSandbox(spec: SandboxSpec): Promise<Sandbox> {
    const dir = this.dir(spec.uid);
    const metaPath = join(dir, 'sandbox.json');
    let rec = this.sandboxes.get(spec.uid);
    if (!rec && existsSync(metaPath)) {
      rec = JSON.parse(readFileSync(metaPath, 'utf8')) as SandboxRecord;
      this.killLeftovers(spec.uid);
    }
    if (!rec) {
      const ip = spec.hostNetwork ? this.opts.nodeIP : this.pool.allocate(spec.uid);
      rec = {
        uid: spec.uid,
        namespace: spec.namespace,
        name: spec.name,
        hostname: spec.hostname,
        ip,
        localIp: spec.hostNetwork ? undefined : loopbackFor(ip),
        hostNetwork: spec.hostNetwork,
      };
      mkdirSync(join(dir, 'etc'), { recursive: true });
      mkdirSync(join(dir, 'logs'), { recursive: true });
      writeFileSync(metaPath, JSON.stringify(rec, null, 1));
    }
    this.sandboxes.set(spec.uid, rec);
    // etc files follow the latest spec (cheap, and the agent may have changed DNS settings).
    mkdirSync(join(dir, 'etc'), { recursive: true });
    replaceFileSync(join(dir, 'etc', 'resolv.conf'), spec.resolvConf);
    replaceFileSync(join(dir, 'etc', 'hostname'), `${spec.hostname}\n`);
    const names = spec.fqdn ? `${spec.fqdn}\t${spec.hostname}` : spec.hostname;
    replaceFileSync(join(dir, 'etc', 'hosts'), `# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n${rec.ip}\t${names}\n`);
    this.writeHostnameShim(dir, spec.hostname, spec.fqdn || spec.hostname, rec.ip);
    return { uid: rec.uid, ip: rec.ip, localIp: rec.localIp, dir };
  }

  /**
   * Processes share the machine's hostname, so `<dir>/bin` (first on the containers' PATH) holds a
   * `hostname` that answers with the pod's (`kubectl exec web-0 -- hostname` prints `web-0`, as
   * in the StatefulSet tutorials); options it does not know go to the machine's program.
   */
  private writeHostnameShim(dir: string, hostname: string, fqdn: string, ip: string): void {
    const binDir = join(dir, 'bin');
    mkdirSync(binDir, { recursive: true });
    const real = (process.env.PATH ?? '').split(':').map((d) => join(d || '.', 'hostname')).find((f) => f !== join(binDir, 'hostname') && existsSync(f));
    const q = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
    const script = [
      '#!/bin/sh',
      'case "$*" in',
      `  ''|-s|--short) echo ${q(hostname)} ;;`,
      `  -f|--fqdn|--long|-A|--all-fqdns) echo ${q(fqdn)} ;;`,
      `  -i|--ip-address|-I|--all-ip-addresses) echo ${q(ip)} ;;`,
      real ? `  *) exec ${q(real)} "$@" ;;` : `  *) echo "hostname: unsupported arguments: $*" >&2; exit 1 ;;`,
      'esac',
      '',
    ].join('\n');
    replaceFileSync(join(binDir, 'hostname'), script, { mode: 0o755 });
  }

  async removeSandbox(uid: string): Promise<void> {
    for (const child of this.live.get(uid) ?? []) if (child.pid) signalGroup(child.pid, 'SIGKILL');
    this.live.delete(uid);
    this.killLeftovers(uid);
    this.pool.release(uid);
    this.sandboxes.delete(uid);
    rmSync(this.dir(uid), { recursive: true, force: true });
  }

  async listSandboxes(): Promise<string[]> {
    if (!existsSync(this.podsDir)) return [];
    return readdirSync(this.podsDir).filter((d) => existsSync(join(this.podsDir, d, 'sandbox.json')));
  }

  private procsFile(uid: string): string {
    return join(this.dir(uid), 'processes.json');
  }

  private readProcs(uid: string): Record<string, ProcRecord> {
    try {
      return JSON.parse(readFileSync(this.procsFile(uid), 'utf8')) as Record<string, ProcRecord>;
    } catch {
      return {};
    }
  }

  private writeProcs(uid: string, procs: Record<string, ProcRecord>): void {
    if (existsSync(this.dir(uid))) writeFileSync(this.procsFile(uid), JSON.stringify(procs));
  }

  /** Kills process groups a previous agent left in the sandbox (only if pid and start time still match). */
  private killLeftovers(uid: string): void {
    const procs = this.readProcs(uid);
    const mine = new Set([...(this.live.get(uid) ?? [])].map((c) => c.pid));
    for (const rec of Object.values(procs)) {
      if (mine.has(rec.pid)) continue;
      const ticks = procStartTicks(rec.pid);
      if (ticks !== undefined && ticks === rec.startTicks) {
        this.opts.log?.info(`sandbox ${uid}: stopping process group ${rec.pid} left by a previous agent`);
        signalGroup(rec.pid, 'SIGKILL');
      }
    }
    this.writeProcs(uid, {});
  }

  private record(uid: string): SandboxRecord {
    const rec = this.sandboxes.get(uid);
    if (!rec) throw new Error(`sandbox ${uid} does not exist`);
    return rec;
  }

  private envFor(sandbox: Sandbox, extra: Readonly<Record<string, string>>): Record<string, string> {
    const rec = this.record(sandbox.uid);
    const env: Record<string, string> = { ...this.baseEnv, HOSTNAME: rec.hostname };
    if (rec.localIp) env[LISTEN_IP_ENV] = rec.localIp;
    const merged = { ...env, ...extra };
    // The sandbox's bin (the pod's `hostname`) comes first on PATH.
    merged.PATH = merged.PATH ? `${join(sandbox.dir, 'bin')}:${merged.PATH}` : join(sandbox.dir, 'bin');
    return merged;
  }

  async startContainer(sandbox: Sandbox, container: ContainerSpec, attempt: number): Promise<ContainerHandle> {
    const [exe, ...args] = container.argv;
    if (!exe) throw new Error('container has no command');
    const logDir = join(sandbox.dir, 'logs', container.name);
    mkdirSync(logDir, { recursive: true });
    const logPath = join(logDir, `${attempt}.log`);
    const cwd = container.workingDir || sandbox.dir;
    if (!existsSync(cwd) || !statSync(cwd).isDirectory()) {
      throw new Error(`chdir to cwd ("${cwd}") set in config.json failed: no such file or directory`);
    }
    const child = spawn(exe, args, {
      cwd,
      env: this.envFor(sandbox, container.env),
      detached: true,
      stdio: [container.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    await new Promise<void>((resolve, reject) => {
      child.once('spawn', resolve);
      child.once('error', (err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') reject(new Error(`exec: "${exe}": executable file not found in $PATH`));
        else if (err.code === 'EACCES') reject(new Error(`exec: "${exe}": permission denied`));
        else reject(new Error(`exec: "${exe}": ${err.message}`));
      });
    });
    const pid = child.pid ?? 0;
    const startedAt = new Date();
    const writer = new CriLogWriter(logPath);
    child.stdout?.on('data', (d: Buffer) => writer.write('stdout', d));
    child.stderr?.on('data', (d: Buffer) => writer.write('stderr', d));
    let set = this.live.get(sandbox.uid);
    if (!set) this.live.set(sandbox.uid, (set = new Set()));
    set.add(child);
    const procs = this.readProcs(sandbox.uid);
    procs[container.name] = { pid, startTicks: procStartTicks(pid) };
    this.writeProcs(sandbox.uid, procs);
    const exited = new Promise<ExitInfo>((resolve) => {
      child.once('close', (code, signal) => {
        // The container ends with its main process: take the rest of its group down too.
        signalGroup(pid, 'SIGKILL');
        writer.close();
        set?.delete(child);
        const p = this.readProcs(sandbox.uid);
        if (p[container.name]?.pid === pid) {
          delete p[container.name];
          this.writeProcs(sandbox.uid, p);
        }
        const exitCode = code ?? 128 + signalNumber(signal);
        resolve({ exitCode, signal, startedAt, finishedAt: new Date(), reason: exitCode === 0 ? 'Completed' : 'Error' });
      });
    });
    return {
      pid,
      startedAt,
      exited,
      logPath,
      kill: (signal) => signalGroup(pid, signal),
    };
  }

  async exec(sandbox: Sandbox, opts: ExecOptions, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): Promise<ExecResult> {
    const [exe, ...args] = opts.argv;
    if (!exe) throw new Error('exec: no command given');
    const child = spawn(exe, args, {
      cwd: sandbox.dir,
      env: this.envFor(sandbox, opts.env ?? {}),
      detached: true,
      stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
    });
    const onAbort = (): void => {
      if (child.pid) signalGroup(child.pid, 'SIGKILL');
    };
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout?.on('data', (d: Buffer) => stdout.write(d));
    child.stderr?.on('data', (d: Buffer) => stderr.write(d));
    if (opts.stdin && child.stdin) {
      opts.stdin.pipe(child.stdin);
      child.stdin.on('error', () => undefined);
    }
    try {
      return await new Promise<ExecResult>((resolve) => {
        child.once('error', (err: NodeJS.ErrnoException) => {
          const msg = err.code === 'ENOENT' ? `exec: "${exe}": executable file not found in $PATH` : `exec: "${exe}": ${err.message}`;
          stderr.write(`${msg}\n`);
          resolve({ exitCode: err.code === 'ENOENT' ? 127 : 126 });
        });
        child.once('close', (code, signal) => resolve({ exitCode: code ?? 128 + signalNumber(signal) }));
      });
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
  }

  connect(sandbox: Sandbox, port: number): Promise<Socket> {
    const host = sandbox.localIp ?? sandbox.ip;
    return new Promise((resolve, reject) => {
      const s = connect({ host, port });
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(s);
      });
      s.once('error', reject);
    });
  }

  /** Kills every container process this runtime started (they cannot be re-adopted later). */
  async close(): Promise<void> {
    for (const set of this.live.values()) for (const child of set) if (child.pid) signalGroup(child.pid, 'SIGKILL');
    this.live.clear();
  }
}
